#include "server/ogc_api.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>

#include "geo/code_lists.hpp"
#include "geo/error.hpp"
#include "geo/geometry.hpp"
#include "geo/resource_json.hpp"
#include "geo/store.hpp"
#include "server/context.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server::ogc {

using nlohmann::json;

namespace {

constexpr std::string_view kConfCore =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core";
constexpr std::string_view kConfGeoJson =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson";
constexpr std::string_view kConfOas30 =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30";
constexpr std::string_view kProblem = "application/problem+json";
constexpr std::string_view kContentCrs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>";

[[noreturn]] void invalid(std::string detail) {
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

// ---- query parameters: one table drives validation, filtering and the OpenAPI document ----

/// Equality filters on resources. Each queryable names a property of the served feature, so
/// GDAL pushes `-where "status = 'active'"` down as ?status=active.
struct ResourceFilter {
  std::optional<std::string> name, subtype, lg_code;
  std::optional<geo::ResourceStatus> status;
  std::optional<geo::PublishLevel> publish;
  std::optional<geo::VenueKind> venue;
  std::optional<geo::OperatorType> operator_type;
  std::optional<geo::Activity> activity;
  std::optional<geo::TargetGroup> target;

  [[nodiscard]] bool matches(const geo::Resource& r) const {
    return (!name || r.name == *name) && (!subtype || r.subtype == *subtype) &&
           (!lg_code || r.lg_code == *lg_code) && (!status || r.status == *status) &&
           (!publish || r.publish == *publish) && (!venue || r.venue == *venue) &&
           (!operator_type || r.operator_type == *operator_type) &&
           (!activity || r.activities.contains(*activity)) &&
           (!target || r.targets.contains(*target));
  }
};

struct AreaFilter {
  std::optional<geo::AreaKind> kind;
  std::optional<std::string> code, name, lg_code, parent_id;

  [[nodiscard]] bool matches(const geo::Area& a) const {
    return (!kind || a.kind == *kind) && (!code || a.code == *code) && (!name || a.name == *name) &&
           (!lg_code || a.lg_code == *lg_code) && (!parent_id || a.parent_id == *parent_id);
  }
};

template <typename E>
json code_schema() {
  json ids = json::array();
  for (const auto& c : geo::CodeTable<E>::entries) ids.push_back(c.id);
  return {{"type", "string"}, {"enum", std::move(ids)}};
}

json string_schema() {
  return {{"type", "string"}};
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

template <typename Filter>
struct Queryable {
  std::string_view name;
  std::string_view description;
  bool staff_only;
  json (*schema)();
  void (*apply)(Filter& f, std::string_view value);
};

using ResourceQueryable = Queryable<ResourceFilter>;
using AreaQueryable = Queryable<AreaFilter>;

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

/// A query or path parameter of the API other than the queryables.
struct ParamSpec {
  std::string_view name;
  std::string_view in;  ///< "query" or "path"
  std::string_view description;
  json (*schema)();
};

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

enum class Op : std::uint8_t { landing, conformance, api, collections, collection, items, item };

struct Endpoint {
  Op op;
  std::string_view path;  ///< relative to kMount; "{x}" segments capture
  std::string_view operation_id;
  std::string_view summary;
  std::string_view media_type;
  std::vector<std::string_view> params;  ///< from param_specs(); items add the queryables
};

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
       {"collectionId", "f", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset"}},
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

struct Extent {
  geo::BBox box{};
  bool any = false;
  void grow(double lon, double lat) { grow({lon, lat, lon, lat}); }
  void grow(const geo::BBox& b) {
    if (!any) {
      box = b;
      any = true;
      return;
    }
    box.min_lon = std::min(box.min_lon, b.min_lon);
    box.min_lat = std::min(box.min_lat, b.min_lat);
    box.max_lon = std::max(box.max_lon, b.max_lon);
    box.max_lat = std::max(box.max_lat, b.max_lat);
  }
};

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

}  // namespace

Api::Api(Limits limits) : limits_(limits) {}

std::vector<std::string_view> Api::path_templates() {
  std::vector<std::string_view> out;
  for (const auto& e : endpoints()) out.push_back(e.path);
  return out;
}

// ---- pure pieces ----

void require_crs84(std::string_view parameter, std::string_view value) {
  if (value == kCrs84 || value == "OGC:CRS84" || value == "[OGC:CRS84]") return;
  invalid(std::string(parameter) + ": only CRS84 (" + std::string(kCrs84) + ") is offered; got \"" +
          std::string(value) + "\"");
}

std::size_t parse_limit(const std::string* text, const Limits& limits) {
  if (text == nullptr) return limits.default_limit;
  if (!all_digits(*text)) {
    invalid("limit must be a whole number from 1 to " + std::to_string(limits.max_limit) +
            " (got \"" + *text + "\")");
  }
  // Digits beyond the maximum (however many) mean "as many as allowed".
  const std::string_view digits =
      std::string_view(*text).substr(std::min(text->find_first_not_of('0'), text->size()));
  if (digits.size() > 9) return limits.max_limit;
  std::size_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (v < 1) invalid("limit must be at least 1");
  return std::min(v, limits.max_limit);
}

std::size_t parse_offset(const std::string* text) {
  if (text == nullptr) return 0;
  std::size_t v = 0;
  const char* first = text->data();
  const char* last = first + text->size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (!all_digits(*text) || ec != std::errc() || ptr != last ||
      v > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    invalid("offset must be a whole number from 0 to 2147483647 (got \"" + *text + "\")");
  }
  return v;
}

namespace {

/// Reads `n` digits at `pos`; false if they are not all digits.
bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

/// YYYY-MM-DD, optionally followed by T and HH[:MM[:SS[.fff]]] and a zone (Z or ±HH:MM).
/// Lenient on the time part because GDAL sends "2024-01-02T" for a date.
bool is_instant(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (!digits_at(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits_at(s, 5, 2, mo) ||
      s[7] != '-' || !digits_at(s, 8, 2, d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  std::size_t p = 11;
  if (p == s.size()) return true;
  int h = 0, mi = 0, sec = 0;
  if (!digits_at(s, p, 2, h) || h > 23) return false;
  p += 2;
  if (p < s.size() && s[p] == ':') {
    if (!digits_at(s, p + 1, 2, mi) || mi > 59) return false;
    p += 3;
    if (p < s.size() && s[p] == ':') {
      if (!digits_at(s, p + 1, 2, sec) || sec > 60) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        const std::size_t frac = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
        if (p == frac) return false;
      }
    }
  }
  if (p == s.size()) return true;
  if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) return true;
  if (s[p] == '+' || s[p] == '-') {
    int zh = 0, zm = 0;
    return s.size() == p + 6 && digits_at(s, p + 1, 2, zh) && s[p + 3] == ':' &&
           digits_at(s, p + 4, 2, zm) && zh <= 23 && zm <= 59;
  }
  return false;
}

}  // namespace

void validate_datetime(std::string_view text) {
  static constexpr std::string_view kHelp =
      "datetime must be an RFC 3339 date-time (2024-04-01T09:00:00Z), a date (2024-04-01) or an "
      "interval of them separated by '/', with '..' for an open end";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!is_instant(text)) invalid(std::string(kHelp) + " (got \"" + std::string(text) + "\")");
    return;
  }
  const std::string_view a = text.substr(0, slash);
  const std::string_view b = text.substr(slash + 1);
  const bool a_open = a.empty() || a == "..";
  const bool b_open = b.empty() || b == "..";
  if ((a_open && b_open) || (!a_open && !is_instant(a)) || (!b_open && !is_instant(b))) {
    invalid(std::string(kHelp) + " (got \"" + std::string(text) + "\")");
  }
  if (!a_open && !b_open && a.substr(0, 10) > b.substr(0, 10)) {
    invalid("datetime interval must not end before it starts (got \"" + std::string(text) + "\")");
  }
}

std::string page_query(const QueryParams& query, std::size_t limit, std::size_t offset) {
  std::string q;
  for (const auto& [k, v] : query.items()) {
    if (k == "limit" || k == "offset") continue;
    q += percent_encode(k);
    q += '=';
    q += percent_encode(v);
    q += '&';
  }
  q += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return q;
}

json items_links(std::string_view items_url, std::string_view collection_url,
                 const QueryParams& query, std::size_t limit, std::size_t offset,
                 std::size_t matched, std::size_t returned) {
  const auto page = [&](std::size_t off) {
    return std::string(items_url) + "?" + page_query(query, limit, off);
  };
  json links = json::array();
  links.push_back(link(page(offset), "self", kGeoJson, "this page"));
  if (offset + returned < matched) {
    links.push_back(link(page(offset + limit), "next", kGeoJson, "next page"));
  }
  if (offset > 0) {
    links.push_back(
        link(page(offset > limit ? offset - limit : 0), "prev", kGeoJson, "previous page"));
  }
  links.push_back(link(std::string(collection_url), "collection", kJson, "the collection"));
  return links;
}

json landing_page(std::string_view base_url) {
  return {{"title", "tsunagi"},
          {"description",
           "地域の社会資源（通いの場・居場所・拠点・参加支援の受入れ先）と地域の境界 — OGC API "
           "Features"},
          {"links",
           {link(ogc_url(base_url, ""), "self", kJson, "this document"),
            link(ogc_url(base_url, "/api"), "service-desc", kOpenApi,
                 "the API definition (OpenAPI 3.0)"),
            link(ogc_url(base_url, "/conformance"), "conformance", kJson,
                 "conformance classes implemented"),
            link(ogc_url(base_url, "/collections"), "data", kJson, "the feature collections")}}};
}

json conformance() {
  return {{"conformsTo", {kConfCore, kConfGeoJson, kConfOas30}}};
}

bool listed(const geo::Resource& r, geo::Audience a, bool closed_requested) {
  if (!geo::visible(a, r)) return false;
  if (r.status != geo::ResourceStatus::closed) return true;
  return closed_requested;
}

// ---- handlers ----

namespace {

struct Context {
  const geo::Snapshot& snapshot;
  const geo::AudienceView& view;
  const Request& request;
  const Limits& limits;
};

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

Extent extent_of(const std::optional<geo::BBox>& box) {
  Extent e;
  if (box) e.grow(*box);
  return e;
}

Extent areas_extent(const geo::Snapshot& s, const std::vector<std::optional<geo::BBox>>& envs) {
  Extent e;
  for (std::size_t i = 0; i < s.areas().size(); ++i) {
    if (envs[i]) {
      e.grow(*envs[i]);
    } else if (s.areas()[i].label_lon != 0 || s.areas()[i].label_lat != 0) {
      e.grow(s.areas()[i].label_lon, s.areas()[i].label_lat);
    }
  }
  return e;
}

json collection_json(std::string_view base, std::string_view id, std::string_view title,
                     std::string_view description, const Extent& extent) {
  const std::string url = collection_url(base, id);
  json c{{"id", id},
         {"title", title},
         {"description", description},
         {"itemType", "feature"},
         {"crs", {kCrs84}},
         {"storageCrs", kCrs84},
         {"links",
          {link(url, "self", kJson, "this collection"),
           link(url + "/items", "items", kGeoJson, "the features (GeoJSON)")}}};
  if (extent.any) c["extent"] = extent_json(extent);
  return c;
}

json resource_collection_json(std::string_view base, geo::ResourceKind kind, const Extent& extent,
                              std::size_t count) {
  return collection_json(
      base, geo::code_id(kind), geo::code_ja(kind),
      std::string(geo::code_ja(kind)) + " (" + std::to_string(count) + " features)", extent);
}

json areas_collection_json(std::string_view base, const Extent& extent, std::size_t count) {
  return collection_json(
      base, kAreasCollection, "地域",
      "市区町村・町丁・メッシュ・圏域の境界 (" + std::to_string(count) + " features)", extent);
}

/// The collection ids the caller would see in /collections, in listing order.
std::vector<std::string> visible_collection_ids(const geo::Snapshot& s,
                                                const geo::AudienceView& view) {
  std::vector<std::string> ids;
  for (const auto& c : geo::CodeTable<geo::ResourceKind>::entries) {
    if (view.summary(c.value).count > 0) ids.emplace_back(c.id);
  }
  if (!s.areas().empty()) ids.emplace_back(kAreasCollection);
  return ids;
}

json openapi_param(std::string_view name, std::string_view in, std::string_view description,
                   json schema) {
  json p{{"name", name},
         {"in", in},
         {"description", description},
         {"required", in == "path"},
         {"schema", std::move(schema)}};
  if (name == "bbox") {
    p["style"] = "form";
    p["explode"] = false;
  }
  return p;
}

json openapi_operation(const Endpoint& e, const std::vector<json>& extra_params,
                       const Limits& limits) {
  json params = json::array();
  for (const auto name : e.params) {
    const auto& spec = param_spec(name);
    json schema = spec.schema();
    if (name == "limit") {
      schema["maximum"] = limits.max_limit;
      schema["default"] = limits.default_limit;
    }
    params.push_back(openapi_param(spec.name, spec.in, spec.description, std::move(schema)));
  }
  for (const auto& p : extra_params) params.push_back(p);
  const json problem{{"description", "see the problem's detail"},
                     {"content", {{kProblem, {{"schema", {{"type", "object"}}}}}}}};
  json responses{{"200",
                  {{"description", e.summary},
                   {"content", {{e.media_type, {{"schema", {{"type", "object"}}}}}}}}},
                 {"400", problem}};
  if (e.op == Op::collection || e.op == Op::items || e.op == Op::item) responses["404"] = problem;
  return {{"get",
           {{"operationId", e.operation_id},
            {"summary", e.summary},
            {"tags", {e.op <= Op::api ? "Capabilities" : "Data"}},
            {"parameters", std::move(params)},
            {"responses", std::move(responses)}}}};
}

template <typename Q>
std::vector<json> queryable_params(const std::vector<Q>& table, geo::Audience v) {
  std::vector<json> out;
  for (const auto& q : table) {
    if (q.staff_only && !is_staff(v)) continue;
    out.push_back(openapi_param(q.name, "query", q.description, q.schema()));
  }
  return out;
}

json openapi(const Context& ctx) {
  const auto v = ctx.request.audience;
  json paths = json::object();
  const auto ids = visible_collection_ids(ctx.snapshot, ctx.view);
  for (const auto& e : endpoints()) {
    // The generic items path lists the resource queryables; each collection's own items path
    // (which GDAL looks up first) lists exactly the ones that collection accepts.
    std::vector<json> extra;
    if (e.op == Op::items) extra = queryable_params(resource_queryables(), v);
    paths[std::string(e.path)] = openapi_operation(e, extra, ctx.limits);
  }
  const Endpoint& items = *std::find_if(endpoints().begin(), endpoints().end(),
                                        [](const Endpoint& e) { return e.op == Op::items; });
  for (const auto& id : ids) {
    const bool areas = id == kAreasCollection;
    json op = openapi_operation(
        items,
        areas ? queryable_params(area_queryables(), v) : queryable_params(resource_queryables(), v),
        ctx.limits);
    auto& params = op["get"]["parameters"];
    params.erase(std::remove_if(params.begin(), params.end(),
                                [](const json& p) { return p["name"] == "collectionId"; }),
                 params.end());
    op["get"]["operationId"] = "getFeatures_" + id;
    paths["/collections/" + id + "/items"] = std::move(op);
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "tsunagi"},
            {"version", "1.0.0"},
            {"description",
             "OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) of tsunagi's resources and "
             "areas. Generated from the code that serves these paths."}}},
          {"servers", {{{"url", ogc_url(ctx.request.base_url, "")}}}},
          {"tags",
           {{{"name", "Capabilities"}, {"description", "what this API offers"}},
            {{"name", "Data"}, {"description", "the features"}}}},
          {"paths", std::move(paths)}};
}

