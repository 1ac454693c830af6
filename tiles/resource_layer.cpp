#include "tiles/resource_layer.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::tiles {

namespace {

constexpr double kTwoPow32 = 4294967296.0;

// Spreads the 32 bits of v to the even bits of a 64-bit word.
std::uint64_t spread(std::uint32_t v) {
  std::uint64_t x = v;
  x = (x | (x << 16U)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8U)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4U)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2U)) & 0x3333333333333333ULL;
  x = (x | (x << 1U)) & 0x5555555555555555ULL;
  return x;
}

std::uint64_t morton(std::uint32_t x, std::uint32_t y) {
  return spread(x) | (spread(y) << 1U);
}

// The world position of a lon/lat as fractions of the Web Mercator square, x east, y south.
struct World {
  double x;
  double y;
};
World world_of(double lon, double lat) {
  const MercatorXY m = lonlat_to_mercator(lon, lat);
  return {(m.x + kOriginShift) / (2 * kOriginShift), (kOriginShift - m.y) / (2 * kOriginShift)};
}

std::uint32_t to_u32(double f) {
  const double v = std::floor(f * kTwoPow32);
  if (v <= 0) return 0;
  if (v >= kTwoPow32 - 1) return 0xFFFFFFFFU;
  return static_cast<std::uint32_t>(v);
}

// Tile units of a world position within tile t (may lie outside 0..extent in the buffer).
TilePoint tile_units(const World& w, const TileId& t) {
  const double scale = std::ldexp(1.0, static_cast<int>(t.z)) * kExtent;
  return {static_cast<std::int32_t>(std::lround(w.x * scale - double(t.x) * kExtent)),
          static_cast<std::int32_t>(std::lround(w.y * scale - double(t.y) * kExtent))};
}

// Whether `a`'s points carry staff's properties (publish, status): those who may see publish
// levels.
bool staff_fields(geo::Audience a) {
  return geo::field_visible(a, "publish");
}

void add_point(LayerBuilder& out, const PointIndex& index, std::uint32_t i, const World& w,
               const TileId& t, const ResourceFields& fields) {
  const geo::Resource& r = index.view().resource(i);
  const PointIndex::Names& n = index.names();
  const std::array<std::pair<std::uint16_t, std::string_view>, 2> own = {
      {{n.id, r.id}, {n.name, r.name}}};
  const std::size_t owned = fields.has(ResourceFields::Field::name) ? 2 : 1;
  std::span<const std::uint16_t> tags = index.shared_tags(i);
  // kind and each optional field at most once: a pair each.
  std::array<std::uint16_t, 2 * (1 + kResourceFieldNames.size())> kept{};
  if (!fields.all()) {
    std::size_t k = 0;
    for (std::size_t j = 0; j + 1 < tags.size(); j += 2) {
      const std::uint8_t f = n.field_of_key.at(tags[j]);
      if (f == PointIndex::kAlways || fields.has(static_cast<ResourceFields::Field>(f))) {
        kept.at(k++) = tags[j];
        kept.at(k++) = tags[j + 1];
      }
    }
    tags = std::span<const std::uint16_t>(kept).first(k);
  }
  // No feature id: the point's identity is its `id` property. The 53-bit hash of it that was
  // written here was 8 bytes a point that gzip cannot shrink, 23 % of a warm tile's gzip bytes
  // (japan scale, the warm-tiles sample); the map never read it.
  out.add_point(0, tile_units(w, t), {tags, std::span(own).first(owned), {}, {}});
}

}  // namespace

