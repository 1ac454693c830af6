// The one published state: an immutable, in-memory view of the store that serves every read.
//
// It is built from layers, each with its own generation, so that a write rebuilds only what it
// changed:
//   - the area layer (areas, populations, the generalizer of private positions), rebuilt only
//     when areas or populations changed (Store::areas_generation);
//   - per audience (geo/catalog/visibility), the resources that audience may know, already
//   projected by
//     served(), with their own spatial index and search keys. After a resource write only the
//     changed rows are read from the store and re-projected; every other entry (and the GeoJSON
//     rendered for it, while the bounded FeatureCache keeps it) is shared with the previous
//     snapshot. Within a snapshot, audiences share what they see alike: the stored record
//     (internal, and partners when there is no internal note), the search key, and the spatial
//     index when their served positions are the same; a projected record shares the bytes of
//     every text field it left alone with the stored one (geo/core/text.hpp).
// Coming layers (the walking network, indicators) hang off the same object with their own
// generations. Published by one atomic shared_ptr swap; readers never lock.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/catalog/visibility.hpp"
#include "geo/core/area.hpp"
#include "geo/core/resource.hpp"
#include "geo/spatial/point.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

class Store;
class WalkGraph;

/// A rendered GeoJSON Feature, shared with the feature cache: the text stays valid as long as
/// this handle lives, even after the cache let it go.
class FeatureText {
 public:
  FeatureText() = default;
  explicit FeatureText(std::shared_ptr<const std::string> text) : text_(std::move(text)) {}
  [[nodiscard]] const std::string& str() const { return *text_; }
  [[nodiscard]] const std::string& operator*() const { return *text_; }
  [[nodiscard]] const std::string* operator->() const { return text_.get(); }
  [[nodiscard]] std::size_t size() const { return text_->size(); }
  [[nodiscard]] const std::shared_ptr<const std::string>& shared() const { return text_; }

 private:
  std::shared_ptr<const std::string> text_;
};
/// Writes the feature's text (not the handle).
std::ostream& operator<<(std::ostream& os, const FeatureText& f);

/// Rendered features, bounded by bytes: the least recently used go first. One per process
/// (shared()), for every audience and snapshot: an entry is keyed by the ServedResource that
/// rendered it (its serial), so a changed resource (a new entry) never meets an old text, and
/// the texts of entries no snapshot holds any more just age out. Thread-safe (sharded locks).
class FeatureCache {
 public:
  using Text = std::shared_ptr<const std::string>;
  static constexpr std::size_t kDefaultBytes = std::size_t{64} << 20;
  /// What an entry costs besides its text: the string, the shared_ptr's block, the list and map
  /// nodes (counted against the bound, so that many small features cannot exceed it).
  static constexpr std::size_t kEntryOverhead = 160;

  explicit FeatureCache(std::size_t capacity_bytes = kDefaultBytes);
  ~FeatureCache();
  FeatureCache(const FeatureCache&) = delete;
  FeatureCache& operator=(const FeatureCache&) = delete;

  /// The process's cache, used by ServedResource::feature().
  static FeatureCache& shared();

  /// The text kept under `key` (and marks it recently used), or null.
  [[nodiscard]] Text find(std::uint64_t key);
  /// Keeps `text` under `key` and evicts the least recently used until within the bound; returns
  /// what is now kept there (a text another thread kept first wins, so both callers hand out
  /// the same one). A text larger than a shard's share of the bound is returned, not kept.
  Text insert(std::uint64_t key, Text text);
  /// Changes the bound (0: keep nothing), evicting at once.
  void set_capacity(std::size_t bytes);
  void clear();
  [[nodiscard]] std::size_t capacity() const;
  /// Bytes charged now (texts plus kEntryOverhead each); never above capacity().
  [[nodiscard]] std::size_t bytes() const;
  [[nodiscard]] std::size_t size() const;
  /// Lookups that found their text, and that did not, since construction.
  [[nodiscard]] std::uint64_t hits() const;
  [[nodiscard]] std::uint64_t misses() const;

