#include "tiles/tile_math.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <string>

#include "tiles/error.hpp"

namespace tsunagi::tiles {
namespace {

constexpr double kEarthRadius = 6378137.0;  // the sphere of EPSG:3857
constexpr double kPi = std::numbers::pi;

double radians(double deg) {
  return deg * kPi / 180.0;
}
double degrees(double rad) {
  return rad * 180.0 / kPi;
}

std::string tile_name(std::uint32_t z, std::uint32_t x, std::uint32_t y) {
  return std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y);
}

void check_zoom(std::uint32_t z) {
  if (z > kMaxZoom) {
    throw InvalidTile("zoom " + std::to_string(z) + " is out of range: use 0–" +
                      std::to_string(kMaxZoom));
  }
}

std::uint32_t tiles_per_side(std::uint32_t z) {
  return std::uint32_t{1} << z;
}

// Column/row of a coordinate already in [0, 1] of the world's width/height.
std::uint32_t cell_of(double fraction, std::uint32_t n) {
  const double v = std::floor(fraction * static_cast<double>(n));
  if (v < 0) return 0;
  if (v >= static_cast<double>(n)) return n - 1;
  return static_cast<std::uint32_t>(v);
}

double x_fraction(double lon) {
  return (lon + 180.0) / 360.0;
}

double y_fraction(double lat) {
  const double phi = radians(std::clamp(lat, -kMaxLatitude, kMaxLatitude));
  return (1.0 - std::asinh(std::tan(phi)) / kPi) / 2.0;
}

double lat_of_row(double y, std::uint32_t n) {
  return degrees(std::atan(std::sinh(kPi * (1.0 - 2.0 * y / static_cast<double>(n)))));
}

void check_lonlat(double lon, double lat, const char* what) {
  if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180.0 || lon > 180.0 || lat < -90.0 ||
      lat > 90.0) {
    throw InvalidTile(std::string(what) + ": (lon " + std::to_string(lon) + ", lat " +
                      std::to_string(lat) + ") is outside lon −180…180, lat −90…90");
  }
}

std::uint32_t parse_part(std::string_view text, const char* name) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const bool digits_only =
      !text.empty() && text.size() <= 10 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only || std::from_chars(text.data(), end, value).ptr != end || value > UINT32_MAX) {
    throw InvalidTile(std::string("tile ") + name + " \"" + std::string(text.substr(0, 20)) +
                      "\" is not a whole number (write the tile as z/x/y, e.g. 10/909/403)");
  }
  return static_cast<std::uint32_t>(value);
}

}  // namespace

TileId make_tile(std::uint32_t z, std::uint32_t x, std::uint32_t y) {
  check_zoom(z);
  const std::uint32_t n = tiles_per_side(z);
  if (x >= n || y >= n) {
    throw InvalidTile("tile " + tile_name(z, x, y) + " does not exist: at zoom " +
                      std::to_string(z) + " x and y must be 0–" + std::to_string(n - 1));
  }
  return {z, x, y};
}

TileId parse_tile(std::string_view z, std::string_view x, std::string_view y) {
  return make_tile(parse_part(z, "zoom"), parse_part(x, "x"), parse_part(y, "y"));
}

TileId tile_at(double lon, double lat, std::uint32_t z) {
  check_zoom(z);
  check_lonlat(lon, lat, "tile_at");
  const std::uint32_t n = tiles_per_side(z);
  return {z, cell_of(x_fraction(lon), n), cell_of(y_fraction(lat), n)};
}

LonLatBounds tile_bounds(const TileId& t) {
  (void)make_tile(t.z, t.x, t.y);
  const auto n = static_cast<double>(tiles_per_side(t.z));
  LonLatBounds b;
  b.west = static_cast<double>(t.x) / n * 360.0 - 180.0;
  b.east = static_cast<double>(t.x + 1) / n * 360.0 - 180.0;
  b.north = lat_of_row(static_cast<double>(t.y), tiles_per_side(t.z));
  b.south = lat_of_row(static_cast<double>(t.y) + 1.0, tiles_per_side(t.z));
  return b;
}

MercatorBounds tile_bounds_3857(const TileId& t) {
  (void)make_tile(t.z, t.x, t.y);
  const double size = 2.0 * kOriginShift / static_cast<double>(tiles_per_side(t.z));
  MercatorBounds b;
  b.min_x = -kOriginShift + static_cast<double>(t.x) * size;
  b.max_x = -kOriginShift + static_cast<double>(t.x + 1) * size;
  b.max_y = kOriginShift - static_cast<double>(t.y) * size;
  b.min_y = kOriginShift - static_cast<double>(t.y + 1) * size;
  return b;
}

MercatorXY lonlat_to_mercator(double lon, double lat) {
  if (!std::isfinite(lon) || !std::isfinite(lat)) {
    throw InvalidTile("lonlat_to_mercator: coordinates must be finite numbers");
  }
  const double phi = radians(std::clamp(lat, -kMaxLatitude, kMaxLatitude));
  return {kEarthRadius * radians(lon), kEarthRadius * std::asinh(std::tan(phi))};
}

MercatorXY mercator_to_lonlat(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) {
    throw InvalidTile("mercator_to_lonlat: coordinates must be finite numbers");
  }
  return {degrees(x / kEarthRadius), degrees(std::atan(std::sinh(y / kEarthRadius)))};
}

TileRange tiles_covering(const LonLatBounds& box, std::uint32_t z) {
  check_zoom(z);
  check_lonlat(box.west, box.south, "tiles_covering (south-west corner)");
  check_lonlat(box.east, box.north, "tiles_covering (north-east corner)");
  if (box.west > box.east || box.south > box.north) {
    throw InvalidTile("tiles_covering: the box must have west ≤ east and south ≤ north");
  }
  const std::uint32_t n = tiles_per_side(z);
  return {z, cell_of(x_fraction(box.west), n), cell_of(y_fraction(box.north), n),
          cell_of(x_fraction(box.east), n), cell_of(y_fraction(box.south), n)};
}

}  // namespace tsunagi::tiles
