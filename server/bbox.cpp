#include "server/bbox.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "server/errors.hpp"

namespace tsunagi::server {

namespace {

[[noreturn]] void invalid(std::string detail) {
  throw ApiError(ErrorCode::invalid_parameter, std::move(detail));
}

std::optional<double> parse_number(std::string_view text) {
  // from_chars accepts "inf"/"nan"; a bbox must be finite.
  if (text.empty()) return std::nullopt;
  double v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string number_text(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("?");
}

}  // namespace

bool BBoxFilter::contains(double lon, double lat) const {
  return std::any_of(boxes.begin(), boxes.end(),
                     [&](const geo::BBox& b) { return b.contains(lon, lat); });
}

bool BBoxFilter::intersects(const geo::BBox& other) const {
  return std::any_of(boxes.begin(), boxes.end(), [&](const geo::BBox& b) {
    return b.min_lon <= other.max_lon && other.min_lon <= b.max_lon && b.min_lat <= other.max_lat &&
           other.min_lat <= b.max_lat;
  });
}

BBoxFilter parse_bbox(std::string_view text, const BBoxRules& rules) {
  const std::string shape = std::string("bbox must be minLon,minLat,maxLon,maxLat (WGS84 degrees") +
                            (rules.heights ? "; 6 numbers with heights are also accepted)" : ")");
  const std::size_t most = rules.heights ? 6 : 4;
  std::vector<double> v;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const auto n = parse_number(part);
    if (!n) {
      invalid(shape + "; \"" + std::string(part.substr(0, 40)) + "\" is not a finite number");
    }
    v.push_back(*n);
    if (v.size() > most) break;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (v.size() != 4 && v.size() != most) {
    invalid(shape + "; got " +
            (v.size() > most ? "more than " + std::to_string(most) : std::to_string(v.size())) +
            " numbers");
  }
  const bool has_z = v.size() == 6;
  const double min_lon = v[0];
  const double min_lat = v[1];
  const double max_lon = v[has_z ? 3 : 2];
  const double max_lat = v[has_z ? 4 : 3];
  for (const double lon : {min_lon, max_lon}) {
    if (lon < -180 || lon > 180) {
      invalid("bbox longitudes must lie within -180..180; check the order: longitude comes first");
    }
  }
  for (const double lat : {min_lat, max_lat}) {
    if (lat < -90 || lat > 90) {
      invalid("bbox latitudes must lie within -90..90; check the order: longitude comes first");
    }
  }
  if (!rules.across_antimeridian && (!(min_lon < max_lon) || !(min_lat < max_lat))) {
    invalid("bbox must be minLon,minLat,maxLon,maxLat with minLon < maxLon and minLat < maxLat");
  }
  if (min_lat > max_lat) {
    invalid("bbox must be minLon,minLat,maxLon,maxLat with minLat <= maxLat (got minLat " +
            number_text(min_lat) + " > maxLat " + number_text(max_lat) + ")");
  }
  if (has_z && v[2] > v[5]) invalid("bbox heights must have minHeight <= maxHeight");
  BBoxFilter f;
  if (min_lon <= max_lon) {
    f.boxes.push_back({min_lon, min_lat, max_lon, max_lat});
  } else {  // across the antimeridian
    f.boxes.push_back({min_lon, min_lat, 180.0, max_lat});
    f.boxes.push_back({-180.0, min_lat, max_lon, max_lat});
  }
  if (rules.max_area_deg2 > 0) {
    double area = 0;
    for (const auto& b : f.boxes) area += (b.max_lon - b.min_lon) * (b.max_lat - b.min_lat);
    if (area > rules.max_area_deg2) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "bbox covers %.1f square degrees; at most %.1f are allowed: zoom in, or "
                    "leave bbox out and page through with limit/offset",
                    area, rules.max_area_deg2);
      invalid(buf);
    }
  }
  return f;
}

}  // namespace tsunagi::server
