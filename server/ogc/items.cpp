// The OGC API's requests: which endpoint, which collection, then a document or a page of features
// from the caller's audience view of the snapshot; and the routes of the module.
#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "server/context.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/ogc/tables.hpp"

namespace tsunagi::server::ogc {

namespace {

std::optional<geo::ResourceKind> kind_of(std::string_view id) {
  for (const auto& c : geo::CodeTable<geo::ResourceKind>::entries) {
    if (c.id == id) return c.value;
  }
  return std::nullopt;
}

/// Names of the query parameters an endpoint accepts for this caller and collection.
std::vector<std::string_view> allowed_params(const Endpoint& e, bool areas, geo::Audience v) {
  std::vector<std::string_view> names;
  for (const auto p : e.params) {
    if (param_spec(p).in == "query") names.push_back(p);
  }
  if (e.op == Op::items) {
    if (areas) {
      for (const auto& q : area_queryables()) names.push_back(q.name);
    } else {
      for (const auto& q : resource_queryables()) {
        if (!q.staff_only || is_staff(v)) names.push_back(q.name);
      }
    }
  }
  return names;
}

HttpResponse items_response(const json& header, const std::vector<std::string_view>& features) {
  // Features are pre-serialized: splice them into the collection rather than re-parsing.
  std::string body = dump(header);
  std::size_t extra = 16;
  for (const auto f : features) extra += f.size() + 1;
  body.reserve(body.size() + extra);
  body.pop_back();  // the closing brace
  body += R"(,"features":[)";
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (i != 0) body += ',';
    body += features[i];
  }
  body += "]}";
  HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", std::string(kGeoJson));
  r.set_header("Content-Crs", std::string(kContentCrs));
  r.body = std::move(body);
  return r;
}

}  // namespace

Api::Api(Limits limits) : limits_(limits) {}

std::vector<std::string_view> Api::path_templates() {
  std::vector<std::string_view> out;
  for (const auto& e : endpoints()) out.push_back(e.path);
  return out;
}

bool listed(const geo::Resource& r, geo::Audience a, bool closed_requested) {
  if (!geo::visible(a, r)) return false;
  if (r.status != geo::ResourceStatus::closed) return true;
  return closed_requested;
}

