#include "datasets/row_validation.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "datasets/text_encoding.hpp"
#include "geo/spatial/geodesic.hpp"

namespace tsunagi::datasets {

namespace {

bool is_ascii_only(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string quoted(std::string_view s) {
  std::string q = "'";
  q += s.size() > 40 ? std::string(s.substr(0, 40)) + "…" : std::string(s);
  q += "'";
  return q;
}

}  // namespace

ParsedNumber parse_decimal(std::string_view text) {
  std::string folded;
  std::string_view s = trim(text);
  if (!is_ascii_only(s)) {
    folded = fold_full_width(s);
    s = trim(folded);
  }
  if (s.empty()) return {std::nullopt, "is empty"};
  std::size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  std::size_t digits = 0, dots = 0;
  for (std::size_t k = i; k < s.size(); ++k) {
    if (s[k] >= '0' && s[k] <= '9') {
      ++digits;
    } else if (s[k] == '.') {
      ++dots;
    } else {
      return {std::nullopt, quoted(text) + " is not a number"};
    }
  }
  if (digits == 0 || dots > 1) return {std::nullopt, quoted(text) + " is not a number"};
  std::string_view body = s;
  if (body.front() == '+') body.remove_prefix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec != std::errc() || ptr != body.data() + body.size() || !std::isfinite(v)) {
    return {std::nullopt, quoted(text) + " is not a number"};
  }
  return {v, {}};
}

std::optional<std::pair<double, double>> parse_wkt_point(std::string_view text,
                                                         std::string& error) {
  std::string_view s = trim(text);
  if (s.empty()) {
    error = "is empty";
    return std::nullopt;
  }
  auto upper_prefix = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const char c = s[i] >= 'a' && s[i] <= 'z' ? static_cast<char>(s[i] - 'a' + 'A') : s[i];
      if (c != p[i]) return false;
    }
    return true;
  };
  if (!upper_prefix("POINT")) {
    error = quoted(text) + " is not a WKT POINT";
    return std::nullopt;
  }
  s.remove_prefix(5);
  s = trim(s);
  if (upper_prefix("ZM")) {
    s.remove_prefix(2);
  } else if (upper_prefix("Z") || upper_prefix("M")) {
    s.remove_prefix(1);
  }
  s = trim(s);
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') {
    error = quoted(text) + " is not a WKT POINT";
    return std::nullopt;
  }
  s = trim(s.substr(1, s.size() - 2));
  const auto space = s.find(' ');
  if (space == std::string_view::npos) {
    error = quoted(text) + " is not a WKT POINT with two coordinates";
    return std::nullopt;
  }
  std::string_view xs = s.substr(0, space);
  std::string_view rest = trim(s.substr(space + 1));
  const auto space2 = rest.find(' ');
  std::string_view ys = space2 == std::string_view::npos ? rest : rest.substr(0, space2);
  const auto x = parse_decimal(xs);
  const auto y = parse_decimal(ys);
  if (!x.value || !y.value) {
    error = quoted(text) + " has a coordinate that is not a number";
    return std::nullopt;
  }
  return std::make_pair(*x.value, *y.value);
}

std::optional<int> parse_capacity(std::string_view text) {
  std::string folded = fold_full_width(trim(text));
  std::string_view s = trim(folded);
  for (const std::string_view suffix : {"人", "名", "世帯", "食", "組"}) {
    if (s.ends_with(suffix)) {
      s.remove_suffix(suffix.size());
      break;
    }
  }
  s = trim(s);
  if (s.empty()) return std::nullopt;
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string format_coordinate(double v) {
  char buf[32];
  if (!(std::abs(v) < 1e7)) {  // ±1e308, inf, nan: %.7f would need 300 digits (and was cut)
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.7f", v);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string check_lon_lat(double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat)) return "coordinates are not finite numbers";
  // Formatted only for a message: this runs for every row of every import.
  const auto at = [&] {
    return "(lat=" + format_coordinate(lat) + ", lon=" + format_coordinate(lon) + ")";
  };
  const bool lat_in_japan = geo::lat_in_japan(lat);
  const bool lon_in_japan = geo::lon_in_japan(lon);
  // A latitude column holding ~135 and a longitude column holding ~35: columns swapped. Not
  // silently repaired: the file itself is wrong and other rows may be too.
  if (!lat_in_japan && !lon_in_japan && lat >= kJapanMinLon && lat <= kJapanMaxLon &&
      lon >= kJapanMinLat && lon <= kJapanMaxLat) {
    return "latitude and longitude look swapped " + at() +
           "; fix the columns in the file (they are not swapped automatically)";
  }
  if (lat < -90 || lat > 90) return "latitude is out of range (-90..90) " + at();
  if (lon < -180 || lon > 180) return "longitude is out of range (-180..180) " + at();
  if (lat == 0 && lon == 0) return "coordinates are 0,0 (probably missing) " + at();
  if (!lat_in_japan || !lon_in_japan) {
    return "outside Japan (" + std::string(geo::kJapanExtentText) + ") " + at();
  }
  return {};
}

void BoundaryCheck::add(std::string name, geo::Geometry boundary) {
  const auto env = boundary.envelope();
  boundaries_.push_back(Entry{std::move(name), env, geo::PreparedGeometry(std::move(boundary))});
}

std::string BoundaryCheck::check(double lon, double lat) const {
  if (boundaries_.empty()) return {};
  for (const auto& b : boundaries_) {
    if (lon < b.env.min_x || lon > b.env.max_x || lat < b.env.min_y || lat > b.env.max_y) continue;
    if (b.prepared.contains_point(lon, lat)) return {};
  }
  const Entry* nearest = nullptr;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& b : boundaries_) {
    const double d = b.prepared.distance_to_point(lon, lat);
    if (d < best) {
      best = d;
      nearest = &b;
    }
  }
  // Degrees to metres with the local scale; a planar approximation good to a few percent here.
  const auto mpd = geo::metres_per_degree(lat);
  const double metres = best * (mpd.lon + mpd.lat) / 2;
  char dist[32];
  std::snprintf(dist, sizeof dist, "%.0f", metres);
  return "outside the municipality boundary of " + nearest->name + " (about " + dist +
         " m outside; lat=" + format_coordinate(lat) + ", lon=" + format_coordinate(lon) + ")";
}

}  // namespace tsunagi::datasets
