// The offline basemap: vector tiles of streets, railways, water, parks, buildings and place names
// built from an OpenStreetMap extract by Debian's `tilemaker` (OpenMapTiles-like schema) and kept
// as an MBTiles file beside the store, for tsunagi to serve at /tiles/basemap/….
//
// tilemaker is given the extract, Debian's own OpenMapTiles config and Lua profile (found under
// /usr/share/doc/tilemaker/examples), with three changes made here: the layers that need other
// files (ocean and Natural Earth shapefiles, which are not on a closed network) are left out, the
// output is clipped to a box (the store's municipalities + a margin), and names are written in
// Japanese too (`name:ja` beside `name:latin`, which holds OSM's `name`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/catalog/snapshot.hpp"  // BBox

namespace tsunagi::datasets {

struct BasemapLayerInfo {
  std::string id;
  int min_zoom = 0;
  int max_zoom = 0;
};

/// What an MBTiles basemap holds (its metadata and tiles table).
struct BasemapInfo {
  std::vector<BasemapLayerInfo> layers;
  int min_zoom = 0;
  int max_zoom = 0;
  std::uint64_t tiles = 0;
  std::uint64_t bytes = 0;  ///< stored tile bytes
  std::optional<geo::BBox> bounds;
};

struct BasemapBuildOptions {
  std::optional<geo::BBox> clip;        ///< none: the whole extract
  std::string tilemaker = "tilemaker";  ///< the program (looked up in PATH)
  /// Where tilemaker's Debian config-openmaptiles.json and process-openmaptiles.lua are; empty:
  /// the places Debian puts them.
  std::filesystem::path resources;
};

/// The MBTiles basemap of the store `db`: DB.basemap.mbtiles beside it.
std::filesystem::path basemap_path_for(const std::filesystem::path& db);

/// Reads an MBTiles basemap's metadata. @throws geo::InvalidArgument when it is not one.
BasemapInfo read_basemap_info(const std::filesystem::path& mbtiles);

/// Runs tilemaker on `extract` and writes `out`, which is replaced only when tilemaker succeeded
/// and wrote a readable MBTiles (it works on a temporary file beside `out`).
/// @throws geo::InvalidArgument for a missing or non-PBF extract, a missing tilemaker or config,
/// or tilemaker failing (with the end of its output).
BasemapInfo build_basemap(const std::filesystem::path& extract, const std::filesystem::path& out,
                          const BasemapBuildOptions& options);

}  // namespace tsunagi::datasets
