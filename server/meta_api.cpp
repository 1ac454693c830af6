// GET /api/meta — what the pages need to know before they draw anything, so that none keeps its
// own copy: the code lists (resource kinds, activities, targets, weekdays, the parts of the day
// that `open=` filters by, publish levels, statuses, area kinds and small-area levels) with their
// Japanese labels, the loaded municipalities with their extents (the map's first view), and the
// offline basemap's style when the server has one.
#include "geo/catalog/municipality_scope.hpp"
#include "geo/catalog/resource_query.hpp"
#include "geo/core/area.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

template <typename E>
json code_list() {
  json out = json::array();
  for (const auto& c : geo::CodeTable<E>::entries) out.push_back({{"id", c.id}, {"ja", c.ja}});
  return out;
}

std::string hhmm(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

json box(const geo::BBox& b) {
  return json::array({b.min_lon, b.min_lat, b.max_lon, b.max_lat});
}

/// The offline basemap, when the server has one: its style, and whether the map uses it first
/// (`primary`) or only when the page's configured basemap fails (`fallback`).
/// Without an extract, the walking network's streets (`kind` network) are only the fallback:
/// the configured raster basemap, when it can be reached, shows far more.
json basemap_meta(ServerContext& c, const RequestContext& rc) {
  const std::string style = rc.base_url + "/tiles/basemap/style.json";
  if (c.basemap() == nullptr) {
    if (c.config().basemap == "off" || !c.snapshots().current()->network()) return nullptr;
    return {{"style", style}, {"use", "fallback"}, {"kind", "network"}};
  }
  return {{"style", style},
          {"use", c.config().basemap == "remote" ? "fallback" : "primary"},
          {"kind", "extract"}};
}

}  // namespace

HttpResponse meta(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  json parts = json::array();
  for (const auto& p : geo::day_parts()) {
    parts.push_back({{"id", p.en}, {"ja", p.ja}, {"from", hhmm(p.from)}, {"to", hhmm(p.to)}});
  }
  json levels = json::array();
  for (const auto l :
       {geo::SmallAreaLevel::oaza, geo::SmallAreaLevel::chome, geo::SmallAreaLevel::aza}) {
    levels.push_back({{"id", geo::small_area_level_id(l)}, {"ja", geo::small_area_level_ja(l)}});
  }
  const auto snapshot = c.snapshots().current();
  json towns = json::array();
  std::optional<geo::BBox> extent;
  if (const auto& layer = snapshot->area_layer()) {
    const auto& env = layer->envelopes();
    for (std::size_t i = 0; i < layer->areas().size(); ++i) {
      const auto& a = layer->areas()[i];
      if (a.kind != geo::AreaKind::municipality) continue;
      json t{{"id", a.id},
             {"code", a.lg_code},
             {"name", a.name},
             {"short_name", geo::municipality_short_name(a.name)}};
      if (i < env.size() && env[i]) {
        t["bbox"] = box(*env[i]);
        if (!extent) extent = *env[i];
        extent->grow(env[i]->min_lon, env[i]->min_lat);
        extent->grow(env[i]->max_lon, env[i]->max_lat);
      }
      towns.push_back(std::move(t));
    }
    if (!extent) extent = layer->extent();
  }
  if (!extent) extent = snapshot->view(geo::audience_for(rc.principal.role)).extent();
  const json body{{"codes",
                   {{"kinds", code_list<geo::ResourceKind>()},
                    {"activities", code_list<geo::Activity>()},
                    {"targets", code_list<geo::TargetGroup>()},
                    {"days", code_list<geo::Weekday>()},
                    {"day_parts", std::move(parts)},
                    {"publish", code_list<geo::PublishLevel>()},
                    {"statuses", code_list<geo::ResourceStatus>()},
                    {"area_kinds", code_list<geo::AreaKind>()},
                    {"small_area_levels", std::move(levels)}}},
                  {"municipalities", std::move(towns)},
                  {"basemap", basemap_meta(c, rc)},
                  {"extent", extent ? box(*extent) : json(nullptr)}};
  HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", "application/json");
  r.set_header("Cache-Control", "no-cache");
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

}  // namespace tsunagi::server
