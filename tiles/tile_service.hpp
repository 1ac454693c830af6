// Tiles from the published snapshot: which layer reads what, and a memory-bounded LRU cache of
// encoded tiles keyed by layer, audience, the generation of what the layer reads, the filter and
// z/x/y. A resource write gives the views it touched a new generation, so the next request for a
// tile of theirs is built anew, while area tiles (and the tiles of views the write did not touch:
// a hidden edit moves no public tile) stay cached.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "tiles/area_layer.hpp"
#include "tiles/network_layer.hpp"
#include "tiles/resource_layer.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::tiles {

enum class Layer : std::uint8_t { resources, areas };

/// "resources" / "areas" → Layer; nullopt for any other name.
std::optional<Layer> parse_layer(std::string_view name);
std::string_view layer_name(Layer l);

/// One encoded tile, immutable and shared between the cache and responses.
struct EncodedTile {
  std::string mvt;   ///< empty for an empty tile
  std::string gzip;  ///< the same, gzip-compressed (empty for an empty tile)
  std::string etag;  ///< a weak entity tag of the content: W/"…"
  std::size_t features = 0;
};

/// The gzip level of tiles: libdeflate's level 1 is several times faster than 6 and leaves
/// MVT (already varint-packed) only ~10 % larger (bench/TILES.md).
inline constexpr int kTileGzipLevel = 1;

/// gzip (RFC 1952) of `data` with libdeflate. @throws Error when compression fails.
std::string gzip(std::string_view data, int level = 6);

class TileService {
 public:
  /// `cache_bytes` = 0 turns the cache off (every tile is built; for benchmarks). Filtered tiles
  /// get a quarter of it (kFilteredShareDivisor), unfiltered ones the rest.
  explicit TileService(std::size_t cache_bytes, ClusterRules rules = {});
  ~TileService();
  TileService(const TileService&) = delete;
  TileService& operator=(const TileService&) = delete;

  /// The tile of `layer` at t for audience `a`, filtered by `q` (the areas layer by its lg_code
  /// alone), from `snap`.
  /// `filter_key` is the canonical text of the filter and of an area tile's `fields` (part of the
  /// cache key; a tile whose key is empty is kept in the share of the map everyone sees);
  /// `fields`: the figures an area tile carries; `point_fields`: the properties of resource
  /// points (part of the key apart from the filter text).
  std::shared_ptr<const EncodedTile> tile(const geo::Snapshot& snap, Layer layer, const TileId& t,
                                          geo::Audience a, const geo::ResourceQuery& q,
                                          std::string_view filter_key,
                                          const AreaFields& fields = AreaFields::every(),
                                          const ResourceFields& point_fields = {});

  /// The tile's MVT bytes and feature count, without the cache, gzip or entity tag (what build()
  /// starts from; benchmarks compare it with PostGIS's ST_AsMVT, which does not compress).
  std::pair<std::string, std::size_t> encode(const geo::Snapshot& snap, Layer layer,
                                             const TileId& t, geo::Audience a,
                                             const geo::ResourceQuery& q,
                                             const AreaFields& fields = AreaFields::every(),
                                             const ResourceFields& point_fields = {});

  /// Encodes without the cache (the MBTiles export and benchmarks).
  std::shared_ptr<const EncodedTile> build(const geo::Snapshot& snap, Layer layer, const TileId& t,
                                           geo::Audience a, const geo::ResourceQuery& q,
                                           const AreaFields& fields = AreaFields::every(),
                                           const ResourceFields& point_fields = {});

  /// The walking network's streets at t (the minimal basemap of a store without a basemap
  /// extract: tiles/network_layer), cached with the unfiltered tiles and keyed by the network's
  /// generation; null when the snapshot has no network.
  std::shared_ptr<const EncodedTile> network_tile(const geo::Snapshot& snap, const TileId& t);
  /// The snapshot's network prepared for tiles (its bounds, source), or null without a network.
  std::shared_ptr<const NetworkTiles> network(const geo::Snapshot& snap);

  /// The tile of both layers at t — the areas with every figure `a` may see, then the resources
  /// filtered by `q` — encoded without the cache (the MBTiles export); empty when both are.
  std::string encode_both(const geo::Snapshot& snap, const TileId& t, geo::Audience a,
                          const geo::ResourceQuery& q);

  static constexpr std::size_t kFilteredShareDivisor = 4;

  struct Stats {
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::size_t capacity = 0;
    std::size_t filtered_entries = 0;  ///< of `entries`, the tiles of a filter
    std::size_t filtered_bytes = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] const ClusterRules& rules() const { return rules_; }

 private:
  std::shared_ptr<const PointIndex> points(const geo::Snapshot& snap, geo::Audience a);
  std::shared_ptr<const AreaTiles> areas(const geo::Snapshot& snap);

  ClusterRules rules_;
  std::size_t capacity_;

  std::mutex derived_mu_;  // the derived per-view and per-area-layer structures
  std::array<std::shared_ptr<const PointIndex>, 3> points_;
  std::shared_ptr<const AreaTiles> areas_;
  std::shared_ptr<const NetworkTiles> network_;

  /// What a cached tile is keyed on: the layer (or the network basemap), the audience, the
  /// generation of what the layer reads, z/x/y, the resource points' fields and the filter's
  /// canonical text. A lookup views the request's own filter text: a hit allocates nothing.
  struct KeyView {
    std::uint8_t source = 0;
    std::uint8_t audience = 0;
    std::uint8_t fields = 0;  ///< ResourceFields::mask of a resources tile, else 0
    std::uint64_t generation = 0;
    std::uint32_t z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    std::string_view filter;
    friend bool operator==(const KeyView&, const KeyView&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const KeyView& k) const;
  };
  struct Entry {
    KeyView key;         ///< its filter views `filter`, which the entry owns
    std::string filter;  ///< (a list node never moves)
    std::shared_ptr<const EncodedTile> tile;
    std::size_t cost = 0;
  };

  mutable std::mutex cache_mu_;
  using Lru = std::list<Entry>;
  /// One share of the cache: its own LRU within its own byte budget.
  struct Share {
    Lru lru;  ///< most recent first
    std::unordered_map<KeyView, Lru::iterator, KeyHash> by_key;
    std::size_t bytes = 0;
    std::size_t capacity = 0;
  };
  /// Unfiltered tiles (every area tile, resource tiles without a filter: what every visitor of
  /// the map asks for) and filtered ones apart, so that a client asking for many distinct
  /// filters evicts only filtered tiles, never the map everyone sees.
  template <typename Build>
  std::shared_ptr<const EncodedTile> cached(Share& share, const KeyView& key, Build&& build);
  Share plain_;
  Share filtered_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace tsunagi::tiles
