// geo::Store on PostgreSQL/PostGIS: opening (the location, the schema and its migrations),
// transactions, generations, health, and the sources and import runs.
#include <array>
#include <span>

#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/store/postgres/backend.hpp"
#include "geo/store/postgres/migrations.hpp"
#include "geo/store/postgres/notify.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

namespace {

/// The advisory lock every write transaction takes ("tsun" in ASCII, as the SQLite
/// application_id): one writer at a time across every server on the database.
constexpr std::int64_t kWriteLock = Store::kApplicationId;

/// The schema version PostgreSQL migration 1 brings a store to: the tables as the SQLite store
/// has them at version 15 (each later migration adds one to both backends).
constexpr int kFirstVersion = 15;

std::int64_t state_int(const pg::Connection& c, std::string_view column) {
  auto& conn = const_cast<pg::Connection&>(c);
  const auto r = conn.exec("SELECT " + std::string(column) + " FROM store_state WHERE id = 1");
  return r.rows() > 0 ? r.i64(0, 0) : 0;
}

}  // namespace

namespace pg_store {

bool is_location(std::string_view location) {
  return location.starts_with("postgresql:") || location.starts_with("postgres:");
}

std::unique_ptr<StoreBackend> open(const std::string& location, Store::Mode mode) {
  using Mode = Store::Mode;
  const std::string shown = pg::redact(location);
  auto conn = std::make_unique<pg::Connection>(location);
  conn->exec("SET search_path TO tsunagi, public");
  conn->exec("SET client_min_messages TO warning");
  const auto present = conn->exec("SELECT to_regclass('tsunagi.store_state') IS NOT NULL");
  const bool exists = present.boolean(0, 0);
  if (!exists && mode != Mode::create_if_missing) {
    throw StoreError("the PostgreSQL database " + shown +
                     " holds no tsunagi store (create one with `tsunagi import --db " + shown +
                     " …` or `tsunagi migrate --from FILE --to " + shown + "`)");
  }
  int version = 0;
  if (exists) {
    version = static_cast<int>(state_int(*conn, "schema_version"));
    if (version > Store::kSchemaVersion) {
      throw StoreError(shown + " was written by a newer tsunagi (schema version " +
                       std::to_string(version) + "; this build reads up to " +
                       std::to_string(Store::kSchemaVersion) + "): upgrade tsunagi to open it");
    }
  }
  if (mode == Mode::read_only && version < Store::kSchemaVersion) {
    throw StoreError(shown + " has schema version " + std::to_string(version) +
                     " and needs an upgrade; open it once read-write");
  }
  if (version < Store::kSchemaVersion) {
    // One server migrates; another that opens meanwhile waits on the lock, then finds it done.
    conn->exec("BEGIN");
    try {
      conn->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().i64(kWriteLock));
      const bool now_exists =
          conn->exec("SELECT to_regclass('tsunagi.store_state') IS NOT NULL").boolean(0, 0);
      version = now_exists ? static_cast<int>(state_int(*conn, "schema_version")) : 0;
      if (version == 0) {
        try {
          conn->exec("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public");
        } catch (const StoreError& e) {
          throw StoreError(std::string(e.what()) +
                           " — a tsunagi store needs PostGIS in its database: install "
                           "postgresql-15-postgis-3 and run `CREATE EXTENSION postgis` as the "
                           "database owner");
        }
        conn->exec("CREATE SCHEMA IF NOT EXISTS tsunagi");
      }
      const auto all = migrations();
      const int first = version == 0 ? 0 : version - kFirstVersion + 1;
      for (auto i = static_cast<std::size_t>(first); i < all.size(); ++i) {
        conn->exec_script(all[i]);
      }
      if (version == 0) {
        conn->exec(
            "INSERT INTO store_state (id, store_id, schema_version, generation, created_at) "
            "VALUES (1, $1, $2, 1, $3)",
            pg::Params().text(new_uuid()).i64(Store::kSchemaVersion).text(utc_now_iso()));
      } else {
        conn->exec("UPDATE store_state SET schema_version = $1",
                   pg::Params().i64(Store::kSchemaVersion));
      }
      conn->exec("COMMIT");
    } catch (...) {
      if (conn->ok()) conn->exec_script("ROLLBACK");
      throw;
    }
  }
  return std::make_unique<PgStore>(std::move(conn), location, mode);
}

