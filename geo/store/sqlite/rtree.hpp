// Packed bulk loading of an SQLite R*Tree (the spatial index SpatiaLite, QGIS and GDAL read).
// SQLite inserts R*Tree entries one by one (~8 µs each, with node splits); for a large import we
// write the whole tree at once with Sort-Tile-Recursive packing straight into its shadow tables,
// in the node format of SQLite's rtree.c. `rtreecheck()` accepts the result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace tsunagi::geo {

struct RTreeEntry {
  std::int64_t id = 0;  ///< the indexed row's rowid
  double min_x = 0;
  double max_x = 0;
  double min_y = 0;
  double max_y = 0;
};

/// Replaces the whole content of the 2-D R*Tree virtual table `table` (columns id, minX, maxX,
/// minY, maxY) with `entries`, packed. Runs inside the caller's transaction.
/// @throws StoreError when the table is not a 2-D R*Tree or a write fails.
void bulk_load_rtree(sqlite3* db, const std::string& table, std::vector<RTreeEntry> entries);

}  // namespace tsunagi::geo
