// libpq, in text form: parameters and results travel as text (bytea as binary), so numbers keep
// every digit (doubles as their shortest round-trip form).
#include "geo/store/postgres/connection.hpp"

#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "geo/core/error.hpp"

namespace tsunagi::geo::pg {

namespace {

constexpr int kText = 0;
constexpr int kBinary = 1;

/// The SQLSTATE classes that mean a constraint said no: 23505 unique, 23P01 exclusion.
bool constraint_violation(const char* state) {
  return state != nullptr && (std::strcmp(state, "23505") == 0 || std::strcmp(state, "23P01") == 0);
}

std::string trimmed(const char* message) {
  std::string m = message ? message : "unknown error";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

// ---- Params ----

Params& Params::text(std::string_view v) {
  values_.emplace_back(std::string(v));
  formats_.push_back(kText);
  return *this;
}
Params& Params::null() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(kText);
  return *this;
}
Params& Params::i64(std::int64_t v) {
  values_.emplace_back(std::to_string(v));
  formats_.push_back(kText);
  return *this;
}
Params& Params::real(double v) {
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  values_.emplace_back(std::string(buf.data(), r.ptr));
  formats_.push_back(kText);
  return *this;
}
Params& Params::boolean(bool v) {
  values_.emplace_back(v ? "t" : "f");
  formats_.push_back(kText);
  return *this;
}
Params& Params::bytes(std::string_view v) {
  values_.emplace_back(std::string(v));
  formats_.push_back(kBinary);
  return *this;
}
std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->data() : nullptr);
  return out;
}
std::vector<int> Params::lengths() const {
  std::vector<int> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? static_cast<int>(v->size()) : 0);
  return out;
}
std::vector<int> Params::formats() const {
  return formats_;
}

// ---- Result ----

Result& Result::operator=(Result&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}
Result::~Result() {
  if (r_) PQclear(r_);
}
int Result::rows() const {
  return r_ ? PQntuples(r_) : 0;
}
std::int64_t Result::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}
bool Result::is_null(int row, int col) const {
  return PQgetisnull(r_, row, col) != 0;
}
std::string_view Result::view(int row, int col) const {
  return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
}
std::string Result::text(int row, int col) const {
  return std::string(view(row, col));
}
std::int64_t Result::i64(int row, int col) const {
  const auto v = view(row, col);
  std::int64_t out = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
    throw StoreError("PostgreSQL: not an integer in column " + std::string(PQfname(r_, col)) +
                     ": '" + std::string(v) + "'");
  }
  return out;
}
double Result::real(int row, int col) const {
  const auto v = view(row, col);
  double out = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc()) {
    if (v == "NaN") return std::numeric_limits<double>::quiet_NaN();
    throw StoreError("PostgreSQL: not a number in column " + std::string(PQfname(r_, col)) + ": '" +
                     std::string(v) + "'");
  }
  return out;
}
bool Result::boolean(int row, int col) const {
  const auto v = view(row, col);
  return v == "t" || v == "true" || v == "1";
}
std::optional<std::int64_t> Result::opt_i64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return i64(row, col);
}
std::optional<int> Result::opt_int(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return static_cast<int>(i64(row, col));
}
std::optional<bool> Result::opt_bool(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return boolean(row, col);
}
std::optional<std::string> Result::opt_text(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return text(row, col);
}
std::string Result::bytes(int row, int col) const {
  if (is_null(row, col)) return {};
  std::size_t n = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col)), &n);
  if (raw == nullptr) throw StoreError("PostgreSQL: cannot read a bytea value (out of memory)");
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

// ---- Connection ----

Connection::Connection(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr) {
    throw StoreError("PostgreSQL: out of memory connecting to " + redact(conninfo));
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError("cannot connect to the PostgreSQL store " + redact(conninfo) + ": " + why);
  }
  // Notices (e.g. "relation already exists, skipping") are not the operator's business.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

Result Connection::exec(std::string_view sql, const Params& params, ExecOptions options) {
  const std::string text(sql);
  const auto values = params.pointers();
  const auto lengths = params.lengths();
  const auto formats = params.formats();
  Result r(PQexecParams(conn_, text.c_str(), params.size(), nullptr, values.data(), lengths.data(),
                        formats.data(), kText));
  return check(std::move(r), options);
}

Result Connection::check(Result r, ExecOptions options) const {
  // A failed command leaves a result with an error status; a lost connection none at all.
  if (r.raw() == nullptr) {
    throw StoreError(std::string(options.error_prefix) + ": " + trimmed(PQerrorMessage(conn_)));
  }
  const auto status = PQresultStatus(r.raw());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return r;
  }
  const char* state = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE);
  const std::string message =
      std::string(options.error_prefix) + ": " + trimmed(PQresultErrorMessage(r.raw()));
  if (options.constraint_is_conflict && constraint_violation(state)) throw Conflict(message);
  throw StoreError(message);
}

void Connection::exec_script(std::string_view sql) {
  const std::string text(sql);
  check(Result(PQexec(conn_, text.c_str())), {});
}

bool Connection::in_transaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

bool Connection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

std::string redact(std::string_view conninfo) {
  std::string s(conninfo);
  // URI form: postgresql://user:secret@host/db → postgresql://user@host/db
  if (const auto scheme = s.find("://"); scheme != std::string::npos) {
    const auto at = s.find('@', scheme + 3);
    const auto slash = s.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = s.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) s.erase(colon, at - colon);
    }
  }
  // password=… in the URI's query or a key=value string
  for (std::size_t p = s.find("password="); p != std::string::npos; p = s.find("password=", p)) {
    auto end = s.find_first_of(" &", p);
    if (end == std::string::npos) end = s.size();
    s.replace(p, end - p, "password=***");
    p += 12;
  }
  return s;
}

}  // namespace tsunagi::geo::pg