json collections_json(const Context& ctx);

HttpResponse items_response(const json& header, const std::vector<const std::string*>& features) {
  // Features are pre-serialized: splice them into the collection rather than re-parsing.
  std::string body = dump(header);
  std::size_t extra = 16;
  for (const auto* f : features) extra += f->size() + 1;
  body.reserve(body.size() + extra);
  body.pop_back();  // the closing brace
  body += R"(,"features":[)";
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (i != 0) body += ',';
    body += *features[i];
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
        json f =
            json::parse(snap.area_layer()->features()[static_cast<std::size_t>(it - all.begin())]);
        f["links"] = links;
        return json_response(200, f, kGeoJson);
      }
      const geo::ServedResource* item = view.find(feature_id);
      // Same answer for "absent" and "not yours to see": existence is not revealed.
      if (item == nullptr || item->resource().kind != *kind || !listed(item->resource(), v, true)) {
        throw ApiError(ErrorCode::not_found, absent);
      }
      json f = json::parse(item->feature());
      f["links"] = links;
      return json_response(200, f, kGeoJson);
    }
    case Op::items:
      break;
  }

  // ---- items ----
  std::optional<BBoxFilter> bbox;
  if (const auto* b = request.query.get("bbox")) bbox = parse_bbox(*b);
  if (const auto* bc = request.query.get("bbox-crs")) require_crs84("bbox-crs", *bc);
  if (const auto* dt = request.query.get("datetime")) validate_datetime(*dt);
  const std::size_t limit = parse_limit(request.query.get("limit"), limits_);
  const std::size_t offset = parse_offset(request.query.get("offset"));

  std::size_t matched = 0;
  std::vector<const std::string*> page;
  page.reserve(std::min(limit, std::size_t{1024}));
  // Counts every match; only the page's own features are looked up (and serialized if new).
  const auto take = [&](auto&& feature) {
    if (matched >= offset && page.size() < limit) page.push_back(&feature());
    ++matched;
  };

  if (areas) {
    AreaFilter filter;
    for (const auto& q : area_queryables()) {
      if (const auto* value = request.query.get(q.name)) q.apply(filter, *value);
    }
    const auto& area_envelopes = snap.area_layer()->envelopes();
    const auto& area_features = snap.area_layer()->features();
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
      take([&]() -> const std::string& { return area_features[i]; });
    }
  } else {
    ResourceFilter filter;
    for (const auto& q : resource_queryables()) {
      if (q.staff_only && !is_staff(v)) continue;
      if (const auto* value = request.query.get(q.name)) q.apply(filter, *value);
    }
    const bool closed_requested = filter.status == geo::ResourceStatus::closed;
    // The view holds only what this audience may know, at the positions it may know: filters
    // and the bbox see nothing else.
    const auto accept = [&](std::uint32_t i) {
      const auto& r = view.resource(i);
      if (r.kind != *kind || !listed(r, v, closed_requested) || !filter.matches(r)) return false;
      return !bbox || bbox->contains(r.lon, r.lat);
    };
    const auto feature = [&](std::uint32_t i) -> const std::string& {
      return view.item(i).feature();
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
        if (accept(i)) take([&]() -> const std::string& { return feature(i); });
      }
    } else {
      for (const auto i : view.of_kind(*kind)) {
        if (accept(i)) take([&]() -> const std::string& { return feature(i); });
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

namespace {

json collections_json(const Context& ctx) {
  const auto& base = ctx.request.base_url;
  json list = json::array();
  for (const auto& c : geo::CodeTable<geo::ResourceKind>::entries) {
    const auto& k = ctx.view.summary(c.value);
    if (k.count > 0) {
      list.push_back(resource_collection_json(base, c.value, extent_of(k.extent), k.count));
    }
  }
  if (!ctx.snapshot.areas().empty()) {
    list.push_back(areas_collection_json(
        base, areas_extent(ctx.snapshot, ctx.snapshot.area_layer()->envelopes()),
        ctx.snapshot.areas().size()));
  }
  return {{"links",
           {link(ogc_url(base, "/collections"), "self", kJson, "this document"),
            link(ogc_url(base, ""), "parent", kJson, "the landing page")}},
          {"collections", std::move(list)}};
}

}  // namespace

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
