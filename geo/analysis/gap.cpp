#include "geo/analysis/gap.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

#include "geo/analysis/accessibility.hpp"
#include "geo/analysis/answer_labels.hpp"
#include "geo/analysis/site_gain.hpp"
#include "geo/analysis/siting.hpp"
#include "geo/analysis/straight_line.hpp"
#include "geo/catalog/municipality_scope.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/network.hpp"

namespace tsunagi::geo::gap {

using nlohmann::json;

namespace {

// ---- the request ----

EnumSet<ResourceKind> parse_kinds(const json& v, const std::string& key) {
  EnumSet<ResourceKind> out;
  if (!v.is_array()) throw InvalidArgument(key + ": give a list of resource kinds");
  for (const auto& k : v) {
    if (!k.is_string()) throw InvalidArgument(key + ": kinds are strings");
    const auto kind = parse_code<ResourceKind>(k.get<std::string>());
    if (!kind)
      throw InvalidArgument(key + ": unknown resource kind '" + k.get<std::string>() + "'");
    out.insert(*kind);
  }
  return out;
}

AreaKind parse_area_kind(const json& v, const std::string& key) {
  if (!v.is_string()) throw InvalidArgument(key + ": give an area type such as 'small_area'");
  const auto k = parse_code<AreaKind>(v.get<std::string>());
  if (!k) throw InvalidArgument(key + ": unknown area type '" + v.get<std::string>() + "'");
  return *k;
}

double positive(const json& v, const std::string& key) {
  if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>())) {
    throw InvalidArgument(key + ": must be a positive number");
  }
  return v.get<double>();
}

// ---- demand, supply and costs ----

struct Demand {
  std::size_t area;  ///< index in the area layer
  double lon;
  double lat;
  double weight;
};

struct Supply {
  std::uint32_t item;  ///< index in the audience's view
  double lon;
  double lat;
  double capacity;
};

std::optional<std::size_t> visible_column(const IndicatorTable& t, Audience a,
                                          const std::string& key) {
  const auto c = t.column(key);
  if (!c || !column_visible(a, t.columns()[*c])) return std::nullopt;
  return c;
}

struct DemandSet {
  AreaKind kind;  ///< the kind of most demand areas (small areas: small_area)
  std::vector<Demand> points;
  std::map<std::string, std::size_t> not_counted;  ///< status → areas
  std::map<AreaKind, std::size_t> areas_by_kind;   ///< areas counted, by kind
  /// municipality id (or "" for areas of none) → (areas counted, people counted)
  std::map<std::string, std::pair<std::size_t, double>> by_municipality;
};

/// The layer an area belongs to for demand: small areas of every level (and the oaza/chome of
/// older stores) are one layer, each other kind its own.
AreaKind demand_layer(AreaKind k) {
  return is_small_area_kind(k) ? AreaKind::small_area : k;
}

/// How fine a layer is, for choosing demand: small areas first, then meshes from the finest,
/// then districts; municipalities and prefectures last.
int fineness(AreaKind k) {
  switch (k) {
    case AreaKind::small_area:
    case AreaKind::oaza:
    case AreaKind::chome:
      return 0;
    case AreaKind::mesh_eighth:
      return 1;
    case AreaKind::mesh_quarter:
      return 2;
    case AreaKind::mesh_half:
      return 3;
    case AreaKind::mesh3:
      return 4;
    case AreaKind::school_district:
    case AreaKind::nichijo_seikatsu_ken:
    case AreaKind::custom:
      return 5;
    case AreaKind::mesh2:
      return 6;
    case AreaKind::mesh1:
      return 7;
    case AreaKind::ward:
      return 8;
    case AreaKind::municipality:
      return 9;
    case AreaKind::prefecture:
      return 10;
  }
  return 11;
}

/// The municipality an area lies in: its lg_code, or the parent chain's.
std::string municipality_of(const AreaLayer& layer, std::size_t i) {
  const auto& areas = layer.areas();
  for (std::size_t hops = 0; hops < 8; ++hops) {
    const Area& a = areas[i];
    if (a.kind == AreaKind::municipality) return a.id;
    if (!a.lg_code.empty()) return "municipality:" + a.lg_code;
    const auto p = a.parent_id.empty() ? std::nullopt : layer.area_index(a.parent_id);
    if (!p) return {};
    i = *p;
  }
  return {};
}

