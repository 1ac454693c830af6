// Mapbox Vector Tile 2.1 encoding (protozero): layers with de-duplicated keys and values, feature
// ids, and point / line / polygon geometry commands in tile units. Geometry arrives already
// clipped, simplified and snapped (tiles/area_layer, tiles/resource_layer); this file only writes
// bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace tsunagi::tiles {

/// The extent and buffer every tsunagi tile uses (MVT spec default extent; a buffer of 64 units
/// like Mapbox's and tippecanoe's, so symbols and outlines are not cut at tile edges).
inline constexpr std::uint32_t kExtent = 4096;
inline constexpr std::uint32_t kBuffer = 64;

/// A property value as callers give it: a string (viewed: it must outlive the add_* call),
/// boolean, signed integer or double.
using Value = std::variant<std::string_view, bool, std::int64_t, double>;

struct TilePoint {
  std::int32_t x = 0;
  std::int32_t y = 0;
  friend bool operator==(const TilePoint&, const TilePoint&) = default;
};
/// A closed ring without its repeated last point.
using TileRing = std::vector<TilePoint>;
/// One polygon: the shell, then its holes.
using TilePolygon = std::vector<TileRing>;
/// An open line.
using TileLine = std::vector<TilePoint>;

/// Twice the signed area (surveyor's formula) in tile coordinates, y pointing down: positive for
/// a ring that appears clockwise on screen, which is what MVT calls an exterior ring.
std::int64_t twice_signed_area(const TileRing& ring);

class LayerBuilder {
 public:
  explicit LayerBuilder(std::string name, std::uint32_t extent = kExtent);

  using Properties = std::vector<std::pair<std::string_view, Value>>;

  /// A point feature (MoveTo with one point).
  void add_point(std::uint64_t id, TilePoint p, const Properties& props);
  /// A polygon feature (one or several polygons: MVT 2.1's multipolygon). Shells are written
  /// clockwise and holes counter-clockwise on screen, whatever order they come in; rings with
  /// fewer than three distinct points or no area are dropped. Returns false when nothing was left.
  bool add_polygons(std::uint64_t id, const std::vector<TilePolygon>& polygons,
                    const Properties& props);

  /// A line feature (one or several lines: MVT 2.1's multilinestring). Repeated points are
  /// dropped, and lines left with fewer than two points. Returns false when nothing was left.
  bool add_lines(std::uint64_t id, const std::vector<TileLine>& lines, const Properties& props);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  /// The layer message (Tile.layers, field 3) appended to `tile`.
  void append_to(std::string& tile) const;

 private:
  void begin_feature(std::uint64_t id, const Properties& props, std::uint32_t type,
                     const std::vector<std::uint32_t>& geometry);
  std::uint32_t key_index(std::string_view key);
  std::uint32_t value_index(const Value& v);

  std::string name_;
  std::uint32_t extent_;
  std::string features_;  ///< the encoded Layer.features fields
  std::size_t count_ = 0;
  std::vector<std::uint32_t> tags_;  ///< scratch, reused per feature
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Stored = std::variant<std::string, bool, std::int64_t, double>;
  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> key_ids_;
  std::vector<Stored> values_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> string_ids_;
  std::map<Stored, std::uint32_t> other_ids_;  ///< booleans and numbers: few per layer
};

/// The tile made of these layers (empty layers left out); an empty string when all are empty.
std::string encode_tile(const std::vector<const LayerBuilder*>& layers);

}  // namespace tsunagi::tiles
