#include "tiles/mvt.hpp"

#include <algorithm>
#include <array>
#include <protozero/pbf_writer.hpp>
#include <stdexcept>

namespace tsunagi::tiles {

namespace {

// MVT 2.1 §4.3: a command integer is (id & 0x7) | (count << 3); parameters are zigzag deltas.
constexpr std::uint32_t kMoveTo = 1;
constexpr std::uint32_t kLineTo = 2;
constexpr std::uint32_t kClosePath = 7;
constexpr std::uint32_t kPoint = 1;
constexpr std::uint32_t kLineString = 2;
constexpr std::uint32_t kPolygon = 3;

std::uint32_t command(std::uint32_t id, std::uint32_t count) {
  return (id & 0x7U) | (count << 3U);
}

std::uint32_t zigzag(std::int32_t v) {
  return (static_cast<std::uint32_t>(v) << 1U) ^ static_cast<std::uint32_t>(v >> 31);
}

// The ring without consecutive duplicates and without the closing point.
TileRing cleaned(const TileRing& ring) {
  TileRing out;
  out.reserve(ring.size());
  for (const auto& p : ring) {
    if (out.empty() || !(out.back() == p)) out.push_back(p);
  }
  while (out.size() > 1 && out.front() == out.back()) out.pop_back();
  return out;
}

// The fields of one Tile.Value message, appended to `out`.
void encode_value(std::string& out, const Value& v) {
  protozero::pbf_writer value(out);
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    value.add_string(1, s->data(), s->size());
  } else if (const auto* b = std::get_if<bool>(&v)) {
    value.add_bool(7, *b);
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    if (*i >= 0) {
      value.add_uint64(5, static_cast<std::uint64_t>(*i));
    } else {
      value.add_sint64(6, *i);
    }
  } else {
    value.add_double(3, std::get<double>(v));
  }
}

constexpr std::uint32_t kUnset = ~std::uint32_t{0};

}  // namespace

void append_encoded_value(std::string& out, const Value& v) {
  encode_value(out, v);
}

std::uint16_t LayerDictionary::key(std::string_view k) {
  if (const auto it = key_ids_.find(k); it != key_ids_.end()) return it->second;
  if (keys_.size() >= 0xFFFFU) throw std::length_error("LayerDictionary: too many keys");
  const auto i = static_cast<std::uint16_t>(keys_.size());
  keys_.emplace_back(k);
  key_ids_.emplace(std::string(k), i);
  return i;
}

std::uint16_t LayerDictionary::value(const Value& v) {
  std::string bytes;
  encode_value(bytes, v);
  if (const auto it = value_ids_.find(bytes); it != value_ids_.end()) return it->second;
  if (ends_.size() >= 0xFFFFU) throw std::length_error("LayerDictionary: too many values");
  const auto i = static_cast<std::uint16_t>(ends_.size());
  values_ += bytes;
  ends_.push_back(static_cast<std::uint32_t>(values_.size()));
  value_ids_.emplace(std::move(bytes), i);
  return i;
}

std::string_view LayerDictionary::encoded_value(std::uint16_t v) const {
  const std::uint32_t begin = v == 0 ? 0 : ends_.at(v - 1U);
  return std::string_view(values_).substr(begin, ends_.at(v) - begin);
}

std::int64_t twice_signed_area(const TileRing& ring) {
  std::int64_t a = 0;
  const std::size_t n = ring.size();
  for (std::size_t i = 0; i < n; ++i) {
    const TilePoint& p = ring[i];
    const TilePoint& q = ring[(i + 1) % n];
    a += static_cast<std::int64_t>(p.x) * q.y - static_cast<std::int64_t>(q.x) * p.y;
  }
  return a;
}

LayerBuilder::LayerBuilder(std::string name, std::uint32_t extent)
    : name_(std::move(name)), extent_(extent) {}

LayerBuilder::LayerBuilder(std::string name, const LayerDictionary& dict, std::uint32_t extent)
    : name_(std::move(name)),
      extent_(extent),
      dict_(&dict),
      dict_keys_(dict.key_count(), kUnset),
      dict_values_(dict.value_count(), kUnset) {}

std::uint32_t LayerBuilder::add_value_bytes(std::string_view encoded) {
  values_ += encoded;
  value_ends_.push_back(static_cast<std::uint32_t>(values_.size()));
  return static_cast<std::uint32_t>(value_ends_.size() - 1);
}

