#include "geo/spatial/geodesic.hpp"

#include <geodesic.h>
#include <cmath>
#include <numbers>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

// WGS84; GRS80 (JGD2011) differs in f by 1e-10, far below anything we measure.
constexpr double kA = 6378137.0;
constexpr double kF = 1.0 / 298.257223563;

const geod_geodesic& wgs84() {
  static const geod_geodesic g = [] {
    geod_geodesic init{};
    geod_init(&init, kA, kF);
    return init;
  }();
  return g;
}

void check_point(double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat) || lat < -90.0 || lat > 90.0) {
    throw InvalidArgument("geodesic distance: (lon " + std::to_string(lon) + ", lat " +
                          std::to_string(lat) +
                          ") is not a valid point (latitude must be within −90…90)");
  }
}

}  // namespace

double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2) {
  check_point(lon1, lat1);
  check_point(lon2, lat2);
  double s12 = 0;
  geod_inverse(&wgs84(), lat1, lon1, lat2, lon2, &s12, nullptr, nullptr);
  return s12;
}

MetresPerDegree metres_per_degree(double lat) {
  if (!std::isfinite(lat) || lat < -90.0 || lat > 90.0) {
    throw InvalidArgument("metres per degree: latitude " + std::to_string(lat) +
                          " is not within −90…90");
  }
  // Radii of curvature of the ellipsoid: meridional (M) for latitude, prime vertical (N) for
  // longitude.
  const double e2 = kF * (2.0 - kF);
  const double phi = lat * std::numbers::pi / 180.0;
  const double s = std::sin(phi);
  const double w = std::sqrt(1.0 - e2 * s * s);
  const double m = kA * (1.0 - e2) / (w * w * w);
  const double n = kA / w;
  const double rad = std::numbers::pi / 180.0;
  return {n * std::cos(phi) * rad, m * rad};
}

}  // namespace tsunagi::geo