/// Demand: per municipality, the finest layer of areas that holds values of the target (so a
/// mixed layer is taken whole, and every municipality from its own finest areas); within it, an
/// area that is the parent of others of the layer is left out, its children counted instead.
DemandSet build_demand(const AreaLayer& layer, Audience a, std::size_t col,
                       std::optional<AreaKind> asked, const Municipality* only) {
  const std::string only_town = only != nullptr ? only->area_id : std::string();
  const auto& areas = layer.areas();
  const auto& t = layer.indicators();
  // Every figure as this audience may see it (the one visibility rule).
  std::vector<std::optional<AreaFigure>> fig(areas.size());
  std::vector<std::string> town(areas.size());
  // municipality → the layers of its areas with a value
  std::map<std::string, std::set<AreaKind>> with_value;
  for (std::size_t i = 0; i < areas.size(); ++i) {
    town[i] = municipality_of(layer, i);
    if (!only_town.empty() && town[i] != only_town) continue;  // another town's: not demand
    fig[i] = served_area_figure(a, t, i, col);
    if (fig[i] && fig[i]->value) with_value[town[i]].insert(demand_layer(areas[i].kind));
  }
  std::map<std::string, AreaKind> chosen;  // municipality → its demand layer
  if (asked) {
    for (const auto& [m, layers] : with_value) chosen[m] = demand_layer(*asked);
    if (with_value.empty()) chosen[""] = demand_layer(*asked);
  } else {
    for (const auto& [m, layers] : with_value) {
      std::optional<AreaKind> best;
      for (const AreaKind l : layers) {
        if (l == AreaKind::prefecture) continue;
        if (!best || fineness(l) < fineness(*best)) best = l;
      }
      if (best) chosen[m] = *best;
    }
    // Areas of no municipality (meshes, custom districts) are demand only where no municipality
    // gives any: they would count the same people twice.
    if (chosen.size() > 1 || (chosen.size() == 1 && !chosen.contains(""))) chosen.erase("");
    if (chosen.empty()) {
      if (with_value.empty() && !only_town.empty()) {
        throw InvalidArgument("no area of " + only->short_name + " (" + only->lg_code +
                              ") has a value of '" + t.columns()[col].key + "' this role may see");
      }
      if (with_value.empty()) {
        throw InvalidArgument("no area has a value of '" + t.columns()[col].key + "'");
      }
      throw InvalidArgument("no area finer than a prefecture has a value of '" +
                            t.columns()[col].key + "'");
    }
  }
  // Parents within a chosen layer: their children stand for them.
  std::vector<bool> is_parent(areas.size(), false);
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (areas[i].parent_id.empty()) continue;
    const auto p = layer.area_index(areas[i].parent_id);
    if (p && demand_layer(areas[*p].kind) == demand_layer(areas[i].kind)) is_parent[*p] = true;
  }
  DemandSet d{};
  for (std::size_t i = 0; i < areas.size(); ++i) {
    if (!only_town.empty() && town[i] != only_town) continue;
    const auto c = chosen.find(town[i]);
    if (c == chosen.end() || demand_layer(areas[i].kind) != c->second || is_parent[i]) continue;
    // The figure as this audience may see it: a suppressed or absorbed one is not demand here
    // (an absorbed area's people are counted on the area that holds its figure).
    if (!fig[i] || !fig[i]->value) {
      ++d.not_counted[std::string(stat_status_id(fig[i] ? fig[i]->status : StatStatus::missing))];
      continue;
    }
    double lon = areas[i].label_lon;
    double lat = areas[i].label_lat;
    if ((lon == 0 && lat == 0) && !areas[i].wkb.empty()) {
      try {
        std::tie(lon, lat) = Geometry::from_wkb(areas[i].wkb).point_on_surface();
      } catch (const GeometryError&) {
        ++d.not_counted["no_position"];
        continue;
      }
    }
    if (lon == 0 && lat == 0) {
      ++d.not_counted["no_position"];
      continue;
    }
    d.points.push_back({i, lon, lat, *fig[i]->value});
    ++d.areas_by_kind[areas[i].kind];
    auto& m = d.by_municipality[town[i]];
    ++m.first;
    m.second += *fig[i]->value;
  }
  if (d.points.empty()) {
    const AreaKind k = asked ? *asked : chosen.begin()->second;
    throw InvalidArgument("no area of type '" + std::string(code_id(k)) + "' has a value of '" +
                          t.columns()[col].key + "' this role may see");
  }
  const auto& kinds = d.areas_by_kind;
  d.kind = std::max_element(kinds.begin(), kinds.end(), [](const auto& x, const auto& y) {
             return x.second < y.second;
           })->first;
  if (kinds.size() > 1 && std::all_of(kinds.begin(), kinds.end(),
                                      [](const auto& k) { return is_small_area_kind(k.first); })) {
    d.kind = AreaKind::small_area;
  }
  return d;
}

std::vector<Supply> build_supply(const AudienceView& view, EnumSet<ResourceKind> kinds,
                                 bool capacity) {
  std::vector<Supply> out;
  for (std::uint32_t i = 0; i < view.size(); ++i) {
    const auto& r = view.resource(i);
    if (!kinds.contains(r.kind) || r.status == ResourceStatus::closed) continue;
    double cap = 1;
    if (capacity) cap = r.capacity ? std::max(0, *r.capacity) : 0;
    out.push_back({i, r.lon, r.lat, cap});
  }
  return out;
}

using Triple = std::tuple<std::uint32_t, std::uint32_t, double>;

/// Straight-line pairs within max_m (great circles, as gap/straight_line.hpp measures them): a
/// grid of cells at least max_m wide everywhere.
std::vector<Triple> straight_costs(const std::vector<Demand>& d, const std::vector<Supply>& s,
                                   double max_m, Progress* p) {
  std::vector<Triple> out;
  if (d.empty() || s.empty()) return out;
  double max_abs_lat = 0;
  for (const auto& x : d) max_abs_lat = std::max(max_abs_lat, std::abs(x.lat));
  for (const auto& x : s) max_abs_lat = std::max(max_abs_lat, std::abs(x.lat));
  const double cell_lat = max_m / 110000.0;
  const double cell_lon = max_m / (110000.0 * std::max(0.05, std::cos(max_abs_lat * M_PI / 180)));
  auto key = [&](double lon, double lat) {
    return std::pair<std::int64_t, std::int64_t>{
        static_cast<std::int64_t>(std::floor(lon / cell_lon)),
        static_cast<std::int64_t>(std::floor(lat / cell_lat))};
  };
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::uint32_t>> grid;
  for (std::uint32_t j = 0; j < s.size(); ++j) grid[key(s[j].lon, s[j].lat)].push_back(j);
  for (std::uint32_t i = 0; i < d.size(); ++i) {
    if (i % 4096 == 0) detail::step(p, 0.1 + 0.5 * i / static_cast<double>(d.size()), "costs");
    const auto [cx, cy] = key(d[i].lon, d[i].lat);
    for (std::int64_t dx = -1; dx <= 1; ++dx) {
      for (std::int64_t dy = -1; dy <= 1; ++dy) {
        const auto it = grid.find({cx + dx, cy + dy});
        if (it == grid.end()) continue;
        for (const auto j : it->second) {
          const double m = great_circle_m({d[i].lon, d[i].lat}, {s[j].lon, s[j].lat});
          if (m <= max_m) out.emplace_back(i, j, m);
        }
      }
    }
  }
  return out;
}

