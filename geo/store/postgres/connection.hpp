// One libpq connection of the PostgreSQL backend, with parameterised statements and their results
// in text form (bytea in binary). Internal to geo/store/postgres: nothing outside it sees libpq.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace tsunagi::geo::pg {

/// The parameters of one statement ($1, $2, … in the order added).
class Params {
 public:
  Params() = default;
  Params& text(std::string_view v);
  Params& null();
  Params& i64(std::int64_t v);
  Params& real(double v);
  Params& boolean(bool v);
  Params& opt_i64(const std::optional<std::int64_t>& v) { return v ? i64(*v) : null(); }
  Params& opt_int(const std::optional<int>& v) { return v ? i64(*v) : null(); }
  Params& opt_bool(const std::optional<bool>& v) { return v ? boolean(*v) : null(); }
  Params& opt_text(const std::optional<std::string>& v) { return v ? text(*v) : null(); }
  /// Text, or NULL when empty.
  Params& text_or_null(std::string_view v) { return v.empty() ? null() : text(v); }
  /// Raw bytes for a bytea parameter.
  Params& bytes(std::string_view v);

  [[nodiscard]] int size() const { return static_cast<int>(values_.size()); }
  [[nodiscard]] std::vector<const char*> pointers() const;
  [[nodiscard]] std::vector<int> lengths() const;
  [[nodiscard]] std::vector<int> formats() const;

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

/// A statement's rows (owns the libpq result).
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* r) : r_(r) {}
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result& operator=(Result&& o) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  [[nodiscard]] int rows() const;
  /// Rows a command changed (UPDATE, DELETE, INSERT).
  [[nodiscard]] std::int64_t affected() const;
  [[nodiscard]] bool is_null(int row, int col) const;
  /// "" for NULL.
  [[nodiscard]] std::string text(int row, int col) const;
  [[nodiscard]] std::string_view view(int row, int col) const;
  [[nodiscard]] std::int64_t i64(int row, int col) const;
  [[nodiscard]] double real(int row, int col) const;
  [[nodiscard]] bool boolean(int row, int col) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(int row, int col) const;
  [[nodiscard]] std::optional<int> opt_int(int row, int col) const;
  [[nodiscard]] std::optional<bool> opt_bool(int row, int col) const;
  [[nodiscard]] std::optional<std::string> opt_text(int row, int col) const;
  /// A bytea column's bytes.
  [[nodiscard]] std::string bytes(int row, int col) const;
  [[nodiscard]] pg_result* raw() const { return r_; }

 private:
  pg_result* r_ = nullptr;
};

/// What a failed statement throws: StoreError, or Conflict for a violated unique or exclusion
/// constraint when `constraint_is_conflict` (a name taken, a slot gone).
struct ExecOptions {
  bool constraint_is_conflict = false;
  std::string_view error_prefix = "PostgreSQL";
};

class Connection {
 public:
  /// Connects with a libpq connection string or URI. @throws StoreError saying why not.
  explicit Connection(const std::string& conninfo);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// One statement with parameters. @throws StoreError (or Conflict, see ExecOptions).
  Result exec(std::string_view sql, const Params& params = {}, ExecOptions options = {});
  /// Several statements without parameters (migrations). @throws StoreError.
  void exec_script(std::string_view sql);
  /// Whether a transaction is open on this connection.
  [[nodiscard]] bool in_transaction() const;
  /// Whether the connection is still up (a cheap check, no round trip).
  [[nodiscard]] bool ok() const;
  [[nodiscard]] pg_conn* raw() const { return conn_; }

 private:
  Result check(Result r, ExecOptions options) const;
  pg_conn* conn_ = nullptr;
};

/// A libpq connection string or URI with its password left out, for messages and path().
std::string redact(std::string_view conninfo);

}  // namespace tsunagi::geo::pg
