// Geodesic distances (Karney via PROJ), checked against independent spherical bounds.
#include "geo/spatial/geodesic.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "geo/core/error.hpp"

namespace {

using tsunagi::geo::geodesic_distance_m;
using tsunagi::geo::InvalidArgument;
using tsunagi::geo::metres_per_degree;

// Haversine on a sphere of radius r. On geodetic lon/lat the ellipsoid's line element is the unit
// sphere's scaled by a radius of curvature between b²/a and a²/b, so the geodesic distance lies
// between haversine(b²/a) and haversine(a²/b).
double haversine(double lon1, double lat1, double lon2, double lat2, double r) {
  const double rad = std::numbers::pi / 180.0;
  const double dlat = (lat2 - lat1) * rad;
  const double dlon = (lon2 - lon1) * rad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * r * std::asin(std::sqrt(h));
}

constexpr double kA = 6378137.0;
constexpr double kF = 1 / 298.257223563;

// Lambert's long-line formula: central angle between reduced latitudes, corrected for flattening.
double lambert(double lon1, double lat1, double lon2, double lat2) {
  const double rad = std::numbers::pi / 180.0;
  const double b1 = std::atan((1 - kF) * std::tan(lat1 * rad)) / rad;
  const double b2 = std::atan((1 - kF) * std::tan(lat2 * rad)) / rad;
  const double sigma = haversine(lon1, b1, lon2, b2, 1.0);
  const double p = (b1 + b2) / 2 * rad;
  const double q = (b2 - b1) / 2 * rad;
  const double x = (sigma - std::sin(sigma)) * std::pow(std::sin(p) * std::cos(q), 2) /
                   std::pow(std::cos(sigma / 2), 2);
  const double y = (sigma + std::sin(sigma)) * std::pow(std::cos(p) * std::sin(q), 2) /
                   std::pow(std::sin(sigma / 2), 2);
  return kA * (sigma - kF / 2 * (x + y));
}
constexpr double kB = 6356752.314245;
constexpr double kMinRadius = kB * kB / kA;
constexpr double kMaxRadius = kA * kA / kB;

TEST(Geodesic, TokyoStationToOsakaStation) {
  const double d = geodesic_distance_m(139.767125, 35.681236, 135.495951, 34.702485);
  EXPECT_GT(d, haversine(139.767125, 35.681236, 135.495951, 34.702485, kMinRadius));
  EXPECT_LT(d, haversine(139.767125, 35.681236, 135.495951, 34.702485, kMaxRadius));
  // Lambert's formula for long lines on the ellipsoid (an independent method, decimetre-accurate
  // at this length).
  EXPECT_NEAR(d, lambert(139.767125, 35.681236, 135.495951, 34.702485), 1.0);
  EXPECT_NEAR(d, 403e3, 2e3);  // ≈ 403 km, the straight-line figure quoted for the pair
  // Symmetric.
  EXPECT_DOUBLE_EQ(d, geodesic_distance_m(135.495951, 34.702485, 139.767125, 35.681236));
}

TEST(Geodesic, KnownExactValues) {
  EXPECT_DOUBLE_EQ(geodesic_distance_m(134.0465, 34.3402, 134.0465, 34.3402), 0.0);
  // A quarter of the equator is exactly a × π/2 on the ellipsoid.
  EXPECT_NEAR(geodesic_distance_m(0, 0, 90, 0), kA * std::numbers::pi / 2, 1e-6);
  // Pole to pole along a meridian: twice the meridian quadrant of WGS84, 10 001 965.729 m.
  EXPECT_NEAR(geodesic_distance_m(0, 90, 0, -90), 2 * 10001965.729, 1e-3);
}

TEST(Geodesic, MetresPerDegreeAgreesWithShortGeodesics) {
  for (const double lat : {0.0, 24.3, 34.34, 35.68, 45.5}) {
    const auto m = metres_per_degree(lat);
    const double step = 1e-3;
    EXPECT_NEAR(m.lat, geodesic_distance_m(135, lat - step / 2, 135, lat + step / 2) / step,
                m.lat * 1e-6);
    EXPECT_NEAR(m.lon, geodesic_distance_m(135, lat, 135 + step, lat) / step, m.lon * 1e-6);
  }
  // At the equator a degree of longitude is a × π/180.
  EXPECT_NEAR(metres_per_degree(0).lon, kA * std::numbers::pi / 180, 1e-6);
}

TEST(Geodesic, RejectsInvalidPoints) {
  EXPECT_THROW((void)geodesic_distance_m(135, 91, 135, 0), InvalidArgument);
  EXPECT_THROW((void)geodesic_distance_m(std::nan(""), 35, 135, 0), InvalidArgument);
  EXPECT_THROW((void)metres_per_degree(-90.5), InvalidArgument);
}

}  // namespace