/// The positions of demand points or places, as the network searches take them.
template <typename T>
std::vector<LonLat> positions(const std::vector<T>& items) {
  std::vector<LonLat> out;
  out.reserve(items.size());
  for (const auto& x : items) out.push_back({x.lon, x.lat});
  return out;
}

struct Prepared {
  const AreaLayer* layer = nullptr;
  std::size_t col = 0;
  DemandSet demand;
  std::vector<Supply> supply;
  CostMatrix costs;  ///< metres
  bool walking = false;
  double max_m = 0;
  std::size_t unsnapped = 0;
  AreaKind report_kind = AreaKind::small_area;
  std::vector<std::optional<std::size_t>> report_of;  ///< per demand point: report area index
  std::optional<Municipality> town;                   ///< the one town asked for
};

double threshold_m(const AnalysisRequest& r) {
  return r.minutes ? r.threshold * r.speed_m_per_min : r.threshold;
}

Prepared prepare(const Snapshot& snap, Audience a, const AnalysisRequest& r,
                 EnumSet<ResourceKind> supply_kinds, double max_m, Progress* p) {
  Prepared out;
  out.layer = snap.area_layer().get();
  const auto col = visible_column(out.layer->indicators(), a, r.target);
  if (!col) {
    throw InvalidArgument("target: no figure '" + r.target +
                          "' (give one of the keys the areas carry, e.g. aged_75, aged_65, "
                          "population)");
  }
  out.col = *col;
  detail::step(p, 0.02, "demand");
  if (!r.municipality.empty()) {
    auto found = find_municipality(*out.layer, r.municipality);
    if (!found.town) throw InvalidArgument(found.message);
    out.town = std::move(found.town);
  }
  out.demand = build_demand(*out.layer, a, *col, r.demand_kind, out.town ? &*out.town : nullptr);
  out.supply = build_supply(snap.view(a), supply_kinds, r.supply_from_capacity);
  out.max_m = max_m;
  const auto& net = snap.network();
  if (r.network == "walking" && !net) {
    throw InvalidArgument("network: no walking network is loaded (tsunagi import --network)");
  }
  out.walking = net && r.network != "straight_line";
  std::vector<Triple> t;
  if (out.walking) {
    const auto dp = positions(out.demand.points);
    const auto sp = positions(out.supply);
    // Coverage needs only each point's nearest place: one multi-source search.
    t = r.analysis == "coverage" ? walking_nearest(*net, dp, sp, max_m, p, out.unsnapped)
                                 : walking_pairs(*net, dp, sp, max_m, p, out.unsnapped);
  } else {
    t = straight_costs(out.demand.points, out.supply, max_m, p);
  }
  out.costs = CostMatrix::from_triples(out.demand.points.size(), out.supply.size(), std::move(t));
  // Report areas: the demand's own, or the areas of another type holding each demand point.
  out.report_kind = r.report_kind.value_or(out.demand.kind);
  out.report_of.resize(out.demand.points.size());
  if (demand_layer(out.report_kind) == demand_layer(out.demand.kind)) {
    for (std::size_t i = 0; i < out.demand.points.size(); ++i) {
      out.report_of[i] = out.demand.points[i].area;
    }
  } else {
    const auto& areas = out.layer->areas();
    for (std::size_t k = 0; k < areas.size(); ++k) {
      if (areas[k].kind != out.report_kind || areas[k].wkb.empty()) continue;
      try {
        Geometry g = Geometry::from_wkb(areas[k].wkb);
        const auto e = g.envelope();
        const PreparedGeometry pg{std::move(g)};
        for (std::size_t i = 0; i < out.demand.points.size(); ++i) {
          const auto& d = out.demand.points[i];
          if (out.report_of[i] || d.lon < e.min_x || d.lon > e.max_x || d.lat < e.min_y ||
              d.lat > e.max_y) {
            continue;
          }
          if (pg.contains_point(d.lon, d.lat)) out.report_of[i] = k;
        }
      } catch (const GeometryError&) {  // NOLINT(bugprone-empty-catch): a damaged boundary
      }
    }
  }
  detail::step(p, 0.6, "analysis");
  return out;
}

json kinds_json(EnumSet<ResourceKind> kinds) {
  json out = json::array();
  kinds.for_each([&](ResourceKind k) { out.push_back(code_id(k)); });
  return out;
}

json areas_by_kind_json(const DemandSet& d) {
  json out = json::object();
  for (const auto& [k, n] : d.areas_by_kind) out[std::string(code_id(k))] = n;
  return out;
}

double demand_total(const DemandSet& d) {
  double t = 0;
  for (const auto& p : d.points) t += p.weight;
  return t;
}

json by_municipality_json(const AreaLayer& layer, const DemandSet& d) {
  json out = json::array();
  for (const auto& [id, n] : d.by_municipality) {
    json m{{"id", id.empty() ? json(nullptr) : json(id)}, {"areas", n.first}, {"target", n.second}};
    if (const auto i = id.empty() ? std::nullopt : layer.area_index(id)) {
      m["name"] = layer.areas()[*i].name;
    }
    out.push_back(std::move(m));
  }
  return out;
}

