// The OGC API's internals shared by its parts (tables, params, documents, items): constants,
// the queryable, parameter and endpoint tables, and small helpers. Not for other modules: their
// interface is server/ogc/api.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/resource.hpp"
#include "server/errors.hpp"
#include "server/ogc/api.hpp"

namespace tsunagi::server::ogc {

using nlohmann::json;

inline constexpr std::string_view kConfCore =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core";
inline constexpr std::string_view kConfGeoJson =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson";
inline constexpr std::string_view kConfOas30 =
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30";
inline constexpr std::string_view kProblem = "application/problem+json";
inline constexpr std::string_view kContentCrs = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>";

/// @throws ApiError(invalid_parameter).
[[noreturn]] void invalid(std::string detail);
/// Compact JSON; invalid UTF-8 is replaced rather than thrown on.
std::string dump(const json& j);
json link(std::string href, std::string_view rel, std::string_view type, std::string_view title);
bool is_staff(geo::Audience a);
json string_schema();

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

const std::vector<ResourceQueryable>& resource_queryables();
const std::vector<AreaQueryable>& area_queryables();

/// A query or path parameter of the API other than the queryables.
/// A query or path parameter of the API other than the queryables.
struct ParamSpec {
  std::string_view name;
  std::string_view in;  ///< "query" or "path"
  std::string_view description;
  json (*schema)();
};

const std::vector<ParamSpec>& param_specs();
const ParamSpec& param_spec(std::string_view name);

enum class Op : std::uint8_t { landing, conformance, api, collections, collection, items, item };

struct Endpoint {
  Op op;
  std::string_view path;  ///< relative to kMount; "{x}" segments capture
  std::string_view operation_id;
  std::string_view summary;
  std::string_view media_type;
  std::vector<std::string_view> params;  ///< from param_specs(); items add the queryables
};

const std::vector<Endpoint>& endpoints();
/// Matches decoded segments against the table; captures {collectionId} and {featureId}.
const Endpoint* match(const std::vector<std::string>& segments, std::string& collection,
                      std::string& feature);

// ---- numbers, extents, URLs ----

std::string number_text(double v);
bool all_digits(std::string_view s);
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

json extent_json(const Extent& e);
std::string ogc_url(std::string_view base, std::string_view path);
std::string collection_url(std::string_view base, std::string_view id);

// ---- documents (documents.cpp) ----

struct Context {
  const geo::Snapshot& snapshot;
  const geo::AudienceView& view;
  const Request& request;
  const Limits& limits;
};

Extent extent_of(const std::optional<geo::BBox>& box);
Extent areas_extent(const geo::Snapshot& s, const std::vector<std::optional<geo::BBox>>& envs);
json resource_collection_json(std::string_view base, geo::ResourceKind kind, const Extent& extent,
                              std::size_t count);
json areas_collection_json(std::string_view base, const Extent& extent, std::size_t count);
json openapi(const Context& ctx);
json collections_json(const Context& ctx);

}  // namespace tsunagi::server::ogc
