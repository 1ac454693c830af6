// The one point type and the one box type of tsunagi: longitude and latitude in degrees (EPSG:4326
// in GIS axis order, x = lon), whatever module they travel through.
#pragma once

#include <algorithm>

namespace tsunagi::geo {

struct LonLat {
  double lon = 0;
  double lat = 0;
  bool operator==(const LonLat&) const = default;
};

struct BBox {
  double min_lon = 0;
  double min_lat = 0;
  double max_lon = 0;
  double max_lat = 0;
  [[nodiscard]] bool contains(double lon, double lat) const {
    return lon >= min_lon && lon <= max_lon && lat >= min_lat && lat <= max_lat;
  }
  void grow(double lon, double lat) {
    min_lon = std::min(min_lon, lon);
    min_lat = std::min(min_lat, lat);
    max_lon = std::max(max_lon, lon);
    max_lat = std::max(max_lat, lat);
  }
};

}  // namespace tsunagi::geo
