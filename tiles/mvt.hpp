// Mapbox Vector Tile 2.1 encoding (protozero): layers with de-duplicated keys and values, feature
// ids, and point / line / polygon geometry commands in tile units. Geometry arrives already
// clipped, simplified and snapped (tiles/area_layer, tiles/resource_layer); this file only writes
// bytes.
#pragma once

#include <cstdint>
#include <map>
#include <span>
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

/// A map from text looked up by std::string_view without making a std::string (heterogeneous
/// lookup): the dictionaries' keys and values.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename T>
using TextMap = std::unordered_map<std::string, T, TextHash, std::equal_to<>>;

/// Keys and values that many features of a layer share (field names, kind codes, booleans…),
/// encoded once — for the resources of a published view, once per view — so that a feature
/// names them by index and a tile copies the bytes of those it uses. Immutable once built.
class LayerDictionary {
 public:
  /// The index of key `k`, added when new.
  std::uint16_t key(std::string_view k);
  /// The index of value `v` (strings, booleans, numbers), added when new.
  std::uint16_t value(const Value& v);
  [[nodiscard]] std::size_t key_count() const { return keys_.size(); }
  [[nodiscard]] std::size_t value_count() const { return ends_.size(); }
  [[nodiscard]] const std::string& key_name(std::uint16_t k) const { return keys_.at(k); }
  /// The encoded Tile.Value message of value `v`.
  [[nodiscard]] std::string_view encoded_value(std::uint16_t v) const;

 private:
  std::vector<std::string> keys_;
  TextMap<std::uint16_t> key_ids_;
  std::string values_;               ///< the encoded values, one after another
  std::vector<std::uint32_t> ends_;  ///< where each ends in values_
  TextMap<std::uint16_t> value_ids_;
};

/// The properties of one feature by reference: pairs of a dictionary's keys and values, the
/// feature's own strings (its id, its name: written as they are, not looked up), and integers
/// (counts), each under a dictionary key.
struct FeatureTags {
  std::span<const std::uint16_t> shared;  ///< key, value, key, value… of the dictionary
  std::span<const std::pair<std::uint16_t, std::string_view>> strings;
  std::span<const std::pair<std::uint16_t, std::int64_t>> integers;
  /// Values of this feature's own already encoded as Tile.Value messages
  /// (append_encoded_value), written as they are: figures that no other feature shares.
  std::span<const std::pair<std::uint16_t, std::string_view>> encoded;
};

/// Appends `v` encoded as a Tile.Value message (what FeatureTags::encoded holds).
void append_encoded_value(std::string& out, const Value& v);

class LayerBuilder {
 public:
  explicit LayerBuilder(std::string name, std::uint32_t extent = kExtent);
  /// A layer whose features may name the keys and values of `dict` (which must outlive it).
  LayerBuilder(std::string name, const LayerDictionary& dict, std::uint32_t extent = kExtent);

  using Properties = std::vector<std::pair<std::string_view, Value>>;

  /// A point feature (MoveTo with one point). Of every feature: an id of 0 is not written (it is
  /// the field's default, so readers see 0 either way); such a feature carries no id.
  void add_point(std::uint64_t id, TilePoint p, const Properties& props);
  /// A point feature whose properties name the layer's dictionary: no property is hashed or
  /// looked up by text, so a tile of thousands of points is a copy of integers and strings.
  void add_point(std::uint64_t id, TilePoint p, const FeatureTags& tags);
  /// A polygon feature (one or several polygons: MVT 2.1's multipolygon). Shells are written
  /// clockwise and holes counter-clockwise on screen, whatever order they come in; rings with
  /// fewer than three distinct points or no area are dropped. Returns false when nothing was left.
  bool add_polygons(std::uint64_t id, const std::vector<TilePolygon>& polygons,
                    const Properties& props);
  /// The same, with properties naming the layer's dictionary (see add_point).
  bool add_polygons(std::uint64_t id, const std::vector<TilePolygon>& polygons,
                    const FeatureTags& tags);

  /// A line feature (one or several lines: MVT 2.1's multilinestring). Repeated points are
  /// dropped, and lines left with fewer than two points. Returns false when nothing was left.
  bool add_lines(std::uint64_t id, const std::vector<TileLine>& lines, const Properties& props);

  [[nodiscard]] const std::string& name() const { return name_; }
  /// The dictionary this layer was made with (null: none).
  [[nodiscard]] const LayerDictionary* dictionary() const { return dict_; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] bool empty() const { return count_ == 0; }
  /// The layer message (Tile.layers, field 3) appended to `tile`.
  void append_to(std::string& tile) const;

 private:
  void begin_feature(std::uint64_t id, const Properties& props, std::uint32_t type,
                     std::span<const std::uint32_t> geometry);
  void write_feature(std::uint64_t id, std::uint32_t type, std::span<const std::uint32_t> geometry);
  void dictionary_tags(const FeatureTags& tags);  ///< into tags_
  std::uint32_t key_index(std::string_view key);
  std::uint32_t value_index(const Value& v);
  std::uint32_t add_value_bytes(std::string_view encoded);

  std::string name_;
  std::uint32_t extent_;
  std::string features_;  ///< the encoded Layer.features fields
  std::size_t count_ = 0;
  std::vector<std::uint32_t> tags_;  ///< scratch, reused per feature
  using Stored = std::variant<bool, std::int64_t, double>;
  std::vector<std::string> keys_;
  TextMap<std::uint32_t> key_ids_;
  std::string values_;                     ///< the encoded Tile.Value messages, one after another
  std::vector<std::uint32_t> value_ends_;  ///< where each ends in values_
  TextMap<std::uint32_t> string_ids_;
  std::map<Stored, std::uint32_t> other_ids_;  ///< booleans and numbers: few per layer
  const LayerDictionary* dict_ = nullptr;
  std::vector<std::uint32_t> dict_keys_;    ///< the layer's index of each dictionary key, or ~0
  std::vector<std::uint32_t> dict_values_;  ///< the layer's index of each dictionary value, or ~0
};

/// The tile made of these layers (empty layers left out); an empty string when all are empty.
std::string encode_tile(const std::vector<const LayerBuilder*>& layers);

}  // namespace tsunagi::tiles