json header(const Prepared& pr, const AnalysisRequest& r) {
  const auto& c = pr.layer->indicators().columns()[pr.col];
  json h{{"analysis", r.analysis},
         {"network", pr.walking ? "walking" : "straight_line"},
         {"threshold",
          {{"value", r.threshold}, {"unit", r.minutes ? "min" : "m"}, {"metres", pr.max_m}}},
         {"speed_m_per_min", r.speed_m_per_min},
         {"kinds", kinds_json(r.kinds)},
         {"target",
          {{"key", c.key},
           {"label", c.label},
           {"ref_date", c.ref_date},
           {"unit", stat_unit_id(c.unit)},
           {"estimate", c.unit == StatUnit::estimate}}},
         {"demand_area_type", code_id(pr.demand.kind)},
         {"demand_areas", areas_by_kind_json(pr.demand)},
         {"demand_total", demand_total(pr.demand)},
         {"demand_by_municipality", by_municipality_json(*pr.layer, pr.demand)},
         {"report_area_type", code_id(pr.report_kind)},
         {"demand_points", pr.demand.points.size()},
         {"places", pr.supply.size()},
         {"not_counted", pr.demand.not_counted}};
  if (pr.town) {
    h["municipality"] = {
        {"lg_code", pr.town->lg_code},
        {"name", pr.town->short_name},
        {"note", "需要はこの市町村の地域のみ。近隣市町村の場所も徒歩圏なら数えています。"}};
  }
  if (!pr.walking) {
    h["note"] =
        "直線距離で計算しています（歩行ネットワークなし）。実際の徒歩距離はこれより長くなります。";
  }
  if (pr.unsnapped > 0) h["demand_points_off_network"] = pr.unsnapped;
  h["method_note"] = "需要は各地域の代表点に置いています。地域内の人口分布は考慮していません。";
  return h;
}

/// Per report area: demand, covered demand, nearest place.
struct AreaRow {
  double target = 0;
  double covered = 0;
  std::optional<double> nearest_m;
  std::size_t places_inside = 0;
  double access_sum = 0;  ///< demand-weighted access
  bool any = false;
};

std::map<std::size_t, AreaRow> per_area(const Prepared& pr, double cover_m,
                                        const std::vector<double>* access) {
  std::map<std::size_t, AreaRow> rows;
  for (std::size_t i = 0; i < pr.demand.points.size(); ++i) {
    if (!pr.report_of[i]) continue;
    auto& row = rows[*pr.report_of[i]];
    row.any = true;
    const double w = pr.demand.points[i].weight;
    row.target += w;
    std::optional<double> best;
    for (const double c : pr.costs.costs_of(i)) {
      if (!best || c < *best) best = c;
    }
    if (best && *best <= cover_m) row.covered += w;
    if (best && (!row.nearest_m || *best < *row.nearest_m)) row.nearest_m = best;
    if (access) row.access_sum += w * (*access)[i];
  }
  // "Has / has none": places whose point lies inside the report area.
  const auto& areas = pr.layer->areas();
  for (auto& [k, row] : rows) {
    if (areas[k].wkb.empty()) continue;
    try {
      const PreparedGeometry g{Geometry::from_wkb(areas[k].wkb)};
      for (const auto& s : pr.supply) {
        if (g.contains_point(s.lon, s.lat)) ++row.places_inside;
      }
    } catch (const GeometryError&) {  // NOLINT(bugprone-empty-catch): counted as none
    }
  }
  return rows;
}

json area_json(const Area& a) {
  json j{{"id", a.id}, {"code", a.code}, {"name", a.name}, {"kind", code_id(a.kind)}};
  if (a.approximate) j["approximate"] = true;
  return j;
}

std::string coverage(const Snapshot& snap, Audience a, const AnalysisRequest& r, Progress* p) {
  const double max_m = threshold_m(r);
  const Prepared pr = prepare(snap, a, r, r.kinds, max_m, p);
  auto rows = per_area(pr, max_m, nullptr);
  json out = header(pr, r);
  double total = 0;
  double covered = 0;
  std::size_t has_none = 0;
  json list = json::array();
  for (const auto& [k, row] : rows) {
    total += row.target;
    covered += row.covered;
    if (row.places_inside == 0) ++has_none;
    json j = area_json(pr.layer->areas()[k]);
    j["target"] = row.target;
    j["covered"] = row.covered;
    j["uncovered"] = row.target - row.covered;
    j["share_covered"] = row.target > 0 ? json(row.covered / row.target) : json(nullptr);
    j["places_inside"] = row.places_inside;
    j["has_place"] = row.places_inside > 0;
    j["nearest_m"] = row.nearest_m ? json(std::round(*row.nearest_m)) : json(nullptr);
    list.push_back(std::move(j));
  }
  std::stable_sort(list.begin(), list.end(), [](const json& x, const json& y) {
    return x["uncovered"].get<double>() > y["uncovered"].get<double>();
  });
  out["totals"] = {{"target", total},
                   {"covered", covered},
                   {"uncovered", total - covered},
                   {"share_covered", total > 0 ? json(covered / total) : json(nullptr)},
                   {"areas", rows.size()},
                   {"areas_without_place", has_none}};
  out["areas"] = std::move(list);
  detail::step(p, 1.0, "done");
  return out.dump();
}

AccessOptions access_options(const AnalysisRequest& r, bool minutes_cost) {
  AccessOptions o;
  if (r.method == "2sfca") {
    o.method = AccessMethod::two_sfca;
  } else if (r.method == "e2sfca") {
    o.method = AccessMethod::e2sfca;
  } else if (r.method == "g2sfca") {
    o.method = AccessMethod::g2sfca;
    o.weight = Weight::gravity(minutes_cost ? 1.0 : r.speed_m_per_min, -1.0, 1.0);
  } else if (r.method == "3sfca") {
    o.method = AccessMethod::three_sfca;
  } else {
    throw InvalidArgument("method: one of 2sfca, e2sfca, g2sfca, 3sfca");
  }
  o.max_cost = r.threshold;
  return o;
}