PointIndex::PointIndex(std::shared_ptr<const geo::AudienceView> view) : view_(std::move(view)) {
  names_.id = dict_.key("id");
  names_.name = dict_.key("name");
  names_.kind = dict_.key("kind");
  names_.cluster = dict_.key("cluster");
  names_.count = dict_.key("count");
  names_.yes = dict_.value(true);
  for (const auto& e : geo::CodeTable<geo::ResourceKind>::entries) {
    names_.count_of_kind.push_back(dict_.key("count_" + std::string(e.id)));
    names_.kind_value.push_back(dict_.value(e.id));
  }
  const std::uint16_t activity = dict_.key("activity");
  const std::uint16_t barrier_free = dict_.key("barrier_free");
  const std::uint16_t has_vacancy = dict_.key("has_vacancy");
  const std::uint16_t unconfirmed = dict_.key("unconfirmed");
  const std::uint16_t publish = dict_.key("publish");
  const std::uint16_t status = dict_.key("status");
  names_.field_of_key.assign(dict_.key_count(), kAlways);
  for (std::size_t f = 0; f < kResourceFieldNames.size(); ++f) {
    names_.field_of_key.at(dict_.key(kResourceFieldNames.at(f))) = static_cast<std::uint8_t>(f);
  }
  const bool staff = staff_fields(view_->audience());
  tag_begin_.reserve(view_->size() + 1);
  tags_.reserve(view_->size() * 10);
  const auto pair = [&](std::uint16_t key, const Value& v) {
    tags_.push_back(key);
    tags_.push_back(dict_.value(v));
  };
  for (std::uint32_t i = 0; i < view_->size(); ++i) {
    const geo::ServedResource& item = view_->item(i);
    const geo::Resource& r = item.resource();
    tag_begin_.push_back(static_cast<std::uint32_t>(tags_.size()));
    tags_.push_back(names_.kind);
    tags_.push_back(names_.kind_value.at(static_cast<std::size_t>(r.kind)));
    if (r.main_activity) {
      pair(activity, geo::code_id(*r.main_activity));
    } else {
      for (const auto& e : geo::CodeTable<geo::Activity>::entries) {  // the first in code order
        if (r.activities.contains(e.value)) {
          pair(activity, e.id);
          break;
        }
      }
    }
    pair(barrier_free, r.barrier_free.any_yes());
    pair(has_vacancy, geo::has_vacancy(r));
    if (item.unconfirmed()) pair(unconfirmed, true);  // 「要確認」
    if (staff) {
      pair(publish, geo::code_id(r.publish));
      pair(status, geo::code_id(r.status));
    }
  }
  tag_begin_.push_back(static_cast<std::uint32_t>(tags_.size()));
  tags_.shrink_to_fit();
  entries_.reserve(view_->size());
  for (std::uint32_t i = 0; i < view_->size(); ++i) {
    const geo::Resource& r = view_->resource(i);
    const World w = world_of(r.lon, r.lat);
    entries_.push_back({morton(to_u32(w.x), to_u32(w.y)), i, w.x, w.y,
                        static_cast<std::uint8_t>(r.kind),
                        r.status == geo::ResourceStatus::closed});
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.morton != b.morton ? a.morton < b.morton : a.index < b.index;
  });
}

std::pair<const PointIndex::Entry*, const PointIndex::Entry*> PointIndex::in_tile(
    const TileId& t) const {
  const Entry* first = entries_.data();
  const Entry* last = entries_.data() + entries_.size();
  if (t.z == 0) return {first, last};
  const unsigned shift = 32U - t.z;
  const std::uint64_t lo = morton(t.x << shift, t.y << shift);
  const std::uint64_t span = 2U * shift >= 64U ? 0 : (1ULL << (2U * shift));
  const auto by_code = [](const Entry& e, std::uint64_t v) { return e.morton < v; };
  const Entry* begin = std::lower_bound(first, last, lo, by_code);
  const Entry* end = span == 0 ? last : std::lower_bound(begin, last, lo + span, by_code);
  return {begin, end};
}

namespace {

// The clusters of tile t: the points of one cell are a contiguous run of the tile's Z-ordered run.
void add_clusters(LayerBuilder& out, const PointIndex& index, const geo::ResourceMatcher& matches,
                  const TileId& t, const ClusterRules& rules, const ResourceFields& fields);

}  // namespace

void add_resources(LayerBuilder& out, const PointIndex& index, const geo::ResourceMatcher& matches,
                   const TileId& t, const ClusterRules& rules, const ResourceFields& fields) {
  const geo::AudienceView& view = index.view();
  if (t.z > rules.max_zoom) {
    // Every point in the tile and its buffer: the Z-order runs of the tile and its eight
    // neighbours, kept when within the buffered tile.
    const double scale = std::ldexp(1.0, static_cast<int>(t.z));
    const double pad = double(kBuffer) / kExtent;
    const double lo_x = (t.x - pad) / scale;
    const double hi_x = (t.x + 1 + pad) / scale;
    const double lo_y = (t.y - pad) / scale;
    const double hi_y = (t.y + 1 + pad) / scale;
    const std::uint32_t last = (1U << t.z) - 1;
    std::vector<const PointIndex::Entry*> hits;
    for (std::uint32_t y = t.y > 0 ? t.y - 1 : 0; y <= std::min(t.y + 1, last); ++y) {
      for (std::uint32_t x = t.x > 0 ? t.x - 1 : 0; x <= std::min(t.x + 1, last); ++x) {
        const bool centre = x == t.x && y == t.y;
        const auto [begin, end] = index.in_tile(make_tile(t.z, x, y));
        for (auto p = begin; p != end; ++p) {
          if (!centre && (p->x < lo_x || p->x > hi_x || p->y < lo_y || p->y > hi_y)) continue;
          if (matches(view.item(p->index))) hits.push_back(p);
        }
      }
    }
    if (hits.size() <= rules.max_points) {
      for (const auto* p : hits) add_point(out, index, p->index, {p->x, p->y}, t, fields);
      return;
    }
    // Over the budget (a dense city centre on a national store): cluster this tile too.
  }
  add_clusters(out, index, matches, t, rules, fields);
}

