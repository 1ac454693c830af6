#include "geo/catalog/snapshot.hpp"

#include "geo/catalog/reading.hpp"

#include "geo/core/hash.hpp"
#include "geo/spatial/network.hpp"

#include <algorithm>
#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <list>
#include <nlohmann/json.hpp>
#include <ostream>
#include <unordered_map>

#include "geo/core/error.hpp"
#include "geo/core/resource_fields.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/core/text_normalize.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/wkb_geojson.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using Point2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<Point2>;
using Point3 = bg::model::point<double, 3, bg::cs::cartesian>;
using Entry2 = std::pair<Point2, std::uint32_t>;
using Entry3 = std::pair<Point3, std::uint32_t>;

constexpr double kEarthRadius = 6371008.8;  // mean radius, metres
constexpr double kDeg = 3.14159265358979323846 / 180.0;

/// Unit-sphere position: chord length is monotonic in great-circle distance, so an R-tree over
/// these points answers nearest-neighbour queries for any latitude without distortion.
Point3 on_sphere(double lon, double lat) {
  const double cl = std::cos(lat * kDeg);
  return {cl * std::cos(lon * kDeg), cl * std::sin(lon * kDeg), std::sin(lat * kDeg)};
}

double chord_to_metres(double chord) {
  return 2.0 * kEarthRadius * std::asin(std::min(1.0, chord / 2));
}

/// Sphere and ellipsoid distances differ by less than 0.5 %: the safety factor for stopping.
constexpr double kSphereSlack = 0.995;

/// Above this many changed rows (or a quarter of the store), a snapshot reads everything again.
constexpr std::int64_t kIncrementalRows = 4096;

std::string make_search_key(const Resource& r, std::string_view name_reading) {
  std::string key;
  // Stored text is validated UTF-8; a bad row still must not make the whole view fail.
  for (const Text* part : {&r.name, &r.name_kana, &r.address, &r.building}) {
    try {
      key += normalize_for_search(*part);
    } catch (const InvalidArgument&) {  // NOLINT(bugprone-empty-catch)
    }
    key += '\n';  // keeps words of different fields from joining into false matches
  }
  key += name_reading;
  return key;
}

}  // namespace

// ---- FeatureCache ----

struct FeatureCache::Shard {
  struct Entry {
    std::uint64_t key;
    Text text;
    std::size_t charge;
  };
  mutable std::mutex mutex;
  std::list<Entry> lru;  ///< most recently used first
  std::unordered_map<std::uint64_t, std::list<Entry>::iterator> by_key;
  std::size_t bytes = 0;
  std::size_t capacity = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;

  void evict_to(std::size_t bound) {
    while (bytes > bound && !lru.empty()) {
      bytes -= lru.back().charge;
      by_key.erase(lru.back().key);
      lru.pop_back();
    }
  }
};

FeatureCache::FeatureCache(std::size_t capacity_bytes)
    : shards_(std::make_unique<Shard[]>(kShards)) {
  set_capacity(capacity_bytes);
}

FeatureCache::~FeatureCache() = default;

FeatureCache& FeatureCache::shared() {
  static FeatureCache cache;
  return cache;
}

FeatureCache::Shard& FeatureCache::shard(std::uint64_t key) {
  static_assert(kShards == 8, "the top 3 bits of the hash pick the shard");
  // Serials are consecutive: a multiplicative hash spreads neighbours over the shards.
  return shards_[(key * 0x9E3779B97F4A7C15ULL) >> 61];
}