/// Access per demand point, costs in the request's unit (minutes: metres / speed), per 1,000
/// of the target.
std::vector<double> access_of(const Prepared& pr, const AnalysisRequest& r) {
  CostMatrix m = pr.costs;
  if (r.minutes) {
    for (auto& c : m.cost) c /= r.speed_m_per_min;
  }
  std::vector<double> demand;
  demand.reserve(pr.demand.points.size());
  for (const auto& d : pr.demand.points) demand.push_back(d.weight);
  std::vector<double> supply;
  supply.reserve(pr.supply.size());
  for (const auto& s : pr.supply) supply.push_back(s.capacity);
  auto acc = accessibility(m, demand, supply, access_options(r, r.minutes));
  for (auto& v : acc) v *= 1000;
  return acc;
}

std::string access_or_rank(const Snapshot& snap, Audience a, const AnalysisRequest& r,
                           Progress* p) {
  // E2SFCA and 3SFCA weigh up to 30–60 minutes by default: search as far as the cut-off.
  const double max_m = threshold_m(r);
  const Prepared pr = prepare(snap, a, r, r.kinds, max_m, p);
  const auto acc = access_of(pr, r);
  auto rows = per_area(pr, max_m, &acc);
  json out = header(pr, r);
  out["method"] = r.method;
  out["access_unit"] =
      r.supply_from_capacity ? "定員 per 1,000 target people" : "places per 1,000 target people";
  json list = json::array();
  for (const auto& [k, row] : rows) {
    json j = area_json(pr.layer->areas()[k]);
    j["target"] = row.target;
    j["access"] = row.target > 0 ? row.access_sum / row.target : 0.0;
    j["covered"] = row.covered;
    j["uncovered"] = row.target - row.covered;
    j["places_inside"] = row.places_inside;
    j["has_place"] = row.places_inside > 0;
    j["nearest_m"] = row.nearest_m ? json(std::round(*row.nearest_m)) : json(nullptr);
    list.push_back(std::move(j));
  }
  if (r.analysis == "rank") {
    // Need and lack of access: most people left out first; then the least access; then the
    // farthest nearest place. Every number behind the rank is in the row.
    std::stable_sort(list.begin(), list.end(), [](const json& x, const json& y) {
      const double ux = x["uncovered"].get<double>();
      const double uy = y["uncovered"].get<double>();
      if (ux != uy) return ux > uy;
      const double ax = x["access"].get<double>();
      const double ay = y["access"].get<double>();
      if (ax != ay) return ax < ay;
      const double nx = x["nearest_m"].is_null() ? 1e18 : x["nearest_m"].get<double>();
      const double ny = y["nearest_m"].is_null() ? 1e18 : y["nearest_m"].get<double>();
      return nx > ny;
    });
    int rank = 0;
    for (auto& j : list) j["rank"] = ++rank;
    out["rank_rule"] = "対象人口のうち圏外の人数が多い順、同数なら利用しやすさ（" + r.method +
                       "）が低い順、さらに最寄りまでの距離が遠い順";
  }
  out["areas"] = std::move(list);
  detail::step(p, 1.0, "done");
  return out.dump();
}

/// Per report area: (target, covered by the open places within max_m).
std::map<std::size_t, std::pair<double, double>> per_area_reach(const Prepared& pr, double max_m,
                                                                const std::vector<char>& open) {
  std::map<std::size_t, std::pair<double, double>> rows;
  for (std::size_t i = 0; i < pr.demand.points.size(); ++i) {
    if (!pr.report_of[i]) continue;
    auto& row = rows[*pr.report_of[i]];
    const double w = pr.demand.points[i].weight;
    row.first += w;
    const auto dests = pr.costs.dests_of(i);
    const auto costs = pr.costs.costs_of(i);
    for (std::size_t e = 0; e < dests.size(); ++e) {
      if (open[dests[e]] != 0 && costs[e] <= max_m) {
        row.second += w;
        break;
      }
    }
  }
  return rows;
}

/// The report areas a chosen site reaches, each with the people it adds there (whom no existing
/// place reaches), most added first, then by name: what the page lists under the site.
json reached_areas(const Prepared& pr, const SiteGain& gain) {
  std::map<std::size_t, double> adds;
  for (const auto& [i, w] : gain.reached) {
    if (const auto k = pr.report_of[i]) adds[*k] += w;
  }
  std::vector<std::pair<std::size_t, double>> rows(adds.begin(), adds.end());
  const auto& areas = pr.layer->areas();
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : areas[x.first].name < areas[y.first].name;
  });
  json out = json::array();
  for (const auto& [k, w] : rows) {
    json item = area_json(areas[k]);
    item["adds"] = w;
    out.push_back(std::move(item));
  }
  return out;
}

