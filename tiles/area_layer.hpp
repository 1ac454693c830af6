// The `areas` tile layer: the store's areas (municipality, 町丁, school districts…) as polygons
// with the figures an audience may see (geo::served_area_figures). Geometry is projected to Web
// Mercator once per area layer, simplified once per zoom with GEOS (topology kept), and per tile
// clipped to the buffered tile, moved to tile units and snapped to the integer grid with GEOS
// snap-rounding, so every polygon is valid and wound as MVT 2.1 wants.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "tiles/mvt.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::tiles {

inline constexpr std::string_view kAreasLayer = "areas";

/// Which figures an area tile carries. Every area carries its descriptive fields (id, kind, code,
/// name, approximate, level); figures only when asked for, so that a map that draws boundaries
/// gets small tiles whatever the size of the statistics table, and a choropleth gets the one
/// figure it colours by.
struct AreaFields {
  bool all = false;                  ///< every figure the audience may see (exports)
  std::vector<std::size_t> columns;  ///< else these columns of the layer's IndicatorTable

  static AreaFields every() { return {true, {}}; }
  /// The `fields=` of a tile request: "" = none, "all" = every visible figure, else figure keys
  /// separated by commas, each visible to `a`. @throws geo::InvalidArgument naming an unknown
  /// (or, for `a`, hidden: the two are indistinguishable) key and listing the keys `a` may ask for.
  static AreaFields parse(const geo::AreaLayer& layer, geo::Audience a, std::string_view list);
  /// The canonical text ("", "all", or the keys in column order): equal selections, equal keys.
  [[nodiscard]] std::string canonical(const geo::AreaLayer& layer) const;
};

/// An area's stable feature id, from its string id (53 bits, so JavaScript numbers keep it exact).
std::uint64_t feature_id(std::string_view id);

class AreaTiles {
 public:
  /// How a shape cut by a tile's edge is clipped: in integers (tiles/clip), with GEOS only for
  /// the results that might not be valid; or always with GEOS (to compare the two).
  enum class Clipper : std::uint8_t { own_then_geos, geos };

  /// Projects every boundary to EPSG:3857. Areas without a boundary, or whose boundary cannot be
  /// read, are left out of the tiles (they still appear in the API).
  explicit AreaTiles(std::shared_ptr<const geo::AreaLayer> layer,
                     Clipper clipper = Clipper::own_then_geos);
  ~AreaTiles();
  AreaTiles(const AreaTiles&) = delete;
  AreaTiles& operator=(const AreaTiles&) = delete;

  [[nodiscard]] std::int64_t generation() const { return layer_->generation(); }
  [[nodiscard]] std::size_t size() const;  ///< areas with a boundary

  /// The keys and values of the areas layer as `a` sees it, encoded once per layer and audience
  /// (on first use): a LayerBuilder made with it gets each area's properties as integers and
  /// pre-encoded figures, without formatting or looking up any of them per tile.
  [[nodiscard]] const LayerDictionary& dictionary(geo::Audience a) const;

  /// Adds the areas of tile t, as `a` may see them, to `out`; with `lg_code`, only that
  /// municipality's areas (one town's map); with the figures of `fields` that `a` may see.
  /// `out` made with dictionary(a) takes the pre-encoded properties; any other takes them
  /// written anew (the same properties).
  void add_to(LayerBuilder& out, const TileId& t, geo::Audience a, std::string_view lg_code = {},
              const AreaFields& fields = AreaFields::every()) const;

  /// The names and types of the layer's fields, for TileJSON's vector_layers.
  /// Every figure `a` may see is a Number; a marked one (秘匿, 合算…) comes with
  /// "<key>_status" instead of (or, for 合算, beside) its value.
  static std::vector<std::pair<std::string, std::string>> fields(const geo::AreaLayer& layer,
                                                                 geo::Audience a);

  /// Zooms below this one draw from per-zoom snapped shapes (world pixels fit in 32 bits up to
  /// z18); deeper tiles clip the stored boundary (one tile unit is < 4 cm there).
  static constexpr std::uint32_t kFullDetailZoom = 18;

 private:
  struct Entry;
  struct Encoded;
  const Encoded& encoded(geo::Audience a) const;
  /// An area at one zoom: simplified, in world pixels (tile units from the world's corner),
  /// snapped valid; as integer rings and as WKB (for clipping at tile edges).
  struct ZoomShape {
    std::vector<TilePolygon> world;
    std::string wkb;  ///< empty: nothing left at this zoom
    double min_x = 0;
    double min_y = 0;
    double max_x = 0;
    double max_y = 0;
  };
  const std::vector<ZoomShape>& shapes(std::uint32_t z) const;
  void add_feature(LayerBuilder& out, std::size_t index, const std::vector<TilePolygon>& polygons,
                   geo::Audience a, const AreaFields& fields) const;
  /// Scratch of add_encoded_feature, reused across the features of one tile.
  struct TagScratch {
    std::vector<std::uint16_t> shared;
    std::vector<std::pair<std::uint16_t, std::string_view>> strings;
    std::vector<std::pair<std::uint16_t, std::string_view>> encoded;
  };
  void add_encoded_feature(LayerBuilder& out, const Encoded& e, std::size_t index,
                           const std::vector<TilePolygon>& polygons, const AreaFields& fields,
                           TagScratch& scratch) const;

  std::shared_ptr<const geo::AreaLayer> layer_;
  Clipper clipper_;
  std::vector<Entry> entries_;
  std::vector<std::string> status_keys_;  ///< "<key>_status" per indicator column
  mutable std::array<std::once_flag, kFullDetailZoom> shapes_once_;
  mutable std::array<std::vector<ZoomShape>, kFullDetailZoom> shapes_;
  mutable std::array<std::once_flag, geo::kAudiences.size()> encoded_once_;
  mutable std::array<std::unique_ptr<const Encoded>, geo::kAudiences.size()> encoded_;
};

}  // namespace tsunagi::tiles
