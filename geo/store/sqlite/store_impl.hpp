// The SQLite store's inside, shared by the files of geo/store/sqlite/ that implement geo::Store
// (store.cpp: opening, transactions, sources; resources.cpp; areas.cpp: areas, the walking
// network and the address table; statistics.cpp; jobs.cpp): the connection with its prepared
// statements, the write scope, and how a resource is laid out in its table. Internal to
// geo/store/sqlite.
#pragma once

#include "geo/store/sqlite/backend.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "geo/store/store.hpp"

// sqlite3.h must come first: spatialite.h uses its types.
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
//
#include <spatialite.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <set>
#include <unordered_map>

#include "geo/core/address.hpp"
#include "geo/core/error.hpp"
#include "geo/core/resource_fields.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/resource_row.hpp"
#include "geo/store/sqlite/audit_chain.hpp"
#include "geo/store/sqlite/migrations.hpp"
#include "geo/store/sqlite/rtree.hpp"
#include "geo/store/sqlite/statement.hpp"

namespace tsunagi::geo {

namespace sqlite_store {

using nlohmann::json;
// The row layout shared with the other backends (geo/store/resource_row.hpp).
using namespace resource_row;  // NOLINT(google-build-using-namespace)

// ---- SQLite: statements (geo/store/sqlite/statement.hpp) and plain SQL ----

[[noreturn]] inline void fail(sqlite3* db, const std::string& what) {
  throw StoreError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

using Stmt = SqliteStatement;
/// The store's statements are prepared once and kept (Impl::stmt).
inline constexpr StatementOptions kCached{.persistent = true};

inline void exec_sql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("SQL failed (" + sql.substr(0, 60) + "…): " + msg);
  }
}

inline std::int64_t pragma_int(sqlite3* db, const char* pragma) {
  Stmt s(db, std::string("PRAGMA ") + pragma);
  return s.step() ? s.int64(0) : 0;
}

// ---- schema ----

inline std::string column_list() {
  std::string s;
  for (const auto c : resource_columns()) {
    if (!s.empty()) s += ", ";
    s += c;
  }
  return s;
}

inline std::string make_insert_sql() {
  std::string values;
  for (std::size_t i = 1; i <= resource_columns().size(); ++i) {
    values += '?';
    values += std::to_string(i);
    values += ", ";
  }
  return "INSERT INTO resource (" + column_list() + ", geom) VALUES (" + values +
         "MakePoint(?7, ?8, 4326))";
}

inline std::string make_update_sql() {
  const auto& cols = resource_columns();
  std::string sets;
  // Every column but resource_id (1), created_at (5) and created_by (the last).
  for (std::size_t i = 1; i < cols.size() - 1; ++i) {
    if (i == 4) continue;
    sets += cols[i];
    sets += " = ?";
    sets += std::to_string(i + 1);
    sets += ", ";
  }
  return "UPDATE resource SET " + sets + "geom = MakePoint(?7, ?8, 4326)" +
         " WHERE resource_id = ?1";
}

// Text that lives in `r` (or is a static code id) is bound without a copy: the caller steps the
// statement before `r` and `created_by` go away.
inline void bind_resource(Stmt& s, const Resource& r, std::string_view created_by) {
  s.bind_static(1, r.id);
  if (r.source_id > 0) {
    s.bind(2, r.source_id);
    s.bind_static(3, r.source_key);
  } else {
    s.bind_null(2);
    s.bind_null(3);
  }
  s.bind(4, r.version);
  s.bind_static(5, r.created_at);
  s.bind_static(6, r.updated_at);
  s.bind(7, r.lon);
  s.bind(8, r.lat);
  if (r.main_activity) {
    s.bind_static(9, code_id(*r.main_activity));
  } else {
    s.bind_null(9);
  }
  s.bind(10, r.schedules.empty() ? std::string("[]") : schedules_to_json(r.schedules).dump());
  s.bind(11, r.fees.empty() ? std::string("[]") : fees_to_json(r.fees).dump());
  if (r.offer) {
    s.bind(12, offer_to_json(*r.offer).dump());
  } else {
    s.bind_null(12);
  }
  if (r.barrier_free == BarrierFree{}) {
    s.bind_static(13, "{}");
  } else {
    // Only the known flags: most imported rows know none, and every byte counts 200k times.
    json bf = barrier_free_to_json(r.barrier_free);
    for (auto it = bf.begin(); it != bf.end();) it = it->is_null() ? bf.erase(it) : std::next(it);
    s.bind(13, bf.dump());
  }
  // The plain fields, from their rows of resource_fields().
  int i = kPlainColumn0 + 1;
  for (const auto* f : plain_column_fields()) {
    switch (f->kind) {
      case FieldKind::text:
      case FieldKind::date:
        s.bind_static(i, r.*f->text);
        break;
      case FieldKind::integer:
        s.bind(i, r.*f->integer);
        break;
      case FieldKind::boolean:
        s.bind(i, r.*f->boolean);
        break;
      case FieldKind::code:
        s.bind_static(i, f->codes->by_value[static_cast<std::size_t>(f->get_code(r))].id);
        break;
      case FieldKind::code_set: {
        std::string ids;
        for (std::uint64_t b = f->get_codes(r); b != 0; b &= b - 1) {
          if (!ids.empty()) ids += ',';
          ids += f->codes->by_value[static_cast<std::size_t>(std::countr_zero(b))].id;
        }
        s.bind(i, ids);
        break;
      }
      case FieldKind::number:
      case FieldKind::object:
      case FieldKind::list:
        s.bind_null(i);
        break;
    }
    ++i;
  }
  s.bind_static(i, created_by);
}

inline Resource read_resource(const Stmt& s) {
  Resource r;
  r.id = s.text(0);
  r.source_id = s.is_null(1) ? 0 : s.int64(1);
  r.source_key = s.text(2);
  r.version = s.int64(3);
  r.created_at = s.text(4);
  r.updated_at = s.text(5);
  r.lon = s.real(6);
  r.lat = s.real(7);
  if (!s.is_null(8)) r.main_activity = parse_code<Activity>(s.text(8));
  const std::string sched = s.text(9);
  if (sched != "[]") r.schedules = schedules_from_json(json::parse(sched));
  const std::string fees = s.text(10);
  if (fees != "[]") r.fees = fees_from_json(json::parse(fees));
  if (!s.is_null(11)) r.offer = offer_from_json(json::parse(s.text(11)));
  r.barrier_free = barrier_free_from_json(json::parse(s.text(12)));
  int i = kPlainColumn0;
  for (const auto* f : plain_column_fields()) {
    switch (f->kind) {
      case FieldKind::text:
      case FieldKind::date:
        r.*f->text = s.text(i);
        break;
      case FieldKind::integer:
        r.*f->integer = s.opt_int(i);
        break;
      case FieldKind::boolean:
        r.*f->boolean = s.opt_bool(i);
        break;
      case FieldKind::code:
      case FieldKind::code_set:
        read_plain_code(*f, r, s.text(i));
        break;
      case FieldKind::number:
      case FieldKind::object:
      case FieldKind::list:
        break;
    }
    ++i;
  }
  return r;
}

inline const std::string& insert_sql() {
  static const std::string sql = make_insert_sql();
  return sql;
}

inline const std::string& update_sql() {
  static const std::string sql = make_update_sql();
  return sql;
}

inline std::string resource_select_sql(const std::string& where) {
  return "SELECT " + column_list() + " FROM resource " + where;
}

}  // namespace sqlite_store

