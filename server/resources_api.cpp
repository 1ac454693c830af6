// GET/POST/PUT of /api/resources and /health.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "geo/error.hpp"
#include "geo/json_input.hpp"
#include "geo/resource_json.hpp"
#include "server/errors.hpp"
#include "server/feature_cache.hpp"
#include "server/handlers.hpp"
#include "server/resource_params.hpp"
#include "server/roles.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

constexpr std::string_view kGeoJson = "application/geo+json";

// Built with += rather than "\"" + ... : GCC 12 at -O2 reports a false -Wrestrict on the latter.
std::string strong_etag(std::int64_t version) {
  std::string tag;
  tag += '"';
  tag += std::to_string(version);
  tag += '"';
  return tag;
}

// The tag a caller gets: strong for the staff view (the one editors send back in If-Match), weak
// for the public view, which is a different representation of the same version.
std::string etag_for(const geo::Resource& r, geo::View view) {
  if (view == geo::View::staff) return strong_etag(r.version);
  std::string tag = "W/\"";
  tag += std::to_string(r.version);
  tag += "-public\"";
  return tag;
}

// A resource the caller may not see is reported exactly like one that does not exist.
[[noreturn]] void not_found(std::string_view id) {
  throw ApiError(ErrorCode::not_found, "no resource with id '" + std::string(id.substr(0, 80)) +
                                           "' (or it is not visible to your role)");
}

bool visible(Role role, const geo::Resource& r) {
  if (!may_see(role, r)) return false;
  return !(role == Role::public_ && r.status == geo::ResourceStatus::closed);
}

// The version an If-Match names; nullopt for "*".
std::optional<std::int64_t> required_if_match(const HttpRequest& request) {
  const std::string* im = request.header("if-match");
  if (im == nullptr) {
    throw ApiError(ErrorCode::precondition_required,
                   "send If-Match with the ETag you got from GET /api/resources/{id} (e.g. "
                   "If-Match: \"3\"), so that you do not overwrite someone else's change");
  }
  const std::string_view v = *im;
  if (v == "*") return std::nullopt;
  if (v.substr(0, 2) == "W/") {
    throw ApiError(ErrorCode::precondition_failed,
                   "a weak ETag (W/...) cannot be used with If-Match; GET the resource signed in "
                   "with an editing role to get its strong ETag");
  }
  if (v.size() >= 3 && v.front() == '"' && v.back() == '"') {
    const std::string_view digits = v.substr(1, v.size() - 2);
    std::int64_t n = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && ptr == digits.data() + digits.size() && n > 0) return n;
  }
  throw ApiError(ErrorCode::precondition_failed,
                 "If-Match must be the ETag from GET /api/resources/{id}, a quoted version "
                 "number such as \"3\"");
}

json feature_of(const geo::Resource& r, geo::View view) {
  return geo::to_geojson_feature(r, view);
}

HttpResponse feature_response(int status, const geo::Resource& r, geo::View view) {
  HttpResponse resp = json_response(status, feature_of(r, view), kGeoJson);
  resp.set_header("ETag", etag_for(r, view));
  resp.set_header("Vary", "Cookie, Authorization");
  return resp;
}

std::string query_without(const QueryParams& q, std::string_view drop) {
  std::string out;
  for (const auto& [k, v] : q.items()) {
    if (k == drop) continue;
    out += out.empty() ? "" : "&";
    out += percent_encode(k) + "=" + percent_encode(v);
  }
  return out;
}

void check_publish_allowed(Role role, const geo::Resource& r) {
  if (!visibility_for(role).levels.contains(r.publish)) {
    throw ApiError(ErrorCode::forbidden,
                   "the role '" + std::string(geo::role_id(role)) +
                       "' may not create or keep a resource at publish level '" +
                       std::string(geo::code_id(r.publish)) + "'");
  }
}

}  // namespace

