// A throwaway PostgreSQL cluster for the tests of the PostgreSQL store: Debian's own binaries
// (postgresql-15, postgresql-15-postgis-3), a data folder under /tmp made for this test process,
// a Unix socket in that folder and no TCP port (so it never collides with another cluster), and
// fsync off. Started on first use, stopped and removed when the process ends. As root, the server
// runs as the `postgres` user (initdb refuses root).
#pragma once

#include <string>

namespace tsunagi::test {

/// Why the cluster cannot be used here ("" when it can): no PostgreSQL binaries or no PostGIS.
std::string postgres_unavailable();

/// A new empty database in the cluster (started on first call), as a store location
/// (`postgresql:///NAME?host=…&user=postgres`). @throws std::runtime_error when it cannot start.
std::string new_postgres_database(const std::string& stem);

}  // namespace tsunagi::test