std::uint32_t LayerBuilder::key_index(std::string_view key) {
  if (const auto it = key_ids_.find(key); it != key_ids_.end()) return it->second;
  const auto i = static_cast<std::uint32_t>(keys_.size());
  keys_.emplace_back(key);
  key_ids_.emplace(std::string(key), i);
  return i;
}

std::uint32_t LayerBuilder::value_index(const Value& v) {
  const auto next = static_cast<std::uint32_t>(value_ends_.size());
  if (const auto* s = std::get_if<std::string_view>(&v)) {
    if (const auto it = string_ids_.find(*s); it != string_ids_.end()) return it->second;
    encode_value(values_, v);
    value_ends_.push_back(static_cast<std::uint32_t>(values_.size()));
    string_ids_.emplace(std::string(*s), next);
    return next;
  }
  Stored stored;
  if (const auto* b = std::get_if<bool>(&v)) {
    stored = *b;
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    stored = *i;
  } else {
    stored = std::get<double>(v);
  }
  const auto [it, added] = other_ids_.try_emplace(stored, next);
  if (added) {
    encode_value(values_, v);
    value_ends_.push_back(static_cast<std::uint32_t>(values_.size()));
  }
  return it->second;
}

void LayerBuilder::begin_feature(std::uint64_t id, const Properties& props, std::uint32_t type,
                                 std::span<const std::uint32_t> geometry) {
  tags_.clear();
  for (const auto& [k, v] : props) {
    tags_.push_back(key_index(k));
    tags_.push_back(value_index(v));
  }
  write_feature(id, type, geometry);
}

void LayerBuilder::write_feature(std::uint64_t id, std::uint32_t type,
                                 std::span<const std::uint32_t> geometry) {
  // Straight into the layer's one buffer of features (Layer.features, field 2).
  protozero::pbf_writer layer(features_);
  protozero::pbf_writer f(layer, 2);
  if (id != 0) f.add_uint64(1, id);  // Feature.id; 0 is its default, read alike when absent
  f.add_packed_uint32(2, tags_.begin(), tags_.end());
  f.add_enum(3, static_cast<std::int32_t>(type));
  f.add_packed_uint32(4, geometry.begin(), geometry.end());
  ++count_;
}

void LayerBuilder::add_point(std::uint64_t id, TilePoint p, const Properties& props) {
  const std::array<std::uint32_t, 3> geometry = {command(kMoveTo, 1), zigzag(p.x), zigzag(p.y)};
  begin_feature(id, props, kPoint, geometry);
}

void LayerBuilder::dictionary_tags(const FeatureTags& tags) {
  if (dict_ == nullptr) throw std::logic_error("LayerBuilder: a layer without a dictionary");
  tags_.clear();
  const auto local_key = [&](std::uint16_t k) {
    std::uint32_t& local = dict_keys_.at(k);
    if (local == kUnset) local = key_index(dict_->key_name(k));
    return local;
  };
  for (std::size_t i = 0; i + 1 < tags.shared.size(); i += 2) {
    tags_.push_back(local_key(tags.shared[i]));
    std::uint32_t& value = dict_values_.at(tags.shared[i + 1]);
    if (value == kUnset) value = add_value_bytes(dict_->encoded_value(tags.shared[i + 1]));
    tags_.push_back(value);
  }
  for (const auto& [k, text] : tags.strings) {
    tags_.push_back(local_key(k));
    // The feature's own: written, not looked up (ids are unique; a name repeated in a tile
    // costs a few bytes, not a hash of every name).
    encode_value(values_, Value{text});
    value_ends_.push_back(static_cast<std::uint32_t>(values_.size()));
    tags_.push_back(static_cast<std::uint32_t>(value_ends_.size() - 1));
  }
  for (const auto& [k, n] : tags.integers) {
    tags_.push_back(local_key(k));
    tags_.push_back(value_index(Value{n}));
  }
  for (const auto& [k, bytes] : tags.encoded) {
    tags_.push_back(local_key(k));
    tags_.push_back(add_value_bytes(bytes));
  }
}

void LayerBuilder::add_point(std::uint64_t id, TilePoint p, const FeatureTags& tags) {
  dictionary_tags(tags);
  const std::array<std::uint32_t, 3> geometry = {command(kMoveTo, 1), zigzag(p.x), zigzag(p.y)};
  write_feature(id, kPoint, geometry);
}

