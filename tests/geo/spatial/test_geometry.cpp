// GEOS behind RAII: WKT/WKB, validity, union, prepared point-in-polygon, and the real N03
// boundary of 高松市 (162 polygons dissolved into one city).
#include "geo/spatial/geometry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"
#include "support/test_support.hpp"

namespace {

using ::testing::HasSubstr;
using tsunagi::geo::Geometry;
using tsunagi::geo::GeometryError;
using tsunagi::geo::PreparedGeometry;

constexpr const char* kSquare = "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))";
constexpr const char* kBowtie = "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))";

TEST(Geometry, WktRoundTrip) {
  const Geometry g = Geometry::from_wkt(kSquare);
  EXPECT_EQ(g.wkt(), kSquare);
  EXPECT_EQ(g.type_name(), "Polygon");
  EXPECT_DOUBLE_EQ(g.area(), 100.0);
  EXPECT_TRUE(g.is_valid());
  EXPECT_FALSE(g.is_empty());
  EXPECT_EQ(Geometry::point(134.0465, 34.3402).wkt(), "POINT (134.0465 34.3402)");
}

TEST(Geometry, WkbIsIsoLittleEndian) {
  const std::string wkb = Geometry::point(1.5, -2.25).wkb();
  ASSERT_EQ(wkb.size(), 21u);  // byte order + type + two doubles
  EXPECT_EQ(wkb[0], '\x01');   // little endian
  EXPECT_EQ(wkb.substr(1, 4), std::string("\x01\x00\x00\x00", 4));  // Point
  double x = 0;
  std::memcpy(&x, wkb.data() + 5, sizeof x);
  EXPECT_DOUBLE_EQ(x, 1.5);
  // A 3D point is written in 2D.
  EXPECT_EQ(Geometry::from_wkt("POINT Z (1 2 3)").wkb().size(), 21u);
  // Polygon round trip through WKB.
  const Geometry square = Geometry::from_wkt(kSquare);
  const std::string poly = square.wkb();
  EXPECT_EQ(poly.substr(1, 4), std::string("\x03\x00\x00\x00", 4));
  EXPECT_EQ(Geometry::from_wkb(poly).wkt(), kSquare);
}

TEST(Geometry, MalformedInputCarriesGeosMessage) {
  try {
    (void)Geometry::from_wkt("POLYGON ((0 0, 10 0, 10 10");
    FAIL() << "no error";
  } catch (const GeometryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("malformed WKT"));
    EXPECT_THAT(e.what(), HasSubstr("ParseException"));
  }
  EXPECT_THROW((void)Geometry::from_wkt("CIRCLE (0 0, 1)"), GeometryError);
  const std::string wkb = Geometry::from_wkt(kSquare).wkb();
  EXPECT_THROW((void)Geometry::from_wkb(wkb.substr(0, wkb.size() - 5)), GeometryError);
  EXPECT_THROW((void)Geometry::from_wkb(""), GeometryError);
  EXPECT_THROW((void)Geometry::from_wkb("not wkb at all"), GeometryError);
  // A ring that does not close is a GEOS error too.
  EXPECT_THROW((void)Geometry::from_wkt("POLYGON ((0 0, 10 0, 10 10, 0 10))"), GeometryError);
}

TEST(Geometry, InvalidPolygonIsMadeValid) {
  const Geometry bowtie = Geometry::from_wkt(kBowtie);
  EXPECT_FALSE(bowtie.is_valid());
  EXPECT_THAT(bowtie.invalid_reason(), HasSubstr("Self-intersection"));
  const Geometry fixed = bowtie.make_valid();
  EXPECT_TRUE(fixed.is_valid());
  EXPECT_EQ(fixed.type_name(), "MultiPolygon");
  EXPECT_DOUBLE_EQ(fixed.area(), 50.0);
  EXPECT_EQ(Geometry::from_wkt(kSquare).invalid_reason(), "Valid Geometry");
}

