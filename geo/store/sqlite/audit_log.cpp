#include "geo/store/audit_log.hpp"
#include "geo/store/sqlite/audit_chain.hpp"

#include <sqlite3.h>

#include <array>
#include <exception>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "geo/store/sqlite/statement.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

class Statement : public SqliteStatement {
 public:
  Statement(sqlite3* db, std::string_view sql)
      : SqliteStatement(db, sql, {.error_prefix = "audit log"}) {}
};

constexpr std::string_view kSelect =
    "SELECT audit_id, at, user_id, user_name, action, case_id, legal_basis, detail, chain_hash, "
    "municipality FROM audit_log";

audit_chain::Row read_row(const Statement& s) {
  audit_chain::Row r;
  r.id = s.int64(0);
  r.at = s.text(1);
  r.user_id = s.int64(2);
  r.user_name = s.text(3);
  r.action = s.text(4);
  if (!s.is_null(5)) r.case_id = s.text(5);
  if (!s.is_null(6)) r.legal_basis = s.text(6);
  r.detail = s.text(7);
  if (!s.is_null(9)) r.municipality = s.text(9);
  return r;
}

}  // namespace

namespace audit_chain {

void append(sqlite3* db, Row row) {
  std::string previous = genesis();
  row.id = 1;
  {
    Statement last(db, "SELECT audit_id, chain_hash FROM audit_log ORDER BY audit_id DESC LIMIT 1");
    if (last.step()) {
      row.id = last.int64(0) + 1;
      previous = last.text(1);
    }
  }
  Statement s(db,
              "INSERT INTO audit_log (audit_id, at, user_id, user_name, action, case_id, "
              "legal_basis, detail, chain_hash, municipality) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s.bind(1, row.id).bind(2, row.at).bind(3, row.user_id).bind(4, row.user_name).bind(5, row.action);
  if (row.case_id) {
    s.bind(6, *row.case_id);
  } else {
    s.bind_null(6);
  }
  if (row.legal_basis) {
    s.bind(7, *row.legal_basis);
  } else {
    s.bind_null(7);
  }
  s.bind(8, row.detail).bind(9, link(previous, row));
  if (row.municipality) {
    s.bind(10, *row.municipality);
  } else {
    s.bind_null(10);
  }
  s.run();
}

void register_sql_function(sqlite3* db) {
  const auto fn = [](sqlite3_context* ctx, int /*argc*/, sqlite3_value** v) {
    const auto text = [&](int i) {
      const auto* p = sqlite3_value_text(v[i]);
      return p == nullptr ? std::string()
                          : std::string(reinterpret_cast<const char*>(p),
                                        static_cast<std::size_t>(sqlite3_value_bytes(v[i])));
    };
    const auto opt_text = [&](int i) {
      return sqlite3_value_type(v[i]) == SQLITE_NULL ? std::nullopt
                                                     : std::optional<std::string>(text(i));
    };
    try {
      Row r;
      r.id = sqlite3_value_int64(v[1]);
      r.at = text(2);
      r.user_id = sqlite3_value_int64(v[3]);
      r.user_name = text(4);
      r.action = text(5);
      r.case_id = opt_text(6);
      r.legal_basis = opt_text(7);
      r.detail = text(8);
      const std::string h = link(text(0), r);
      sqlite3_result_text(ctx, h.data(), static_cast<int>(h.size()), SQLITE_TRANSIENT);
    } catch (const std::exception& e) {
      sqlite3_result_error(ctx, e.what(), -1);
    }
  };
  if (sqlite3_create_function_v2(db, "tsunagi_audit_link", 9, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, fn, nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("cannot register tsunagi_audit_link: ") + sqlite3_errmsg(db));
  }
}

}  // namespace audit_chain

namespace {

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(SqliteStore& store) : store_(&store) {}
  [[nodiscard]] AuditVerification verify() const override;
  [[nodiscard]] AuditChainHead head() const override;

 private:
  SqliteStore* store_;
};

}  // namespace

std::unique_ptr<AuditLog> make_sqlite_audit_log(SqliteStore& store) {
  return std::make_unique<SqliteAuditLog>(store);
}

AuditVerification SqliteAuditLog::verify() const {
  const SqliteStore& store = *store_;
  AuditVerification v;
  store.read_consistent([&] {
    Statement s(store.raw_handle(), std::string(kSelect) + " ORDER BY audit_id");
    std::string previous = audit_chain::genesis();
    std::int64_t previous_id = 0;
    while (s.step()) {
      const auto row = read_row(s);
      const std::string stored = s.is_null(8) ? std::string() : s.text(8);
      ++v.rows;
      if (v.intact && stored != audit_chain::link(previous, row)) {
        v.intact = false;
        v.broken_id = row.id;
        if (stored.empty()) {
          v.problem = "row " + std::to_string(row.id) + " has no chain hash";
        } else if (row.id != previous_id + 1) {
          v.problem =
              "row " + std::to_string(row.id) + " does not follow row " +
              std::to_string(previous_id) + ": " +
              (row.id == previous_id + 2 ? "row " + std::to_string(previous_id + 1) + " is missing"
                                         : "rows " + std::to_string(previous_id + 1) + "–" +
                                               std::to_string(row.id - 1) + " are missing") +
              " (deleted), or this row was changed";
        } else {
          v.problem = "row " + std::to_string(row.id) +
                      " does not match its hash: it was changed after it was written" +
                      (previous_id == 0 ? std::string()
                                        : ", or the row before it (" + std::to_string(previous_id) +
                                              ") was replaced");
        }
      }
      previous = stored;
      previous_id = row.id;
      v.head.last_id = row.id;
      v.head.hash = stored;
    }
    v.head.rows = v.rows;
    if (v.rows == 0) v.head.hash = audit_chain::genesis();
  });
  return v;
}

AuditChainHead SqliteAuditLog::head() const {
  const SqliteStore& store = *store_;
  AuditChainHead head;
  store.read_consistent([&] {
    Statement s(store.raw_handle(),
                "SELECT (SELECT count(*) FROM audit_log), audit_id, chain_hash FROM audit_log "
                "ORDER BY audit_id DESC LIMIT 1");
    head.hash = audit_chain::genesis();
    if (s.step()) {
      head.rows = s.int64(0);
      head.last_id = s.int64(1);
      head.hash = s.text(2);
    }
  });
  return head;
}

}  // namespace tsunagi::geo
