// The integer clipper: what it clips, it clips exactly as GEOS would (same area, valid); what it
// cannot clip validly it refuses, so that the areas layer clips that shape with GEOS.
#include "tiles/clip.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "geo/spatial/geometry.hpp"

namespace {

using namespace tsunagi;
using tiles::ClipBox;
using tiles::TilePolygon;
using tiles::TileRing;

std::string ring_wkt(const TileRing& r) {
  std::string s = "(";
  for (const auto& p : r) s += std::to_string(p.x) + " " + std::to_string(p.y) + ",";
  s += std::to_string(r.front().x) + " " + std::to_string(r.front().y) + ")";
  return s;
}

std::string wkt(const std::vector<TilePolygon>& polygons) {
  std::string s = "MULTIPOLYGON(";
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    if (i > 0) s += ",";
    s += "(";
    for (std::size_t k = 0; k < polygons[i].size(); ++k) {
      if (k > 0) s += ",";
      s += ring_wkt(polygons[i][k]);
    }
    s += ")";
  }
  return s + ")";
}

geo::Geometry geos_clip(const std::vector<TilePolygon>& polygons, const ClipBox& b) {
  return geo::Geometry::from_wkt(wkt(polygons))
      .clip_to_rect(double(b.min_x), double(b.min_y), double(b.max_x), double(b.max_y));
}

TEST(Clip, InsideIsUnchangedAndOutsideIsEmpty) {
  const std::vector<TilePolygon> square = {{{{10, 10}, {20, 10}, {20, 20}, {10, 20}}}};
  const auto in = tiles::clip_polygons(square, {0, 0, 100, 100});
  ASSERT_TRUE(in);
  EXPECT_EQ(*in, square);
  const auto out = tiles::clip_polygons(square, {30, 30, 100, 100});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->empty());
}

TEST(Clip, ASquareAcrossTheEdgeIsCutAndShifted) {
  const std::vector<TilePolygon> square = {{{{-50, 10}, {50, 10}, {50, 60}, {-50, 60}}}};
  const auto cut = tiles::clip_polygons(square, {0, 0, 100, 100}, 10, 0);
  ASSERT_TRUE(cut);
  ASSERT_EQ(cut->size(), 1U);
  const auto g = geo::Geometry::from_wkt(wkt(*cut));
  EXPECT_TRUE(g.is_valid());
  EXPECT_DOUBLE_EQ(g.area(), 50.0 * 50.0);
  EXPECT_DOUBLE_EQ(g.envelope().min_x, -10.0) << "shifted by dx";
}

TEST(Clip, ARingThatLeavesAndReentersGoesToGeos) {
  // A U open to the right whose base lies left of the box: its two arms enter the box apart, and
  // Sutherland–Hodgman would join them along the box's left edge, over the edge between them.
  const std::vector<TilePolygon> u = {
      {{{-50, 0}, {50, 0}, {50, 30}, {-20, 30}, {-20, 60}, {50, 60}, {50, 90}, {-50, 90}}}};
  EXPECT_FALSE(tiles::clip_polygons(u, {0, -10, 100, 100}));
  // With the box's edge left of the opening, the ring crosses it once and is clipped.
  const auto left = tiles::clip_polygons(u, {-30, -10, 100, 100});
  ASSERT_TRUE(left);
  const auto g = geo::Geometry::from_wkt(wkt(*left));
  EXPECT_TRUE(g.is_valid());
  EXPECT_DOUBLE_EQ(g.area(), 80.0 * 30 * 2 + 10.0 * 30);
  // A U open to the left cut across its arms stays one valid C: no edges overlap.
  const std::vector<TilePolygon> c = {
      {{{-50, 0}, {50, 0}, {50, 90}, {-50, 90}, {-50, 60}, {20, 60}, {20, 30}, {-50, 30}}}};
  const auto cut = tiles::clip_polygons(c, {0, -10, 100, 100});
  ASSERT_TRUE(cut);
  EXPECT_DOUBLE_EQ(geo::Geometry::from_wkt(wkt(*cut)).area(), 50.0 * 90 - 20.0 * 30);
}

