#include "tiles/area_layer.hpp"

#include <cmath>

#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/spatial/geometry.hpp"
#include "tiles/clip.hpp"

namespace tsunagi::tiles {

struct AreaTiles::Entry {
  std::size_t area;         ///< index into the layer's areas
  std::string wkb;          ///< boundary in EPSG:3857
  MercatorBounds envelope;  ///< of the boundary
};

/// The areas layer's properties as one audience sees them (served_area_figure, the one rule),
/// encoded once: per area its descriptive tags, per area and column its figure.
struct AreaTiles::Encoded {
  static constexpr std::uint16_t kNone = 0xFFFF;
  LayerDictionary dict;
  std::uint16_t id_key = 0;
  std::uint16_t code_key = 0;
  std::uint16_t name_key = 0;
  std::vector<std::uint32_t> base_begin;  ///< per area, into base (one more at the end)
  std::vector<std::uint16_t> base;        ///< kind, approximate, level: key, value, …
  std::size_t columns = 0;
  std::vector<bool> column_seen;  ///< columns `a` may see
  /// A figure: its value's encoded bytes (in bytes) under value_key, and its status under
  /// status_key (kNone: none).
  struct Cell {
    std::uint32_t begin = 0;
    std::uint16_t size = 0;
    std::uint16_t value_key = kNone;
    std::uint16_t status_key = kNone;
    std::uint16_t status_value = kNone;
  };
  std::vector<Cell> cells;  ///< area * columns + column
  std::string bytes;
};

namespace {

int to_mercator(double* x, double* y, void* /*user*/) {
  if (!std::isfinite(*x) || !std::isfinite(*y)) return 0;
  const MercatorXY m = lonlat_to_mercator(*x, *y);
  *x = m.x;
  *y = m.y;
  return 1;
}

// EPSG:3857 metres → tile units of one tile (y down).
struct ToTile {
  double min_x;
  double max_y;
  double per_unit;  ///< metres per tile unit
};
int to_tile(double* x, double* y, void* user) {
  const auto* t = static_cast<const ToTile*>(user);
  *x = (*x - t->min_x) / t->per_unit;
  *y = (t->max_y - *y) / t->per_unit;
  return 1;
}

double metres_per_unit(std::uint32_t z) {
  return 2 * kOriginShift / std::ldexp(1.0, static_cast<int>(z)) / kExtent;
}

}  // namespace

AreaTiles::AreaTiles(std::shared_ptr<const geo::AreaLayer> layer, Clipper clipper)
    : layer_(std::move(layer)), clipper_(clipper) {
  const auto& areas = layer_->areas();
  for (const auto& c : layer_->indicators().columns()) status_keys_.push_back(c.key + "_status");
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (areas[i].wkb.empty()) continue;
    try {
      geo::Geometry g = geo::Geometry::from_wkb(areas[i].wkb).transformed(to_mercator, nullptr);
      if (g.is_empty()) continue;
      const auto e = g.envelope();
      entries_.push_back({i, g.wkb(), {e.min_x, e.min_y, e.max_x, e.max_y}});
    } catch (const geo::GeometryError&) {
      continue;  // a damaged boundary: served by the API without geometry, not drawn
    }
  }
}

AreaTiles::~AreaTiles() = default;

std::uint64_t feature_id(std::string_view id) {
  return geo::fnv1a(id) & ((1ULL << 53U) - 1);  // an integer JavaScript holds exactly
}

std::size_t AreaTiles::size() const {
  return entries_.size();
}

namespace {

// EPSG:3857 metres → world pixels (tile units from the world's north-west corner) at one zoom.
int to_world(double* x, double* y, void* user) {
  const double unit = *static_cast<const double*>(user);
  *x = (*x + kOriginShift) / unit;
  *y = (kOriginShift - *y) / unit;
  return 1;
}

struct Shift {
  double dx;
  double dy;
};
int shift(double* x, double* y, void* user) {
  const auto* s = static_cast<const Shift*>(user);
  *x += s->dx;
  *y += s->dy;
  return 1;
}

std::vector<TilePolygon> int_polygons(const geo::Geometry& g) {
  std::vector<TilePolygon> out;
  for (const auto& rings : g.polygon_rings()) {
    TilePolygon polygon;
    for (const auto& ring : rings) {
      TileRing r;
      r.reserve(ring.size());
      for (const auto& [x, y] : ring) {
        r.push_back(
            {static_cast<std::int32_t>(std::lround(x)), static_cast<std::int32_t>(std::lround(y))});
      }
      polygon.push_back(std::move(r));
    }
    out.push_back(std::move(polygon));
  }
  return out;
}

}  // namespace

