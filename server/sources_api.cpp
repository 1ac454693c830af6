// GET /api/sources — the data credits: title, publisher, licence and attribution of each source
// the caller's audience sees at least one resource of (a source of internal lists stays unnamed
// to the public), plus the address tables the geocoder reads.
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "geo/visibility.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

struct SourcesCache {
  std::mutex mu;
  const void* context = nullptr;
  std::int64_t generation = -1;
  std::map<geo::Audience, std::string> bodies;
};

// Which sources the audience sees a resource of: read from the published snapshot (the internal
// view keeps each resource's source; the audience's own view says whether it may know the
// resource), never by scanning the store again.
std::string render_sources(const geo::Snapshot& snap, const std::vector<geo::SourceInfo>& sources,
                           geo::Audience audience) {
  const geo::AudienceView& view = snap.view(audience);
  std::set<std::int64_t> seen;
  for (const auto& item : snap.view(geo::Audience::internal).items()) {
    const geo::Resource& r = item->resource();
    if (r.source_id > 0 && r.status != geo::ResourceStatus::closed && view.index_of(r.id)) {
      seen.insert(r.source_id);
    }
  }
  json list = json::array();
  for (const auto& src : sources) {
    const bool addresses = src.key.starts_with("addresses:");
    if (!addresses && !seen.contains(src.id)) continue;
    json item = {{"title", src.title},
                 {"publisher", src.publisher},
                 {"url", src.url},
                 {"license", src.license},
                 {"attribution", src.attribution},
                 {"vintage", src.vintage},
                 {"use", addresses ? "geocoding" : "resources"}};
    // Staff see resources' source_id: let them find the source of one resource.
    if (audience != geo::Audience::public_) item["id"] = src.id;
    list.push_back(std::move(item));
  }
  return json({{"sources", std::move(list)}}).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

HttpResponse list_sources(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  static SourcesCache cache;
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  std::string body;
  {
    const auto snapshot = c.snapshots().current();
    const std::int64_t generation = snapshot->generation();
    std::lock_guard lock(cache.mu);
    if (cache.context != &c || cache.generation != generation) {
      cache.bodies.clear();
      cache.context = &c;
      cache.generation = generation;
    }
    auto it = cache.bodies.find(audience);
    if (it == cache.bodies.end()) {
      it = cache.bodies
               .emplace(audience, render_sources(*snapshot, c.read([](const geo::Store& s) {
                          return s.sources();
                        }),
                                                 audience))
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