TEST(Clip, AHoleCutByTheEdgeGoesToGeos) {
  const std::vector<TilePolygon> holed = {
      {{{-50, -50}, {50, -50}, {50, 50}, {-50, 50}}, {{-20, -20}, {-20, 20}, {20, 20}, {20, -20}}}};
  EXPECT_FALSE(tiles::clip_polygons(holed, {0, -100, 100, 100}));
  const auto whole_hole = tiles::clip_polygons(holed, {-30, -100, 100, 100});
  ASSERT_TRUE(whole_hole);
  ASSERT_EQ(whole_hole->front().size(), 2U) << "the hole is kept";
  EXPECT_DOUBLE_EQ(geo::Geometry::from_wkt(wkt(*whole_hole)).area(), 80.0 * 100 - 40.0 * 40);
}

// Random valid star-shaped polygons with holes, clipped at random boxes: whatever the integer
// clipper answers is valid and has GEOS's area within the rounding of its cut points.
TEST(Clip, AgreesWithGeosOnRandomShapes) {
  std::mt19937 rng(20261205);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int clipped = 0;
  int refused = 0;
  for (int n = 0; n < 2000; ++n) {
    const double cx = 500 * unit(rng);
    const double cy = 500 * unit(rng);
    const int k = 5 + static_cast<int>(60 * unit(rng));
    TileRing shell;
    for (int i = 0; i < k; ++i) {
      const double a = 2 * M_PI * (i + 0.8 * unit(rng)) / k;
      const double r = 40 + 160 * unit(rng);
      shell.push_back({static_cast<std::int32_t>(std::lround(cx + r * std::cos(a))),
                       static_cast<std::int32_t>(std::lround(cy + r * std::sin(a)))});
    }
    std::vector<TilePolygon> polygons = {{shell}};
    if (n % 3 == 0) {  // a small hole at the centre
      polygons[0].push_back(
          {{static_cast<std::int32_t>(cx) - 8, static_cast<std::int32_t>(cy) - 8},
           {static_cast<std::int32_t>(cx) - 8, static_cast<std::int32_t>(cy) + 8},
           {static_cast<std::int32_t>(cx) + 8, static_cast<std::int32_t>(cy) + 8},
           {static_cast<std::int32_t>(cx) + 8, static_cast<std::int32_t>(cy) - 8}});
    }
    const auto input = geo::Geometry::from_wkt(wkt(polygons));
    if (!input.is_valid()) continue;  // a random star may touch itself once snapped
    const auto lo = static_cast<std::int64_t>(500 * unit(rng));
    const auto lo_y = static_cast<std::int64_t>(500 * unit(rng));
    const ClipBox box{lo, lo_y, lo + 1 + static_cast<std::int64_t>(300 * unit(rng)),
                      lo_y + 1 + static_cast<std::int64_t>(300 * unit(rng))};
    const auto ours = tiles::clip_polygons(polygons, box);
    if (!ours) {
      ++refused;
      continue;
    }
    ++clipped;
    const double theirs = geos_clip(polygons, box).area();
    // A cut point moves by at most half a unit along the box's edge, which changes the area by at
    // most a quarter of the box's size (the triangle to its neighbour inside the box).
    std::size_t on_edge = 0;
    for (const auto& polygon : *ours) {
      for (const auto& ring : polygon) {
        for (const auto& p : ring) {
          on_edge += p.x == box.min_x || p.x == box.max_x || p.y == box.min_y || p.y == box.max_y;
        }
      }
    }
    const double size = double(std::max(box.max_x - box.min_x, box.max_y - box.min_y));
    const double tolerance = 0.25 * size * double(std::max<std::size_t>(on_edge, 4)) + 1.0;
    if (ours->empty()) {
      EXPECT_NEAR(theirs, 0.0, tolerance) << "only a sliver the rounding closes: " << wkt(polygons);
      continue;
    }
    const auto g = geo::Geometry::from_wkt(wkt(*ours));
    ASSERT_TRUE(g.is_valid()) << wkt(polygons) << " in " << box.min_x << "," << box.min_y << " "
                              << box.max_x << "," << box.max_y << ": " << g.invalid_reason();
    EXPECT_NEAR(g.area(), theirs, tolerance) << wkt(polygons);
  }
  EXPECT_GT(clipped, 1000) << "most shapes are clipped in integers";
  EXPECT_GT(refused, 0) << "and the test meets shapes that must go to GEOS";
}

}  // namespace