const std::vector<AreaTiles::ZoomShape>& AreaTiles::shapes(std::uint32_t z) const {
  std::call_once(shapes_once_.at(z), [&] {
    auto& out = shapes_.at(z);
    out.resize(entries_.size());
    double unit = metres_per_unit(z);
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      ZoomShape& shape = out[k];
      try {
        // Simplified by one tile unit (invisible at this zoom), in world pixels, snapped to the
        // integer grid with snap-rounding: valid, and every tile of this zoom is an integer shift
        // of it.
        const geo::Geometry g = geo::Geometry::from_wkb(entries_[k].wkb)
                                    .simplified(unit)
                                    .transformed(to_world, &unit)
                                    .with_precision(1.0);
        if (g.is_empty()) continue;
        shape.world = int_polygons(g);
        const auto e = g.envelope();
        shape.min_x = e.min_x;
        shape.min_y = e.min_y;
        shape.max_x = e.max_x;
        shape.max_y = e.max_y;
        shape.wkb = g.wkb();
      } catch (const geo::GeometryError&) {
        shape = {};  // left out of this zoom's tiles
      }
    }
  });
  return shapes_.at(z);
}

AreaFields AreaFields::parse(const geo::AreaLayer& layer, geo::Audience a, std::string_view list) {
  AreaFields out;
  if (list == "all") return every();
  const auto& table = layer.indicators();
  std::vector<bool> chosen(table.columns().size());
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view key = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (key.empty()) continue;
    const auto col = table.column(key);
    if (!col || !geo::column_visible(a, table.columns()[*col])) {
      std::string known;
      for (const auto& c : table.columns()) {
        if (!geo::column_visible(a, c)) continue;
        known += known.empty() ? "" : ", ";
        known += c.key;
      }
      throw geo::InvalidArgument(
          "fields: the areas layer has no figure '" + std::string(key.substr(0, 60)) +
          "'; ask for 'all' or for some of: " + (known.empty() ? std::string("(none)") : known));
    }
    chosen[*col] = true;
  }
  for (std::size_t c = 0; c < chosen.size(); ++c) {
    if (chosen[c]) out.columns.push_back(c);
  }
  return out;
}

std::string AreaFields::canonical(const geo::AreaLayer& layer) const {
  if (all) return "all";
  std::string out;
  for (const std::size_t c : columns) {
    if (!out.empty()) out += ',';
    out += layer.indicators().columns().at(c).key;
  }
  return out;
}

