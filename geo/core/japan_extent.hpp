// Japan's extent, the one rule for "outside Japan" used by the importer's row checks and by
// validate(const Resource&) for the API alike.
#pragma once

#include <string_view>

namespace tsunagi::geo {

/// lon 122–154, lat 20–46: every municipality, 与那国 to 南鳥島 and 沖ノ鳥島 to 宗谷岬.
inline constexpr double kJapanMinLon = 122.0, kJapanMaxLon = 154.0;
inline constexpr double kJapanMinLat = 20.0, kJapanMaxLat = 46.0;
inline constexpr std::string_view kJapanExtentText = "lon 122–154, lat 20–46";

inline bool lon_in_japan(double lon) {
  return lon >= kJapanMinLon && lon <= kJapanMaxLon;
}
inline bool lat_in_japan(double lat) {
  return lat >= kJapanMinLat && lat <= kJapanMaxLat;
}

}  // namespace tsunagi::geo
