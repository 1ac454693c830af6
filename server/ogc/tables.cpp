// The tables that drive the OGC API: queryables (validation, filtering and the OpenAPI document
// from one table), parameters, endpoints; and the small helpers every part uses.
#include "server/ogc/tables.hpp"

#include <charconv>
#include <stdexcept>

#include "server/url.hpp"

namespace tsunagi::server::ogc {

namespace {

template <typename E>
json code_schema() {
  json ids = json::array();
  for (const auto& c : geo::CodeTable<E>::entries) ids.push_back(c.id);
  return {{"type", "string"}, {"enum", std::move(ids)}};
}

template <typename E>
E parse_code_param(std::string_view name, std::string_view value) {
  const auto v = geo::parse_code<E>(value);
  if (!v) {
    invalid(std::string(name) + " must be one of: " + geo::code_ids_joined<E>() + " (got \"" +
            std::string(value) + "\")");
  }
  return *v;
}

}  // namespace

json string_schema() {
  return {{"type", "string"}};
}

void invalid(std::string detail) {
  throw ApiError(ErrorCode::invalid_parameter, std::move(detail));
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json link(std::string href, std::string_view rel, std::string_view type, std::string_view title) {
  json l{{"href", std::move(href)}, {"rel", rel}, {"type", type}};
  if (!title.empty()) l["title"] = title;
  return l;
}

bool is_staff(geo::Audience a) {
  return a != geo::Audience::public_;
}

const std::vector<ResourceQueryable>& resource_queryables() {
  static const std::vector<ResourceQueryable> table = {
      {"name", "名称, exactly", false, string_schema,
       [](ResourceFilter& f, std::string_view v) { f.name = std::string(v); }},
      {"subtype", "subtype (e.g. 地活 I型), exactly", false, string_schema,
       [](ResourceFilter& f, std::string_view v) { f.subtype = std::string(v); }},
      {"lg_code", "全国地方公共団体コード (6 digits)", false, string_schema,
       [](ResourceFilter& f, std::string_view v) { f.lg_code = std::string(v); }},
      {"status",
       "活動状況 (id or Japanese label). Closed resources are listed only when asked for, and "
       "never to the public",
       false, code_schema<geo::ResourceStatus>,
       [](ResourceFilter& f, std::string_view v) {
         f.status = parse_code_param<geo::ResourceStatus>("status", v);
       }},
      {"publish", "公開範囲 (staff only)", true, code_schema<geo::PublishLevel>,
       [](ResourceFilter& f, std::string_view v) {
         f.publish = parse_code_param<geo::PublishLevel>("publish", v);
       }},
      {"venue", "活動場所", false, code_schema<geo::VenueKind>,
       [](ResourceFilter& f, std::string_view v) {
         f.venue = parse_code_param<geo::VenueKind>("venue", v);
       }},
      {"operator_type", "運営主体", false, code_schema<geo::OperatorType>,
       [](ResourceFilter& f, std::string_view v) {
         f.operator_type = parse_code_param<geo::OperatorType>("operator_type", v);
       }},
      {"activities", "resources whose activities include this one", false,
       code_schema<geo::Activity>,
       [](ResourceFilter& f, std::string_view v) {
         f.activity = parse_code_param<geo::Activity>("activities", v);
       }},
      {"targets", "resources whose target groups include this one", false,
       code_schema<geo::TargetGroup>,
       [](ResourceFilter& f, std::string_view v) {
         f.target = parse_code_param<geo::TargetGroup>("targets", v);
       }},
  };
  return table;
}

const std::vector<AreaQueryable>& area_queryables() {
  static const std::vector<AreaQueryable> table = {
      {"kind", "地域の種別", false, code_schema<geo::AreaKind>,
       [](AreaFilter& f, std::string_view v) {
         f.kind = parse_code_param<geo::AreaKind>("kind", v);
       }},
      {"code", "the area's code (lg_code, e-Stat KEY_CODE, mesh code…)", false, string_schema,
       [](AreaFilter& f, std::string_view v) { f.code = std::string(v); }},
      {"name", "name, exactly", false, string_schema,
       [](AreaFilter& f, std::string_view v) { f.name = std::string(v); }},
      {"lg_code", "全国地方公共団体コード (6 digits)", false, string_schema,
       [](AreaFilter& f, std::string_view v) { f.lg_code = std::string(v); }},
      {"parent_id", "id of the enclosing area", false, string_schema,
       [](AreaFilter& f, std::string_view v) { f.parent_id = std::string(v); }},
  };
  return table;
}

const std::vector<ParamSpec>& param_specs() {
  static const std::vector<ParamSpec> table = {
      {"f", "query", "output format; only json is offered",
       [] {
         return json{{"type", "string"}, {"enum", {"json"}}};
       }},
      {"collectionId", "path",
       "a collection id: one per resource kind (e.g. kayoi_no_ba) and areas; /collections lists "
       "those with features you can see, the others answer empty",
       string_schema},
      {"featureId", "path", "a feature id from the items of the collection", string_schema},
      {"bbox", "query",
       "minLon,minLat,maxLon,maxLat in CRS84 (6 numbers with heights are accepted, heights are "
       "ignored); minLon > maxLon crosses the antimeridian",
       [] {
         return json{
             {"type", "array"}, {"minItems", 4}, {"maxItems", 6}, {"items", {{"type", "number"}}}};
       }},
      {"bbox-crs", "query", "only CRS84 is offered",
       [] {
         return json{{"type", "string"}, {"format", "uri"}, {"enum", {kCrs84}}};
       }},
      {"crs", "query", "only CRS84 is offered",
       [] {
         return json{{"type", "string"}, {"format", "uri"}, {"enum", {kCrs84}}};
       }},
      {"datetime", "query",
       "RFC 3339 instant or interval; resources have no temporal geometry, so every feature "
       "matches",
       string_schema},
      {"municipality", "query",
       "one town of the server (全国地方公共団体コード, 6 digits, e.g. 023612): only its features; "
       "an unknown or malformed code is refused (400 unknown_municipality)",
       string_schema},
      {"limit", "query", "page size; values above the maximum are treated as the maximum",
       [] {
         return json{{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"default", 10}};
       }},
      {"offset", "query", "number of matching features to skip (the next links carry it)",
       [] {
         return json{{"type", "integer"}, {"minimum", 0}, {"default", 0}};
       }},
  };
  return table;
}

const ParamSpec& param_spec(std::string_view name) {
  for (const auto& p : param_specs()) {
    if (p.name == name) return p;
  }
  throw std::logic_error("ogc_api: undeclared parameter " + std::string(name));
}

const std::vector<Endpoint>& endpoints() {
  static const std::vector<Endpoint> table = {
      {Op::landing, "/", "getLandingPage", "landing page", kJson, {"f"}},
      {Op::conformance,
       "/conformance",
       "getConformanceDeclaration",
       "conformance classes implemented",
       kJson,
       {"f"}},
      {Op::api, "/api", "getAPIDefinition", "this OpenAPI 3.0 document", kOpenApi, {"f"}},
      {Op::collections, "/collections", "getCollections", "the feature collections", kJson, {"f"}},
      {Op::collection,
       "/collections/{collectionId}",
       "describeCollection",
       "one feature collection",
       kJson,
       {"collectionId", "f"}},
      {Op::items,
       "/collections/{collectionId}/items",
       "getFeatures",
       "features of a collection, paged",
       kGeoJson,
       {"collectionId", "f", "bbox", "bbox-crs", "crs", "datetime", "municipality", "limit",
        "offset"}},
      {Op::item,
       "/collections/{collectionId}/items/{featureId}",
       "getFeature",
       "one feature",
       kGeoJson,
       {"collectionId", "featureId", "f", "crs"}},
  };
  return table;
}

std::vector<std::string_view> split_template(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;
  while (start < path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// Matches decoded segments against the table; captures {collectionId} and {featureId}.
const Endpoint* match(const std::vector<std::string>& segments, std::string& collection,
                      std::string& feature) {
  for (const auto& e : endpoints()) {
    const auto parts = split_template(e.path);
    if (parts.size() != segments.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      if (parts[i] == "{collectionId}") {
        collection = segments[i];
      } else if (parts[i] == "{featureId}") {
        feature = segments[i];
      } else {
        ok = parts[i] == segments[i];
      }
    }
    if (ok) return &e;
  }
  return nullptr;
}

// ---- numbers ----

std::string number_text(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("?");
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- extents ----

json extent_json(const Extent& e) {
  return {
      {"spatial",
       {{"bbox",
         json::array({json::array({e.box.min_lon, e.box.min_lat, e.box.max_lon, e.box.max_lat})})},
        {"crs", kCrs84}}}};
}

std::string ogc_url(std::string_view base, std::string_view path) {
  std::string url(base);
  url += kMount;
  url += path;
  return url;
}

std::string collection_url(std::string_view base, std::string_view id) {
  return ogc_url(base, "/collections/" + percent_encode(id));
}

}  // namespace tsunagi::server::ogc