namespace {

/// The commands of `polygons` (see add_polygons) into `geometry`.
void polygon_geometry(const std::vector<TilePolygon>& polygons,
                      std::vector<std::uint32_t>& geometry) {
  TilePoint cursor{0, 0};
  const auto emit_ring = [&](TileRing ring, bool shell) {
    const std::int64_t area = twice_signed_area(ring);
    if ((area > 0) != shell) std::reverse(ring.begin(), ring.end());
    geometry.push_back(command(kMoveTo, 1));
    geometry.push_back(zigzag(ring[0].x - cursor.x));
    geometry.push_back(zigzag(ring[0].y - cursor.y));
    cursor = ring[0];
    geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(ring.size() - 1)));
    for (std::size_t i = 1; i < ring.size(); ++i) {
      geometry.push_back(zigzag(ring[i].x - cursor.x));
      geometry.push_back(zigzag(ring[i].y - cursor.y));
      cursor = ring[i];
    }
    geometry.push_back(command(kClosePath, 1));
  };
  for (const auto& polygon : polygons) {
    if (polygon.empty()) continue;
    TileRing shell = cleaned(polygon.front());
    if (shell.size() < 3 || twice_signed_area(shell) == 0) continue;
    emit_ring(std::move(shell), true);
    for (std::size_t h = 1; h < polygon.size(); ++h) {
      TileRing hole = cleaned(polygon[h]);
      if (hole.size() < 3 || twice_signed_area(hole) == 0) continue;
      emit_ring(std::move(hole), false);
    }
  }
}

}  // namespace

bool LayerBuilder::add_polygons(std::uint64_t id, const std::vector<TilePolygon>& polygons,
                                const Properties& props) {
  std::vector<std::uint32_t> geometry;
  polygon_geometry(polygons, geometry);
  if (geometry.empty()) return false;
  begin_feature(id, props, kPolygon, geometry);
  return true;
}

bool LayerBuilder::add_polygons(std::uint64_t id, const std::vector<TilePolygon>& polygons,
                                const FeatureTags& tags) {
  std::vector<std::uint32_t> geometry;
  polygon_geometry(polygons, geometry);
  if (geometry.empty()) return false;
  dictionary_tags(tags);
  write_feature(id, kPolygon, geometry);
  return true;
}

bool LayerBuilder::add_lines(std::uint64_t id, const std::vector<TileLine>& lines,
                             const Properties& props) {
  std::vector<std::uint32_t> geometry;
  TilePoint cursor{0, 0};
  TileLine line;
  for (const auto& given : lines) {
    line.clear();
    for (const auto& p : given) {
      if (line.empty() || !(line.back() == p)) line.push_back(p);
    }
    if (line.size() < 2) continue;
    geometry.push_back(command(kMoveTo, 1));
    geometry.push_back(zigzag(line[0].x - cursor.x));
    geometry.push_back(zigzag(line[0].y - cursor.y));
    cursor = line[0];
    geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(line.size() - 1)));
    for (std::size_t i = 1; i < line.size(); ++i) {
      geometry.push_back(zigzag(line[i].x - cursor.x));
      geometry.push_back(zigzag(line[i].y - cursor.y));
      cursor = line[i];
    }
  }
  if (geometry.empty()) return false;
  begin_feature(id, props, kLineString, geometry);
  return true;
}

void LayerBuilder::append_to(std::string& tile) const {
  std::string body;
  body.reserve(features_.size() + values_.size() + 3 * value_ends_.size() + 24 * keys_.size() + 32);
  {
    protozero::pbf_writer head(body);
    head.add_uint32(15, 2);  // version
    head.add_string(1, name_);
  }
  body += features_;  // the Layer.features fields, already encoded
  protozero::pbf_writer layer(body);
  for (const auto& k : keys_) layer.add_string(3, k);
  std::uint32_t begin = 0;
  for (const std::uint32_t end : value_ends_) {
    layer.add_message(4, values_.data() + begin, end - begin);  // Layer.values
    begin = end;
  }
  layer.add_uint32(5, extent_);
  protozero::pbf_writer t(tile);
  t.add_message(3, body);  // Tile.layers
}

std::string encode_tile(const std::vector<const LayerBuilder*>& layers) {
  std::string tile;
  for (const auto* l : layers) {
    if (l != nullptr && !l->empty()) l->append_to(tile);
  }
  return tile;
}

}  // namespace tsunagi::tiles
