// The offline basemap: tiles read from the MBTiles file `tsunagi import --basemap` wrote (TMS rows,
// usually gzip-stored MVT of the OpenMapTiles-like schema), its TileJSON facts, and the MapLibre
// style that draws it in muted greys with Japanese labels. Reads go through a small pool of
// read-only SQLite connections, so reactor threads never wait on one another for long.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tiles/network_layer.hpp"
#include "tiles/tile_math.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tsunagi::tiles {

class BasemapTiles {
 public:
  /// Opens an MBTiles basemap. @throws Error when it cannot be read or is not vector tiles.
  explicit BasemapTiles(std::filesystem::path file);
  ~BasemapTiles();
  BasemapTiles(const BasemapTiles&) = delete;
  BasemapTiles& operator=(const BasemapTiles&) = delete;

  struct Tile {
    std::string data;
    bool gzip = false;  ///< data is gzip-compressed as stored
  };
  /// The stored tile at z/x/y (XYZ; the TMS row is flipped here), or null when there is none.
  /// Tiles read are kept in memory (the file does not change while it is served) up to
  /// kCacheBytes, beyond which the cache starts over.
  [[nodiscard]] std::shared_ptr<const Tile> tile(const TileId& t) const;
  static constexpr std::size_t kCacheBytes = std::size_t{64} << 20;

  [[nodiscard]] const std::filesystem::path& file() const { return file_; }
  [[nodiscard]] std::uint32_t min_zoom() const { return min_zoom_; }
  [[nodiscard]] std::uint32_t max_zoom() const { return max_zoom_; }
  /// lon/lat bounds as stored (minlon, minlat, maxlon, maxlat).
  [[nodiscard]] const std::array<double, 4>& bounds() const { return bounds_; }
  [[nodiscard]] const std::string& attribution() const { return attribution_; }
  /// The `vector_layers` of the metadata (ids, fields, zooms).
  [[nodiscard]] const nlohmann::json& vector_layers() const { return vector_layers_; }
  /// Identifies this file's contents (its size and modification time) for ETags.
  [[nodiscard]] const std::string& version() const { return version_; }

 private:
  struct Connection;
  std::unique_ptr<Connection> acquire() const;
  void release(std::unique_ptr<Connection> c) const;

  std::filesystem::path file_;
  std::uint32_t min_zoom_ = 0;
  std::uint32_t max_zoom_ = 14;
  std::array<double, 4> bounds_{-180, -85.0511, 180, 85.0511};
  std::string attribution_;
  nlohmann::json vector_layers_ = nlohmann::json::array();
  std::string version_;
  [[nodiscard]] std::shared_ptr<const Tile> read(const TileId& t) const;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Connection>> free_;
  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::uint64_t, std::shared_ptr<const Tile>> cache_;
  mutable std::size_t cache_bytes_ = 0;
};

/// gzip-decompresses `data` (a stored tile, for a client that does not accept gzip).
/// @throws Error when it is not valid gzip.
std::string gunzip(std::string_view data);

/// The MapLibre style of the basemap: muted greys (luminance, not hue, tells the classes apart,
/// so it reads the same to every eye and in black-and-white print), water a pale grey-blue,
/// labels in Japanese (name:ja, else OSM's name) drawn from the browser's own fonts (no glyphs
/// URL: MapLibre renders every label locally). `tiles_url` is the tile URL template.
nlohmann::json basemap_style(const BasemapTiles& basemap, const std::string& tiles_url);

/// The style of the minimal basemap drawn from the walking network (tiles/network_layer): the
/// background and the streets as grey lines (flights of steps dashed), in the same greys and
/// under the same layer ids (bm-road, bm-path) as basemap_style.
nlohmann::json network_basemap_style(const NetworkTiles& network, const std::string& tiles_url);

}  // namespace tsunagi::tiles
