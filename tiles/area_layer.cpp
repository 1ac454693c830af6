#include "tiles/area_layer.hpp"

#include <cmath>

#include "geo/code_lists.hpp"
#include "geo/error.hpp"
#include "geo/geometry.hpp"
#include "geo/visibility.hpp"
#include "tiles/resource_layer.hpp"

namespace tsunagi::tiles {

struct AreaTiles::Entry {
  std::size_t area;  ///< index into the layer's areas
  const geo::AreaPopulation* population = nullptr;
  std::string wkb;          ///< boundary in EPSG:3857
  MercatorBounds envelope;  ///< of the boundary
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

AreaTiles::AreaTiles(std::shared_ptr<const geo::AreaLayer> layer) : layer_(std::move(layer)) {
  const auto& areas = layer_->areas();
  std::unordered_map<std::string_view, const geo::AreaPopulation*> population;
  for (const auto& p : layer_->populations()) population[p.area_id] = &p;
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (areas[i].wkb.empty()) continue;
    try {
      geo::Geometry g = geo::Geometry::from_wkb(areas[i].wkb).transformed(to_mercator, nullptr);
      if (g.is_empty()) continue;
      const auto e = g.envelope();
      const auto it = population.find(areas[i].id);
      entries_.push_back({i,
                          it == population.end() ? nullptr : it->second,
                          g.wkb(),
                          {e.min_x, e.min_y, e.max_x, e.max_y}});
    } catch (const geo::GeometryError&) {
      continue;  // a damaged boundary: served by the API without geometry, not drawn
    }
  }
}

AreaTiles::~AreaTiles() = default;

std::size_t AreaTiles::size() const {
  return entries_.size();
}

const std::vector<std::string>& AreaTiles::simplified(std::uint32_t z) const {
  std::call_once(simplified_once_.at(z), [&] {
    auto& out = simplified_.at(z);
    out.reserve(entries_.size());
    const double tolerance = metres_per_unit(z);  // one tile unit: invisible at this zoom
    for (const auto& e : entries_) {
      try {
        out.push_back(geo::Geometry::from_wkb(e.wkb).simplified(tolerance).wkb());
      } catch (const geo::GeometryError&) {
        out.push_back(e.wkb);
      }
    }
  });
  return simplified_.at(z);
}

void AreaTiles::add_to(LayerBuilder& out, const TileId& t, geo::Audience a) const {
  const MercatorBounds b = tile_bounds_3857(t);
  const double unit = metres_per_unit(t.z);
  const double pad = unit * kBuffer;
  const MercatorBounds clip{b.min_x - pad, b.min_y - pad, b.max_x + pad, b.max_y + pad};
  const std::vector<std::string>* shapes = t.z < kFullDetailZoom ? &simplified(t.z) : nullptr;
  ToTile to{b.min_x, b.max_y, unit};
  const auto& areas = layer_->areas();
  for (std::size_t k = 0; k < entries_.size(); ++k) {
    const Entry& e = entries_[k];
    if (e.envelope.max_x < clip.min_x || e.envelope.min_x > clip.max_x ||
        e.envelope.max_y < clip.min_y || e.envelope.min_y > clip.max_y) {
      continue;
    }
    std::vector<TilePolygon> polygons;
    try {
      geo::Geometry g = geo::Geometry::from_wkb(shapes != nullptr ? (*shapes)[k] : e.wkb);
      const bool inside = e.envelope.min_x >= clip.min_x && e.envelope.max_x <= clip.max_x &&
                          e.envelope.min_y >= clip.min_y && e.envelope.max_y <= clip.max_y;
      if (!inside) g = g.clip_to_rect(clip.min_x, clip.min_y, clip.max_x, clip.max_y);
      if (g.is_empty()) continue;
      g = g.transformed(to_tile, &to).with_precision(1.0);
      for (const auto& rings : g.polygon_rings()) {
        TilePolygon polygon;
        for (const auto& ring : rings) {
          TileRing r;
          r.reserve(ring.size());
          for (const auto& [x, y] : ring) {
            r.push_back({static_cast<std::int32_t>(std::lround(x)),
                         static_cast<std::int32_t>(std::lround(y))});
          }
          polygon.push_back(std::move(r));
        }
        polygons.push_back(std::move(polygon));
      }
    } catch (const geo::GeometryError&) {
      continue;  // GEOS could not clip or snap this one: leave it out of this tile
    }
    const geo::Area& area = areas[e.area];
    LayerBuilder::Properties props;
    props.emplace_back("id", area.id);
    props.emplace_back("kind", std::string(geo::code_id(area.kind)));
    props.emplace_back("code", area.code);
    props.emplace_back("name", area.name);
    std::vector<geo::AreaFigure> figures;
    if (e.population != nullptr) figures = geo::served_area_figures(a, *e.population);
    for (const auto& f : figures) props.emplace_back(f.key, f.value);
    out.add_polygons(feature_id(area.id), polygons, props);
  }
}

std::vector<std::pair<std::string, std::string>> AreaTiles::fields() {
  return {{"id", "String"},      {"kind", "String"},       {"code", "String"},
          {"name", "String"},    {"population", "Number"}, {"aged_65", "Number"},
          {"aged_75", "Number"}, {"households", "Number"}};
}

}  // namespace tsunagi::tiles