 private:
  struct Shard;
  struct Totals {
    std::size_t capacity = 0;
    std::size_t bytes = 0;
    std::size_t size = 0;
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  static constexpr std::size_t kShards = 8;
  Shard& shard(std::uint64_t key);
  [[nodiscard]] Totals totals() const;
  std::unique_ptr<Shard[]> shards_;
};

/// One resource as one audience may know it (served()), with what serving it needs: its search
/// key and its GeoJSON Feature, rendered on use and kept in the bounded FeatureCache.
class ServedResource {
 public:
  /// `projected` is served(audience, ·) of a stored resource; audiences that see the same values
  /// share one Resource (internal, and partners when there is no internal note). `name_reading`
  /// is the folded reading of the projected name when it has no kana (geo/catalog/reading), added
  /// to the search key. `unconfirmed`: its last confirmation is older than the snapshot's
  /// FreshnessRule allows (its feature then carries "unconfirmed": true, 「要確認」).
  ServedResource(Audience audience, std::shared_ptr<const Resource> projected,
                 std::string_view name_reading = {}, bool unconfirmed = false);
  /// With the search key of another audience's entry of the same resource, whose projected name,
  /// kana, address and building are the same as `projected`'s (make_search_key would make the
  /// same text): audiences share one key.
  ServedResource(Audience audience, std::shared_ptr<const Resource> projected,
                 std::shared_ptr<const std::string> search_key, bool unconfirmed);
  ServedResource(const ServedResource&) = delete;
  ServedResource& operator=(const ServedResource&) = delete;

  [[nodiscard]] const Resource& resource() const { return *resource_; }
  [[nodiscard]] const std::shared_ptr<const Resource>& resource_ptr() const { return resource_; }
  [[nodiscard]] Audience audience() const { return audience_; }
  [[nodiscard]] bool unconfirmed() const { return unconfirmed_; }
  /// Normalized name, kana, address and building, as this audience may know them, and the
  /// name's dictionary reading when it has no kana (「たいそう」 finds 体操).
  [[nodiscard]] const std::string& search_key() const { return *search_key_; }
  [[nodiscard]] const std::shared_ptr<const std::string>& search_key_ptr() const {
    return search_key_;
  }
  /// The GeoJSON Feature for this audience, as compact JSON (keys sorted): from the
  /// FeatureCache, else rendered (the same text every time) and kept there.
  [[nodiscard]] FeatureText feature() const;
  /// An entity tag of what this audience sees: the version for staff (what If-Match takes), a
  /// hash of the served feature for the public (it changes only when the public's view does;
  /// the hash is kept from the first rendering, so an evicted feature is not rendered again for
  /// its tag).
  [[nodiscard]] std::string etag() const;
  /// The key of this entry's feature in the FeatureCache: unique per entry in this process.
  [[nodiscard]] std::uint64_t serial() const { return serial_; }

