// The audit log's hash chain on the PostgreSQL store: appending a row with its link, and walking
// the chain, as the SQLite part does (geo/store/sqlite/audit_log.cpp); the links themselves are
// audit_chain::link(), the same for both backends, so a log verifies whichever store keeps it.
#include "geo/store/audit_log.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "geo/core/error.hpp"
#include "geo/store/audit_chain.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

constexpr pg::ExecOptions kOptions{.error_prefix = "audit log"};

constexpr std::string_view kSelect =
    "SELECT audit_id, at, user_id, user_name, action, case_id, legal_basis, detail, chain_hash, "
    "municipality FROM audit_log";

/// Rows verify() reads at a time (SQLite steps through them one by one; a libpq result holds
/// all its rows in memory, so a long log is read in pages by id).
constexpr std::int64_t kPage = 5000;

audit_chain::Row read_row(const pg::Result& r, int i) {
  audit_chain::Row row;
  row.id = r.i64(i, 0);
  row.at = r.text(i, 1);
  row.user_id = r.i64(i, 2);
  row.user_name = r.text(i, 3);
  row.action = r.text(i, 4);
  row.case_id = r.opt_text(i, 5);
  row.legal_basis = r.opt_text(i, 6);
  row.detail = r.text(i, 7);
  row.municipality = r.opt_text(i, 9);
  return row;
}

void append_row(pg::Connection& conn, audit_chain::Row row) {
  std::string previous = audit_chain::genesis();
  row.id = 1;
  {
    const auto last = conn.exec(
        "SELECT audit_id, chain_hash FROM audit_log ORDER BY audit_id DESC LIMIT 1", {}, kOptions);
    if (last.rows() > 0) {
      row.id = last.i64(0, 0) + 1;
      previous = last.text(0, 1);
    }
  }
  const std::string hash = audit_chain::link(previous, row);
  conn.exec(
      "INSERT INTO audit_log (audit_id, at, user_id, user_name, action, case_id, legal_basis, "
      "detail, chain_hash, municipality) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      pg::Params()
          .i64(row.id)
          .text(row.at)
          .i64(row.user_id)
          .text(row.user_name)
          .text(row.action)
          .opt_text(row.case_id)
          .opt_text(row.legal_basis)
          .text(row.detail)
          .text(hash)
          .opt_text(row.municipality),
      kOptions);
}

}  // namespace

void pg_audit_append(PgStore& store, audit_chain::Row row) {
  // The caller's write transaction holds the advisory lock, so the read of the last link and the
  // insert are one step of the chain. Called outside any transaction (a caller's slip; SQLite
  // would be safe there by its single writer), the append takes a write transaction of its own
  // rather than race another server for the next id.
  if (store.conn().in_transaction()) {
    append_row(store.conn(), std::move(row));
    return;
  }
  PgWriteScope scope(store, WriteKind::accounts);
  append_row(store.conn(), std::move(row));
  scope.commit();
}

namespace {

class PgAuditLog final : public AuditLog {
 public:
  explicit PgAuditLog(PgStore& store) : store_(&store) {}
  [[nodiscard]] AuditVerification verify() const override;
  [[nodiscard]] AuditChainHead head() const override;

 private:
  PgStore* store_;
};

}  // namespace

std::unique_ptr<AuditLog> make_pg_audit_log(PgStore& store) {
  return std::make_unique<PgAuditLog>(store);
}

AuditVerification PgAuditLog::verify() const {
  const PgStore& store = *store_;
  AuditVerification v;
  store.read_consistent([&] {
    std::string previous = audit_chain::genesis();
    std::int64_t previous_id = 0;
    // Pages by id, all inside the one consistent read, so they join up to the same log SQLite's
    // single pass would see.
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      const auto r = store.conn().exec(
          std::string(kSelect) + " WHERE audit_id > $1 ORDER BY audit_id LIMIT $2",
          pg::Params().i64(after).i64(kPage), kOptions);
      for (int i = 0; i < r.rows(); ++i) {
        const auto row = read_row(r, i);
        const std::string stored = r.is_null(i, 8) ? std::string() : r.text(i, 8);
        ++v.rows;
        if (v.intact && stored != audit_chain::link(previous, row)) {
          v.intact = false;
          v.broken_id = row.id;
          if (stored.empty()) {
            v.problem = "row " + std::to_string(row.id) + " has no chain hash";
          } else if (row.id != previous_id + 1) {
            v.problem = "row " + std::to_string(row.id) + " does not follow row " +
                        std::to_string(previous_id) + ": " +
                        (row.id == previous_id + 2
                             ? "row " + std::to_string(previous_id + 1) + " is missing"
                             : "rows " + std::to_string(previous_id + 1) + "–" +
                                   std::to_string(row.id - 1) + " are missing") +
                        " (deleted), or this row was changed";
          } else {
            v.problem = "row " + std::to_string(row.id) +
                        " does not match its hash: it was changed after it was written" +
                        (previous_id == 0 ? std::string()
                                          : ", or the row before it (" +
                                                std::to_string(previous_id) + ") was replaced");
          }
        }
        previous = stored;
        previous_id = row.id;
        v.head.last_id = row.id;
        v.head.hash = stored;
        after = row.id;
      }
      if (r.rows() < kPage) break;
    }
    v.head.rows = v.rows;
    if (v.rows == 0) v.head.hash = audit_chain::genesis();
  });
  return v;
}

AuditChainHead PgAuditLog::head() const {
  const PgStore& store = *store_;
  AuditChainHead head;
  store.read_consistent([&] {
    const auto r = store.conn().exec(
        "SELECT (SELECT count(*) FROM audit_log), audit_id, chain_hash FROM audit_log "
        "ORDER BY audit_id DESC LIMIT 1",
        {}, kOptions);
    head.hash = audit_chain::genesis();
    if (r.rows() > 0) {
      head.rows = r.i64(0, 0);
      head.last_id = r.i64(0, 1);
      head.hash = r.text(0, 2);
    }
  });
  return head;
}

}  // namespace tsunagi::geo