namespace {

void add_clusters(LayerBuilder& out, const PointIndex& index, const geo::ResourceMatcher& matches,
                  const TileId& t, const ClusterRules& rules, const ResourceFields& fields) {
  const geo::AudienceView& view = index.view();
  const auto [begin, end] = index.in_tile(t);
  const unsigned cell_bits = 2U * (32U - std::min(32U, t.z + rules.cell_shift));
  const auto cell_of = [&](const PointIndex::Entry& e) {
    return cell_bits >= 64U ? 0 : e.morton >> cell_bits;
  };
  const std::size_t kinds = geo::CodeTable<geo::ResourceKind>::entries.size();
  std::vector<std::size_t> per_kind(kinds);
  std::vector<std::pair<std::uint16_t, std::int64_t>> counts;
  counts.reserve(kinds + 1);
  const auto& names = index.names();
  const bool only_open = matches.only_open();
  const PointIndex::Entry* p = begin;
  while (p != end) {
    const std::uint64_t cell = cell_of(*p);
    std::fill(per_kind.begin(), per_kind.end(), 0);
    std::size_t count = 0;
    const PointIndex::Entry* only = nullptr;
    double sx = 0;
    double sy = 0;
    for (; p != end && cell_of(*p) == cell; ++p) {
      // Unfiltered (the common map), the entry decides alone: no read of the resource.
      if (only_open ? p->closed : !matches(view.item(p->index))) continue;
      ++per_kind[p->kind];
      sx += p->x;
      sy += p->y;
      only = p;
      ++count;
    }
    if (count == 0) continue;
    if (count == 1) {
      add_point(out, index, only->index, {only->x, only->y}, t, fields);
      continue;
    }
    const World centre{sx / double(count), sy / double(count)};
    const auto top = static_cast<std::size_t>(std::max_element(per_kind.begin(), per_kind.end()) -
                                              per_kind.begin());
    const std::array<std::uint16_t, 4> shared = {names.cluster, names.yes, names.kind,
                                                 names.kind_value[top]};
    counts.clear();
    counts.emplace_back(names.count, static_cast<std::int64_t>(count));
    for (std::size_t k = 0; k < kinds; ++k) {
      if (per_kind[k] > 0) {
        counts.emplace_back(names.count_of_kind[k], static_cast<std::int64_t>(per_kind[k]));
      }
    }
    // The cell's id at its own zoom: unique among clusters, stable across requests.
    const std::uint64_t cell_zoom = t.z + rules.cell_shift;
    out.add_point((((cell << 6U) | cell_zoom) & ((1ULL << 52U) - 1)) | (1ULL << 52U),
                  tile_units(centre, t), {shared, {}, counts, {}});
  }
}

}  // namespace

ResourceFields ResourceFields::parse(geo::Audience a, std::string_view list) {
  if (list == "all") return {};
  const bool staff = staff_fields(a);
  const auto visible = [&](std::size_t f) {
    return staff || (f != static_cast<std::size_t>(Field::publish) &&
                     f != static_cast<std::size_t>(Field::status));
  };
  ResourceFields out{0};
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view key = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (key.empty()) continue;
    const auto* it = std::find(kResourceFieldNames.begin(), kResourceFieldNames.end(), key);
    const auto f = static_cast<std::size_t>(it - kResourceFieldNames.begin());
    if (it == kResourceFieldNames.end() || !visible(f)) {
      std::string known;
      for (std::size_t k = 0; k < kResourceFieldNames.size(); ++k) {
        if (!visible(k)) continue;
        known += known.empty() ? "" : ", ";
        known += kResourceFieldNames.at(k);
      }
      throw geo::InvalidArgument("fields: resource points have no property '" +
                                 std::string(key.substr(0, 60)) +
                                 "' to ask for (id and kind they always carry); ask for 'all' "
                                 "or for some of: " +
                                 known);
    }
    out.mask |= static_cast<std::uint8_t>(1U << f);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> resource_fields(geo::Audience a,
                                                                 const ResourceFields& fields) {
  using F = ResourceFields::Field;
  std::vector<std::pair<std::string, std::string>> f = {{"id", "String"}, {"kind", "String"}};
  const bool staff = staff_fields(a);
  const auto add = [&](F field, const char* type) {
    if (fields.has(field))
      f.emplace_back(kResourceFieldNames.at(static_cast<std::size_t>(field)), type);
  };
  add(F::name, "String");
  add(F::activity, "String");
  add(F::barrier_free, "Boolean");
  add(F::has_vacancy, "Boolean");
  add(F::unconfirmed, "Boolean");
  f.emplace_back("cluster", "Boolean");
  f.emplace_back("count", "Number");
  for (const auto& e : geo::CodeTable<geo::ResourceKind>::entries) {
    f.emplace_back("count_" + std::string(e.id), "Number");
  }
  if (staff) {
    add(F::publish, "String");
    add(F::status, "String");
  }
  return f;
}

}  // namespace tsunagi::tiles
