// The packed R*Tree bulk loader: SQLite's own integrity check accepts the tree, queries through
// the R*Tree find exactly what a scan finds, and SQLite keeps maintaining the tree afterwards.
#include "geo/store/sqlite/rtree.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

class Db {
 public:
  Db() {
    EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    exec("CREATE VIRTUAL TABLE idx USING rtree(pkid, xmin, xmax, ymin, ymax)");
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { sqlite3_close(db_); }
  sqlite3* get() { return db_; }
  void exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
  }
  std::set<std::int64_t> ids(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    std::set<std::int64_t> out;
    while (sqlite3_step(st) == SQLITE_ROW) out.insert(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::vector<RTreeEntry> points_in_japan(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lon(122.9, 154.0);
  std::uniform_real_distribution<double> lat(20.4, 45.6);
  std::vector<RTreeEntry> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = lon(rng);
    const double y = lat(rng);
    out.push_back({static_cast<std::int64_t>(i + 1), x, x, y, y});
  }
  return out;
}

std::string box_query(double x0, double y0, double x1, double y1) {
  return "SELECT pkid FROM idx WHERE xmin >= " + std::to_string(x0) +
         " AND xmax <= " + std::to_string(x1) + " AND ymin >= " + std::to_string(y0) +
         " AND ymax <= " + std::to_string(y1);
}

std::set<std::int64_t> brute_force(const std::vector<RTreeEntry>& es, double x0, double y0,
                                   double x1, double y1) {
  std::set<std::int64_t> out;
  for (const auto& e : es) {
    if (e.min_x >= x0 && e.max_x <= x1 && e.min_y >= y0 && e.max_y <= y1) out.insert(e.id);
  }
  return out;
}

TEST(SqliteRTree, APackedTreePassesSqlitesOwnCheck) {
  for (std::size_t n : {0UL, 1UL, 51UL, 52UL, 2'601UL, 2'602UL, 20'000UL}) {
    Db db;
    bulk_load_rtree(db.get(), "idx", points_in_japan(n, static_cast<unsigned>(n)));
    EXPECT_EQ(db.text("SELECT rtreecheck('idx')"), "ok") << n << " entries";
    EXPECT_EQ(db.text("SELECT count(*) FROM idx"), std::to_string(n));
  }
}

TEST(SqliteRTree, BoxQueriesFindWhatAScanFinds) {
  Db db;
  const auto es = points_in_japan(20'000, 7);
  bulk_load_rtree(db.get(), "idx", es);
  // Boxes a coordinator's map would ask for, and one edge box whose sides sit on points.
  const double boxes[][4] = {{134.0, 34.0, 135.0, 35.0},
                             {139.5, 35.5, 139.9, 35.8},
                             {122.0, 20.0, 155.0, 46.0},
                             {150.0, 44.0, 150.001, 44.001}};
  for (const auto& b : boxes) {
    EXPECT_EQ(db.ids(box_query(b[0], b[1], b[2], b[3])), brute_force(es, b[0], b[1], b[2], b[3]));
  }
  // A stored point is found by a box of exactly its own coordinates: boxes round outwards.
  const auto& p = es[123];
  char sql[200];
  std::snprintf(sql, sizeof sql,
                "SELECT pkid FROM idx WHERE xmax >= %.17g AND xmin <= %.17g AND ymax >= %.17g "
                "AND ymin <= %.17g",
                p.min_x, p.max_x, p.min_y, p.max_y);
  EXPECT_TRUE(db.ids(sql).contains(p.id));
}

TEST(SqliteRTree, SqliteKeepsMaintainingTheTreeAfterABulkLoad) {
  Db db;
  auto es = points_in_japan(5'000, 11);
  bulk_load_rtree(db.get(), "idx", es);
  db.exec("DELETE FROM idx WHERE pkid % 3 = 0");
  db.exec("UPDATE idx SET xmin = 140.0, xmax = 140.0, ymin = 40.0, ymax = 40.0 WHERE pkid % 7 = 1");
  for (int i = 0; i < 300; ++i) {
    db.exec("INSERT INTO idx VALUES (" + std::to_string(100'000 + i) +
            ", 135.5, 135.5, 34.7, 34.7)");
  }
  EXPECT_EQ(db.text("SELECT rtreecheck('idx')"), "ok");
  std::erase_if(es, [](const RTreeEntry& e) { return e.id % 3 == 0; });
  for (auto& e : es) {
    if (e.id % 7 == 1) e = {e.id, 140.0, 140.0, 40.0, 40.0};
  }
  for (int i = 0; i < 300; ++i) es.push_back({100'000 + i, 135.5, 135.5, 34.7, 34.7});
  EXPECT_EQ(db.ids(box_query(130, 30, 141, 41)), brute_force(es, 130, 30, 141, 41));
  EXPECT_EQ(db.ids("SELECT pkid FROM idx").size(), es.size());
}

TEST(SqliteRTree, ABulkLoadReplacesWhatWasThere) {
  Db db;
  db.exec("INSERT INTO idx VALUES (999999, 1, 1, 1, 1)");
  bulk_load_rtree(db.get(), "idx", points_in_japan(100, 3));
  EXPECT_EQ(db.text("SELECT rtreecheck('idx')"), "ok");
  EXPECT_FALSE(db.ids("SELECT pkid FROM idx").contains(999999));
}

TEST(SqliteRTree, RefusesATableThatIsNotAnRTree) {
  Db db;
  db.exec("CREATE TABLE plain(x)");
  EXPECT_THROW(bulk_load_rtree(db.get(), "plain", {}), StoreError);
  db.exec("CREATE VIRTUAL TABLE idx3 USING rtree(id, x0, x1, y0, y1, z0, z1)");
  EXPECT_THROW(bulk_load_rtree(db.get(), "idx3", points_in_japan(10, 1)), StoreError);
}

}  // namespace
}  // namespace tsunagi::geo
