// MBTiles 1.3 export of the public layers (resources and areas in each tile), so that a 社協 can
// publish a static map or open it in QGIS offline. The tiles are the ones the server sends the
// public — the same projection per audience, the same clusters — gzip-compressed, TMS rows.
#pragma once

#include <cstdint>
#include <filesystem>

#include "geo/catalog/snapshot.hpp"

namespace tsunagi::tiles {

class BasemapTiles;

struct MbtilesOptions {
  std::uint32_t min_zoom = 0;
  std::uint32_t max_zoom = 15;
  /// Refuse a request that would visit more tiles than this (a national store at z15).
  std::uint64_t max_tiles = 2'000'000;
  std::string name = "tsunagi";
  /// The offline basemap to include: its layers are added to each tile (up to its max zoom).
  const BasemapTiles* basemap = nullptr;
};

struct MbtilesReport {
  std::uint64_t tiles = 0;      ///< tiles written (empty tiles are left out)
  std::uint64_t bytes = 0;      ///< compressed tile bytes
  std::uint64_t resources = 0;  ///< public resources in the extent
  std::uint64_t areas = 0;
};

/// Writes `out` (replaced only when everything was written: a temporary file is renamed).
/// The extent is that of the public resources and of the areas.
/// @throws Error for a zoom range that is invalid or too large, geo::StoreError when the file
/// cannot be written.
MbtilesReport write_mbtiles(const geo::Snapshot& snap, const std::filesystem::path& out,
                            const MbtilesOptions& options = {});

}  // namespace tsunagi::tiles