std::string site(const Snapshot& snap, Audience a, const AnalysisRequest& r, Progress* p) {
  if (r.candidate_kinds.empty()) {
    throw InvalidArgument(
        "candidate_kinds: name the kinds of venue a new place could use, "
        "e.g. [\"kominkan\"]");
  }
  EnumSet<ResourceKind> both = r.kinds;
  r.candidate_kinds.for_each([&](ResourceKind k) { both.insert(k); });
  const double max_m = threshold_m(r);
  // p-median looks at every pair, not only those within the radius: search farther.
  const double search_m = r.model == "pmedian" ? max_m * 4 : max_m;
  Prepared pr = prepare(snap, a, r, both, search_m, p);
  std::vector<std::uint32_t> existing;
  std::vector<std::uint32_t> candidates;
  const auto& view = snap.view(a);
  for (std::uint32_t j = 0; j < pr.supply.size(); ++j) {
    const auto& place = view.resource(pr.supply[j].item);
    if (r.kinds.contains(place.kind)) {
      existing.push_back(j);
    } else if (!pr.town || place.lg_code == pr.town->lg_code) {  // a town sites in itself
      candidates.push_back(j);
    }
  }
  if (candidates.empty()) {
    throw InvalidArgument(pr.town ? "candidate_kinds: no venue of these kinds in " +
                                        pr.town->short_name + " (" + pr.town->lg_code + ")"
                                  : std::string("candidate_kinds: no venue of these kinds"));
  }
  if (r.k > candidates.size()) {
    throw InvalidArgument("k: " + std::to_string(r.k) + " new places but only " +
                          std::to_string(candidates.size()) + " candidate venues");
  }
  std::vector<double> weight;
  for (const auto& d : pr.demand.points) weight.push_back(d.weight);
  SitingProblem prob;
  prob.costs = &pr.costs;
  prob.demand_weight = weight;
  prob.k = r.k;
  prob.radius = max_m;
  prob.existing = existing;
  prob.candidates = candidates;
  SolveOptions so;
  so.force_greedy = r.greedy;
  so.time_limit_s = r.time_limit_s;
  const auto res = r.model == "pmedian" ? solve_pmedian(prob, so, p) : solve_mclp(prob, so, p);
  // Covered before: by the existing places alone.
  double before = 0;
  double total = 0;
  for (std::size_t i = 0; i < pr.demand.points.size(); ++i) {
    total += weight[i];
    const auto dests = pr.costs.dests_of(i);
    const auto costs = pr.costs.costs_of(i);
    for (std::size_t e = 0; e < dests.size(); ++e) {
      if (costs[e] <= max_m &&
          std::find(existing.begin(), existing.end(), dests[e]) != existing.end()) {
        before += weight[i];
        break;
      }
    }
  }
  json out = header(pr, r);
  out["model"] = r.model;
  out["k"] = r.k;
  out["candidate_kinds"] = kinds_json(r.candidate_kinds);
  out["solver"] = res.solver;
  out["optimal"] = res.optimal;
  out["objective"] = res.objective;
  out["bound"] = res.bound;
  out["gap"] = res.bound != 0 ? std::abs(res.bound - res.objective) / std::abs(res.bound) : 0.0;
  out["seconds"] = res.seconds;
  out["totals"] = {{"target", total},
                   {"covered_before", before},
                   {"covered_after", res.covered_weight},
                   {"newly_covered", res.covered_weight - before},
                   {"uncovered_after", total - res.covered_weight}};
  json chosen = json::array();
  const auto gains = site_gains(pr.costs, weight, max_m, existing, res.chosen);
  for (std::size_t c = 0; c < res.chosen.size(); ++c) {
    const auto& rs = view.resource(pr.supply[res.chosen[c]].item);
    json site = {
        {"id", rs.id},   {"name", rs.name},       {"kind", code_id(rs.kind)},   {"lon", rs.lon},
        {"lat", rs.lat}, {"adds", gains[c].adds}, {"only_it", gains[c].only_it}};
    site["reaches"] = reached_areas(pr, gains[c]);
    // A venue that already hosts a place of the kinds asked for (within 50 m of one).
    for (const auto e : existing) {
      const auto& host = view.resource(pr.supply[e].item);
      if (geodesic_distance_m(rs.lon, rs.lat, host.lon, host.lat) <= 50) {
        site["already_hosts"] = {{"id", host.id}, {"name", host.name}};
        break;
      }
    }
    chosen.push_back(std::move(site));
  }
  out["chosen"] = std::move(chosen);
  json uncovered = json::array();
  for (const auto i : res.uncovered_origins) {
    uncovered.push_back(pr.layer->areas()[pr.demand.points[i].area].id);
  }
  out["uncovered_demand_ids"] = std::move(uncovered);
  // Per area: who the existing places reach, and who the chosen ones add.
  std::vector<char> open(pr.supply.size(), 0);
  for (const auto j : existing) open[j] = 1;
  const auto before_rows = per_area_reach(pr, max_m, open);
  for (const auto j : res.chosen) open[j] = 1;
  const auto after_rows = per_area_reach(pr, max_m, open);
  json areas = json::array();
  for (const auto& [k, row] : after_rows) {
    json item = area_json(pr.layer->areas()[k]);
    const double b = before_rows.contains(k) ? before_rows.at(k).second : 0.0;
    item["target"] = row.first;
    item["covered_before"] = b;
    item["covered_after"] = row.second;
    item["newly_covered"] = row.second - b;
    item["uncovered"] = row.first - row.second;
    areas.push_back(std::move(item));
  }
  std::stable_sort(areas.begin(), areas.end(), [](const json& x, const json& y) {
    return x["newly_covered"].get<double>() > y["newly_covered"].get<double>();
  });
  out["areas"] = std::move(areas);
  detail::step(p, 1.0, "done");
  return out.dump();
}

std::string csv_value(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv::cell(v.get<std::string>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  std::ostringstream o;
  o.precision(10);
  o << v.get<double>();
  return csv::cell(o.str());
}

}  // namespace

