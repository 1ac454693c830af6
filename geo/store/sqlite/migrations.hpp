// The SQLite store's schema migrations, one file each in geo/store/sqlite/migrations/
// (NNN_what.sql): migration i upgrades PRAGMA user_version i to i+1. Forward only; never edit a
// landed one — add the next file. The build compiles the files into migrations() (see
// geo/CMakeLists.txt), and checks that there is one per Store::kSchemaVersion.
#pragma once

#include <span>

namespace tsunagi::geo {

/// Every migration's SQL, in order.
std::span<const char* const> migrations();

}  // namespace tsunagi::geo