bool exists(const std::string& location) {
  try {
    pg::Connection conn(location);
    return conn.exec("SELECT to_regclass('tsunagi.store_state') IS NOT NULL").boolean(0, 0);
  } catch (const StoreError&) {
    return false;
  }
}

void discard(const std::string& location) {
  pg::Connection conn(location);
  conn.exec("SET client_min_messages TO warning");
  conn.exec("DROP SCHEMA IF EXISTS tsunagi CASCADE");
}

StoreHealth writable(const std::string& location) {
  try {
    pg::Connection conn(location);
    const auto r =
        conn.exec("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')");
    if (r.boolean(0, 0)) {
      return {false, "the PostgreSQL server of " + pg::redact(location) +
                         " is a standby (read-only): give the primary's address"};
    }
    if (r.text(0, 1) == "on") {
      return {false, "the PostgreSQL database " + pg::redact(location) + " is read-only"};
    }
    return {};
  } catch (const StoreError&) {
    return {};  // opening it says what is wrong
  }
}

}  // namespace pg_store

// ---- PgStore ----

PgStore::PgStore(std::unique_ptr<pg::Connection> conn, const std::string& location,
                 Store::Mode mode)
    : conn_(std::move(conn)),
      location_(pg::redact(location)),
      read_only_(mode == Store::Mode::read_only) {
  schema_version_ = static_cast<int>(state_int(*conn_, "schema_version"));
  if (read_only_) conn_->exec("SET default_transaction_read_only = on");
}

PgStore::~PgStore() = default;

const std::filesystem::path& PgStore::path() const {
  return location_;
}
int PgStore::schema_version() const {
  return schema_version_;
}
std::int64_t PgStore::generation() const {
  return state_int(*conn_, "generation");
}
std::int64_t PgStore::areas_generation() const {
  return state_int(*conn_, "areas_generation");
}

StoreHealth PgStore::health() const {
  if (!conn_->ok()) {
    return {false, "the connection to the PostgreSQL store " + location_.string() + " is lost"};
  }
  return {};
}

void PgStore::require_writable() const {
  if (read_only_) throw StoreError(location_.string() + " is opened read-only");
}

void PgStore::read_consistent(const std::function<void()>& f) const {
  const bool own = !conn_->in_transaction();
  if (own) conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    f();
  } catch (...) {
    if (own && conn_->ok()) conn_->exec_script("ROLLBACK");
    throw;
  }
  if (own) conn_->exec("COMMIT");
}

void PgStore::begin_write() {
  require_writable();
  if (conn_->in_transaction()) throw StoreError("a transaction is already open on this store");
  conn_->exec("BEGIN");
  try {
    conn_->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().i64(kWriteLock));
  } catch (...) {
    rollback_write();
    throw;
  }
}

void PgStore::commit_write(WriteKind writes) {
  if (writes == WriteKind::content) {
    conn_->exec("UPDATE store_state SET generation = generation + 1 WHERE id = 1");
    pg::notify(*conn_, pg::kContentChannel);  // the other servers republish at once
  }
  conn_->exec("COMMIT");
}

void PgStore::rollback_write() noexcept {
  try {
    if (conn_->ok() && conn_->in_transaction()) conn_->exec_script("ROLLBACK");
  } catch (...) {  // NOLINT(bugprone-empty-catch): a lost connection rolled back already
  }
}

void PgStore::touch() {
  require_writable();
  PgWriteScope tx(*this);
  tx.commit();
}

void PgStore::exec(std::string_view statement) {
  conn_->exec_script(statement);
}

Accounts& PgStore::accounts() {
  if (!accounts_) accounts_ = make_pg_accounts(*this);
  return *accounts_;
}
Referrals& PgStore::referrals() {
  if (!referrals_) referrals_ = make_pg_referrals(*this);
  return *referrals_;
}
AuditLog& PgStore::audit_log() {
  if (!audit_log_) audit_log_ = make_pg_audit_log(*this);
  return *audit_log_;
}
Confirmations& PgStore::confirmations() {
  if (!confirmations_) confirmations_ = make_pg_confirmations(*this);
  return *confirmations_;
}

// ---- PgWriteScope ----

PgWriteScope::PgWriteScope(PgStore& store, WriteKind writes)
    : store_(store), writes_(writes), own_(!store.conn().in_transaction()) {
  if (own_) {
    store_.begin_write();
  } else {
    store_.conn().exec("SAVEPOINT write_scope");
  }
}

