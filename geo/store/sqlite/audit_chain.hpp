// The SQLite side of the audit log's hash chain (geo/store/audit_chain.hpp): appending a row with
// its link, and the SQL function the migration that added the chain uses. Internal to
// geo/store/sqlite.
#pragma once

#include "geo/store/audit_chain.hpp"

struct sqlite3;

namespace tsunagi::geo {

namespace audit_chain {

/// Appends `row` (its id is set to the next one) with its chain hash. Call inside the write
/// transaction of the work it records.
void append(sqlite3* db, Row row);

/// Registers the SQL function tsunagi_audit_link(previous_hex, audit_id, at, user_id,
/// user_name, action, case_id, legal_basis, detail) → link(), on one connection: the schema
/// migration that added chain_hash chains the rows of an older store with it, in id order.
void register_sql_function(sqlite3* db);

}  // namespace audit_chain

}  // namespace tsunagi::geo