void AreaTiles::add_to(LayerBuilder& out, const TileId& t, geo::Audience a,
                       std::string_view lg_code, const AreaFields& fields) const {
  const auto& areas = layer_->areas();
  const auto other_town = [&](std::size_t area) {
    return !lg_code.empty() && areas[area].lg_code != lg_code;
  };
  const Encoded* pre = out.dictionary() == &dictionary(a) ? &encoded(a) : nullptr;
  TagScratch scratch;
  const auto add = [&](std::size_t area, const std::vector<TilePolygon>& polygons) {
    if (pre != nullptr) {
      add_encoded_feature(out, *pre, area, polygons, fields, scratch);
    } else {
      add_feature(out, area, polygons, a, fields);
    }
  };
  if (t.z < kFullDetailZoom) {
    // From this zoom's snapped shapes: a shape inside the buffered tile is shifted into it (no
    // GEOS at all); one crossing its edge is clipped and snapped again.
    const auto& zoom = shapes(t.z);
    const double ox = double(t.x) * kExtent;
    const double oy = double(t.y) * kExtent;
    const double lo_x = ox - kBuffer;
    const double lo_y = oy - kBuffer;
    const double hi_x = ox + kExtent + kBuffer;
    const double hi_y = oy + kExtent + kBuffer;
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      const ZoomShape& z = zoom[k];
      if (other_town(entries_[k].area)) continue;
      if (z.wkb.empty() || z.max_x < lo_x || z.min_x > hi_x || z.max_y < lo_y || z.min_y > hi_y) {
        continue;
      }
      std::vector<TilePolygon> polygons;
      if (z.min_x >= lo_x && z.max_x <= hi_x && z.min_y >= lo_y && z.max_y <= hi_y) {
        polygons = z.world;
        const auto dx = static_cast<std::int32_t>(ox);
        const auto dy = static_cast<std::int32_t>(oy);
        for (auto& polygon : polygons) {
          for (auto& ring : polygon) {
            for (auto& p : ring) {
              p.x -= dx;
              p.y -= dy;
            }
          }
        }
      } else if (auto clipped =
                     clipper_ == Clipper::own_then_geos
                         ? clip_polygons(
                               z.world,
                               {static_cast<std::int64_t>(lo_x), static_cast<std::int64_t>(lo_y),
                                static_cast<std::int64_t>(hi_x), static_cast<std::int64_t>(hi_y)},
                               static_cast<std::int64_t>(ox), static_cast<std::int64_t>(oy))
                         : std::nullopt) {
        // Clipped in integers: the common case of a shape that crosses the tile's edge simply.
        if (clipped->empty()) continue;
        polygons = std::move(*clipped);
      } else {
        // Leaves and re-enters the tile, or a cut moved onto the grid would touch another edge:
        // GEOS clips and snap-rounds it.
        try {
          Shift to_tile_units{-ox, -oy};
          const geo::Geometry g = geo::Geometry::from_wkb(z.wkb)
                                      .clip_to_rect(lo_x, lo_y, hi_x, hi_y)
                                      .transformed(shift, &to_tile_units)
                                      .with_precision(1.0);
          if (g.is_empty()) continue;
          polygons = int_polygons(g);
        } catch (const geo::GeometryError&) {
          continue;
        }
      }
      add(entries_[k].area, polygons);
    }
    return;
  }
  const MercatorBounds b = tile_bounds_3857(t);
  const double unit = metres_per_unit(t.z);
  const double pad = unit * kBuffer;
  const MercatorBounds clip{b.min_x - pad, b.min_y - pad, b.max_x + pad, b.max_y + pad};
  ToTile to{b.min_x, b.max_y, unit};
  for (const auto& e : entries_) {
    if (other_town(e.area)) continue;
    if (e.envelope.max_x < clip.min_x || e.envelope.min_x > clip.max_x ||
        e.envelope.max_y < clip.min_y || e.envelope.min_y > clip.max_y) {
      continue;
    }
    std::vector<TilePolygon> polygons;
    try {
      geo::Geometry g = geo::Geometry::from_wkb(e.wkb);
      const bool inside = e.envelope.min_x >= clip.min_x && e.envelope.max_x <= clip.max_x &&
                          e.envelope.min_y >= clip.min_y && e.envelope.max_y <= clip.max_y;
      if (!inside) g = g.clip_to_rect(clip.min_x, clip.min_y, clip.max_x, clip.max_y);
      if (g.is_empty()) continue;
      polygons = int_polygons(g.transformed(to_tile, &to).with_precision(1.0));
    } catch (const geo::GeometryError&) {
      continue;  // GEOS could not clip or snap this one: leave it out of this tile
    }
    add(e.area, polygons);
  }
}

const AreaTiles::Encoded& AreaTiles::encoded(geo::Audience a) const {
  const auto i = static_cast<std::size_t>(a);
  std::call_once(encoded_once_.at(i), [&] {
    auto e = std::make_unique<Encoded>();
    const auto& areas = layer_->areas();
    const auto& table = layer_->indicators();
    e->id_key = e->dict.key("id");
    const std::uint16_t kind_key = e->dict.key("kind");
    e->code_key = e->dict.key("code");
    e->name_key = e->dict.key("name");
    const std::uint16_t approximate_key = e->dict.key("approximate");
    const std::uint16_t level_key = e->dict.key("level");
    e->columns = table.columns().size();
    std::vector<std::uint16_t> value_keys(e->columns, Encoded::kNone);
    std::vector<std::uint16_t> status_keys(e->columns, Encoded::kNone);
    e->column_seen.resize(e->columns);
    for (std::size_t c = 0; c < e->columns; ++c) {
      e->column_seen[c] = geo::column_visible(a, table.columns()[c]);
      if (!e->column_seen[c]) continue;
      value_keys[c] = e->dict.key(table.columns()[c].key);
      status_keys[c] = e->dict.key(status_keys_[c]);
    }
    e->base_begin.reserve(areas.size() + 1);
    e->cells.resize(areas.size() * e->columns);
    for (std::size_t k = 0; k < areas.size(); ++k) {
      const auto& area = areas[k];
      e->base_begin.push_back(static_cast<std::uint32_t>(e->base.size()));
      e->base.push_back(kind_key);
      e->base.push_back(e->dict.value(geo::code_id(area.kind)));
      if (area.approximate) {
        e->base.push_back(approximate_key);
        e->base.push_back(e->dict.value(true));
      }
      if (area.level != geo::SmallAreaLevel::none) {
        e->base.push_back(level_key);
        e->base.push_back(e->dict.value(geo::small_area_level_id(area.level)));
      }
      for (std::size_t c = 0; c < e->columns; ++c) {
        const auto f = geo::served_area_figure(a, table, k, c);
        if (!f) continue;
        Encoded::Cell& cell = e->cells[k * e->columns + c];
        if (f->value) {
          const double v = *f->value;
          cell.begin = static_cast<std::uint32_t>(e->bytes.size());
          if (f->column->unit == geo::StatUnit::count && std::nearbyint(v) == v) {
            append_encoded_value(e->bytes, Value{static_cast<std::int64_t>(v)});
          } else {
            append_encoded_value(e->bytes, Value{v});
          }
          cell.size = static_cast<std::uint16_t>(e->bytes.size() - cell.begin);
          cell.value_key = value_keys[c];
        }
        if (f->status != geo::StatStatus::value) {
          cell.status_key = status_keys[c];
          cell.status_value = e->dict.value(geo::stat_status_id(f->status));
        }
      }
    }
    e->base_begin.push_back(static_cast<std::uint32_t>(e->base.size()));
    encoded_.at(i) = std::move(e);
  });
  return *encoded_.at(i);
}

