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

class AreaTiles {
 public:
  /// Projects every boundary to EPSG:3857. Areas without a boundary, or whose boundary cannot be
  /// read, are left out of the tiles (they still appear in the API).
  explicit AreaTiles(std::shared_ptr<const geo::AreaLayer> layer);
  ~AreaTiles();
  AreaTiles(const AreaTiles&) = delete;
  AreaTiles& operator=(const AreaTiles&) = delete;

  [[nodiscard]] std::int64_t generation() const { return layer_->generation(); }
  [[nodiscard]] std::size_t size() const;  ///< areas with a boundary

  /// Adds the areas of tile t, as `a` may see them, to `out`; with `lg_code`, only that
  /// municipality's areas (one town's map).
  void add_to(LayerBuilder& out, const TileId& t, geo::Audience a,
              std::string_view lg_code = {}) const;

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
                   geo::Audience a) const;

  std::shared_ptr<const geo::AreaLayer> layer_;
  std::vector<Entry> entries_;
  std::vector<std::string> status_keys_;  ///< "<key>_status" per indicator column
  mutable std::array<std::once_flag, kFullDetailZoom> shapes_once_;
  mutable std::array<std::vector<ZoomShape>, kFullDetailZoom> shapes_;
};

}  // namespace tsunagi::tiles
