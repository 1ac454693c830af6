// One prepared SQLite statement behind RAII: the one wrapper of sqlite3_stmt in tsunagi (the
// store, the accounts and the R*Tree bulk loader use it). Errors become StoreError — or Conflict
// for a constraint violation when asked — with the caller's prefix.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "geo/core/error.hpp"

namespace tsunagi::geo {

struct StatementOptions {
  std::string_view error_prefix = "query failed";  ///< what a failed step() says first
  bool persistent = false;              ///< cached and reused (SQLITE_PREPARE_PERSISTENT)
  bool constraint_is_conflict = false;  ///< a constraint violation throws Conflict
};

class SqliteStatement {
 public:
  /// @throws StoreError when the SQL does not prepare.
  SqliteStatement(sqlite3* db, std::string_view sql, StatementOptions options = {})
      : db_(db), options_(options) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                           options.persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_,
                           nullptr) != SQLITE_OK) {
      throw StoreError("cannot prepare \"" + std::string(sql.substr(0, 60)) + "\" (" +
                       std::string(options.error_prefix) +
                       "): " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    }
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() { sqlite3_finalize(stmt_); }

  /// Ready for new bindings: reset, bindings cleared.
  SqliteStatement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  /// Resets without clearing bindings. A single-row read must not leave its statement pending:
  /// that keeps the connection's read transaction open, so it would neither see what another
  /// program (`tsunagi import`) commits nor be able to write after it.
  void end() { sqlite3_reset(stmt_); }
  /// end() when the guard goes out of scope.
  class [[nodiscard]] ResetAtEnd {
   public:
    explicit ResetAtEnd(sqlite3_stmt* s) : s_(s) {}
    ResetAtEnd(const ResetAtEnd&) = delete;
    ResetAtEnd& operator=(const ResetAtEnd&) = delete;
    ~ResetAtEnd() { sqlite3_reset(s_); }

   private:
    sqlite3_stmt* s_;
  };
  ResetAtEnd reset_at_end() { return ResetAtEnd(stmt_); }

  SqliteStatement& bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  /// Binds text without copying it: `v` must stay alive until the statement has been stepped.
  SqliteStatement& bind_static(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  SqliteStatement& bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStatement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  SqliteStatement& bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  SqliteStatement& bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  SqliteStatement& bind(int i, std::optional<int> v) {
    return v ? bind(i, std::int64_t{*v}) : bind_null(i);
  }
  SqliteStatement& bind(int i, std::optional<bool> v) {
    return v ? bind(i, std::int64_t{*v ? 1 : 0}) : bind_null(i);
  }

  /// Steps once; true when a row is available. @throws StoreError, Conflict (see options).
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    const std::string what = std::string(options_.error_prefix) + ": " + sqlite3_errmsg(db_);
    if (options_.constraint_is_conflict && (rc & 0xFF) == SQLITE_CONSTRAINT) throw Conflict(what);
    throw StoreError(what);
  }
  /// Steps to the end, then end(): the statement can be bound and run again at once.
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
  }

  [[nodiscard]] int column_count() const { return sqlite3_column_count(stmt_); }
  [[nodiscard]] bool is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  [[nodiscard]] std::string text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
                        : std::string();
  }
  [[nodiscard]] std::string blob(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p != nullptr ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
                        : std::string();
  }
  [[nodiscard]] std::int64_t int64(int i) const { return sqlite3_column_int64(stmt_, i); }
  [[nodiscard]] double real(int i) const { return sqlite3_column_double(stmt_, i); }
  [[nodiscard]] std::optional<int> opt_int(int i) const {
    if (is_null(i)) return std::nullopt;
    return static_cast<int>(sqlite3_column_int64(stmt_, i));
  }
  [[nodiscard]] std::optional<bool> opt_bool(int i) const {
    if (is_null(i)) return std::nullopt;
    return sqlite3_column_int64(stmt_, i) != 0;
  }

 private:
  sqlite3* db_;
  StatementOptions options_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace tsunagi::geo
