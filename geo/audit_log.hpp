// The audit log as a hash chain. Each row of audit_log carries `chain_hash`: BLAKE2b-256
// (libsodium crypto_generichash) over a canonical serialisation of the row (its id and every
// column) and the chain hash of the row before it (32 zero bytes before the first row). A row
// changed in place, a row deleted from the middle or a row slipped in between no longer matches
// its hash, so verify_audit_log() finds the first broken link. What the chain cannot show: the
// tail cut off, or the whole chain recomputed by someone who can write the file; compare
// audit_head() with a copy kept elsewhere for that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace tsunagi::geo {

class Store;

/// The last link of the chain.
struct AuditChainHead {
  std::int64_t rows = 0;
  std::int64_t last_id = 0;  ///< 0 when the log is empty
  std::string hash;          ///< hex; 64 zeros when the log is empty
};

struct AuditVerification {
  std::int64_t rows = 0;
  bool intact = true;
  std::int64_t broken_id = 0;  ///< the first row whose link is broken (when !intact)
  std::string problem;         ///< what is wrong there, in words
  AuditChainHead head;         ///< the stored last link (as it is, intact or not)
};

/// Walks the whole log in id order and recomputes every link from the stored hash of the row
/// before it, so a changed row is named itself and a deleted one by the row after the gap.
[[nodiscard]] AuditVerification verify_audit_log(const Store& store);
[[nodiscard]] AuditChainHead audit_head(const Store& store);

namespace audit_chain {

/// One row of audit_log as stored (case_id and legal_basis may be NULL).
struct Row {
  std::int64_t id = 0;
  std::string at;
  std::int64_t user_id = 0;
  std::string user_name;
  std::string action;
  std::optional<std::string> case_id;
  std::optional<std::string> legal_basis;
  std::string detail;
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