using namespace sqlite_store;  // NOLINT(google-build-using-namespace): the files of this backend

// ---- Impl ----

struct SqliteStore::Impl {
  std::filesystem::path path;
  sqlite3* db = nullptr;
  void* spatialite_cache = nullptr;
  bool read_only = false;
  int schema_version = 0;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> statements;
  std::unordered_map<const void*, std::unique_ptr<Stmt>> static_statements;

  ~Impl() {
    statements.clear();
    static_statements.clear();
    if (db) sqlite3_close_v2(db);
    if (spatialite_cache) spatialite_cleanup_ex(spatialite_cache);
  }

  Stmt& stmt(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      it = statements.emplace(sql, std::make_unique<Stmt>(db, sql, kCached)).first;
    }
    return it->second->reset();
  }
  /// A statement whose SQL has static storage (a literal), found by its address: hashing the SQL
  /// text on every row was 5% of a large import.
  Stmt& stmt_static(const void* key, std::string_view sql) {
    auto it = static_statements.find(key);
    if (it == static_statements.end()) {
      it = static_statements.emplace(key, std::make_unique<Stmt>(db, sql, kCached)).first;
    }
    return it->second->reset();
  }
  /// Resets every cached statement, ending any read a caller left pending. Before a write
  /// transaction starts: a pending read pins an old view of the file, and writing from it after
  /// another program committed fails (SQLITE_BUSY_SNAPSHOT).
  void end_reads() {
    for (auto& [sql, st] : statements) st->end();
    for (auto& [key, st] : static_statements) st->end();
  }
  template <std::size_t N>
  Stmt& stmt(const char (&sql)[N]) {
    return stmt_static(sql, std::string_view(sql, N - 1));
  }

  void require_writable() const {
    if (read_only) throw StoreError(path.string() + " is opened read-only");
  }

  // Within an import's transaction the R*Tree entries of new rows are added at commit, in one
  // pass, instead of by the per-row trigger (which cost half of a 200k-row import). The trigger is
  // dropped inside the transaction and re-created from its own SQL before COMMIT; DDL is
  // transactional, so a rollback or a crash restores it.
  //
  // SpatiaLite's geometry-constraint trigger (ggi_: is the new geometry of the type and SRID that
  // geometry_columns registers?) is set aside the same way: tsunagi's INSERT writes
  // MakePoint(lon, lat, 4326), the registered POINT/4326, on every row by construction, and the
  // trigger's per-row subquery cost ~0.45 s of a 2.7 s 200k-row import. Other tools writing the
  // file afterwards meet it again.
  std::string deferred_trigger_sql;     ///< non-empty while deferring
  std::string deferred_check_sql;       ///< the constraint trigger, when the store has it
  std::int64_t rowid_before_defer = 0;  ///< rows above it were inserted while deferring
  /// The points of the rows inserted while deferring, as upsert_imported wrote them: at commit
  /// the index is built from them instead of counting and reading the new rows back.
  std::vector<RTreeEntry> deferred_rows;

  void defer_rtree() {
    if (!deferred_trigger_sql.empty()) return;
    auto& q =
        stmt("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'gii_resource_geom'");
    const auto q_done = q.reset_at_end();
    if (!q.step()) return;  // no trigger: nothing to defer
    deferred_trigger_sql = q.text(0);
    // Rowids only grow (resources are never deleted), so the new rows are those above this one.
    auto& m = stmt("SELECT coalesce(max(rowid), 0) FROM resource");
    const auto m_done = m.reset_at_end();
    m.step();
    rowid_before_defer = m.int64(0);
    exec_sql(db, "DROP TRIGGER gii_resource_geom");
    auto& c =
        stmt("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ggi_resource_geom'");
    const auto c_done = c.reset_at_end();
    if (c.step()) {
      deferred_check_sql = c.text(0);
      exec_sql(db, "DROP TRIGGER ggi_resource_geom");
    }
  }

  /// After an INSERT into resource while deferring: its entry for the index at commit.
  void note_deferred_insert(double lon, double lat) {
    if (deferred_trigger_sql.empty()) return;
    deferred_rows.push_back({sqlite3_last_insert_rowid(db), lon, lon, lat, lat});
  }

  void finish_rtree() {
    if (deferred_trigger_sql.empty()) return;
    // Rowids only grow and resources are never deleted, so the rows inserted while deferring are
    // rowid_before_defer + 1 … max(rowid), one each. When every one of them was noted, their
    // points are known; otherwise (a row inserted some other way) they are read back.
    auto& last = stmt("SELECT coalesce(max(rowid), 0) FROM resource");
    last.step();
    const std::int64_t max_rowid = last.int64(0);
    last.end();
    const std::int64_t added = max_rowid - rowid_before_defer;
    const bool all_noted = added == static_cast<std::int64_t>(deferred_rows.size()) &&
                           std::all_of(deferred_rows.begin(), deferred_rows.end(), [&](auto& e) {
                             return e.id > rowid_before_defer && e.id <= max_rowid;
                           });
    // SQLite adds an R*Tree entry in ~8 µs; packing the whole tree costs ~1 µs per entry. Repack
    // when the new rows are a large share of all rows (max(rowid) counts them all), else insert
    // just the new ones.
    if (added * 8 > max_rowid) {
      std::vector<RTreeEntry> entries;
      auto read = [&](Stmt& q) {
        while (q.step()) {
          entries.push_back({q.int64(0), q.real(1), q.real(1), q.real(2), q.real(2)});
        }
      };
      if (all_noted) {
        entries = std::move(deferred_rows);
        auto& old = stmt("SELECT rowid, lon, lat FROM resource WHERE rowid <= ?1");
        old.bind(1, rowid_before_defer);
        read(old);
      } else {
        read(stmt("SELECT rowid, lon, lat FROM resource"));
      }
      bulk_load_rtree(db, "idx_resource_geom", std::move(entries));
    } else {
      // One statement: a statement per row would copy R*Tree pages into a statement journal.
      auto& ins = stmt(
          "INSERT OR REPLACE INTO idx_resource_geom (pkid, xmin, xmax, ymin, ymax) "
          "SELECT rowid, lon, lon, lat, lat FROM resource WHERE rowid > ?1");
      ins.bind(1, rowid_before_defer);
      ins.run();
    }
    exec_sql(db, deferred_trigger_sql);
    if (!deferred_check_sql.empty()) exec_sql(db, deferred_check_sql);
    forget_deferred();
  }

  void forget_deferred() {
    deferred_trigger_sql.clear();
    deferred_check_sql.clear();
    rowid_before_defer = 0;
    deferred_rows = {};
  }

  // Whether a source had no resources when the current write transaction first asked: a first
  // import then inserts its rows without looking each one up (upsert_imported). Forgotten when a
  // write transaction begins or ends. A stale "empty" costs only speed, never a wrong row: the
  // UNIQUE (source_id, source_key) index refuses an INSERT of an id that is there already.
  std::int64_t empty_source_id = 0;  ///< the source asked about last (0: none yet)
  bool empty_source = false;

  bool source_empty_in_transaction(std::int64_t source_id) {
    if (source_id != empty_source_id) {
      auto& s = stmt("SELECT EXISTS (SELECT 1 FROM resource WHERE source_id = ?1)");
      const auto done = s.reset_at_end();
      s.bind(1, source_id);
      empty_source = s.step() && s.int64(0) == 0;
      empty_source_id = source_id;
    }
    return empty_source;
  }
  void forget_empty_source() {
    empty_source_id = 0;
    empty_source = false;
  }

  void bump_generation() { stmt("UPDATE store_state SET generation = generation + 1").run(); }
  /// Marks the area layer changed as of the generation this write commits as.
  void bump_areas_generation() {
    stmt("UPDATE store_state SET areas_generation = generation + 1 WHERE id = 1").run();
  }

  void add_history(const std::string& id, std::int64_t version, std::string_view actor,
                   std::string_view action, const json& changes) {
    auto& s = stmt(
        "INSERT INTO resource_history (resource_id, version, at, actor, action, changes_json) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, id);
    s.bind(2, version);
    s.bind(3, utc_now_iso());
    s.bind(4, actor);
    s.bind(5, action);
    s.bind(6, changes.dump());
    s.run();
  }

  std::optional<Resource> find(std::string_view id) {
    auto& s = stmt(resource_select_sql("WHERE resource_id = ?1"));
    const auto done = s.reset_at_end();
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_resource(s);
  }
};

/// Makes one store operation atomic: its own transaction when none is open, otherwise a savepoint
/// inside the caller's transaction (so a failed row of an import leaves nothing half-written).
class WriteScope {
 public:
  explicit WriteScope(SqliteStore::Impl& impl)
      : impl_(impl), own_(sqlite3_get_autocommit(impl.db) != 0) {
    if (own_) impl_.end_reads();
    impl_.stmt(own_ ? "BEGIN IMMEDIATE" : "SAVEPOINT write_scope").run();
  }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
  ~WriteScope() {
    if (committed_) return;
    if (own_) {
      sqlite3_exec(impl_.db, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(impl_.db, "ROLLBACK TO write_scope; RELEASE write_scope", nullptr, nullptr,
                   nullptr);
    }
  }
  /// `changed` = false when the operation found nothing to write.
  void commit(bool changed = true) {
    // The generation moves once per transaction: here when this scope owns it, otherwise in
    // Store::Transaction::commit().
    if (own_ && changed) impl_.bump_generation();
    impl_.stmt(own_ ? "COMMIT" : "RELEASE write_scope").run();
    committed_ = true;
  }

 private:
  SqliteStore::Impl& impl_;
  bool own_;
  bool committed_ = false;
};

}  // namespace tsunagi::geo
