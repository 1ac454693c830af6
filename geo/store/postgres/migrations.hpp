// The PostgreSQL store's schema migrations, one file each in geo/store/postgres/migrations/
// (NNN_what.sql). Migration 1 makes the tables as the SQLite store has them at schema version 15;
// each later one moves both backends to the next version together. Forward only; compiled in by
// geo/CMakeLists.txt.
#pragma once

#include <span>

namespace tsunagi::geo::pg_store {

/// Every migration's SQL, in order.
std::span<const char* const> migrations();

}  // namespace tsunagi::geo::pg_store
