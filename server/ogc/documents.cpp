// The OGC API's documents: landing page, conformance, collections and the OpenAPI definition,
// generated from the same tables that serve the requests.
#include <algorithm>

#include "server/ogc/tables.hpp"

namespace tsunagi::server::ogc {

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

}  // namespace tsunagi::server::ogc
