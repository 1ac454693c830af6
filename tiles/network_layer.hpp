// The minimal basemap of a store without a basemap extract: the streets of its walking network
// (geo/spatial/network.hpp) as a `transportation` layer of lines — the layer name and classes of
// the OpenMapTiles-like basemap, so the same style rules draw both. Edges are bucketed once per
// network generation into a grid of z14 cells; a tile gathers the edges of its cells, writes the
// ones inside its buffered square as they are and clips the ones crossing its edge with GEOS
// (as tiles/area_layer does). Immutable after construction; shareable between threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geo/spatial/network.hpp"
#include "tiles/mvt.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::tiles {

/// The layer's name: the one the tilemaker basemap gives its roads.
inline constexpr std::string_view kNetworkLayer = "transportation";
/// Zooms the network basemap is served at; MapLibre draws deeper zooms from z14. Below z12 a
/// town's streets are a grey smear, and a regional network would make large tiles.
inline constexpr std::uint32_t kNetworkMinZoom = 12;
inline constexpr std::uint32_t kNetworkMaxZoom = 14;

class NetworkTiles {
 public:
  NetworkTiles(std::shared_ptr<const geo::WalkGraph> graph, std::int64_t generation);

  [[nodiscard]] std::int64_t generation() const { return generation_; }
  /// lon/lat bounds of the network's nodes (minlon, minlat, maxlon, maxlat).
  [[nodiscard]] const std::array<double, 4>& bounds() const { return bounds_; }
  /// What the network was imported from (NetworkData::source).
  [[nodiscard]] const std::string& source() const;
  /// The credit of the tiles: OpenStreetMap's for a network read from an OSM file, else its source.
  [[nodiscard]] std::string attribution() const;

  /// Adds tile t's streets to `out`: every edge as a line, `class` "minor" (the network keeps no
  /// road class: every walkable way) or "path" with `subclass` "steps" for a flight of steps.
  /// Nothing outside kNetworkMinZoom..kNetworkMaxZoom.
  void add_to(LayerBuilder& out, const TileId& t) const;

 private:
  std::shared_ptr<const geo::WalkGraph> graph_;
  std::int64_t generation_ = 0;
  std::array<double, 4> bounds_{0, 0, 0, 0};
  std::vector<double> wx_;  ///< per node: Web Mercator x as a fraction of the world (0 west)
  std::vector<double> wy_;  ///< per node: y as a fraction of the world (0 north)
  /// The grid: cell keys (x << 32 | y at z14) sorted, and per cell its edges (CSR).
  std::vector<std::uint64_t> cells_;
  std::vector<std::uint32_t> cell_start_;  ///< cells_.size() + 1 offsets into cell_edges_
  std::vector<std::uint32_t> cell_edges_;
};

}  // namespace tsunagi::tiles
