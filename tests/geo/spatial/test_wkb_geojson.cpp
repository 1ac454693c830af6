// WKB to GeoJSON: what GEOS writes, big-endian and Z input, and damaged input.
#include "geo/spatial/wkb_geojson.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::geo {
namespace {

using nlohmann::json;

json wkb_to_geojson_geometry(std::string_view wkb) {
  return wkb_to_geojson(wkb).geometry;
}

TEST(WkbGeoJson, ConvertsWhatGeosWritesAndRejectsDamage) {
  const auto mp = Geometry::from_wkt(
      "MULTIPOLYGON(((133.9 34.6,134.0 34.6,134.0 34.7,133.9 34.6)),"
      "((134.1 34.6,134.2 34.6,134.2 34.7,134.1 34.7,134.1 34.6),"
      "(134.12 34.62,134.18 34.62,134.18 34.68,134.12 34.62)))");
  const json g = wkb_to_geojson_geometry(mp.wkb());
  EXPECT_EQ(g["type"], "MultiPolygon");
  ASSERT_EQ(g["coordinates"].size(), 2u);
  EXPECT_EQ(g["coordinates"][1].size(), 2u) << "the hole is kept";
  EXPECT_EQ(g["coordinates"][0][0][1], json::array({134.0, 34.6}));

  EXPECT_EQ(wkb_to_geojson_geometry(Geometry::from_wkt("POINT(1 2)").wkb()),
            json({{"type", "Point"}, {"coordinates", {1.0, 2.0}}}));
  EXPECT_EQ(wkb_to_geojson_geometry(Geometry::from_wkt("LINESTRING(1 2,3 4)").wkb())["type"],
            "LineString");
  const json gc = wkb_to_geojson_geometry(
      Geometry::from_wkt("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))").wkb());
  EXPECT_EQ(gc["type"], "GeometryCollection");
  EXPECT_EQ(gc["geometries"].size(), 2u);
  EXPECT_TRUE(wkb_to_geojson_geometry("").is_null());

  // Big-endian ISO point with Z (type 1001): the height is dropped.
  std::string be("\x00\x00\x00\x03\xE9", 5);
  for (const double d : {135.5, 34.25, 12.0}) {
    const auto bits = std::bit_cast<std::uint64_t>(d);
    for (int i = 7; i >= 0; --i) be.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  }
  EXPECT_EQ(wkb_to_geojson_geometry(be),
            json({{"type", "Point"}, {"coordinates", {135.5, 34.25}}}));

  const std::string good = mp.wkb();
  EXPECT_THROW(wkb_to_geojson_geometry(good.substr(0, good.size() - 3)), GeometryError);
  EXPECT_THROW(wkb_to_geojson_geometry(good + "x"), GeometryError);
  std::string huge_count = good;
  huge_count[5] = '\xFF';  // number of polygons
  huge_count[6] = '\xFF';
  huge_count[7] = '\xFF';
  EXPECT_THROW(wkb_to_geojson_geometry(huge_count), GeometryError);
  EXPECT_THROW(wkb_to_geojson_geometry(std::string("\x07\x01\x00\x00\x00", 5)), GeometryError);
}

}  // namespace
}  // namespace tsunagi::geo