FeatureCache::Text FeatureCache::find(std::uint64_t key) {
  Shard& s = shard(key);
  const std::lock_guard lock(s.mutex);
  const auto it = s.by_key.find(key);
  if (it == s.by_key.end()) {
    ++s.misses;
    return nullptr;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  return it->second->text;
}

FeatureCache::Text FeatureCache::insert(std::uint64_t key, Text text) {
  Shard& s = shard(key);
  const std::size_t charge = text->size() + kEntryOverhead;
  const std::lock_guard lock(s.mutex);
  if (const auto it = s.by_key.find(key); it != s.by_key.end()) {
    s.lru.splice(s.lru.begin(), s.lru, it->second);
    return it->second->text;
  }
  if (charge > s.capacity) return text;
  s.evict_to(s.capacity - charge);
  s.lru.push_front(Shard::Entry{key, std::move(text), charge});
  s.by_key.emplace(key, s.lru.begin());
  s.bytes += charge;
  return s.lru.front().text;
}

void FeatureCache::set_capacity(std::size_t bytes) {
  for (std::size_t i = 0; i < kShards; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    shards_[i].capacity = bytes / kShards;
    shards_[i].evict_to(shards_[i].capacity);
  }
}

void FeatureCache::clear() {
  for (std::size_t i = 0; i < kShards; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    shards_[i].evict_to(0);
  }
}

FeatureCache::Totals FeatureCache::totals() const {
  Totals t;
  for (std::size_t i = 0; i < kShards; ++i) {
    const Shard& s = shards_[i];
    const std::lock_guard lock(s.mutex);
    t.capacity += s.capacity;
    t.bytes += s.bytes;
    t.size += s.lru.size();
    t.hits += s.hits;
    t.misses += s.misses;
  }
  return t;
}

std::size_t FeatureCache::capacity() const {
  return totals().capacity;
}
std::size_t FeatureCache::bytes() const {
  return totals().bytes;
}
std::size_t FeatureCache::size() const {
  return totals().size;
}
std::uint64_t FeatureCache::hits() const {
  return totals().hits;
}
std::uint64_t FeatureCache::misses() const {
  return totals().misses;
}

std::ostream& operator<<(std::ostream& os, const FeatureText& f) {
  return os << f.str();
}

// ---- ServedResource ----

namespace {
std::uint64_t next_serial() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

ServedResource::ServedResource(Audience audience, std::shared_ptr<const Resource> projected,
                               std::string_view name_reading, bool unconfirmed)
    : audience_(audience),
      unconfirmed_(unconfirmed),
      serial_(next_serial()),
      resource_(std::move(projected)),
      search_key_(std::make_shared<const std::string>(make_search_key(*resource_, name_reading))) {}

ServedResource::ServedResource(Audience audience, std::shared_ptr<const Resource> projected,
                               std::shared_ptr<const std::string> search_key, bool unconfirmed)
    : audience_(audience),
      unconfirmed_(unconfirmed),
      serial_(next_serial()),
      resource_(std::move(projected)),
      search_key_(std::move(search_key)) {}

std::string ServedResource::render() const {
  nlohmann::json f = to_geojson_feature(*resource_, audience_);
  if (unconfirmed_) f["properties"]["unconfirmed"] = true;
  return f.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

FeatureText ServedResource::feature() const {
  FeatureCache& cache = FeatureCache::shared();
  if (auto kept = cache.find(serial_)) return FeatureText(std::move(kept));
  auto text = std::make_shared<const std::string>(render());
  if (audience_ == Audience::public_ && !hashed_.load(std::memory_order_acquire)) {
    // Every rendering is the same text: threads racing here store the same hash.
    hash_.store(fnv1a(*text), std::memory_order_relaxed);
    hashed_.store(true, std::memory_order_release);
  }
  return FeatureText(cache.insert(serial_, std::move(text)));
}

std::string ServedResource::etag() const {
  std::string tag;
  // Built with += rather than "\"" + ...: GCC 12 at -O2 reports a false -Wrestrict on the latter.
  if (audience_ == Audience::public_) {
    if (!hashed_.load(std::memory_order_acquire)) (void)feature();
    char hex[24];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(hash_.load(std::memory_order_relaxed)));
    tag = "W/\"";
    tag += hex;
  } else {
    tag += '"';
    tag += std::to_string(resource_->version);
  }
  tag += '"';
  return tag;
}

void add_figure_properties(nlohmann::json& props, const std::vector<AreaFigure>& figures) {
  for (const auto& f : figures) {
    props[std::string(f.key())] = f.value ? nlohmann::json(*f.value) : nlohmann::json(nullptr);
    if (f.status != StatStatus::value) {
      props[std::string(f.key()) + "_status"] = stat_status_id(f.status);
      if (!f.merged.empty()) props[std::string(f.key()) + "_merged"] = f.merged;
    }
  }
}

// ---- AreaLayer ----

AreaLayer::AreaLayer(std::int64_t generation, std::vector<Area> areas,
                     std::vector<AreaPopulation> populations, const std::vector<StatDef>& defs,
                     const std::vector<StatValue>& values)
    : generation_(generation),
      areas_(std::move(areas)),
      populations_(std::move(populations)),
      generalizer_(areas_),
      indicators_(areas_, populations_, defs, values) {}

std::optional<std::size_t> AreaLayer::area_index(std::string_view id) const {
  const auto it = std::lower_bound(areas_.begin(), areas_.end(), id,
                                   [](const Area& a, std::string_view k) { return a.id < k; });
  if (it != areas_.end() && it->id == id) return static_cast<std::size_t>(it - areas_.begin());
  for (std::size_t i = 0; i < areas_.size(); ++i) {  // not sorted by id (built by hand)
    if (areas_[i].id == id) return i;
  }
  return std::nullopt;
}

const std::vector<std::string>& AreaLayer::features(Audience a) const {
  render();
  return features_.at(static_cast<std::size_t>(a));
}

const std::vector<std::optional<BBox>>& AreaLayer::envelopes() const {
  render();
  return envelopes_;
}

std::optional<BBox> AreaLayer::extent() const {
  std::optional<BBox> out;
  for (const auto& e : envelopes()) {
    if (!e) continue;
    if (!out) out = *e;
    out->grow(e->min_lon, e->min_lat);
    out->grow(e->max_lon, e->max_lat);
  }
  return out;
}

void AreaLayer::render() const {
  std::call_once(render_once_, [&] {
    for (auto& f : features_) f.reserve(areas_.size());
    envelopes_.reserve(areas_.size());
    for (std::size_t i = 0; i < areas_.size(); ++i) {
      const auto& a = areas_[i];
      WkbGeoJson parsed;
      try {
        parsed = wkb_to_geojson(a.wkb);
      } catch (const GeometryError&) {
        parsed = {nlohmann::json(nullptr), std::nullopt};
      }
      envelopes_.push_back(parsed.envelope);
      for (const auto audience : kAudiences) {
        nlohmann::json props{{"id", a.id},
                             {"kind", code_id(a.kind)},
                             {"kind_ja", code_ja(a.kind)},
                             {"code", a.code},
                             {"name", a.name},
                             {"parent_id", a.parent_id},
                             {"lg_code", a.lg_code},
                             {"vintage", a.vintage},
                             {"label_lon", a.label_lon},
                             {"label_lat", a.label_lat}};
        if (a.approximate) props["approximate"] = true;
        if (a.level != SmallAreaLevel::none) props["level"] = small_area_level_id(a.level);
        add_figure_properties(props, served_area_figures(audience, indicators_, i));
        features_[static_cast<std::size_t>(audience)].push_back(nlohmann::json{
            {"type", "Feature"},
            {"id", a.id},
            {"geometry", parsed.geometry},
            {"properties", std::move(props)}}.dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace));
      }
    }
  });
}

// ---- AudienceView ----

struct AudienceView::Index {
  bgi::rtree<Entry2, bgi::rstar<16>> planar;
  bgi::rtree<Entry3, bgi::rstar<16>> sphere;
};

AudienceView::AudienceView(Audience audience, std::vector<ServedPtr> items,
                           const AudienceView* same_positions)
    : audience_(audience),
      items_(std::move(items)),
      summaries_(CodeTable<ResourceKind>::entries.size()),
      by_kind_(CodeTable<ResourceKind>::entries.size()) {
  static std::atomic<std::uint64_t> next_generation{1};
  generation_ = next_generation.fetch_add(1, std::memory_order_relaxed);
  const bool build_index = same_positions == nullptr;
  std::vector<Entry2> planar;
  std::vector<Entry3> sphere;
  if (build_index) {
    planar.reserve(items_.size());
    sphere.reserve(items_.size());
  }
  BBox ext{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
           std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
  for (std::uint32_t i = 0; i < items_.size(); ++i) {
    const auto& r = items_[i]->resource();
    if (build_index) {
      planar.emplace_back(Point2{r.lon, r.lat}, i);
      sphere.emplace_back(on_sphere(r.lon, r.lat), i);
    }
    ext.grow(r.lon, r.lat);
    const auto k = static_cast<std::size_t>(r.kind);
    by_kind_[k].push_back(i);
    if (r.status != ResourceStatus::closed) {
      ++open_count_;
      auto& sum = summaries_[k];
      ++sum.count;
      if (!sum.extent) sum.extent = BBox{r.lon, r.lat, r.lon, r.lat};
      sum.extent->grow(r.lon, r.lat);
    }
  }
  if (!items_.empty()) extent_ = ext;
  if (!build_index) {
    index_ = same_positions->index_;
    return;
  }
  // The range constructors bulk-load (pack) the trees.
  index_ = std::make_shared<const Index>(Index{bgi::rtree<Entry2, bgi::rstar<16>>(planar),
                                               bgi::rtree<Entry3, bgi::rstar<16>>(sphere)});
}

AudienceView::~AudienceView() = default;

std::optional<std::uint32_t> AudienceView::index_of(std::string_view id) const {
  const auto it = std::lower_bound(
      items_.begin(), items_.end(), id,
      [](const ServedPtr& p, std::string_view key) { return p->resource().id < key; });
  if (it == items_.end() || (*it)->resource().id != id) return std::nullopt;
  return static_cast<std::uint32_t>(it - items_.begin());
}

const ServedResource* AudienceView::find(std::string_view id) const {
  const auto i = index_of(id);
  return i ? items_[*i].get() : nullptr;
}

std::vector<std::uint32_t> AudienceView::within(const BBox& box) const {
  std::vector<std::uint32_t> out;
  const Box2 query{Point2{box.min_lon, box.min_lat}, Point2{box.max_lon, box.max_lat}};
  index_->planar.query(
      bgi::covered_by(query),
      boost::make_function_output_iterator([&](const Entry2& e) { out.push_back(e.second); }));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::uint32_t, double>> AudienceView::nearest(
    double lon, double lat, std::size_t k, const std::function<bool(std::uint32_t)>& accept) const {
  using Hit = std::pair<std::uint32_t, double>;
  std::vector<Hit> heap;  // a max-heap of the best `want` so far: O(n log k), not O(k²)
  if (items_.empty()) return heap;
  const auto farther = [](const Hit& a, const Hit& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  };
  const Point3 origin = on_sphere(lon, lat);
  const std::size_t want = k == 0 ? items_.size() : std::min(k, items_.size());
  heap.reserve(want);
  // Walk candidates in sphere order; keep exact geodesic distances; stop once the next candidate's
  // sphere distance (with slack) cannot beat the worst kept exact distance.
  for (auto it = index_->sphere.qbegin(bgi::nearest(origin, static_cast<unsigned>(items_.size())));
       it != index_->sphere.qend(); ++it) {
    const double sphere_m = chord_to_metres(bg::distance(origin, it->first));
    if (heap.size() >= want && sphere_m * kSphereSlack > heap.front().second) break;
    if (!accept(it->second)) continue;
    const auto& r = items_[it->second]->resource();
    const Hit hit{it->second, geodesic_distance_m(lon, lat, r.lon, r.lat)};
    if (heap.size() < want) {
      heap.push_back(hit);
      std::push_heap(heap.begin(), heap.end(), farther);
    } else if (farther(hit, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), farther);
      heap.back() = hit;
      std::push_heap(heap.begin(), heap.end(), farther);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), farther);
  return heap;
}

// ---- Snapshot ----

Snapshot::Snapshot() = default;
Snapshot::~Snapshot() = default;

namespace {

/// True when make_search_key makes the same key of both (the fields it reads, and the name and
/// kana the reading depends on).
bool same_search_fields(const Resource& a, const Resource& b) {
  return a.name == b.name && a.name_kana == b.name_kana && a.address == b.address &&
         a.building == b.building;
}

/// The entries of one audience for stored resources `rs` (in id order). `internal` holds the
/// stored values, shared by the audiences that see them unchanged.
/// Names are read (reading_of) from the projected record only, once per name and build
/// (`readings`). `twins`, when given, are the internal entries of the same `rs` (one per row, in
/// order: the internal audience knows every stored resource): an entry whose searched fields
/// the projection left alone shares its twin's search key.
std::vector<ServedPtr> project(Audience a, const std::vector<std::shared_ptr<const Resource>>& rs,
                               const Generalizer& g, const FreshnessRule& freshness,
                               ReadingMemo& readings,
                               const std::vector<ServedPtr>* twins = nullptr) {
  std::vector<ServedPtr> out;
  out.reserve(rs.size());
  const bool aligned = twins != nullptr && twins->size() == rs.size();
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    if (!visible(a, *r, freshness)) continue;
    std::shared_ptr<const Resource> p;
    if (a == Audience::internal || (a == Audience::partners && r->note.empty())) {
      p = r;  // served() would return the same values
    } else {
      p = std::make_shared<const Resource>(served(a, *r, g));
    }
    const ServedResource* twin = aligned ? (*twins)[i].get() : nullptr;
    if (twin != nullptr && &twin->resource() == r.get() &&
        same_search_fields(twin->resource(), *p)) {
      out.push_back(std::make_shared<const ServedResource>(a, std::move(p), twin->search_key_ptr(),
                                                           unconfirmed(*r, freshness)));
      continue;
    }
    const std::string_view reading =
        p->name_kana.empty() ? std::string_view(readings.of(p->name)) : std::string_view();
    out.push_back(std::make_shared<const ServedResource>(a, std::move(p), reading,
                                                         unconfirmed(*r, freshness)));
  }
  return out;
}

/// True when `items` have the same served positions at the same indexes as `view`: its
/// spatial index answers for them too.
bool same_positions_as(const std::vector<ServedPtr>& items, const AudienceView& view) {
  if (items.size() != view.size()) return false;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    const Resource& x = items[i]->resource();
    const Resource& y = view.resource(i);
    if (x.lon != y.lon || x.lat != y.lat) return false;
  }
  return true;
}

/// `before` (in id order) with the entries of `changed` (in id order, already projected for the
/// audience; absent when it may not see them) put in place of their old versions. An entry
/// whose served values did not change stays as it was (with its rendered feature). Sets
/// `same_positions` when every entry kept its index and its served position, and `unchanged`
/// when the audience sees no difference at all.
std::vector<ServedPtr> merge(const std::vector<ServedPtr>& before,
                             const std::vector<std::shared_ptr<const Resource>>& changed,
                             const std::vector<ServedPtr>& projected, bool& same_positions,
                             bool& unchanged) {
  std::vector<ServedPtr> out;
  out.reserve(before.size() + projected.size());
  same_positions = true;
  unchanged = true;
  std::size_t b = 0;
  std::size_t p = 0;
  for (const auto& c : changed) {
    const std::string& id = c->id;
    while (b < before.size() && before[b]->resource().id < id) out.push_back(before[b++]);
    const ServedPtr* old_ptr = nullptr;
    if (b < before.size() && before[b]->resource().id == id) old_ptr = &before[b++];
    const ServedResource* old = old_ptr != nullptr ? old_ptr->get() : nullptr;
    const ServedResource* now = nullptr;
    if (p < projected.size() && projected[p]->resource().id == id) {
      now = projected[p].get();
      if (old != nullptr && old->resource() == now->resource() &&
          old->unconfirmed() == now->unconfirmed()) {
        out.push_back(*old_ptr);  // a change this audience cannot see
      } else {
        out.push_back(projected[p]);
        unchanged = false;
      }
      ++p;
    }
    if (old == nullptr || now == nullptr) {
      same_positions = same_positions && old == now;  // neither: nothing moved
      unchanged = unchanged && old == now;
    } else if (old->resource().lon != now->resource().lon ||
               old->resource().lat != now->resource().lat) {
      same_positions = false;
    }
  }
  while (b < before.size()) out.push_back(before[b++]);
  return out;
}

}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(const Store& store, const Snapshot* previous,
                                                const FreshnessRule& freshness) {
  std::shared_ptr<Snapshot> s(new Snapshot());
  s->freshness_ = freshness;
  // A new rule (a new day) may flag or hide any resource: every one is projected again.
  if (previous != nullptr && previous->freshness_ != freshness) previous = nullptr;
  std::vector<std::shared_ptr<const Resource>> rows;
  bool full = true;
  // One read transaction: generations, resources and areas come from the same committed state.
  store.read_consistent([&] {
    s->generation_ = store.generation();
    const std::int64_t areas_generation = store.areas_generation();
    if (previous != nullptr && previous->area_layer_->generation() == areas_generation) {
      s->area_layer_ = previous->area_layer_;
      s->info_.areas_rebuilt = false;
    } else {
      s->area_layer_ = std::make_shared<const AreaLayer>(
          areas_generation, store.areas(), store.populations(), store.stat_defs(), store.stats());
    }
    // The walking network: its own generation; an import replaces it whole.
    s->network_generation_ = store.network_generation();
    if (previous != nullptr && previous->network_generation_ == s->network_generation_) {
      s->network_ = previous->network_;
    } else if (auto data = store.network()) {
      s->network_ = std::make_shared<const WalkGraph>(std::move(*data));
    }
    s->changes_read_ = store.change_token();
    if (previous != nullptr && previous->generation_ <= s->generation_) {
      const auto stored = static_cast<std::int64_t>(previous->view(Audience::internal).size());
      const auto changed = store.resources_changed_since(previous->changes_read_);
      full = !changed || *changed > std::max(kIncrementalRows, stored / 4);
    }
    const auto keep = [&](Resource&& r) {
      rows.push_back(std::make_shared<const Resource>(std::move(r)));
    };
    if (full) {
      rows.reserve(static_cast<std::size_t>(store.resource_count()));
      store.for_each_resource(keep);
    } else {
      store.for_each_resource_changed_since(previous->changes_read_, keep);
    }
  });
  s->info_.full = full;
  s->info_.resources_read = rows.size();

  const Generalizer& g = s->area_layer_->generalizer();
  ReadingMemo readings;
  // The internal entries of `rows` (incremental builds): the other audiences share their keys.
  std::vector<ServedPtr> internal_rows;
  // Internal first: it holds every stored resource, which the public needs when it is
  // re-projected after an area change.
  for (const auto a : {Audience::internal, Audience::partners, Audience::public_}) {
    std::vector<ServedPtr> items;
    bool same_positions = false;
    bool unchanged = false;
    const bool is_internal = a == Audience::internal;
    // The public's positions depend on the areas (a 個人宅 is shown at its 町丁目's point).
    if (full) {
      items = project(a, rows, g, freshness, readings,
                      is_internal ? nullptr : &s->view(Audience::internal).items());
    } else if (a == Audience::public_ && s->info_.areas_rebuilt) {
      const auto& internal_items = s->view(Audience::internal).items();
      std::vector<std::shared_ptr<const Resource>> all;
      all.reserve(internal_items.size());
      for (const auto& e : internal_items) {
        all.emplace_back(e, &e->resource());  // aliasing: keeps the entry (and its Resource) alive
      }
      items = project(a, all, g, freshness, readings, &internal_items);
    } else {
      auto changed =
          project(a, rows, g, freshness, readings, is_internal ? nullptr : &internal_rows);
      if (is_internal) internal_rows = changed;
      items = merge(previous->view(a).items(), rows, changed, same_positions, unchanged);
    }
    if (unchanged) {  // the same view: what was derived from it (tiles) stays valid
      s->views_[static_cast<std::size_t>(a)] = previous->view_ptr(a);
      --s->info_.trees_rebuilt;
      continue;
    }
    const AudienceView* lender = nullptr;
    if (same_positions) {
      lender = &previous->view(a);
      --s->info_.trees_rebuilt;
    } else {
      // Another audience that sees every resource at the same place (all public, no 個人宅)
      // lends its index rather than building the same trees again.
      for (const auto& other : s->views_) {
        if (other != nullptr && same_positions_as(items, *other)) {
          lender = other.get();
          ++s->info_.trees_lent;
          break;
        }
      }
    }
    s->views_[static_cast<std::size_t>(a)] =
        std::make_shared<const AudienceView>(a, std::move(items), lender);
  }
  return s;
}

}  // namespace tsunagi::geo
