// GET /api/sources — the data credits: title, publisher, licence and attribution of each source
// whose data the caller's audience sees — resources, boundaries, areas, statistics (a source of
// internal lists or figures stays unnamed to the public), the address tables the geocoder reads
// and the walking network — with what each was used for; and `credits`, each credit text once,
// grouped by publisher. With `municipality=`, the credits of one town's map: the sources of its
// resources and areas (and of the statistics, the address tables and the network, as without).
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "geo/catalog/visibility.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

struct SourcesCache {
  std::mutex mu;
  const void* context = nullptr;
  std::int64_t generation = -1;
  std::map<std::pair<geo::Audience, std::string>, std::string> bodies;  ///< by audience and town
};

// What each source is used for, as this audience sees it: read from the published snapshot
// (the internal view keeps each resource's source; the audience's own view says whether it may
// know the resource; an area layer's columns say whether it may see a statistic), never by
// scanning the store again.
std::map<std::int64_t, std::set<std::string>> uses_of(const geo::Snapshot& snap,
                                                      const std::vector<geo::SourceInfo>& sources,
                                                      geo::Audience audience,
                                                      const std::string& lg_code) {
  std::map<std::int64_t, std::set<std::string>> uses;
  const auto other_town = [&](const std::string& code) {
    return !lg_code.empty() && code != lg_code;
  };
  const geo::AudienceView& view = snap.view(audience);
  for (const auto& item : snap.view(geo::Audience::internal).items()) {
    const geo::Resource& r = item->resource();
    if (r.source_id > 0 && r.status != geo::ResourceStatus::closed && !other_town(r.lg_code) &&
        view.index_of(r.id)) {
      uses[r.source_id].insert("resources");
    }
  }
  if (const auto& layer = snap.area_layer()) {
    for (const auto& a : layer->areas()) {
      if (a.source_id <= 0 || other_town(a.lg_code)) continue;
      const bool boundary =
          a.kind == geo::AreaKind::municipality || a.kind == geo::AreaKind::prefecture;
      uses[a.source_id].insert(boundary ? "boundaries" : "areas");
    }
    for (const auto& c : layer->indicators().columns()) {
      if (c.source_id > 0 && !c.derived && geo::column_visible(audience, c)) {
        uses[c.source_id].insert("statistics");
      }
    }
  }
  for (const auto& src : sources) {
    if (src.key.starts_with("addresses:")) uses[src.id].insert("geocoding");
    if (src.key == "network" && snap.network()) uses[src.id].insert("walking_network");
  }
  return uses;
}

std::string render_sources(const geo::Snapshot& snap, const std::vector<geo::SourceInfo>& sources,
                           geo::Audience audience, const std::string& lg_code) {
  const auto uses = uses_of(snap, sources, audience, lg_code);
  json list = json::array();
  // One credit per publisher and attribution text, with everything it was used for.
  struct Credit {
    std::string publisher, attribution, license, url;
    std::set<std::string> uses;
    std::vector<std::string> titles;
  };
  std::vector<Credit> credits;
  for (const auto& src : sources) {
    const auto u = uses.find(src.id);
    if (u == uses.end() || u->second.empty()) continue;
    json item = {{"title", src.title},
                 {"publisher", src.publisher},
                 {"url", src.url},
                 {"license", src.license},
                 {"attribution", src.attribution},
                 {"vintage", src.vintage},
                 {"use", *u->second.begin()},
                 {"uses", u->second}};
    // Staff see resources' source_id: let them find the source of one resource.
    if (audience != geo::Audience::public_) item["id"] = src.id;
    list.push_back(std::move(item));
    const std::string text = !src.attribution.empty() ? src.attribution : src.title;
    auto it = std::find_if(credits.begin(), credits.end(), [&](const Credit& c) {
      return c.publisher == src.publisher && c.attribution == text;
    });
    if (it == credits.end()) {
      credits.push_back({src.publisher, text, src.license, src.url, {}, {}});
      it = std::prev(credits.end());
    }
    it->uses.insert(u->second.begin(), u->second.end());
    it->titles.push_back(src.title);
  }
  std::stable_sort(credits.begin(), credits.end(),
                   [](const Credit& a, const Credit& b) { return a.publisher < b.publisher; });
  json grouped = json::array();
  for (const auto& c : credits) {
    grouped.push_back({{"publisher", c.publisher},
                       {"attribution", c.attribution},
                       {"license", c.license},
                       {"url", c.url},
                       {"uses", c.uses},
                       {"titles", c.titles}});
  }
  return json({{"sources", std::move(list)}, {"credits", std::move(grouped)}})
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

HttpResponse list_sources(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"municipality"});
  static SourcesCache cache;
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  std::string body;
  {
    const auto snapshot = c.snapshots().current();
    const auto town = parse_municipality(rc.query, *snapshot);
    const auto key = std::make_pair(audience, town ? town->lg_code : std::string());
    const std::int64_t generation = snapshot->generation();
    std::lock_guard lock(cache.mu);
    if (cache.context != &c || cache.generation != generation) {
      cache.bodies.clear();
      cache.context = &c;
      cache.generation = generation;
    }
    auto it = cache.bodies.find(key);
    if (it == cache.bodies.end()) {
      it = cache.bodies
               .emplace(key, render_sources(*snapshot,
                                            c.read([](const geo::Store& s) { return s.sources(); }),
                                            audience, key.second))
               .first;
    }
    body = it->second;
  }
  HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", "application/json");
  r.set_header("Vary", "Cookie, Authorization");
  r.body = std::move(body);
  return r;
}

}  // namespace tsunagi::server
