// Web Mercator (EPSG:3857) tile math of the slippy-map scheme: tile (0,0) is the north-west corner,
// y grows southwards, zoom z has 2^z × 2^z tiles.
#pragma once

#include <cstdint>
#include <string_view>

namespace tsunagi::tiles {

/// Highest zoom we serve; also keeps 2^z within 32 bits.
inline constexpr std::uint32_t kMaxZoom = 24;
/// Latitude limit of Web Mercator (the square world): ±85.0511287798°.
inline constexpr double kMaxLatitude = 85.05112877980659;
/// Half the side of the EPSG:3857 square world, in metres (π × 6378137).
inline constexpr double kOriginShift = 20037508.342789244;

struct TileId {
  std::uint32_t z = 0;
  std::uint32_t x = 0;
  std::uint32_t y = 0;
  friend bool operator==(const TileId&, const TileId&) = default;
};

struct LonLatBounds {
  double west = 0;
  double south = 0;
  double east = 0;
  double north = 0;
};

/// Bounds in EPSG:3857 metres.
struct MercatorBounds {
  double min_x = 0;
  double min_y = 0;
  double max_x = 0;
  double max_y = 0;
};

struct MercatorXY {
  double x = 0;
  double y = 0;
};

/// A validated tile. @throws InvalidTile when z > kMaxZoom or x, y ≥ 2^z.
TileId make_tile(std::uint32_t z, std::uint32_t x, std::uint32_t y);

/// Parses the z/x/y of a request path ("10", "909", "403"): decimal digits only.
/// @throws InvalidTile naming the part that is not a number or is out of range.
TileId parse_tile(std::string_view z, std::string_view x, std::string_view y);

/// The tile containing (lon, lat) at zoom z; latitudes beyond ±kMaxLatitude are clamped to the
/// edge row, longitude 180 belongs to the last column.
/// @throws InvalidTile for a zoom out of range or coordinates outside lon −180…180, lat −90…90.
TileId tile_at(double lon, double lat, std::uint32_t z);

/// The tile's bounds in degrees and in EPSG:3857 metres. @throws InvalidTile for an invalid tile.
LonLatBounds tile_bounds(const TileId& t);
MercatorBounds tile_bounds_3857(const TileId& t);

/// Lon/lat (degrees) ↔ EPSG:3857 (metres), spherical formulas; latitude is clamped to
/// ±kMaxLatitude. @throws InvalidTile for non-finite input.
MercatorXY lonlat_to_mercator(double lon, double lat);
/// @throws InvalidTile for non-finite input.
MercatorXY mercator_to_lonlat(double x, double y);  ///< returns x = lon, y = lat

/// The inclusive range of tiles at zoom z covering a lon/lat box (for cache invalidation).
struct TileRange {
  std::uint32_t z = 0;
  std::uint32_t min_x = 0;
  std::uint32_t min_y = 0;
  std::uint32_t max_x = 0;
  std::uint32_t max_y = 0;
};
/// @throws InvalidTile when the box is not west ≤ east, south ≤ north within the world.
TileRange tiles_covering(const LonLatBounds& box, std::uint32_t z);

}  // namespace tsunagi::tiles
