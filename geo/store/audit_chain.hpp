// The audit log's hash chain, whatever store keeps it (geo/store/audit_log.hpp says what the
// chain is and what it cannot show): one row as stored and the link that chains it to the row
// before. Each backend appends rows with these links in its own language (SQLite:
// geo/store/sqlite/audit_chain.hpp; PostgreSQL: geo/store/postgres/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo::audit_chain {

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

/// The link before the first row (64 zeros).
[[nodiscard]] const std::string& genesis();

}  // namespace tsunagi::geo::audit_chain
