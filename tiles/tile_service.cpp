#include "tiles/tile_service.hpp"

#include <libdeflate.h>

#include <cstdio>
#include <tuple>

#include "geo/core/hash.hpp"
#include "tiles/error.hpp"

namespace tsunagi::tiles {

std::optional<Layer> parse_layer(std::string_view name) {
  if (name == kResourcesLayer) return Layer::resources;
  if (name == kAreasLayer) return Layer::areas;
  return std::nullopt;
}

std::string_view layer_name(Layer l) {
  return l == Layer::resources ? kResourcesLayer : kAreasLayer;
}

std::string gzip(std::string_view data, int level) {
  struct Free {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
  };
  thread_local std::unique_ptr<libdeflate_compressor, Free> compressor;
  thread_local int compressor_level = -1;
  if (!compressor || compressor_level != level) {
    compressor.reset(libdeflate_alloc_compressor(level));
    compressor_level = level;
    if (!compressor) throw Error("gzip: could not allocate a compressor");
  }
  std::string out(libdeflate_gzip_compress_bound(compressor.get(), data.size()), '\0');
  const std::size_t n =
      libdeflate_gzip_compress(compressor.get(), data.data(), data.size(), out.data(), out.size());
  if (n == 0) throw Error("gzip: compression failed");
  out.resize(n);
  return out;
}

namespace {

/// The cache key's source of the network basemap's tiles (after the layers' own values).
constexpr std::uint8_t kNetworkSource = 0xFF;

std::string weak_etag(std::string_view bytes) {
  const std::uint64_t h = geo::fnv1a(bytes);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return "W/\"" + std::to_string(bytes.size()) + "-" + buf + "\"";
}

}  // namespace

TileService::TileService(std::size_t cache_bytes, ClusterRules rules)
    : rules_(rules), capacity_(cache_bytes) {
  filtered_.capacity = cache_bytes / kFilteredShareDivisor;
  plain_.capacity = cache_bytes - filtered_.capacity;
}

TileService::~TileService() = default;

std::shared_ptr<const PointIndex> TileService::points(const geo::Snapshot& snap, geo::Audience a) {
  const auto& view = snap.view_ptr(a);
  std::lock_guard lock(derived_mu_);
  auto& slot = points_.at(static_cast<std::size_t>(a));
  if (!slot || slot->generation() != view->generation()) {
    // Built under the lock: concurrent first requests of a new view wait for one build.
    slot = std::make_shared<const PointIndex>(view);
  }
  return slot;
}

std::shared_ptr<const AreaTiles> TileService::areas(const geo::Snapshot& snap) {
  const auto& layer = snap.area_layer();
  std::lock_guard lock(derived_mu_);
  if (!areas_ || areas_->generation() != layer->generation()) {
    areas_ = std::make_shared<const AreaTiles>(layer);
  }
  return areas_;
}

std::string TileService::encode_both(const geo::Snapshot& snap, const TileId& t, geo::Audience a,
                                     const geo::ResourceQuery& q) {
  const geo::ResourceMatcher matches(q);
  const auto pts = points(snap, a);
  LayerBuilder resources{std::string(kResourcesLayer), pts->dictionary()};
  add_resources(resources, *pts, matches, t, rules_);
  const auto area_tiles = areas(snap);
  LayerBuilder area_layer{std::string(kAreasLayer), area_tiles->dictionary(a)};
  area_tiles->add_to(area_layer, t, a);
  return encode_tile({&area_layer, &resources});
}

std::pair<std::string, std::size_t> TileService::encode(const geo::Snapshot& snap, Layer layer,
                                                        const TileId& t, geo::Audience a,
                                                        const geo::ResourceQuery& q,
                                                        const AreaFields& fields,
                                                        const ResourceFields& point_fields) {
  if (layer == Layer::resources) {
    const geo::ResourceMatcher matches(q);
    const auto pts = points(snap, a);
    LayerBuilder builder{std::string(kResourcesLayer), pts->dictionary()};
    add_resources(builder, *pts, matches, t, rules_, point_fields);
    return {encode_tile({&builder}), builder.size()};
  }
  const auto area_tiles = areas(snap);
  LayerBuilder builder{std::string(kAreasLayer), area_tiles->dictionary(a)};
  area_tiles->add_to(builder, t, a, q.lg_code, fields);
  return {encode_tile({&builder}), builder.size()};
}

std::shared_ptr<const EncodedTile> TileService::build(const geo::Snapshot& snap, Layer layer,
                                                      const TileId& t, geo::Audience a,
                                                      const geo::ResourceQuery& q,
                                                      const AreaFields& fields,
                                                      const ResourceFields& point_fields) {
  auto out = std::make_shared<EncodedTile>();
  std::tie(out->mvt, out->features) = encode(snap, layer, t, a, q, fields, point_fields);
  if (!out->mvt.empty()) out->gzip = gzip(out->mvt, kTileGzipLevel);
  out->etag = weak_etag(out->mvt);
  return out;
}

std::shared_ptr<const EncodedTile> TileService::tile(const geo::Snapshot& snap, Layer layer,
                                                     const TileId& t, geo::Audience a,
                                                     const geo::ResourceQuery& q,
                                                     std::string_view filter_key,
                                                     const AreaFields& fields,
                                                     const ResourceFields& point_fields) {
  if (capacity_ == 0) return build(snap, layer, t, a, q, fields, point_fields);
  const std::uint64_t generation =
      layer == Layer::resources ? snap.view(a).generation()
                                : static_cast<std::uint64_t>(snap.area_layer()->generation());
  // The areas layer's filter is municipality= and fields= alone.
  const KeyView key{static_cast<std::uint8_t>(layer),
                    static_cast<std::uint8_t>(a),
                    layer == Layer::resources ? point_fields.mask : std::uint8_t{0},
                    generation,
                    t.z,
                    t.x,
                    t.y,
                    filter_key};
  // Everyone's map: no filter, and points with every property (a GIS) or none (tsunagi's map);
  // other choices of fields are kept with the filtered tiles, which they cannot then evict.
  const bool plain = filter_key.empty() &&
                     (layer != Layer::resources || point_fields.all() || point_fields.mask == 0);
  Share& share = plain ? plain_ : filtered_;
  return cached(share, key, [&] { return build(snap, layer, t, a, q, fields, point_fields); });
}

std::size_t TileService::KeyHash::operator()(const KeyView& k) const {
  std::uint64_t h = geo::fnv1a(k.filter);
  const auto mix = [&](std::uint64_t v) { h = (h ^ v) * 0x100000001b3ULL; };
  mix(k.source);
  mix(k.audience);
  mix(k.fields);
  mix(k.generation);
  mix(k.z);
  mix(k.x);
  mix(k.y);
  return static_cast<std::size_t>(h);
}

template <typename Build>
std::shared_ptr<const EncodedTile> TileService::cached(Share& share, const KeyView& key,
                                                       Build&& build) {
  {
    std::lock_guard lock(cache_mu_);
    if (const auto it = share.by_key.find(key); it != share.by_key.end()) {
      share.lru.splice(share.lru.begin(), share.lru, it->second);
      ++hits_;
      return it->second->tile;
    }
    ++misses_;
  }
  std::shared_ptr<const EncodedTile> built = build();
  const std::size_t cost = built->mvt.size() + built->gzip.size() + key.filter.size() + 160;
  if (cost > share.capacity) return built;
  std::lock_guard lock(cache_mu_);
  if (share.by_key.count(key) != 0) return built;  // another request built it meanwhile
  share.lru.push_front({key, std::string(key.filter), built, cost});
  Entry& e = share.lru.front();
  e.key.filter = e.filter;
  share.by_key.emplace(e.key, share.lru.begin());
  share.bytes += cost;
  while (share.bytes > share.capacity && !share.lru.empty()) {
    const Entry& last = share.lru.back();
    share.bytes -= last.cost;
    share.by_key.erase(last.key);
    share.lru.pop_back();
  }
  return built;
}

std::shared_ptr<const NetworkTiles> TileService::network(const geo::Snapshot& snap) {
  const auto& graph = snap.network();
  if (!graph) return nullptr;
  std::lock_guard lock(derived_mu_);
  if (!network_ || network_->generation() != snap.network_generation()) {
    network_ = std::make_shared<const NetworkTiles>(graph, snap.network_generation());
  }
  return network_;
}

std::shared_ptr<const EncodedTile> TileService::network_tile(const geo::Snapshot& snap,
                                                             const TileId& t) {
  if (!snap.network()) return nullptr;
  // A hit needs neither the derived network nor its lock: the key is the snapshot's generation.
  const auto build = [&] {
    const auto net = network(snap);
    LayerBuilder builder{std::string(kNetworkLayer)};
    net->add_to(builder, t);
    auto out = std::make_shared<EncodedTile>();
    out->features = builder.size();
    out->mvt = encode_tile({&builder});
    if (!out->mvt.empty()) out->gzip = gzip(out->mvt, kTileGzipLevel);
    out->etag = weak_etag(out->mvt);
    return std::shared_ptr<const EncodedTile>(std::move(out));
  };
  if (capacity_ == 0) return build();
  const KeyView key{kNetworkSource,
                    0,
                    0,
                    static_cast<std::uint64_t>(snap.network_generation()),
                    t.z,
                    t.x,
                    t.y,
                    {}};
  return cached(plain_, key, build);
}

TileService::Stats TileService::stats() const {
  std::lock_guard lock(cache_mu_);
  return {plain_.lru.size() + filtered_.lru.size(),
          plain_.bytes + filtered_.bytes,
          capacity_,
          filtered_.lru.size(),
          filtered_.bytes,
          hits_,
          misses_};
}

}  // namespace tsunagi::tiles