TEST(Geometry, UnionDissolvesSharedEdges) {
  std::vector<Geometry> parts;
  parts.push_back(Geometry::from_wkt(kSquare));
  parts.push_back(Geometry::from_wkt("POLYGON ((10 0, 20 0, 20 10, 10 10, 10 0))"));
  parts.push_back(Geometry::from_wkt("POLYGON ((30 0, 31 0, 31 1, 30 0))"));
  const Geometry u = Geometry::union_all(parts);
  EXPECT_EQ(u.type_name(), "MultiPolygon");
  EXPECT_DOUBLE_EQ(u.area(), 200.5);
  const auto env = u.envelope();
  EXPECT_DOUBLE_EQ(env.min_x, 0);
  EXPECT_DOUBLE_EQ(env.min_y, 0);
  EXPECT_DOUBLE_EQ(env.max_x, 31);
  EXPECT_DOUBLE_EQ(env.max_y, 10);
  // Parts stay usable.
  EXPECT_EQ(parts[0].wkt(), kSquare);
  EXPECT_TRUE(Geometry::union_all({}).is_empty());
}

TEST(Geometry, AsMultiPolygon) {
  EXPECT_EQ(Geometry::from_wkt(kSquare).as_multi_polygon().wkt(),
            "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)))");
  const Geometry multi = Geometry::from_wkt("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))");
  EXPECT_EQ(multi.as_multi_polygon().wkt(), multi.wkt());
  const Geometry collection = Geometry::from_wkt(
      "GEOMETRYCOLLECTION (POLYGON ((0 0, 1 0, 1 1, 0 0)), MULTIPOLYGON (((5 5, 6 5, 6 6, 5 5))))");
  const Geometry flattened = collection.as_multi_polygon();
  EXPECT_EQ(flattened.type_name(), "MultiPolygon");
  EXPECT_DOUBLE_EQ(flattened.area(), 1.0);
  try {
    (void)Geometry::from_wkt("LINESTRING (0 0, 1 1)").as_multi_polygon();
    FAIL() << "no error";
  } catch (const GeometryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("LineString cannot become a MultiPolygon"));
  }
  EXPECT_THROW((void)Geometry::point(1, 1).as_multi_polygon(), GeometryError);
}

TEST(Geometry, PredicatesAndIntersection) {
  const Geometry square = Geometry::from_wkt(kSquare);
  EXPECT_TRUE(square.contains(Geometry::point(5, 5)));
  EXPECT_FALSE(square.contains(Geometry::point(10, 5)));  // on the boundary
  EXPECT_TRUE(square.intersects(Geometry::point(10, 5)));
  EXPECT_FALSE(square.intersects(Geometry::point(11, 5)));
  const Geometry other = Geometry::from_wkt("POLYGON ((5 5, 15 5, 15 15, 5 15, 5 5))");
  EXPECT_DOUBLE_EQ(square.intersection(other).area(), 25.0);
  const auto [x, y] = Geometry::from_wkt(kBowtie).make_valid().point_on_surface();
  EXPECT_TRUE(Geometry::from_wkt(kBowtie).make_valid().contains(Geometry::point(x, y)));
  EXPECT_THROW((void)Geometry::from_wkt("POLYGON EMPTY").envelope(), GeometryError);
  EXPECT_THROW((void)Geometry::from_wkt("POLYGON EMPTY").point_on_surface(), GeometryError);
  EXPECT_THROW((void)Geometry::point(std::nan(""), 0), GeometryError);
}

TEST(Geometry, CloneAndMove) {
  Geometry a = Geometry::from_wkt(kSquare);
  const Geometry b = a.clone();
  Geometry c = std::move(a);
  EXPECT_EQ(b.wkt(), kSquare);
  EXPECT_EQ(c.wkt(), kSquare);
  EXPECT_THROW((void)a.wkt(), GeometryError);  // NOLINT(bugprone-use-after-move)
  c = Geometry::point(1, 2);
  EXPECT_EQ(c.wkt(), "POINT (1 2)");
}

TEST(Geometry, PreparedPointInPolygon) {
  const PreparedGeometry p(
      Geometry::from_wkt("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), "
                         "(4 4, 6 4, 6 6, 4 6, 4 4))"));
  EXPECT_TRUE(p.contains_point(1, 1));
  EXPECT_FALSE(p.contains_point(5, 5));  // in the hole
  EXPECT_FALSE(p.contains_point(12, 5));
  EXPECT_DOUBLE_EQ(p.distance_to_point(12, 5), 2.0);
  EXPECT_DOUBLE_EQ(p.distance_to_point(1, 1), 0.0);
  EXPECT_DOUBLE_EQ(p.distance_to_point(5, 5), 1.0);
  EXPECT_DOUBLE_EQ(p.geometry().area(), 96.0);
}