HttpResponse json_response(int status, const json& body, std::string_view content_type) {
  HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", std::string(content_type));
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

json parse_json_body(const HttpRequest& request) {
  const std::string* ct = request.header("content-type");
  const auto type = ct ? parse_media_type(*ct) : std::nullopt;
  if (!type ||
      (type->essence() != "application/json" && type->essence() != "application/geo+json")) {
    throw ApiError(ErrorCode::unsupported_media_type,
                   "send the body as JSON with 'Content-Type: application/json'");
  }
  if (const auto charset = type->parameter("charset"); charset && *charset != "utf-8") {
    throw ApiError(ErrorCode::unsupported_media_type,
                   "send the body as UTF-8 JSON (charset=utf-8, or no charset)");
  }
  json j;
  try {
    j = geo::parse_untrusted_json(request.body, "the body");
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  if (!j.is_object()) throw ApiError(ErrorCode::invalid_body, "the body must be a JSON object");
  return j;
}

HttpResponse health(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto snapshot = c.snapshots().current();
  json body = {{"status", "ok"},
               {"generation", snapshot ? snapshot->generation() : 0},
               {"resources", c.open_resource_count(visibility_for(rc.principal.role).levels)}};
  HttpResponse r = json_response(200, body);
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse list_resources(ServerContext& c, RequestContext& rc) {
  const geo::ResourceQuery q = parse_resource_query(rc.query, c.config(), rc.principal.role);
  // The catalog and the feature cache are published one after the other by a write: take a pair
  // that belongs to the same snapshot.
  auto catalog = c.catalog();
  auto features = c.features();
  for (int i = 0; i < 100 && catalog->snapshot_ptr() != features->snapshot_ptr(); ++i) {
    catalog = c.catalog();
    features = c.features();
  }
  if (catalog->snapshot_ptr() != features->snapshot_ptr()) {
    features = std::make_shared<const FeatureCache>(catalog->snapshot_ptr());
  }
  geo::ResourcePage page;
  try {
    page = catalog->query(q);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, std::string("q: ") + e.what());
  }
  const geo::View view = visibility_for(rc.principal.role).view;

  const std::string base = rc.base_url + "/api/resources";
  const std::string self_query = query_without(rc.query, "");
  json links = json::array();
  links.push_back({{"rel", "self"},
                   {"type", kGeoJson},
                   {"href", base + (self_query.empty() ? "" : "?" + self_query)}});
  if (q.offset + page.hits.size() < page.number_matched && q.limit > 0) {
    std::string next = query_without(rc.query, "offset");
    next += next.empty() ? "" : "&";
    next += "offset=" + std::to_string(q.offset + page.hits.size());
    links.push_back({{"rel", "next"}, {"type", kGeoJson}, {"href", base + "?" + next}});
  }
  // Concatenate cached feature texts rather than building one big JSON tree.
  std::string body = R"({"type":"FeatureCollection","numberMatched":)" +
                     std::to_string(page.number_matched) +
                     ",\"numberReturned\":" + std::to_string(page.hits.size()) +
                     ",\"generation\":" + std::to_string(catalog->snapshot().generation()) +
                     ",\"links\":" + links.dump(-1, ' ', false, json::error_handler_t::replace) +
                     ",\"features\":[";
  std::size_t estimate = body.size() + 2;
  for (const auto& hit : page.hits) {
    estimate += features->feature(features->index_of(*hit.resource), view).size() + 32;
  }
  body.reserve(estimate);
  bool first = true;
  for (const auto& hit : page.hits) {
    if (!first) body += ',';
    first = false;
    const std::string& f = features->feature(features->index_of(*hit.resource), view);
    if (!hit.distance_m) {
      body += f;
      continue;
    }
    // Keys are sorted, so the first "properties":{ is the feature's own (geometry and id, which
    // come before it, cannot contain it).
    constexpr std::string_view kProps = R"("properties":{)";
    const auto at = f.find(kProps);
    if (at == std::string::npos) {
      body += f;
      continue;
    }
    char dist[48];
    std::snprintf(dist, sizeof dist, R"("distance_m":%.1f,)", *hit.distance_m);
    body.append(f, 0, at + kProps.size());
    body += dist;
    body.append(f, at + kProps.size());
  }
  body += "]}";
  HttpResponse r;
  r.status = 200;
  r.set_header("Content-Type", std::string(kGeoJson));
  r.set_header("Vary", "Cookie, Authorization");
  r.body = std::move(body);
  return r;
}

HttpResponse get_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto snapshot = c.snapshots().current();
  const geo::Resource* r = snapshot->find(rc.params.at(0));
  if (r == nullptr || !visible(rc.principal.role, *r)) not_found(rc.params.at(0));
  const geo::View view = visibility_for(rc.principal.role).view;
  if (const std::string* inm = rc.http.header("if-none-match")) {
    if (*inm == etag_for(*r, view) || *inm == "*") {
      HttpResponse nm;
      nm.status = 304;
      nm.set_header("ETag", etag_for(*r, view));
      nm.set_header("Vary", "Cookie, Authorization");
      return nm;
    }
  }
  return feature_response(200, *r, view);
}

HttpResponse create_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  geo::Resource r = geo::resource_from_json(parse_json_body(rc.http));
  check_publish_allowed(rc.principal.role, r);
  r.id.clear();
  r.source_id = 0;
  r.source_key.clear();
  c.write([&](geo::Store& s) { s.create(r, rc.principal.name); });
  HttpResponse resp = feature_response(201, r, geo::View::staff);
  resp.set_header("Location", "/api/resources/" + percent_encode(r.id));
  return resp;
}

HttpResponse update_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto expected = required_if_match(rc.http);
  geo::Resource r = geo::resource_from_json(parse_json_body(rc.http));
  const std::string& id = rc.params.at(0);
  if (!r.id.empty() && r.id != id) {
    throw ApiError(ErrorCode::invalid_body,
                   "the body's id '" + r.id.substr(0, 80) + "' differs from the id in the URL");
  }
  check_publish_allowed(rc.principal.role, r);
  c.write([&](geo::Store& s) {
    const auto current = s.resource(id);
    if (!current || !visible(rc.principal.role, *current)) not_found(id);
    // Provenance is not editable through the API: a later re-import must still find the row.
    r.id = id;
    r.source_id = current->source_id;
    r.source_key = current->source_key;
    r.created_at = current->created_at;
    s.update(r, expected.value_or(current->version), rc.principal.name);
  });
  return feature_response(200, r, geo::View::staff);
}

HttpResponse close_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto expected = required_if_match(rc.http);
  const std::string& id = rc.params.at(0);
  const geo::Resource closed = c.write([&](geo::Store& s) {
    const auto current = s.resource(id);
    if (!current || !visible(rc.principal.role, *current)) not_found(id);
    return s.close(id, expected.value_or(current->version), rc.principal.name);
  });
  return feature_response(200, closed, geo::View::staff);
}

HttpResponse resource_history(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string& id = rc.params.at(0);
  const auto entries = c.read([&](const geo::Store& s) {
    const auto current = s.resource(id);
    if (!current || !visible(rc.principal.role, *current)) not_found(id);
    return s.history(id);
  });
  json list = json::array();
  for (const auto& e : entries) {
    json changes = json::parse(e.changes_json, nullptr, false);
    if (changes.is_discarded()) changes = json::object();
    list.push_back({{"version", e.version},
                    {"at", e.at},
                    {"actor", e.actor},
                    {"action", e.action},
                    {"changes", std::move(changes)}});
  }
  return json_response(200, {{"resource_id", id}, {"entries", std::move(list)}});
}

}  // namespace tsunagi::server
