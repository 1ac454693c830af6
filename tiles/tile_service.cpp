#include "tiles/tile_service.hpp"

#include <libdeflate.h>

#include <cstdio>

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

void TileService::add_layers(const geo::Snapshot& snap, const TileId& t, geo::Audience a,
                             const geo::ResourceQuery& q, LayerBuilder& resources,
                             LayerBuilder& area_layer) {
  const geo::ResourceMatcher matches(q);
  add_resources(resources, *points(snap, a), matches, t, rules_);
  areas(snap)->add_to(area_layer, t, a);
}

std::shared_ptr<const EncodedTile> TileService::build(const geo::Snapshot& snap, Layer layer,
                                                      const TileId& t, geo::Audience a,
                                                      const geo::ResourceQuery& q) {
  LayerBuilder builder{std::string(layer_name(layer))};
  if (layer == Layer::resources) {
    const geo::ResourceMatcher matches(q);
    add_resources(builder, *points(snap, a), matches, t, rules_);
  } else {
    areas(snap)->add_to(builder, t, a, q.lg_code);
  }
  auto out = std::make_shared<EncodedTile>();
  out->features = builder.size();
  out->mvt = encode_tile({&builder});
  if (!out->mvt.empty()) out->gzip = gzip(out->mvt, kTileGzipLevel);
  out->etag = weak_etag(out->mvt);
  return out;
}

std::shared_ptr<const EncodedTile> TileService::tile(const geo::Snapshot& snap, Layer layer,
                                                     const TileId& t, geo::Audience a,
                                                     const geo::ResourceQuery& q,
                                                     std::string_view filter_key) {
  if (capacity_ == 0) return build(snap, layer, t, a, q);
  const std::uint64_t generation =
      layer == Layer::resources ? snap.view(a).generation()
                                : static_cast<std::uint64_t>(snap.area_layer()->generation());
  std::string key;
  key.reserve(64 + filter_key.size());
  key += layer_name(layer);
  key += '|';
  key += geo::audience_id(a);
  key += '|';
  key += std::to_string(generation);
  key += '|';
  key += std::to_string(t.z) + '/' + std::to_string(t.x) + '/' + std::to_string(t.y);
  key += '|';
  key += filter_key;  // the areas layer's filter is municipality= alone
  Share& share = filter_key.empty() ? plain_ : filtered_;
  return cached(share, std::move(key), [&] { return build(snap, layer, t, a, q); });
}

template <typename Build>
std::shared_ptr<const EncodedTile> TileService::cached(Share& share, std::string key,
                                                       Build&& build) {
  {
    std::lock_guard lock(cache_mu_);
    if (const auto it = share.by_key.find(key); it != share.by_key.end()) {
      share.lru.splice(share.lru.begin(), share.lru, it->second);
      ++hits_;
      return it->second->second;
    }
    ++misses_;
  }
  std::shared_ptr<const EncodedTile> built = build();
  const std::size_t cost = built->mvt.size() + built->gzip.size() + key.size() + 128;
  if (cost > share.capacity) return built;
  std::lock_guard lock(cache_mu_);
  if (share.by_key.count(key) != 0) return built;  // another request built it meanwhile
  share.lru.emplace_front(std::move(key), built);
  share.by_key.emplace(share.lru.front().first, share.lru.begin());
  share.bytes += cost;
  while (share.bytes > share.capacity && !share.lru.empty()) {
    const auto& last = share.lru.back();
    share.bytes -= last.second->mvt.size() + last.second->gzip.size() + last.first.size() + 128;
    share.by_key.erase(last.first);
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
  std::string key = "basemap-network|" + std::to_string(snap.network_generation()) + '|' +
                    std::to_string(t.z) + '/' + std::to_string(t.x) + '/' + std::to_string(t.y);
  return cached(plain_, std::move(key), build);
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
