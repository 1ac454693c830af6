// Web Mercator tile math on known tiles.
#include "tiles/tile_math.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tiles/error.hpp"

namespace {

using namespace tsunagi::tiles;
using ::testing::HasSubstr;

std::string error_of(std::string_view z, std::string_view x, std::string_view y) {
  try {
    (void)parse_tile(z, x, y);
  } catch (const InvalidTile& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TileMath, ZoomZeroIsTheWholeWorld) {
  EXPECT_EQ(tile_at(139.767125, 35.681236, 0), (TileId{0, 0, 0}));
  EXPECT_EQ(tile_at(-180, 85.1, 0), (TileId{0, 0, 0}));
  const auto b = tile_bounds({0, 0, 0});
  EXPECT_DOUBLE_EQ(b.west, -180);
  EXPECT_DOUBLE_EQ(b.east, 180);
  EXPECT_NEAR(b.north, kMaxLatitude, 1e-9);
  EXPECT_NEAR(b.south, -kMaxLatitude, 1e-9);
  const auto m = tile_bounds_3857({0, 0, 0});
  EXPECT_DOUBLE_EQ(m.min_x, -kOriginShift);
  EXPECT_DOUBLE_EQ(m.max_y, kOriginShift);
}

TEST(TileMath, TokyoAtZoom10) {
  const TileId t = tile_at(139.767125, 35.681236, 10);
  EXPECT_EQ(t, (TileId{10, 909, 403}));
  const auto b = tile_bounds(t);
  EXPECT_LE(b.west, 139.767125);
  EXPECT_GT(b.east, 139.767125);
  EXPECT_LE(b.south, 35.681236);
  EXPECT_GT(b.north, 35.681236);
  EXPECT_NEAR(b.east - b.west, 360.0 / 1024, 1e-12);
}

TEST(TileMath, QuadrantsAtZoom1) {
  EXPECT_EQ(tile_at(-90, 45, 1), (TileId{1, 0, 0}));
  EXPECT_EQ(tile_at(90, 45, 1), (TileId{1, 1, 0}));
  EXPECT_EQ(tile_at(-90, -45, 1), (TileId{1, 0, 1}));
  EXPECT_EQ(tile_at(90, -45, 1), (TileId{1, 1, 1}));
  // The antimeridian and the poles stay inside the grid.
  EXPECT_EQ(tile_at(180, -90, 1), (TileId{1, 1, 1}));
  EXPECT_EQ(tile_at(0, 0, 1), (TileId{1, 1, 1}));  // edges belong to the east/south tile
}

TEST(TileMath, BoundsContainTheirTileAndNeighboursShareEdges) {
  for (const double lon : {-179.9, -0.01, 0.0, 133.9, 134.0465, 179.99}) {
    for (const double lat : {-85.0, -33.9, 0.0, 34.3402, 84.9}) {
      for (std::uint32_t z : {0u, 3u, 12u, 18u}) {
        const TileId t = tile_at(lon, lat, z);
        const auto b = tile_bounds(t);
        EXPECT_LE(b.west, lon);
        EXPECT_LE(b.south, lat + 1e-12);
        EXPECT_GE(b.north, lat);
        if (t.x + 1 < (1u << z)) {
          EXPECT_DOUBLE_EQ(tile_bounds({z, t.x + 1, t.y}).west, b.east);
        }
      }
    }
  }
}

TEST(TileMath, MercatorForwardInverse) {
  const auto m = lonlat_to_mercator(180, 0);
  EXPECT_NEAR(m.x, kOriginShift, 1e-6);
  EXPECT_NEAR(m.y, 0, 1e-9);
  EXPECT_NEAR(lonlat_to_mercator(0, kMaxLatitude).y, kOriginShift, 1e-3);
  // Tokyo Station (value from PROJ's EPSG:3857).
  const auto t = lonlat_to_mercator(139.767125, 35.681236);
  EXPECT_NEAR(t.x, 15558805.1846, 0.001);
  EXPECT_NEAR(t.y, 4256848.1202, 0.001);
  const auto back = mercator_to_lonlat(t.x, t.y);
  EXPECT_NEAR(back.x, 139.767125, 1e-10);
  EXPECT_NEAR(back.y, 35.681236, 1e-10);
  // The 3857 bounds of a tile are the Mercator images of its lon/lat bounds.
  const TileId tile{10, 909, 403};
  const auto lb = tile_bounds(tile);
  const auto mb = tile_bounds_3857(tile);
  EXPECT_NEAR(lonlat_to_mercator(lb.west, lb.south).x, mb.min_x, 1e-6);
  EXPECT_NEAR(lonlat_to_mercator(lb.west, lb.south).y, mb.min_y, 1e-6);
  EXPECT_NEAR(lonlat_to_mercator(lb.east, lb.north).y, mb.max_y, 1e-6);
  EXPECT_THROW((void)lonlat_to_mercator(std::nan(""), 0), InvalidTile);
}

TEST(TileMath, ValidationNamesThePart) {
  EXPECT_EQ(parse_tile("10", "909", "403"), (TileId{10, 909, 403}));
  EXPECT_THAT(error_of("10", "1024", "3"), HasSubstr("tile 10/1024/3 does not exist"));
  EXPECT_THAT(error_of("10", "1024", "3"), HasSubstr("0–1023"));
  EXPECT_THAT(error_of("25", "0", "0"), HasSubstr("zoom 25 is out of range: use 0–24"));
  EXPECT_THAT(error_of("a", "0", "0"), HasSubstr("tile zoom \"a\" is not a whole number"));
  EXPECT_THAT(error_of("3", "-1", "0"), HasSubstr("tile x \"-1\""));
  EXPECT_THAT(error_of("3", "1", "2.mvt"), HasSubstr("tile y \"2.mvt\""));
  EXPECT_THAT(error_of("3", "", "0"), HasSubstr("tile x \"\""));
  EXPECT_THAT(error_of("3", "99999999999", "0"), HasSubstr("not a whole number"));
  EXPECT_THROW((void)make_tile(1, 2, 0), InvalidTile);
  EXPECT_THROW((void)tile_bounds({2, 0, 4}), InvalidTile);
  EXPECT_THROW((void)tile_at(190, 0, 3), InvalidTile);
  EXPECT_THROW((void)tile_at(0, 0, 31), InvalidTile);
  // InvalidTile is a tiles::Error, a std::runtime_error.
  try {
    (void)make_tile(0, 1, 0);
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("0/1/0"));
  }
}

TEST(TileMath, TilesCoveringABox) {
  // 高松市's rough box at z=10.
  const TileRange r = tiles_covering({133.9, 34.2, 134.2, 34.5}, 10);
  EXPECT_EQ(r.min_x, tile_at(133.9, 34.5, 10).x);
  EXPECT_EQ(r.max_x, tile_at(134.2, 34.2, 10).x);
  EXPECT_EQ(r.min_y, tile_at(133.9, 34.5, 10).y);  // north edge → smallest y
  EXPECT_EQ(r.max_y, tile_at(133.9, 34.2, 10).y);
  EXPECT_LE(r.min_x, r.max_x);
  EXPECT_LE(r.min_y, r.max_y);
  EXPECT_THROW((void)tiles_covering({134.2, 34.2, 133.9, 34.5}, 10), InvalidTile);
}

}  // namespace
