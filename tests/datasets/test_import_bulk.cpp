// What the fast path of a large import must keep: every id remembered with its first row, a CSV's
// WKT point read from its text (GDAL no longer parses it), and a first import that inserts
// without looking each row up still updating a row whose id comes again in the same run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "datasets/import_test_support.hpp"
#include "datasets/seen_ids.hpp"

namespace ds = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::StoreDir;

namespace {

ds::RunOptions public_facilities() {
  ds::RunOptions o;
  o.import.layout = *ds::parse_layout("generic");
  o.import.kind = geo::ResourceKind::public_facility;
  return o;
}

}  // namespace

TEST(SeenIds, RemembersTheFirstRowOfEveryIdThroughGrowth) {
  ds::SeenIds seen;  // no reserve: it grows from nothing
  for (std::int64_t i = 0; i < 50'000; ++i) {
    EXPECT_FALSE(seen.insert(std::to_string(i), i + 2)) << i;
  }
  EXPECT_EQ(seen.size(), 50'000U);
  EXPECT_EQ(seen.insert("123", 99), std::optional<std::int64_t>(125));  // the first row stays
  EXPECT_EQ(seen.find("123"), std::optional<std::int64_t>(125));
  EXPECT_EQ(seen.find("49999"), std::optional<std::int64_t>(50'001));
  EXPECT_FALSE(seen.contains("50000"));
  EXPECT_FALSE(seen.contains("123 "));
  EXPECT_EQ(seen.size(), 50'000U);
}

TEST(SeenIds, TellsApartIdsThatArePrefixesOfEachOtherAndTheEmptyId) {
  ds::SeenIds seen;
  seen.reserve(4);
  EXPECT_FALSE(seen.insert("", 2));
  EXPECT_FALSE(seen.insert("A", 3));
  EXPECT_FALSE(seen.insert("AB", 4));
  EXPECT_FALSE(seen.insert("施設A", 5));
  EXPECT_EQ(seen.insert("", 6), std::optional<std::int64_t>(2));
  EXPECT_EQ(seen.find("AB"), std::optional<std::int64_t>(4));
  EXPECT_EQ(seen.find("施設A"), std::optional<std::int64_t>(5));
  EXPECT_FALSE(seen.contains("施設"));
}

TEST(ImportBulk, CsvWktPointsAreReadFromTheirTextAndBadOnesRejected) {
  StoreDir store;
  const auto r = store.import({store.write("points.csv",
                                           "id,name,wkt\n"
                                           "1,A,POINT(134.0452297 34.3401491)\n"
                                           "2,B,POINT(abc 34.34)\n"
                                           "3,C,\"LINESTRING(134 34, 135 35)\"\n"
                                           "4,D,point z (134.05 34.35 7)\n")},
                              public_facilities());
  const auto& f = r.files.at(0);
  EXPECT_EQ(f.inserted, 2);
  ASSERT_EQ(f.rejected.size(), 2U);
  EXPECT_EQ(f.rejected[0].row, 3);
  EXPECT_THAT(f.rejected[0].message, HasSubstr("has a coordinate that is not a number"));
  EXPECT_EQ(f.rejected[1].row, 4);
  EXPECT_THAT(f.rejected[1].message, HasSubstr("is not a WKT POINT"));
  const auto rs = store.resources();
  ASSERT_EQ(rs.size(), 2U);
  for (const auto& res : rs) {
    if (res.source_key == "1") {
      EXPECT_DOUBLE_EQ(res.lon, 134.0452297);
      EXPECT_DOUBLE_EQ(res.lat, 34.3401491);
    } else {
      EXPECT_EQ(res.source_key, "4");
      EXPECT_DOUBLE_EQ(res.lon, 134.05);
    }
  }
}

TEST(ImportBulk, AFirstImportUpdatesAnIdThatComesAgainInTheSameRun) {
  // Two files of the same name are one source; the second repeats id 1 with a new name. The
  // first import inserts without looking up, and the repeated id must still update its row.
  StoreDir store;
  const auto one =
      store.write("a/list.csv", "id,name,lat,lon\n1,A,34.34,134.04\n2,B,34.35,134.05\n");
  const auto two =
      store.write("b/list.csv", "id,name,lat,lon\n1,A2,34.34,134.04\n3,C,34.36,134.06\n");
  const auto r = store.import({one, two}, public_facilities());
  ASSERT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.files.at(0).inserted, 2);
  EXPECT_EQ(r.files.at(1).inserted, 1);
  EXPECT_EQ(r.files.at(1).updated, 1);
  const auto rs = store.resources();
  ASSERT_EQ(rs.size(), 3U);
  for (const auto& res : rs) {
    if (res.source_key == "1") {
      EXPECT_EQ(res.name, "A2");
      EXPECT_EQ(res.version, 2);
    }
  }
  // Imported again in a later run: nothing new, nothing changed.
  const auto again = store.import({two}, public_facilities());
  EXPECT_EQ(again.files.at(0).inserted, 0);
  EXPECT_EQ(again.files.at(0).unchanged, 2);
  EXPECT_EQ(store.resources().size(), 3U);
}
