#include "geo/store/sqlite/rtree.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>

#include "geo/core/error.hpp"
#include "geo/store/sqlite/statement.hpp"

namespace tsunagi::geo {

namespace {

// rtree.c stores coordinates as 32-bit floats, rounding a box outwards so it still contains the
// double-precision original (rtreeValueDown / rtreeValueUp).
float round_down(double d) {
  auto f = static_cast<float>(d);
  if (static_cast<double>(f) > d) f = std::nextafter(f, -INFINITY);
  return f;
}
float round_up(double d) {
  auto f = static_cast<float>(d);
  if (static_cast<double>(f) < d) f = std::nextafter(f, INFINITY);
  return f;
}

struct Box {
  float min_x, max_x, min_y, max_y;
  void grow(const Box& b) {
    min_x = std::min(min_x, b.min_x);
    max_x = std::max(max_x, b.max_x);
    min_y = std::min(min_y, b.min_y);
    max_y = std::max(max_y, b.max_y);
  }
  [[nodiscard]] double cx() const { return (double{min_x} + double{max_x}) / 2; }
  [[nodiscard]] double cy() const { return (double{min_y} + double{max_y}) / 2; }
};

struct Cell {
  std::int64_t id;  ///< rowid in a leaf, child node number above
  Box box;
};

void put_be32(unsigned char* p, std::uint32_t v) {
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
}

void put_be64(unsigned char* p, std::uint64_t v) {
  put_be32(p, static_cast<std::uint32_t>(v >> 32));
  put_be32(p + 4, static_cast<std::uint32_t>(v));
}

/// A statement of the bulk load.
class Statement : public SqliteStatement {
 public:
  Statement(sqlite3* db, const std::string& sql)
      : SqliteStatement(db, sql, {.error_prefix = "R*Tree bulk load"}) {}
};

/// Sort-Tile-Recursive: groups `cells` into runs of at most `fanout` that are close in space.
std::vector<std::vector<Cell>> pack(std::vector<Cell> cells, std::size_t fanout) {
  const std::size_t nodes = (cells.size() + fanout - 1) / fanout;
  const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
  const std::size_t per_slice = slices * fanout;
  std::sort(cells.begin(), cells.end(),
            [](const Cell& a, const Cell& b) { return a.box.cx() < b.box.cx(); });
  std::vector<std::vector<Cell>> out;
  out.reserve(nodes);
  for (std::size_t s = 0; s < cells.size(); s += per_slice) {
    const auto end =
        cells.begin() + static_cast<std::ptrdiff_t>(std::min(cells.size(), s + per_slice));
    std::sort(cells.begin() + static_cast<std::ptrdiff_t>(s), end,
              [](const Cell& a, const Cell& b) { return a.box.cy() < b.box.cy(); });
    for (auto it = cells.begin() + static_cast<std::ptrdiff_t>(s); it < end;) {
      const auto stop =
          it + std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(fanout), end - it);
      out.emplace_back(it, stop);
      it = stop;
    }
  }
  return out;
}

}  // namespace

void bulk_load_rtree(sqlite3* db, const std::string& table, std::vector<RTreeEntry> entries) {
  const std::string quoted = "\"" + table;
  {
    // Only a plain 2-D `rtree` (float32 boxes, five columns) has the cell layout written below.
    Statement q(db, "SELECT lower(sql) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    q.bind(1, table);
    const std::string sql = q.step() ? q.text(0) : std::string();
    Statement cols(db, "SELECT * FROM " + quoted + "\" LIMIT 0");
    if (sql.find("using rtree(") == std::string::npos || cols.column_count() != 5) {
      throw StoreError("R*Tree bulk load: " + table + " is not a 2-D R*Tree");
    }
  }
  // The node size is fixed when the table is made (page size − 64, at most 51 cells); read it
  // from the root, which always exists.
  std::size_t node_size = 0;
  {
    Statement q(db, "SELECT length(data) FROM " + quoted + "_node\" WHERE nodeno = 1");
    if (q.step()) node_size = static_cast<std::size_t>(q.int64(0));
  }
  constexpr std::size_t kCellBytes = 8 + 4 * 4;  // rowid + 2 dimensions × (min, max)
  if (node_size < 4 + 2 * kCellBytes) {
    throw StoreError("R*Tree bulk load: " + table + " is not a 2-D R*Tree with a root node");
  }
  const std::size_t fanout = (node_size - 4) / kCellBytes;

  for (const char* suffix : {"_node\"", "_parent\"", "_rowid\""}) {
    Statement(db, "DELETE FROM " + quoted + suffix).run();
  }
  Statement put_node(db, "INSERT INTO " + quoted + "_node\" (nodeno, data) VALUES (?1, ?2)");
  Statement put_parent(db,
                       "INSERT INTO " + quoted + "_parent\" (nodeno, parentnode) VALUES (?1, ?2)");
  Statement put_rowid(db, "INSERT INTO " + quoted + "_rowid\" (rowid, nodeno) VALUES (?1, ?2)");

  std::vector<unsigned char> blob(node_size);
  auto write_node = [&](std::int64_t nodeno, int depth, const std::vector<Cell>& cells) {
    std::fill(blob.begin(), blob.end(), 0);
    put_be32(blob.data(),
             (static_cast<std::uint32_t>(depth) << 16) | static_cast<std::uint32_t>(cells.size()));
    unsigned char* p = blob.data() + 4;
    for (const auto& c : cells) {
      put_be64(p, static_cast<std::uint64_t>(c.id));
      put_be32(p + 8, std::bit_cast<std::uint32_t>(c.box.min_x));
      put_be32(p + 12, std::bit_cast<std::uint32_t>(c.box.max_x));
      put_be32(p + 16, std::bit_cast<std::uint32_t>(c.box.min_y));
      put_be32(p + 20, std::bit_cast<std::uint32_t>(c.box.max_y));
      p += kCellBytes;
    }
    put_node.bind(1, nodeno)
        .bind_blob(2, std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()))
        .run();
  };
  auto link = [](Statement& s, std::int64_t a, std::int64_t b) { s.bind(1, a).bind(2, b).run(); };

  std::vector<Cell> level;
  level.reserve(entries.size());
  for (const auto& e : entries) {
    level.push_back({e.id, Box{round_down(e.min_x), round_up(e.max_x), round_down(e.min_y),
                               round_up(e.max_y)}});
  }
  entries = {};

  // Build bottom-up. Node 1 is the root; the others are numbered from 2 as they are written.
  std::int64_t next_node = 2;
  int depth = 0;
  while (level.size() > fanout) {
    std::vector<Cell> parents;
    for (auto& group : pack(std::move(level), fanout)) {
      const std::int64_t nodeno = next_node++;
      Box box = group.front().box;
      for (const auto& c : group) {
        box.grow(c.box);
        link(depth == 0 ? put_rowid : put_parent, c.id, nodeno);
      }
      write_node(nodeno, 0, group);
      parents.push_back({nodeno, box});
    }
    level = std::move(parents);
    ++depth;
  }
  for (const auto& c : level) link(depth == 0 ? put_rowid : put_parent, c.id, 1);
  write_node(1, depth, level);
}

}  // namespace tsunagi::geo