std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> walking_pairs(
    const WalkGraph& g, std::span<const LonLat> d, std::span<const LonLat> s, double max_m,
    Progress* p, std::size_t& unsnapped) {
  std::vector<Triple> out;
  std::vector<std::optional<WalkGraph::Snap>> snaps(d.size());
  std::unordered_multimap<std::uint32_t, std::uint32_t> by_node;
  for (std::uint32_t i = 0; i < d.size(); ++i) {
    snaps[i] = g.snap(d[i].lon, d[i].lat);
    if (!snaps[i]) {
      ++unsnapped;
      continue;
    }
    by_node.emplace(snaps[i]->a, i);
    if (snaps[i]->b != snaps[i]->a) by_node.emplace(snaps[i]->b, i);
  }
  std::vector<std::uint32_t> seen(d.size(), UINT32_MAX);
  for (std::uint32_t j = 0; j < s.size(); ++j) {
    if (j % 16 == 0) detail::step(p, 0.1 + 0.5 * j / static_cast<double>(s.size()), "walking");
    const auto origin = g.snap(s[j].lon, s[j].lat);
    if (!origin) continue;
    const auto reach = g.reach(*origin, max_m, false);
    for (const auto n : reach.settled()) {
      const auto [lo, hi] = by_node.equal_range(n);
      for (auto it = lo; it != hi; ++it) {
        const auto i = it->second;
        if (seen[i] == j) continue;
        seen[i] = j;
        if (const auto m = reach.to(*snaps[i]); m && *m <= max_m) out.emplace_back(i, j, *m);
      }
    }
  }
  return out;
}

std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> walking_nearest(
    const WalkGraph& g, std::span<const LonLat> d, std::span<const LonLat> s, double max_m,
    Progress* p, std::size_t& unsnapped) {
  detail::step(p, 0.1, "walking");
  std::vector<WalkGraph::Snap> sources;
  std::vector<std::uint32_t> source_place;
  for (std::uint32_t j = 0; j < s.size(); ++j) {
    if (auto snap = g.snap(s[j].lon, s[j].lat)) {
      sources.push_back(*snap);
      source_place.push_back(j);
    }
  }
  const auto nearest = g.nearest(sources, max_m);
  detail::step(p, 0.4, "walking");
  std::vector<Triple> out;
  for (std::uint32_t i = 0; i < d.size(); ++i) {
    const auto snap = g.snap(d[i].lon, d[i].lat);
    if (!snap) {
      ++unsnapped;
      continue;
    }
    if (const auto hit = nearest.to(*snap)) {
      out.emplace_back(i, source_place[hit->second], hit->first);
    }
  }
  return out;
}

const JsonShape& analysis_request_shape() {
  static const JsonShape kShape{{"analysis", {}},
                                {"kinds", {}},
                                {"candidate_kinds", {}},
                                {"target", {}},
                                {"demand_area_type", {}},
                                {"area_type", {}},
                                {"max_walk_min", {}},
                                {"max_m", {}},
                                {"walking_profile", {}},
                                {"network", {}},
                                {"method", {}},
                                {"supply", {}},
                                {"k", {}},
                                {"model", {}},
                                {"greedy", {}},
                                {"time_limit_s", {}},
                                {"municipality", {}}};
  return kShape;
}

AnalysisRequest parse_analysis_request(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception&) {
    throw InvalidArgument("the request is not valid JSON");
  }
  if (!j.is_object()) throw InvalidArgument("the request must be a JSON object");
  AnalysisRequest r;
  for (const auto& [key, v] : j.items()) {
    if (key == "analysis") {
      if (!v.is_string()) throw InvalidArgument("analysis: coverage, access, rank or site");
      r.analysis = v.get<std::string>();
    } else if (key == "kinds") {
      r.kinds = parse_kinds(v, key);
    } else if (key == "candidate_kinds") {
      r.candidate_kinds = parse_kinds(v, key);
    } else if (key == "target") {
      if (!v.is_string() || v.get<std::string>().empty()) {
        throw InvalidArgument("target: the key of an area figure, e.g. aged_75");
      }
      r.target = v.get<std::string>();
    } else if (key == "demand_area_type") {
      r.demand_kind = parse_area_kind(v, key);
    } else if (key == "area_type") {
      r.report_kind = parse_area_kind(v, key);
    } else if (key == "max_walk_min") {
      r.threshold = positive(v, key);
      r.minutes = true;
      if (r.threshold > kMaxWalkMin) {
        throw InvalidArgument("max_walk_min: at most " + std::to_string(kMaxWalkMin) +
                              " minutes (as for matching), not " + v.dump());
      }
    } else if (key == "max_m") {
      r.threshold = positive(v, key);
      r.minutes = false;
      if (r.threshold > kMaxMetres) {
        throw InvalidArgument("max_m: at most " + std::to_string(kMaxMetres) + " metres, not " +
                              v.dump());
      }
    } else if (key == "walking_profile") {
      if (v == "standard") {
        r.speed_m_per_min = 80;
      } else if (v == "slow") {
        r.speed_m_per_min = 50;
      } else {
        throw InvalidArgument("walking_profile: standard (80 m/min) or slow (50 m/min)");
      }
    } else if (key == "network") {
      if (v != "auto" && v != "walking" && v != "straight_line") {
        throw InvalidArgument("network: auto, walking or straight_line");
      }
      r.network = v.get<std::string>();
    } else if (key == "method") {
      if (v != "2sfca" && v != "e2sfca" && v != "g2sfca" && v != "3sfca") {
        throw InvalidArgument("method: 2sfca, e2sfca, g2sfca or 3sfca");
      }
      r.method = v.get<std::string>();
    } else if (key == "supply") {
      if (v != "capacity" && v != "sites") throw InvalidArgument("supply: capacity or sites");
      r.supply_from_capacity = v == "capacity";
    } else if (key == "k") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1 || v.get<std::int64_t>() > 100) {
        throw InvalidArgument("k: a whole number of new places from 1 to 100");
      }
      r.k = v.get<std::size_t>();
    } else if (key == "model") {
      if (v != "mclp" && v != "pmedian") throw InvalidArgument("model: mclp or pmedian");
      r.model = v.get<std::string>();
    } else if (key == "greedy") {
      if (!v.is_boolean()) throw InvalidArgument("greedy: true or false");
      r.greedy = v.get<bool>();
    } else if (key == "time_limit_s") {
      r.time_limit_s = std::min(300.0, positive(v, key));
    } else if (key == "municipality") {
      if (!v.is_string()) {
        throw InvalidArgument("municipality: the 6-digit code of one town, e.g. \"023612\"");
      }
      check_municipality_code(v.get<std::string>());  // its message names the key and value
      r.municipality = v.get<std::string>();
    } else {
      throw InvalidArgument("unknown key '" + key + "'");
    }
  }
  if (r.analysis != "coverage" && r.analysis != "access" && r.analysis != "rank" &&
      r.analysis != "site") {
    throw InvalidArgument("analysis: coverage, access, rank or site");
  }
  if (r.kinds.empty()) {
    throw InvalidArgument("kinds: name the kinds of place that count, e.g. [\"kayoi_no_ba\"]");
  }
  return r;
}