HttpResponse Api::handle(const std::shared_ptr<const geo::Snapshot>& snapshot,
                         const Request& request) const {
  std::string collection_id;
  std::string feature_id;
  const Endpoint* endpoint = match(request.path, collection_id, feature_id);
  if (endpoint == nullptr) {
    std::string path(kMount);
    for (const auto& s : request.path) path += "/" + s;
    throw ApiError(ErrorCode::not_found,
                   "no such OGC API path: " + path + "; start at " + std::string(kMount));
  }
  const geo::Audience v = request.audience;
  const geo::Snapshot& snap = *snapshot;
  const geo::AudienceView& view = snap.view(v);
  const Context ctx{snap, view, request, limits_};

  // Which collection, before the parameters: a 404 says more than a complaint about a filter.
  std::optional<geo::ResourceKind> kind;
  const bool areas = collection_id == kAreasCollection && !snap.areas().empty();
  if (endpoint->op == Op::collection || endpoint->op == Op::items || endpoint->op == Op::item) {
    kind = kind_of(collection_id);
    if (!kind && !areas) {
      throw ApiError(ErrorCode::not_found, "no collection '" + collection_id + "'; GET " +
                                               std::string(kMount) +
                                               "/collections lists the collections");
    }
  }
  request.query.require_known(allowed_params(*endpoint, areas, v));
  if (const auto* f = request.query.get("f"); f != nullptr && *f != "json") {
    invalid("f must be json (the only format offered; got \"" + *f + "\")");
  }
  if (const auto* crs = request.query.get("crs")) require_crs84("crs", *crs);

  switch (endpoint->op) {
    case Op::landing:
      return json_response(200, landing_page(request.base_url), kJson);
    case Op::conformance:
      return json_response(200, conformance(), kJson);
    case Op::api:
      return json_response(200, openapi(ctx), kOpenApi);
    case Op::collections:
      return json_response(200, collections_json(ctx), kJson);
    case Op::collection: {
      if (areas) {
        return json_response(
            200,
            areas_collection_json(request.base_url,
                                  areas_extent(snap, snap.area_layer()->envelopes()),
                                  snap.areas().size()),
            kJson);
      }
      const auto& summary = view.summary(*kind);
      json c = resource_collection_json(request.base_url, *kind, extent_of(summary.extent),
                                        summary.count);
      c["links"].push_back(
          link(ogc_url(request.base_url, "/collections"), "parent", kJson, "all collections"));
      return json_response(200, c, kJson);
    }
    case Op::item: {
      const std::string item_url =
          collection_url(request.base_url, collection_id) + "/items/" + percent_encode(feature_id);
      const json links = json::array({link(item_url, "self", kGeoJson, "this feature"),
                                      link(collection_url(request.base_url, collection_id),
                                           "collection", kJson, "the collection")});
      const std::string absent =
          "no feature '" + feature_id + "' in collection '" + collection_id + "'";
      if (areas) {
        const auto& all = snap.areas();
        const auto it = std::find_if(all.begin(), all.end(),
                                     [&](const geo::Area& a) { return a.id == feature_id; });
        if (it == all.end()) throw ApiError(ErrorCode::not_found, absent);
        json f = json::parse(snap.area_layer()->features(
            request.audience)[static_cast<std::size_t>(it - all.begin())]);
        f["links"] = links;
        return json_response(200, f, kGeoJson);
      }
      const geo::ServedResource* item = view.find(feature_id);
      // Same answer for "absent" and "not yours to see": existence is not revealed.
      if (item == nullptr || item->resource().kind != *kind || !listed(item->resource(), v, true)) {
        throw ApiError(ErrorCode::not_found, absent);
      }
      json f = json::parse(item->feature().str());
      f["links"] = links;
      return json_response(200, f, kGeoJson);
    }
    case Op::items:
      break;
  }

  // ---- items ----
  // One town (municipality=): a filter on the lg_code of what the audience's view holds.
  const auto town = parse_municipality(request.query, snap);
  std::optional<BBoxFilter> bbox;
  if (const auto* b = request.query.get("bbox")) bbox = parse_bbox(*b);
  if (const auto* bc = request.query.get("bbox-crs")) require_crs84("bbox-crs", *bc);
  if (const auto* dt = request.query.get("datetime")) validate_datetime(*dt);
  const std::size_t limit = parse_limit(request.query.get("limit"), limits_);
  const std::size_t offset = parse_offset(request.query.get("offset"));

  std::size_t matched = 0;
  // The page's texts: area features live with the snapshot; resource features come from the
  // bounded feature cache and are held here until the body is written.
  std::vector<std::string_view> page;
  std::vector<geo::FeatureText> held;
  page.reserve(std::min(limit, std::size_t{1024}));
  // Counts every match; only the page's own features are looked up (and serialized if new).
  const auto take = [&](auto&& feature) {
    if (matched >= offset && page.size() < limit) page.push_back(feature());
    ++matched;
  };

  if (areas) {
    AreaFilter filter;
    for (const auto& q : area_queryables()) {
      if (const auto* value = request.query.get(q.name)) q.apply(filter, *value);
    }
    const bool other_lg_code = town && filter.lg_code && *filter.lg_code != town->lg_code;
    if (town) filter.lg_code = town->lg_code;
    if (other_lg_code) filter.lg_code = std::string("-");  // both given and different: none
    const auto& area_envelopes = snap.area_layer()->envelopes();
    const auto& area_features = snap.area_layer()->features(request.audience);
    const auto& all = snap.areas();
    std::vector<geo::Geometry>
        box_shapes;  // made on first need: most areas are decided by envelope
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& a = all[i];
      if (!filter.matches(a)) continue;
      if (bbox) {
        const auto& env = area_envelopes[i];
        if (!env) {
          if ((a.label_lon == 0 && a.label_lat == 0) || !bbox->contains(a.label_lon, a.label_lat)) {
            continue;
          }
        } else if (!bbox->intersects(*env)) {
          continue;
        } else if (!std::any_of(bbox->boxes.begin(), bbox->boxes.end(), [&](const geo::BBox& b) {
                     return b.min_lon <= env->min_lon && b.min_lat <= env->min_lat &&
                            b.max_lon >= env->max_lon && b.max_lat >= env->max_lat;
                   })) {
          // The envelope overlaps without being inside: the boundary itself must touch a box.
          if (box_shapes.empty()) {
            for (const auto& b : bbox->boxes) {
              const auto x0 = number_text(b.min_lon), y0 = number_text(b.min_lat);
              const auto x1 = number_text(b.max_lon), y1 = number_text(b.max_lat);
              box_shapes.push_back(geo::Geometry::from_wkt(
                  "POLYGON((" + x0 + " " + y0 + "," + x1 + " " + y0 + "," + x1 + " " + y1 + "," +
                  x0 + " " + y1 + "," + x0 + " " + y0 + "))"));
            }
          }
          bool hit = false;
          try {
            const auto shape = geo::Geometry::from_wkb(a.wkb);
            for (const auto& b : box_shapes) hit = hit || shape.intersects(b);
          } catch (const geo::GeometryError&) {
            hit = true;  // unreadable boundary: the envelope test already passed
          }
          if (!hit) continue;
        }
      }
      take([&]() -> std::string_view { return area_features[i]; });
    }
  } else {
    ResourceFilter filter;
    for (const auto& q : resource_queryables()) {
      if (q.staff_only && !is_staff(v)) continue;
      if (const auto* value = request.query.get(q.name)) q.apply(filter, *value);
    }
    const bool other_lg_code = town && filter.lg_code && *filter.lg_code != town->lg_code;
    if (town) filter.lg_code = town->lg_code;
    if (other_lg_code) filter.lg_code = std::string("-");  // both given and different: none
    const bool closed_requested = filter.status == geo::ResourceStatus::closed;
    // The view holds only what this audience may know, at the positions it may know: filters
    // and the bbox see nothing else.
    const auto accept = [&](std::uint32_t i) {
      const auto& r = view.resource(i);
      if (r.kind != *kind || !listed(r, v, closed_requested) || !filter.matches(r)) return false;
      return !bbox || bbox->contains(r.lon, r.lat);
    };
    const auto feature = [&](std::uint32_t i) -> std::string_view {
      held.push_back(view.item(i).feature());
      return held.back().str();  // the text is the shared string's, not the handle's
    };
    if (bbox) {
      std::vector<std::uint32_t> candidates;
      for (const auto& b : bbox->boxes) {
        const auto hits = view.within(b);
        candidates.insert(candidates.end(), hits.begin(), hits.end());
      }
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
      for (const auto i : candidates) {
        if (accept(i)) take([&]() -> std::string_view { return feature(i); });
      }
    } else {
      for (const auto i : view.of_kind(*kind)) {
        if (accept(i)) take([&]() -> std::string_view { return feature(i); });
      }
    }
  }

  const std::string coll_url = collection_url(request.base_url, collection_id);
  json header{{"type", "FeatureCollection"},
              {"numberMatched", matched},
              {"numberReturned", page.size()},
              {"timeStamp", geo::utc_now_iso()},
              {"links", items_links(coll_url + "/items", coll_url, request.query, limit, offset,
                                    matched, page.size())}};
  return items_response(header, page);
}

}  // namespace tsunagi::server::ogc

namespace tsunagi::server {

std::vector<Route> ogc_api_routes(ServerContext& context) {
  ogc::Limits limits;
  limits.max_limit = static_cast<std::size_t>(std::max(1, context.config().max_page_size));
  limits.default_limit = std::min(limits.default_limit, limits.max_limit);
  // One Api shared by every route of the module; what it serves hangs off the snapshot.
  auto api = std::make_shared<const ogc::Api>(limits);
  std::vector<Route> routes;
  for (const auto path : ogc::Api::path_templates()) {
    Route r;
    r.method = Method::get;
    r.pattern = std::string(ogc::kMount) + (path == "/" ? std::string() : std::string(path));
    r.roles = kEveryone;
    r.runs = Runs::reactor;  // reads of the snapshot; a page is a concatenation of cached features
    r.handler = [api, &context](RequestContext& rc) {
      ogc::Request request{{rc.path.begin() + 1, rc.path.end()},  // after "ogc"
                           rc.query,
                           rc.base_url,
                           geo::audience_for(rc.principal.role)};
      return api->handle(context.snapshots().current(), request);
    };
    routes.push_back(std::move(r));
  }
  return routes;
}

}  // namespace tsunagi::server