const LayerDictionary& AreaTiles::dictionary(geo::Audience a) const {
  return encoded(a).dict;
}

void AreaTiles::add_encoded_feature(LayerBuilder& out, const Encoded& e, std::size_t index,
                                    const std::vector<TilePolygon>& polygons,
                                    const AreaFields& fields, TagScratch& scratch) const {
  const auto& area = layer_->areas()[index];
  scratch.shared.assign(e.base.begin() + e.base_begin[index],
                        e.base.begin() + e.base_begin[index + 1]);
  scratch.strings.clear();
  scratch.strings.emplace_back(e.id_key, area.id);
  scratch.strings.emplace_back(e.code_key, area.code);
  scratch.strings.emplace_back(e.name_key, area.name);
  scratch.encoded.clear();
  const auto add_cell = [&](std::size_t c) {
    if (c >= e.columns || !e.column_seen[c]) return;
    const Encoded::Cell& cell = e.cells[index * e.columns + c];
    if (cell.value_key != Encoded::kNone) {
      scratch.encoded.emplace_back(cell.value_key,
                                   std::string_view(e.bytes).substr(cell.begin, cell.size));
    }
    if (cell.status_key != Encoded::kNone) {
      scratch.shared.push_back(cell.status_key);
      scratch.shared.push_back(cell.status_value);
    }
  };
  if (fields.all) {
    for (std::size_t c = 0; c < e.columns; ++c) add_cell(c);
  } else {
    for (const std::size_t c : fields.columns) add_cell(c);
  }
  out.add_polygons(feature_id(area.id), polygons,
                   FeatureTags{scratch.shared, scratch.strings, {}, scratch.encoded});
}

void AreaTiles::add_feature(LayerBuilder& out, std::size_t index,
                            const std::vector<TilePolygon>& polygons, geo::Audience a,
                            const AreaFields& fields) const {
  const auto& area = layer_->areas()[index];
  LayerBuilder::Properties props;
  props.emplace_back("id", area.id);
  props.emplace_back("kind", geo::code_id(area.kind));
  props.emplace_back("code", area.code);
  props.emplace_back("name", area.name);
  if (area.approximate) props.emplace_back("approximate", true);
  if (area.level != geo::SmallAreaLevel::none) {
    props.emplace_back("level", geo::small_area_level_id(area.level));
  }
  const auto& table = layer_->indicators();
  const auto add_figure = [&](const geo::AreaFigure& f) {
    if (f.value) {
      const double v = *f.value;
      if (f.column->unit == geo::StatUnit::count && std::nearbyint(v) == v) {
        props.emplace_back(f.key(), static_cast<std::int64_t>(v));
      } else {
        props.emplace_back(f.key(), v);
      }
    }
    if (f.status != geo::StatStatus::value) {
      const auto col = static_cast<std::size_t>(f.column - table.columns().data());
      props.emplace_back(status_keys_[col], geo::stat_status_id(f.status));
    }
  };
  if (fields.all) {
    for (const auto& f : geo::served_area_figures(a, table, index)) add_figure(f);
  } else {
    for (const std::size_t col : fields.columns) {
      if (const auto f = geo::served_area_figure(a, table, index, col)) add_figure(*f);
    }
  }
  out.add_polygons(feature_id(area.id), polygons, props);
}

std::vector<std::pair<std::string, std::string>> AreaTiles::fields(const geo::AreaLayer& layer,
                                                                   geo::Audience a) {
  std::vector<std::pair<std::string, std::string>> out{
      {"id", "String"},   {"kind", "String"},         {"code", "String"},
      {"name", "String"}, {"approximate", "Boolean"}, {"level", "String"}};
  for (const auto& c : layer.indicators().columns()) {
    if (!geo::column_visible(a, c)) continue;
    out.emplace_back(c.key, "Number");
    out.emplace_back(c.key + "_status", "String");
  }
  return out;
}

}  // namespace tsunagi::tiles
