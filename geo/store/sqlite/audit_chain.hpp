// The SQLite side of the audit log's hash chain (geo/store/audit_log.hpp says what the chain is
// and what it cannot show): computing a link, appending a row with its link, and the SQL function
// the migration that added the chain uses. Internal to geo/store/sqlite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace tsunagi::geo {

namespace audit_chain {

/// One row of audit_log as stored (case_id, legal_basis and municipality may be NULL). A row with
/// a municipality (migration 14 on) is hashed in the chain's v2 form, which adds it; a row without
/// one in the v1 form, so the rows chained before the column existed still verify, and clearing
/// a new row's municipality breaks its link like any other change.
struct Row {
  std::int64_t id = 0;
  std::string at;
  std::int64_t user_id = 0;
  std::string user_name;
  std::string action;
  std::optional<std::string> case_id;
  std::optional<std::string> legal_basis;
  std::string detail;
  std::optional<std::string> municipality;
};

/// The chain hash (hex) of `row` after the row whose chain hash is `previous_hex`.
[[nodiscard]] std::string link(std::string_view previous_hex, const Row& row);

/// Appends `row` (its id is set to the next one) with its chain hash. Call inside the write
/// transaction of the work it records.
void append(sqlite3* db, Row row);

/// Registers the SQL function tsunagi_audit_link(previous_hex, audit_id, at, user_id,
/// user_name, action, case_id, legal_basis, detail) → link(), on one connection: the schema
/// migration that added chain_hash chains the rows of an older store with it, in id order.
void register_sql_function(sqlite3* db);

}  // namespace audit_chain

}  // namespace tsunagi::geo