 private:
  [[nodiscard]] std::string render() const;
  Audience audience_;
  bool unconfirmed_ = false;
  mutable std::atomic<bool> hashed_{false};
  std::uint64_t serial_ = 0;
  mutable std::atomic<std::uint64_t> hash_{0};  ///< fnv1a of the feature, once hashed_
  std::shared_ptr<const Resource> resource_;
  std::shared_ptr<const std::string> search_key_;
};

using ServedPtr = std::shared_ptr<const ServedResource>;

/// Writes figures as GeoJSON/JSON properties: `key` (null when there is no value), and for a
/// marked figure `key_status` ("merged", "absorbed", "suppressed", "missing") and `key_merged`.
void add_figure_properties(nlohmann::json& props, const std::vector<AreaFigure>& figures);

/// Areas and populations with what is derived from them once.
class AreaLayer {
 public:
  AreaLayer(std::int64_t generation, std::vector<Area> areas,
            std::vector<AreaPopulation> populations, const std::vector<StatDef>& defs = {},
            const std::vector<StatValue>& values = {});
  [[nodiscard]] std::int64_t generation() const { return generation_; }
  [[nodiscard]] const std::vector<Area>& areas() const { return areas_; }
  [[nodiscard]] const std::vector<AreaPopulation>& populations() const { return populations_; }
  [[nodiscard]] const Generalizer& generalizer() const { return generalizer_; }
  /// Statistics and derived indicators of every area (in areas() order).
  [[nodiscard]] const IndicatorTable& indicators() const { return indicators_; }
  /// The index of an area by id.
  [[nodiscard]] std::optional<std::size_t> area_index(std::string_view id) const;
  /// Each area as a compact GeoJSON Feature (boundary, descriptive properties and the figures
  /// `a` may see), and its envelope: rendered once per layer and audience, on first use. A
  /// damaged boundary is served without geometry rather than failing the layer.
  [[nodiscard]] const std::vector<std::string>& features(Audience a) const;
  [[nodiscard]] const std::vector<std::optional<BBox>>& envelopes() const;
  /// The box around every boundary (nullopt when no area has one).
  [[nodiscard]] std::optional<BBox> extent() const;

 private:
  void render() const;
  std::int64_t generation_;
  std::vector<Area> areas_;
  std::vector<AreaPopulation> populations_;
  Generalizer generalizer_;
  IndicatorTable indicators_;
  mutable std::once_flag render_once_;
  mutable std::array<std::vector<std::string>, kAudiences.size()> features_;
  mutable std::vector<std::optional<BBox>> envelopes_;
};

/// Everything one audience may know of the resources, in id order, with a spatial index on the
/// served positions. Immutable and shareable between threads.
class AudienceView {
 public:
  /// Builds the spatial index, unless `same_positions` (a view whose items have the same served
  /// positions at the same indexes) lends its own: an edit that moves nothing rebuilds no tree.
  AudienceView(Audience audience, std::vector<ServedPtr> items,
               const AudienceView* same_positions = nullptr);
  ~AudienceView();
  AudienceView(const AudienceView&) = delete;
  AudienceView& operator=(const AudienceView&) = delete;

  [[nodiscard]] Audience audience() const { return audience_; }
  /// Unique per view built in this process: a snapshot after a write this audience cannot see
  /// keeps the previous view, and so its generation (what the tile cache keys on).
  [[nodiscard]] std::uint64_t generation() const { return generation_; }
  [[nodiscard]] std::size_t size() const { return items_.size(); }
  [[nodiscard]] const std::vector<ServedPtr>& items() const { return items_; }
  [[nodiscard]] const ServedResource& item(std::uint32_t i) const { return *items_[i]; }
  [[nodiscard]] const Resource& resource(std::uint32_t i) const { return items_[i]->resource(); }
  /// The index of the resource with this id, if this audience may know it.
  [[nodiscard]] std::optional<std::uint32_t> index_of(std::string_view id) const;
  [[nodiscard]] const ServedResource* find(std::string_view id) const;
  /// Indexes of every resource whose served point lies in `box` (edges included), ascending.
  [[nodiscard]] std::vector<std::uint32_t> within(const BBox& box) const;
  /// Indexes ordered by geodesic distance from (lon, lat) to the served point, nearest first,
  /// with the distance in metres; `accept` filters candidates, k = 0 means all. O(n log k).
  [[nodiscard]] std::vector<std::pair<std::uint32_t, double>> nearest(
      double lon, double lat, std::size_t k,
      const std::function<bool(std::uint32_t)>& accept) const;
  /// Bounding box of the served points (nullopt when empty).
  [[nodiscard]] std::optional<BBox> extent() const { return extent_; }
  /// Resources that are not closed.
  [[nodiscard]] std::size_t open_count() const { return open_count_; }