TEST(Geometry, PreparedGeometrySharedByThreads) {
  const PreparedGeometry p(Geometry::from_wkt(kBowtie).make_valid());
  std::vector<int> wrong(4, 0);
  std::vector<int> checked(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < wrong.size(); ++i) {
    threads.emplace_back([&p, &wrong, &checked, i] {
      for (int k = 0; k < 2000; ++k) {
        ++checked[i];
        const double x = (k % 100) / 10.0 + 0.05;
        // Inside the bowtie: |y − 5| < |x − 5|.
        const double y = 5.0 + 0.5 * (x - 5.0);
        if (p.contains_point(x, y) != (std::abs(x - 5.0) > 1e-9)) ++wrong[i];
        if (p.contains_point(5.0 + 0.1, 9.0)) ++wrong[i];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(checked, std::vector<int>(4, 2000)) << "every thread ran all its checks";
  for (const int w : wrong) EXPECT_EQ(w, 0);
}

// Appends "(x y, x y, …)" for one GeoJSON ring.
void append_ring(std::string& wkt, const nlohmann::json& ring) {
  wkt += '(';
  bool first = true;
  for (const auto& pt : ring) {
    if (!first) wkt += ", ";
    first = false;
    for (std::size_t i = 0; i < 2; ++i) {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, pt[i].get<double>());
      wkt.append(buf, r.ptr);
      if (i == 0) wkt += ' ';
    }
  }
  wkt += ')';
}

std::string polygon_wkt(const nlohmann::json& rings) {
  std::string wkt = "POLYGON (";
  for (std::size_t i = 0; i < rings.size(); ++i) {
    if (i > 0) wkt += ", ";
    append_ring(wkt, rings[i]);
  }
  return wkt + ")";
}

TEST(Geometry, TakamatsuN03BoundaryDissolves) {
  TSUNAGI_REQUIRE_SHARED_DATA(path, "n03-municipalities/37201.geojson");
  std::ifstream in(path);
  const nlohmann::json fc = nlohmann::json::parse(in);
  std::vector<Geometry> parts;
  for (const auto& f : fc.at("features")) {
    const auto& g = f.at("geometry");
    if (g.at("type") == "Polygon") {
      parts.push_back(Geometry::from_wkt(polygon_wkt(g.at("coordinates"))));
    } else {
      ASSERT_EQ(g.at("type"), "MultiPolygon");
      for (const auto& poly : g.at("coordinates")) {
        parts.push_back(Geometry::from_wkt(polygon_wkt(poly)));
      }
    }
  }
  ASSERT_EQ(parts.size(), 162u);

  const Geometry city = Geometry::union_all(parts).as_multi_polygon();
  EXPECT_TRUE(city.is_valid()) << city.invalid_reason();
  EXPECT_EQ(city.type_name(), "MultiPolygon");
  // 高松市 is about 375 km² (islands included); degrees² → km² at its latitude.
  const auto m = tsunagi::geo::metres_per_degree(34.3);
  const double km2 = city.area() * m.lon * m.lat / 1e6;
  EXPECT_NEAR(km2, 375.0, 375.0 * 0.05);
  const auto env = city.envelope();
  EXPECT_LT(env.min_x, 134.0465);
  EXPECT_GT(env.max_x, 134.0465);

  const PreparedGeometry prepared(city.clone());
  EXPECT_TRUE(prepared.contains_point(134.0465, 34.3402));  // city centre (市役所 area)
  EXPECT_FALSE(prepared.contains_point(134.10, 34.45));     // 瀬戸内海
  EXPECT_GT(prepared.distance_to_point(134.10, 34.45), 0.0);
  const auto [x, y] = city.point_on_surface();
  EXPECT_TRUE(prepared.contains_point(x, y));

  // WKB round trip of the real boundary is lossless.
  EXPECT_EQ(Geometry::from_wkb(city.wkb()).wkb(), city.wkb());
}

}  // namespace