PgWriteScope::~PgWriteScope() {
  if (committed_) return;
  if (own_) {
    store_.rollback_write();
  } else {
    try {
      store_.conn().exec_script("ROLLBACK TO write_scope; RELEASE write_scope");
    } catch (...) {  // NOLINT(bugprone-empty-catch): the caller's transaction fails anyway
    }
  }
}

void PgWriteScope::commit(bool changed) {
  if (own_) {
    store_.commit_write(changed ? writes_ : WriteKind::accounts);
  } else {
    store_.conn().exec("RELEASE write_scope");
  }
  committed_ = true;
}

// ---- sources and runs ----

std::int64_t PgStore::upsert_source(const SourceInfo& info) {
  require_writable();
  if (info.key.empty()) throw InvalidArgument("a source needs a key");
  PgWriteScope tx(*this);
  const auto r = conn_->exec(
      "INSERT INTO source (key, title, publisher, url, license, attribution, vintage, imported_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO UPDATE SET title = $2, "
      "publisher = $3, url = $4, license = $5, attribution = $6, vintage = $7, imported_at = $8 "
      "RETURNING source_id",
      pg::Params()
          .text(info.key)
          .text(info.title)
          .text(info.publisher)
          .text(info.url)
          .text(info.license)
          .text(info.attribution)
          .text(info.vintage)
          .text(info.imported_at.empty() ? utc_now_iso() : info.imported_at));
  const auto id = r.i64(0, 0);
  tx.commit();
  return id;
}

namespace {
constexpr std::string_view kSourceColumns =
    "SELECT source_id, key, title, publisher, url, license, attribution, vintage, imported_at "
    "FROM source ";
SourceInfo read_source(const pg::Result& r, int i) {
  return SourceInfo{r.i64(i, 0),  r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                    r.text(i, 5), r.text(i, 6), r.text(i, 7), r.text(i, 8)};
}
}  // namespace

std::optional<SourceInfo> PgStore::source_by_key(std::string_view key) const {
  const auto r =
      conn_->exec(std::string(kSourceColumns) + "WHERE key = $1", pg::Params().text(key));
  if (r.rows() == 0) return std::nullopt;
  return read_source(r, 0);
}

std::optional<SourceInfo> PgStore::source_by_id(std::int64_t id) const {
  const auto r =
      conn_->exec(std::string(kSourceColumns) + "WHERE source_id = $1", pg::Params().i64(id));
  if (r.rows() == 0) return std::nullopt;
  return read_source(r, 0);
}

std::vector<SourceInfo> PgStore::sources() const {
  const auto r = conn_->exec(std::string(kSourceColumns) + "ORDER BY source_id");
  std::vector<SourceInfo> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_source(r, i));
  return out;
}

std::int64_t PgStore::record_import(const ImportRun& run) {
  require_writable();
  PgWriteScope tx(*this);
  pg::Params p;
  if (run.source_id > 0) {
    p.i64(run.source_id);
  } else {
    p.null();
  }
  p.text(run.started_at)
      .text(run.finished_at.empty() ? utc_now_iso() : run.finished_at)
      .i64(run.inserted)
      .i64(run.updated)
      .i64(run.unchanged)
      .i64(run.rejected)
      .text(run.report_json.empty() ? std::string("{}") : run.report_json);
  const auto r = conn_->exec(
      "INSERT INTO import_run (source_id, started_at, finished_at, inserted, updated, unchanged, "
      "rejected, report_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING run_id",
      p);
  const auto id = r.i64(0, 0);
  tx.commit();
  return id;
}

std::vector<ImportRun> PgStore::import_runs() const {
  const auto r = conn_->exec(
      "SELECT run_id, source_id, started_at, finished_at, inserted, updated, unchanged, rejected, "
      "report_json FROM import_run ORDER BY run_id");
  std::vector<ImportRun> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(ImportRun{r.i64(i, 0), r.is_null(i, 1) ? 0 : r.i64(i, 1), r.text(i, 2),
                            r.text(i, 3), r.i64(i, 4), r.i64(i, 5), r.i64(i, 6), r.i64(i, 7),
                            r.text(i, 8)});
  }
  return out;
}

}  // namespace tsunagi::geo
