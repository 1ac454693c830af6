// The checks every imported row goes through, each returning the reason a coordinator reads in
// the report ("latitude and longitude look swapped (lat=135.2, lon=34.7)"). No GDAL here: cells
// arrive as text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/japan_extent.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::datasets {

/// A parsed number or the reason it is not one.
struct ParsedNumber {
  std::optional<double> value;
  std::string error;  ///< empty when value is set
};

/// Strict decimal number: optional sign, digits, optional fraction; full-width digits, '．', '－'
/// and surrounding spaces accepted. "", "NaN", "inf", "abc", "139.7.1", "1e5" are rejected.
ParsedNumber parse_decimal(std::string_view text);

/// Parses a WKT point "POINT (139.7 35.6)" (also "POINT(x y)", "POINT Z (x y z)").
/// Returns nullopt and sets `error` when it is not a single point.
std::optional<std::pair<double, double>> parse_wkt_point(std::string_view text, std::string& error);

/// A 定員 cell ("40", "40人", "３８人", " 33名") as a count; nullopt when there is no number
/// alone in it ("大会議室：120名、…").
std::optional<int> parse_capacity(std::string_view text);

/// Japan's extent used for "outside Japan" (geo/core/japan_extent.hpp, shared with geo::validate).
using geo::kJapanMaxLat;
using geo::kJapanMaxLon;
using geo::kJapanMinLat;
using geo::kJapanMinLon;

/// Checks a WGS84 point: finite, in range, not swapped, inside Japan. Returns the reason it is
/// wrong, or an empty string.
std::string check_lon_lat(double lon, double lat);

/// Municipality boundaries loaded for the import; a point must be inside one of them.
class BoundaryCheck {
 public:
  void add(std::string name, geo::Geometry boundary);
  [[nodiscard]] bool empty() const { return boundaries_.empty(); }
  [[nodiscard]] std::size_t size() const { return boundaries_.size(); }
  /// Empty when the point is inside some boundary; otherwise the reason, naming the nearest
  /// boundary and the distance to it in metres.
  [[nodiscard]] std::string check(double lon, double lat) const;

 private:
  struct Entry {
    std::string name;
    geo::Geometry::Envelope env;
    geo::PreparedGeometry prepared;
  };
  std::vector<Entry> boundaries_;
};

/// "139.7" with up to 7 decimals and no trailing zeros, for messages.
std::string format_coordinate(double v);

}  // namespace tsunagi::datasets
