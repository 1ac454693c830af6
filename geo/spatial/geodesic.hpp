// Distances on the GRS80/WGS84 ellipsoid (PROJ's geodesic.h, Karney's algorithm).
#pragma once

namespace tsunagi::geo {

/// Geodesic distance in metres between two lon/lat points.
/// @throws InvalidArgument for non-finite coordinates or a latitude outside −90…90.
double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2);

/// Metres per degree of longitude and latitude at a latitude (for quick local bounds).
struct MetresPerDegree {
  double lon = 0;
  double lat = 0;
};
/// @throws InvalidArgument for a latitude outside −90…90.
MetresPerDegree metres_per_degree(double lat);

}  // namespace tsunagi::geo
