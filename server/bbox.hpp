// The one bbox parser of the HTTP API: "minLon,minLat,maxLon,maxLat" in WGS84 / CRS84 degrees,
// for /api/resources, the OGC API items and the tiles to come. What differs between routes is a
// rule, not a second parser.
#pragma once

#include <string_view>
#include <vector>

#include "geo/catalog/snapshot.hpp"

namespace tsunagi::server {

struct BBoxRules {
  /// minLon > maxLon means a box across the antimeridian (OGC API); otherwise minLon < maxLon
  /// and minLat < maxLat are required.
  bool across_antimeridian = false;
  /// Six numbers (with minHeight and maxHeight, which are checked and ignored) are accepted.
  bool heights = false;
  /// Largest area in square degrees; 0 = no limit.
  double max_area_deg2 = 0;
};

/// One box, or two when the request crosses the antimeridian.
struct BBoxFilter {
  std::vector<geo::BBox> boxes;
  [[nodiscard]] bool contains(double lon, double lat) const;
  [[nodiscard]] bool intersects(const geo::BBox& other) const;
};

/// @throws ApiError(invalid_parameter) saying what to fix: the count of numbers, a value that is
/// not a finite number, a coordinate out of range (with the hint that longitude comes first), the
/// order of min and max, the area.
BBoxFilter parse_bbox(std::string_view text, const BBoxRules& rules);

}  // namespace tsunagi::server
