// JIS X 0410 地域メッシュ: the worked example of domain.md §4.4, edges, validation, round trips.
#include "geo/spatial/mesh.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "geo/core/error.hpp"

namespace {

using ::testing::HasSubstr;
using tsunagi::geo::InvalidArgument;
using tsunagi::geo::mesh_cell;
using tsunagi::geo::mesh_cell_at;
using tsunagi::geo::mesh_code_length;
using tsunagi::geo::mesh_parent;
using tsunagi::geo::MeshLevel;

constexpr double kTokyoStationLon = 139.767125;
constexpr double kTokyoStationLat = 35.681236;

const MeshLevel kLevels[] = {MeshLevel::first, MeshLevel::second,  MeshLevel::third,
                             MeshLevel::half,  MeshLevel::quarter, MeshLevel::eighth};

std::string error_of(std::string_view code) {
  try {
    (void)mesh_cell(code);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Mesh, TokyoStationAtEveryLevel) {
  const char* expected[] = {"5339", "533946", "53394611", "533946113", "5339461132", "53394611323"};
  for (int i = 0; i < 6; ++i) {
    const auto cell = mesh_cell_at(kTokyoStationLon, kTokyoStationLat, kLevels[i]);
    EXPECT_EQ(cell.code, expected[i]);
    EXPECT_EQ(cell.level, kLevels[i]);
    EXPECT_EQ(static_cast<int>(cell.code.size()), mesh_code_length(kLevels[i]));
  }
}

TEST(Mesh, TokyoStationThirdMeshBounds) {
  const auto cell = mesh_cell_at(kTokyoStationLon, kTokyoStationLat, MeshLevel::third);
  EXPECT_NEAR(cell.south, 35.6750, 1e-12);
  EXPECT_NEAR(cell.north, 35.683333333333, 1e-9);
  EXPECT_NEAR(cell.west, 139.7625, 1e-12);
  EXPECT_NEAR(cell.east, 139.7750, 1e-12);
}

TEST(Mesh, CellSizesPerLevel) {
  // 40′×1°, 5′×7.5′, 30″×45″, 15″×22.5″, 7.5″×11.25″, 3.75″×5.625″.
  const double lat_sec[] = {2400, 300, 30, 15, 7.5, 3.75};
  const double lon_sec[] = {3600, 450, 45, 22.5, 11.25, 5.625};
  for (int i = 0; i < 6; ++i) {
    const auto cell = mesh_cell_at(kTokyoStationLon, kTokyoStationLat, kLevels[i]);
    EXPECT_NEAR((cell.north - cell.south) * 3600, lat_sec[i], 1e-6) << cell.code;
    EXPECT_NEAR((cell.east - cell.west) * 3600, lon_sec[i], 1e-6) << cell.code;
  }
}

TEST(Mesh, PointOnSouthWestEdgeBelongsToTheCell) {
  // 35.675 and 139.7625 are the south and west edges of 53394611.
  EXPECT_EQ(mesh_cell_at(139.7625, 35.675, MeshLevel::third).code, "53394611");
  // Just inside the neighbours to the south and west.
  EXPECT_EQ(mesh_cell_at(139.7625, 35.675 - 1e-9, MeshLevel::third).code, "53394601");
  EXPECT_EQ(mesh_cell_at(139.7625 - 1e-9, 35.675, MeshLevel::third).code, "53394610");
  // A 1次 corner: lat 35.333… = 53/1.5, lon 139.
  EXPECT_EQ(mesh_cell_at(139.0, 53.0 / 1.5, MeshLevel::eighth).code, "53390000111");
  // North-east edges belong to the next cell.
  const auto c = mesh_cell("53394611");
  EXPECT_EQ(mesh_cell_at(c.east, c.north, MeshLevel::third).code, "53394622");
}

TEST(Mesh, EdgesOfEveryLevelAreExact) {
  // Every sub-cell's south-west corner maps back to that sub-cell.
  const auto parent = mesh_cell("53394611");
  for (const char* suffix : {"1", "2", "3", "4"}) {
    const auto half = mesh_cell(std::string("53394611") + suffix);
    EXPECT_EQ(mesh_cell_at(half.west, half.south, MeshLevel::half).code, half.code);
    for (const char* q : {"1", "2", "3", "4"}) {
      for (const char* e : {"1", "2", "3", "4"}) {
        const auto eighth = mesh_cell(half.code + q + e);
        EXPECT_EQ(mesh_cell_at(eighth.west, eighth.south, MeshLevel::eighth).code, eighth.code);
        EXPECT_GE(eighth.south, parent.south);
        EXPECT_LE(eighth.north, parent.north + 1e-12);
      }
    }
  }
}

TEST(Mesh, DigitMeaningOfSplits) {
  const auto third = mesh_cell("53394611");
  const auto sw = mesh_cell("533946111");
  const auto se = mesh_cell("533946112");
  const auto nw = mesh_cell("533946113");
  const auto ne = mesh_cell("533946114");
  EXPECT_DOUBLE_EQ(sw.south, third.south);
  EXPECT_DOUBLE_EQ(sw.west, third.west);
  EXPECT_DOUBLE_EQ(se.west, sw.east);
  EXPECT_DOUBLE_EQ(nw.south, sw.north);
  EXPECT_DOUBLE_EQ(ne.north, third.north);
  EXPECT_DOUBLE_EQ(ne.east, third.east);
}

TEST(Mesh, HyphensAreAccepted) {
  EXPECT_EQ(mesh_cell("5339-46-11").code, "53394611");
  EXPECT_EQ(mesh_cell("5339-46-11-3-2-3").code, "53394611323");
  EXPECT_EQ(mesh_cell("5339-46-11").level, MeshLevel::third);
}

TEST(Mesh, RejectsSecondMeshDigitAbove7) {
  EXPECT_THAT(error_of("533986"), HasSubstr("digit 5 (2次 latitude) is 8, must be 0–7"));
  EXPECT_THAT(error_of("533948"), HasSubstr("digit 6 (2次 longitude) is 8, must be 0–7"));
}

TEST(Mesh, RejectsSplitDigitsOutside1To4) {
  EXPECT_THAT(error_of("533946110"), HasSubstr("digit 9 (2分の1) is 0, must be 1–4"));
  EXPECT_THAT(error_of("5339461135"), HasSubstr("digit 10 (4分の1) is 5, must be 1–4"));
  EXPECT_THAT(error_of("53394611320"), HasSubstr("digit 11 (8分の1) is 0, must be 1–4"));
}

TEST(Mesh, RejectsWrongLengthAndNonDigits) {
  EXPECT_THAT(error_of("53394"), HasSubstr("has 5 digits"));
  EXPECT_THAT(error_of("5339461132345"), HasSubstr("has 13 digits"));
  EXPECT_THAT(error_of(""), HasSubstr("has 0 digits"));
  EXPECT_THAT(error_of("5339x6"), HasSubstr("character 5 ('x') is not a digit"));
  EXPECT_THAT(error_of("5339 46"), HasSubstr("is not a digit"));
}

TEST(Mesh, RejectsFirstMeshOutsideJapan) {
  EXPECT_THAT(error_of("1239"), HasSubstr("1次 latitude part 12 must be 30–68"));
  EXPECT_THAT(error_of("5399"), HasSubstr("1次 longitude part 99 must be 22–53"));
}

TEST(Mesh, PointOutsideCoverageIsRejected) {
  EXPECT_THROW((void)mesh_cell_at(35.68, 139.76, MeshLevel::third), InvalidArgument);  // swapped
  EXPECT_THROW((void)mesh_cell_at(2.35, 48.85, MeshLevel::third), InvalidArgument);    // Paris
  EXPECT_THROW((void)mesh_cell_at(std::nan(""), 35.0, MeshLevel::third), InvalidArgument);
  try {
    (void)mesh_cell_at(35.68, 139.76, MeshLevel::third);
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("swapped"));
  }
}

TEST(Mesh, Parent) {
  EXPECT_EQ(mesh_parent("53394611323"), "5339461132");
  EXPECT_EQ(mesh_parent("533946113"), "53394611");
  EXPECT_EQ(mesh_parent("53394611"), "533946");
  EXPECT_EQ(mesh_parent("5339-46"), "5339");
  EXPECT_THROW((void)mesh_parent("5339"), InvalidArgument);
  EXPECT_THROW((void)mesh_parent("533986"), InvalidArgument);
}

TEST(Mesh, RandomPointsInJapanRoundTrip) {
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> lat(24.0, 45.5);
  std::uniform_real_distribution<double> lon(123.0, 153.9);
  for (int i = 0; i < 20000; ++i) {
    const double x = lon(rng);
    const double y = lat(rng);
    for (const MeshLevel level : kLevels) {
      const auto cell = mesh_cell_at(x, y, level);
      ASSERT_LE(cell.south, y);
      ASSERT_LT(y, cell.north);
      ASSERT_LE(cell.west, x);
      ASSERT_LT(x, cell.east);
      // Parsing the code gives the same cell, and its centre maps back to the code.
      const auto parsed = mesh_cell(cell.code);
      ASSERT_EQ(parsed.level, level);
      ASSERT_DOUBLE_EQ(parsed.south, cell.south);
      ASSERT_DOUBLE_EQ(parsed.west, cell.west);
      const auto centre =
          mesh_cell_at((cell.west + cell.east) / 2, (cell.south + cell.north) / 2, level);
      ASSERT_EQ(centre.code, cell.code);
      // Its south-west corner too (edges belong to the cell).
      ASSERT_EQ(mesh_cell_at(cell.west, cell.south, level).code, cell.code);
      if (level != MeshLevel::first) {
        ASSERT_EQ(cell.code.substr(0, cell.code.size() - (level <= MeshLevel::third ? 2 : 1)),
                  mesh_parent(cell.code));
      }
    }
  }
}

}  // namespace
