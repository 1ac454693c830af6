// GET/POST/PUT of /api/resources and /health.
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "geo/catalog/editing.hpp"
#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/error.hpp"
#include "geo/core/json_input.hpp"
#include "geo/core/resource_json.hpp"
#include "server/async_log.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/resource_params.hpp"
#include "server/roles.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

constexpr std::string_view kGeoJson = "application/geo+json";

// A resource the caller may not see is reported exactly like one that does not exist.
[[noreturn]] void not_found(std::string_view id) {
  throw ApiError(ErrorCode::not_found, "no resource with id '" + std::string(id.substr(0, 80)) +
                                           "' (or it is not visible to your role)");
}

}  // namespace

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

namespace {

HttpResponse feature_response(int status, const geo::ServedResource& item) {
  HttpResponse resp;
  resp.status = status;
  resp.set_header("Content-Type", std::string(kGeoJson));
  resp.body = item.feature().str();
  resp.set_header("ETag", item.etag());
  resp.set_header("Vary", "Cookie, Authorization");
  return resp;
}

/// The answer to a write: the resource as the writer's audience sees it in the state the write
/// just published.
HttpResponse written_response(ServerContext& c, int status, const geo::Resource& r, Role role) {
  const auto snapshot = c.snapshots().current();
  const geo::ServedResource* item = snapshot->view(geo::audience_for(role)).find(r.id);
  if (item == nullptr) not_found(r.id);
  return feature_response(status, *item);
}

/// ,"generation":N for staff; nothing for the public, for whom it would count hidden edits.
std::string generation_member(const geo::Snapshot& s, geo::Audience a) {
  if (a == geo::Audience::public_) return {};
  return ",\"generation\":" + std::to_string(s.generation());
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

}  // namespace

HttpResponse json_response(int status, const json& body, std::string_view content_type) {
  HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", std::string(content_type));
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

json parse_json_body(const HttpRequest& request, const geo::JsonShape& shape) {
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
  try {
    shape.check(j);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  return j;
}

HttpResponse health(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto snapshot = c.snapshots().current();
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  json body = {{"status", "ok"},
               {"resources", snapshot ? snapshot->view(audience).open_count() : 0}};
  // The store's generation counts every write, hidden ones included: staff only.
  if (audience != geo::Audience::public_)
    body["generation"] = snapshot ? snapshot->generation() : 0;
  // For the operator's monitoring: the write-ahead log must stay beside the store (writes are
  // refused without it), and the access log drops lines rather than stall the server.
  const bool wal = c.store_healthy(std::chrono::seconds(1));
  body["store_wal"] = wal ? "ok" : "missing";
  // The store's state, and for PostgreSQL the replication its server reports (a standby's replay
  // lag, or a primary's standbys and their largest lag), looked at every few seconds.
  json store = {{"backend", geo::Store::backend_of(c.config().db)},
                {"state", wal ? "ok" : "unwritable"}};
  if (const auto rep = c.replication()) {
    store["replication"] = rep->standby
                               ? json{{"role", "standby"}, {"replay_lag_s", rep->replay_lag_s}}
                               : json{{"role", "primary"},
                                      {"standbys", rep->standbys},
                                      {"max_standby_lag_s", rep->max_standby_lag_s}};
  }
  body["store"] = std::move(store);
  body["log_lines_dropped"] = log_lines_dropped();
  // The tile cache holds staff tiles too: its size and counters move with what staff look at
  // (and with how big their tiles of hidden resources are). Staff only, like the generation.
  if (audience != geo::Audience::public_) {
    const auto tiles = c.tiles().stats();
    body["tile_cache"] = {{"entries", tiles.entries},
                          {"bytes", tiles.bytes},
                          {"capacity_bytes", tiles.capacity},
                          {"hits", tiles.hits},
                          {"misses", tiles.misses}};
  }
  if (!wal) body["status"] = "degraded";
  HttpResponse r = json_response(wal ? 200 : 503, body);
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse list_resources(ServerContext& c, RequestContext& rc) {
  geo::ResourceQuery q = parse_resource_query(rc.query, c.config());
  // One published state: the caller's audience's view holds only what it may know, at the
  // positions it may know, so filters, distances, counts and search see nothing else.
  const auto snapshot = c.snapshots().current();
  if (const auto town = parse_municipality(rc.query, *snapshot)) q.lg_code = town->lg_code;
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  const geo::AudienceView& view = snapshot->view(audience);
  geo::ResourcePage page;
  try {
    page = geo::query(view, q);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, std::string("q: ") + e.what());
  }

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
                     generation_member(*snapshot, audience) +
                     ",\"links\":" + links.dump(-1, ' ', false, json::error_handler_t::replace) +
                     ",\"features\":[";
  // Held while the body is written: the cache may let a text go meanwhile.
  std::vector<geo::FeatureText> features;
  features.reserve(page.hits.size());
  std::size_t estimate = body.size() + 2;
  for (const auto& hit : page.hits) {
    features.push_back(hit.served->feature());
    estimate += features.back().size() + 32;
  }
  body.reserve(estimate);
  for (std::size_t k = 0; k < page.hits.size(); ++k) {
    const auto& hit = page.hits[k];
    if (k != 0) body += ',';
    const std::string& f = features[k].str();
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
  const geo::ServedResource* item =
      snapshot->view(geo::audience_for(rc.principal.role)).find(rc.params.at(0));
  if (item == nullptr) not_found(rc.params.at(0));
  if (const std::string* inm = rc.http.header("if-none-match")) {
    std::string etag = item->etag();
    if (*inm == etag || *inm == "*") {
      HttpResponse nm;
      nm.status = 304;
      nm.set_header("ETag", std::move(etag));
      nm.set_header("Vary", "Cookie, Authorization");
      return nm;
    }
  }
  return feature_response(200, *item);
}

namespace {

/// The editor of a request: role, name and the towns they work for, with the boundaries that say
/// in which town a point lies (geo/catalog/editing).
geo::Editor editor_of(const RequestContext& rc, const geo::Snapshot* snapshot) {
  return {rc.principal.role, rc.principal.name, rc.principal.scope,
          snapshot != nullptr ? snapshot->area_layer().get() : nullptr};
}

}  // namespace

HttpResponse create_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  geo::Resource r = geo::resource_from_json(parse_json_body(rc.http, geo::resource_shape()));
  const auto snapshot = c.snapshots().current();  // its boundaries say a point's town
  const geo::Editor who = editor_of(rc, snapshot.get());
  r = c.write([&](geo::Store& s) { return geo::create_resource(s, who, std::move(r)); });
  HttpResponse resp = written_response(c, 201, r, rc.principal.role);
  resp.set_header("Location", "/api/resources/" + percent_encode(r.id));
  return resp;
}

HttpResponse update_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto expected = required_if_match(rc.http);
  geo::Resource r = geo::resource_from_json(parse_json_body(rc.http, geo::resource_shape()));
  const std::string& id = rc.params.at(0);
  const auto snapshot = c.snapshots().current();  // its boundaries say a point's town
  const geo::Editor who = editor_of(rc, snapshot.get());
  r = c.write(
      [&](geo::Store& s) { return geo::update_resource(s, who, id, std::move(r), expected); });
  return written_response(c, 200, r, rc.principal.role);
}

HttpResponse close_resource(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto expected = required_if_match(rc.http);
  const std::string& id = rc.params.at(0);
  const auto snapshot = c.snapshots().current();  // its boundaries say a point's town
  const geo::Editor who = editor_of(rc, snapshot.get());
  const geo::Resource closed =
      c.write([&](geo::Store& s) { return geo::close_resource(s, who, id, expected); });
  return written_response(c, 200, closed, rc.principal.role);
}

HttpResponse resource_history(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string& id = rc.params.at(0);
  const auto entries =
      c.read([&](const geo::Store& s) { return geo::resource_history(s, rc.principal.role, id); });
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