std::string run_analysis(const Snapshot& snap, Audience a, const AnalysisRequest& r,
                         const std::vector<SourceInfo>& sources, Progress* progress) {
  detail::step(progress, 0.0, "start");
  std::string answer;
  if (r.analysis == "coverage") {
    answer = coverage(snap, a, r, progress);
  } else if (r.analysis == "access" || r.analysis == "rank") {
    answer = access_or_rank(snap, a, r, progress);
  } else if (r.analysis == "site") {
    answer = site(snap, a, r, progress);
  } else {
    throw InvalidArgument("analysis: coverage, access, rank or site");
  }
  // The sources of the figures used (the target and what it is derived from).
  json j = json::parse(answer);
  const auto& t = snap.area_layer()->indicators();
  std::vector<std::int64_t> ids;
  if (const auto c = t.column(r.target)) {
    ids.push_back(t.columns()[*c].source_id);
    for (const auto& in : t.columns()[*c].inputs) {
      if (const auto ic = t.column(in)) ids.push_back(t.columns()[*ic].source_id);
    }
  }
  // … and of the areas it answers by, and the municipalities it counted in (their boundaries).
  const auto& layer = *snap.area_layer();
  auto area_source = [&](const json& id) {
    if (!id.is_string()) return;
    if (const auto i = layer.area_index(id.get<std::string>())) {
      ids.push_back(layer.areas()[*i].source_id);
    }
  };
  for (const auto& row : j.value("areas", json::array())) area_source(row.value("id", json()));
  for (const auto& m : j.value("demand_by_municipality", json::array())) {
    area_source(m.value("id", json()));
  }
  // Each credit once.
  json list = json::array();
  std::set<std::pair<std::string, std::string>> credited;
  for (const auto& s : sources) {
    if (std::find(ids.begin(), ids.end(), s.id) == ids.end()) continue;
    if (!credited.insert({s.publisher, s.attribution.empty() ? s.title : s.attribution}).second) {
      continue;
    }
    list.push_back({{"title", s.title},
                    {"publisher", s.publisher},
                    {"license", s.license},
                    {"attribution", s.attribution},
                    {"vintage", s.vintage}});
  }
  list.push_back({{"title", "tsunagi 社会資源データ（場所・活動）"},
                  {"attribution", "各場所の出典は /api/sources を参照"}});
  j["sources"] = std::move(list);
  return j.dump();
}

std::string answer_csv(const std::string& answer_json, bool japanese_header) {
  const json j = json::parse(answer_json);
  std::vector<std::string> cols;
  for (const auto& row : j.value("areas", json::array())) {
    for (const auto& [k, v] : row.items()) {
      if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
    }
  }
  // Put the identifying columns first, as a reader of the table expects.
  const std::vector<std::string> first{"rank", "id", "code", "name", "kind"};
  std::vector<std::string> ordered;
  for (const auto& f : first) {
    if (std::find(cols.begin(), cols.end(), f) != cols.end()) ordered.push_back(f);
  }
  for (const auto& c : cols) {
    if (std::find(first.begin(), first.end(), c) == first.end()) ordered.push_back(c);
  }
  std::string out(csv::kBom);  // Excel opens UTF-8 correctly
  if (japanese_header) {
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      if (i) out += ',';
      csv::append_cell(out, column_ja(ordered[i]));
    }
    out += "\r\n";
  }
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (i) out += ',';
    csv::append_cell(out, ordered[i]);
  }
  out += "\r\n";
  for (const auto& row : j.value("areas", json::array())) {
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      if (i) out += ',';
      if (row.contains(ordered[i])) out += csv_value(row[ordered[i]]);
    }
    out += "\r\n";
  }
  out += "\r\n";
  for (const auto& src : j.value("sources", json::array())) {
    csv::append_row(out, {"出典", src.value("title", ""), src.value("attribution", "")});
  }
  return out;
}

std::string answer_geojson(const Snapshot& snap, Audience a, const std::string& answer_json,
                           bool uncovered_only) {
  const json j = json::parse(answer_json);
  const auto& layer = *snap.area_layer();
  const auto& features = layer.features(a);
  json fc{{"type", "FeatureCollection"}, {"features", json::array()}};
  for (const auto& row : j.value("areas", json::array())) {
    if (uncovered_only && row.value("uncovered", 0.0) <= 0) continue;
    const auto idx = layer.area_index(row.value("id", ""));
    json f{{"type", "Feature"}, {"id", row.value("id", "")}, {"geometry", nullptr}};
    if (idx) f["geometry"] = json::parse(features[*idx])["geometry"];
    f["properties"] = row;
    fc["features"].push_back(std::move(f));
  }
  for (const auto& key : {"analysis", "network", "threshold", "target", "kinds", "sources"}) {
    if (j.contains(key)) fc[key] = j[key];
  }
  return fc.dump();
}

}  // namespace tsunagi::geo::gap