  /// Per kind, over the resources that are not closed: how many, and where.
  struct KindSummary {
    std::size_t count = 0;
    std::optional<BBox> extent;
  };
  [[nodiscard]] const KindSummary& summary(ResourceKind kind) const {
    return summaries_.at(static_cast<std::size_t>(kind));
  }
  /// Indexes of the resources of one kind (closed ones included), ascending.
  [[nodiscard]] const std::vector<std::uint32_t>& of_kind(ResourceKind kind) const {
    return by_kind_.at(static_cast<std::size_t>(kind));
  }

 private:
  struct Index;
  Audience audience_;
  std::uint64_t generation_ = 0;
  std::vector<ServedPtr> items_;
  std::vector<KindSummary> summaries_;
  std::vector<std::vector<std::uint32_t>> by_kind_;
  std::shared_ptr<const Index> index_;
  std::optional<BBox> extent_;
  std::size_t open_count_ = 0;
};

class Snapshot {
 public:
  /// How a snapshot was built (for tests and the write-to-visibility benchmark).
  struct BuildInfo {
    bool full = true;               ///< every resource read and projected again
    bool areas_rebuilt = true;      ///< the area layer built anew (else shared with the previous)
    std::size_t trees_rebuilt = 3;  ///< audience views whose spatial index was built anew
                                    ///< (a view kept whole counts as not rebuilt), or lent by
                                    ///< another audience of this snapshot (trees_lent)
    std::size_t trees_lent = 0;     ///< of those, views using another audience's index (the
                                    ///< same served positions at the same indexes)
    std::size_t resources_read = 0;
  };

  /// Reads the store in one read transaction. With `previous` (a snapshot of the same store),
  /// reads only the resources changed since it and reuses its unchanged layers (all of them are
  /// projected again when `freshness` differs from the previous one's: a new day).
  /// @throws StoreError.
  static std::shared_ptr<const Snapshot> build(const Store& store,
                                               const Snapshot* previous = nullptr,
                                               const FreshnessRule& freshness = {});

  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  [[nodiscard]] std::int64_t generation() const { return generation_; }
  /// The rule of unconfirmed listings this snapshot was projected with.
  [[nodiscard]] const FreshnessRule& freshness() const { return freshness_; }
  /// What `audience` may know of the resources. Every read of resources goes through here.
  [[nodiscard]] const AudienceView& view(Audience audience) const {
    return *views_[static_cast<std::size_t>(audience)];
  }
  [[nodiscard]] const std::shared_ptr<const AudienceView>& view_ptr(Audience audience) const {
    return views_[static_cast<std::size_t>(audience)];
  }
  [[nodiscard]] const std::vector<Area>& areas() const { return area_layer_->areas(); }
  [[nodiscard]] const std::vector<AreaPopulation>& populations() const {
    return area_layer_->populations();
  }
  [[nodiscard]] const std::shared_ptr<const AreaLayer>& area_layer() const { return area_layer_; }
  [[nodiscard]] const BuildInfo& build_info() const { return info_; }
  /// The walking network, or null when the store has none (distances then fall back to a
  /// straight line times a detour factor, and answers say so).
  [[nodiscard]] const std::shared_ptr<const WalkGraph>& network() const { return network_; }
  /// The store's network generation this snapshot read (0: none imported); keys what is derived
  /// from the network (its basemap tiles).
  [[nodiscard]] std::int64_t network_generation() const { return network_generation_; }

 private:
  Snapshot();
  std::int64_t generation_ = 0;
  FreshnessRule freshness_;
  /// Where the store's resources stood when this snapshot read them.
  Store::ChangeToken changes_read_;  ///< what the store had when this was built
  std::shared_ptr<const AreaLayer> area_layer_;
  std::int64_t network_generation_ = 0;
  std::shared_ptr<const WalkGraph> network_;
  std::array<std::shared_ptr<const AudienceView>, 3> views_;
  BuildInfo info_;
};

/// Holds the current snapshot; publish() swaps it atomically.
class SnapshotHolder {
 public:
  [[nodiscard]] std::shared_ptr<const Snapshot> current() const { return current_.load(); }
  void publish(std::shared_ptr<const Snapshot> s) { current_.store(std::move(s)); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace tsunagi::geo
