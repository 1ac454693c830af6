// geo::Store on SQLite: opening (the location, migrations), transactions, generations, health,
// and the sources and import runs.
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

namespace sqlite_store {

bool exists(const std::filesystem::path& file) {
  std::error_code ec;
  return std::filesystem::exists(file, ec);
}

void discard(const std::filesystem::path& file) noexcept {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(file.string() + suffix, ec);
  }
}

StoreHealth writable(const std::filesystem::path& db) {
  struct stat st {};
  if (::stat(db.c_str(), &st) != 0) return {};  // missing: opening it says so
  const std::string name = db.string();
  struct statvfs fs {};
  if (::statvfs(name.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) {
    return {false,
            "the store " + name + " is on a read-only file system: use a copy on a writable disk"};
  }
  if ((st.st_mode & 0222) == 0 || ::access(name.c_str(), W_OK) != 0) {
    return {false, "the store " + name +
                       " is read-only (its permissions): make it writable (chmod u+w) for the "
                       "user that runs tsunagi"};
  }
  const auto dir = db.has_parent_path() ? db.parent_path() : std::filesystem::path(".");
  if (::access(dir.c_str(), W_OK) != 0) {
    return {false, "the folder " + dir.string() + " of the store is not writable; " +
                       "SQLite keeps its write-ahead log (" + db.filename().string() +
                       "-wal) beside the store"};
  }
  return {};
}

std::unique_ptr<StoreBackend> open(const std::filesystem::path& path, Store::Mode mode) {
  using Mode = Store::Mode;
  constexpr auto kSchemaVersion = Store::kSchemaVersion;
  constexpr auto kApplicationId = Store::kApplicationId;
  // SQLite counts every allocation under a global mutex unless told not to; tsunagi never reads
  // those counters. Only possible before SQLite initialises (else a harmless SQLITE_MISUSE).
  static std::once_flag sqlite_configured;
  std::call_once(sqlite_configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (!existed && mode != Mode::create_if_missing) {
    throw StoreError("store " + path.string() +
                     " does not exist (create one with `tsunagi import --db " + path.string() +
                     " …` or `tsunagi demo --db " + path.string() + "`)");
  }
  if (existed && std::filesystem::is_directory(path, ec)) {
    throw StoreError(path.string() + " is a directory, not a store file");
  }
  auto impl = std::make_unique<SqliteStore::Impl>();
  impl->path = path;
  impl->read_only = mode == Mode::read_only;
  const int flags =
      (impl->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    throw StoreError("cannot open " + path.string() + ": " +
                     (impl->db ? sqlite3_errmsg(impl->db) : std::strerror(errno)));
  }
  // A store we create and fail to initialise is removed again, so no half-made file remains.
  auto cleanup_new = [&] {
    if (!existed) {
      impl.reset();
      std::filesystem::remove(path, ec);
      std::filesystem::remove(path.string() + "-wal", ec);
      std::filesystem::remove(path.string() + "-shm", ec);
    }
  };
  try {
    impl->spatialite_cache = spatialite_alloc_connection();
    spatialite_init_ex(impl->db, impl->spatialite_cache, 0);
    sqlite3_busy_timeout(impl->db, 5000);
    audit_chain::register_sql_function(impl->db);

    std::int64_t app_id = 0;
    std::int64_t version = 0;
    std::int64_t tables = 0;
    {
      // The first read tells whether this is SQLite at all.
      sqlite3_stmt* probe = nullptr;
      int rc =
          sqlite3_prepare_v2(impl->db, "SELECT count(*) FROM sqlite_master", -1, &probe, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(probe);
      if (rc == SQLITE_ROW) tables = sqlite3_column_int64(probe, 0);
      sqlite3_finalize(probe);
      if (rc == SQLITE_NOTADB) {
        throw StoreError(path.string() +
                         " is not a tsunagi store: it is not an SQLite database at all");
      }
      if (rc != SQLITE_ROW) fail(impl->db, "cannot read " + path.string());
      app_id = pragma_int(impl->db, "application_id");
      version = pragma_int(impl->db, "user_version");
    }
    const bool fresh = tables == 0 && app_id == 0 && version == 0;
    if (!fresh && app_id != kApplicationId) {
      throw StoreError(
          path.string() + " is an SQLite database but not a tsunagi store (its application_id is " +
          std::to_string(app_id) + "); give the path of a tsunagi store or a new file");
    }
    if (version > kSchemaVersion) {
      throw StoreError(path.string() + " was written by a newer tsunagi (schema version " +
                       std::to_string(version) + "; this build reads up to " +
                       std::to_string(kSchemaVersion) + "): upgrade tsunagi to open it");
    }
    if (fresh && existed && mode != Mode::create_if_missing) {
      throw StoreError(path.string() + " is an empty file, not a tsunagi store");
    }
    if (impl->read_only && version < kSchemaVersion) {
      throw StoreError(path.string() + " has schema version " + std::to_string(version) +
                       " and needs an upgrade; open it once read-write");
    }
    if (!impl->read_only) {
      exec_sql(impl->db, "PRAGMA journal_mode = WAL");
      exec_sql(impl->db, "PRAGMA synchronous = NORMAL");
    }
    exec_sql(impl->db, "PRAGMA foreign_keys = ON");
    // Savepoints inside long transactions keep their sub-journals in memory, not in temp files.
    exec_sql(impl->db, "PRAGMA temp_store = MEMORY");
    if (fresh) {
      // InitSpatialMetadata(1) runs its own transaction (fast); 'WGS84' keeps the file small.
      exec_sql(impl->db, "SELECT InitSpatialMetadata(1, 'WGS84')");
    }
    for (auto v = version; v < kSchemaVersion; ++v) {
      WriteScope tx(*impl);
      exec_sql(impl->db, migrations()[static_cast<std::size_t>(v)]);
      if (v == 0) {
        exec_sql(impl->db, "PRAGMA application_id = " + std::to_string(kApplicationId));
        exec_sql(impl->db, "INSERT INTO store_state (id, generation, created_at) VALUES (1, 1, '" +
                               utc_now_iso() + "')");
      }
      exec_sql(impl->db, "PRAGMA user_version = " + std::to_string(v + 1));
      tx.commit(/*changed=*/false);  // a new or upgraded file is not a data change
    }
    impl->schema_version = static_cast<int>(pragma_int(impl->db, "user_version"));
  } catch (...) {
    cleanup_new();
    throw;
  }
  return std::make_unique<SqliteStore>(std::move(impl));
}

}  // namespace sqlite_store

StoreHealth SqliteStore::health() const {
  if (impl_->read_only) return {};
  const std::string wal = impl_->path.string() + "-wal";
  std::error_code ec;
  if (std::filesystem::exists(wal, ec)) return {};
  return {false, "the store's write-ahead log " + wal + " has disappeared"};
}

const std::filesystem::path& SqliteStore::path() const {
  return impl_->path;
}
int SqliteStore::schema_version() const {
  return impl_->schema_version;
}

std::int64_t SqliteStore::generation() const {
  auto& s = impl_->stmt("SELECT generation FROM store_state WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::int64_t SqliteStore::areas_generation() const {
  auto& s = impl_->stmt("SELECT areas_generation FROM store_state WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

void SqliteStore::read_consistent(const std::function<void()>& f) const {
  const bool own = sqlite3_get_autocommit(impl_->db) != 0;
  if (own && sqlite3_exec(impl_->db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("cannot read the store: ") + sqlite3_errmsg(impl_->db));
  }
  try {
    f();
  } catch (...) {
    if (own) sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (own) sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr);
}

sqlite3* SqliteStore::raw_handle() const {
  return impl_->db;
}

void SqliteStore::touch() {
  impl_->require_writable();
  WriteScope tx(*impl_);
  tx.commit();
}

void SqliteStore::exec(std::string_view sql) {
  exec_sql(impl_->db, std::string(sql));
}

void SqliteStore::begin_write() {
  // A long transaction whose pages do not fit the page cache spills them into the WAL. That was
  // costly while every row also went into the R*Tree (random pages, read back again and again);
  // now the R*Tree is filled at commit and the B-trees of an import are appended to, so a spilled
  // page is rarely read again. 16 MiB holds their working set: with 256 MiB a 200k-row import
  // kept ~100 MB of dirty pages resident (peak RSS 160 MB) and was no faster.
  impl_->stmt("PRAGMA cache_size = -16384").run();
  impl_->require_writable();
  if (sqlite3_get_autocommit(impl_->db) == 0) {
    throw StoreError("a transaction is already open on this store");
  }
  impl_->end_reads();
  exec_sql(impl_->db, "BEGIN IMMEDIATE");
  impl_->forget_empty_source();
}

void SqliteStore::rollback_write() noexcept {
  sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  impl_->forget_deferred();  // the rollback restored the trigger
  impl_->forget_empty_source();
}

void SqliteStore::commit_write(WriteKind writes) {
  impl_->finish_rtree();
  if (writes == WriteKind::content) impl_->bump_generation();
  impl_->stmt("COMMIT").run();
  impl_->forget_empty_source();
}

Accounts& SqliteStore::accounts() {
  if (!accounts_) accounts_ = make_sqlite_accounts(*this);
  return *accounts_;
}
Referrals& SqliteStore::referrals() {
  if (!referrals_) referrals_ = make_sqlite_referrals(*this);
  return *referrals_;
}
AuditLog& SqliteStore::audit_log() {
  if (!audit_log_) audit_log_ = make_sqlite_audit_log(*this);
  return *audit_log_;
}
Confirmations& SqliteStore::confirmations() {
  if (!confirmations_) confirmations_ = make_sqlite_confirmations(*this);
  return *confirmations_;
}

// ---- sources and runs ----

std::int64_t SqliteStore::upsert_source(const SourceInfo& info) {
  impl_->require_writable();
  if (info.key.empty()) throw InvalidArgument("a source needs a key");
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO source (key, title, publisher, url, license, attribution, vintage, imported_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(key) DO UPDATE SET title = ?2, "
      "publisher = ?3, url = ?4, license = ?5, attribution = ?6, vintage = ?7, imported_at = ?8");
  s.bind(1, info.key);
  s.bind(2, info.title);
  s.bind(3, info.publisher);
  s.bind(4, info.url);
  s.bind(5, info.license);
  s.bind(6, info.attribution);
  s.bind(7, info.vintage);
  s.bind(8, info.imported_at.empty() ? utc_now_iso() : info.imported_at);
  s.run();
  auto& q = impl_->stmt("SELECT source_id FROM source WHERE key = ?1");
  q.bind(1, info.key);
  q.step();
  const auto id = q.int64(0);
  q.end();
  tx.commit();
  return id;
}

namespace {
const char* kSourceColumns =
    "SELECT source_id, key, title, publisher, url, license, attribution, vintage, imported_at "
    "FROM source ";
SourceInfo read_source(const Stmt& s) {
  return SourceInfo{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                    s.text(5),  s.text(6), s.text(7), s.text(8)};
}
}  // namespace

std::optional<SourceInfo> SqliteStore::source_by_key(std::string_view key) const {
  auto& s = impl_->stmt(std::string(kSourceColumns) + "WHERE key = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return read_source(s);
}

std::optional<SourceInfo> SqliteStore::source_by_id(std::int64_t id) const {
  auto& s = impl_->stmt(std::string(kSourceColumns) + "WHERE source_id = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_source(s);
}

std::vector<SourceInfo> SqliteStore::sources() const {
  std::vector<SourceInfo> out;
  auto& s = impl_->stmt(std::string(kSourceColumns) + "ORDER BY source_id");
  while (s.step()) out.push_back(read_source(s));
  return out;
}

std::int64_t SqliteStore::record_import(const ImportRun& run) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO import_run (source_id, started_at, finished_at, inserted, updated, unchanged, "
      "rejected, report_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (run.source_id > 0) {
    s.bind(1, run.source_id);
  } else {
    s.bind_null(1);
  }
  s.bind(2, run.started_at);
  s.bind(3, run.finished_at.empty() ? utc_now_iso() : run.finished_at);
  s.bind(4, run.inserted);
  s.bind(5, run.updated);
  s.bind(6, run.unchanged);
  s.bind(7, run.rejected);
  s.bind(8, run.report_json.empty() ? std::string("{}") : run.report_json);
  s.run();
  const auto id = sqlite3_last_insert_rowid(impl_->db);
  tx.commit();
  return id;
}

std::vector<ImportRun> SqliteStore::import_runs() const {
  std::vector<ImportRun> out;
  auto& s = impl_->stmt(
      "SELECT run_id, source_id, started_at, finished_at, inserted, updated, unchanged, rejected, "
      "report_json FROM import_run ORDER BY run_id");
  while (s.step()) {
    out.push_back(ImportRun{s.int64(0), s.is_null(1) ? 0 : s.int64(1), s.text(2), s.text(3),
                            s.int64(4), s.int64(5), s.int64(6), s.int64(7), s.text(8)});
  }
  return out;
}

}  // namespace tsunagi::geo
