// OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) under /ogc, for the GIS clients planners
// already use: GDAL's OAPIF driver (ogrinfo/ogr2ogr) and QGIS. One collection per resource kind the
// caller can see, plus "areas". Transport-free: the server hands in the decoded path and query, the
// caller's audience (geo/catalog/visibility) and the base URL; this module returns the response or
// throws ApiError, which server/errors turns into problem+json.
//
// Choices, with the reason for each:
// - Collections list the kinds of which the caller can see at least one resource (a QGIS dialog of
//   15 mostly empty layers helps nobody); the URLs of every kind still answer 200 with an empty
//   collection, so a layer saved in a project keeps working when its last item closes. Counts
//   are taken over visible items only, so the listing reveals nothing about hidden ones.
// - `limit` above the maximum is clamped, not refused, as the standard requires
//   (17-069r4 §7.15.3); the links carry the limit actually used. A limit below 1 is a 400.
// - `bbox` is validated (numbers, ranges, minLat <= maxLat) but not limited by area: the page size
//   bounds the response and the R-tree bounds the work, and QGIS sends whole-world boxes when
//   zoomed out. minLon > maxLon means a box across the antimeridian, as the standard defines.
// - Unknown query parameters are a 400 (/req/core/query-param-unknown); `datetime` is validated and
//   matches every feature, since resources carry no temporal geometry (/req/core/fc-time-response
//   C).
// - The public never sees a closed resource nor one below publish=public; staff see closed ones
//   only when they ask for status=closed (or fetch one by id).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/catalog/snapshot.hpp"
#include "server/bbox.hpp"
#include "server/http_message.hpp"
#include "server/roles.hpp"
#include "server/router.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

class ServerContext;

/// The GET routes of /ogc for Router::add_module, open to every role (what each caller sees is
/// decided by geo::audience_for(role)). Page sizes follow the config's max_page_size.
std::vector<Route> ogc_api_routes(ServerContext& context);

}  // namespace tsunagi::server

namespace tsunagi::server::ogc {

/// Where the API is mounted; every link is base_url + kMount + path.
inline constexpr std::string_view kMount = "/ogc";
inline constexpr std::string_view kCrs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kGeoJson = "application/geo+json";
inline constexpr std::string_view kOpenApi = "application/vnd.oai.openapi+json;version=3.0";
/// The id of the collection of 地域 polygons.
inline constexpr std::string_view kAreasCollection = "areas";

struct Limits {
  std::size_t default_limit = 10;  ///< the standard's example default
  std::size_t max_limit = 1000;
};

/// A request, decoded and validated for encoding by the server (server/url).
struct Request {
  std::vector<std::string>
      path;  ///< segments after "/ogc": {}, {"collections", "ibasho", "items"}…
  QueryParams query;
  std::string base_url;  ///< "http://127.0.0.1:8080": scheme, host and port as the client used them
  geo::Audience audience = geo::Audience::public_;
};

class Api {
 public:
  explicit Api(Limits limits = {});
  ~Api() = default;
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  /// Answers a GET (the server derives HEAD from it).
  /// @throws ApiError: not_found (no such path, collection or visible feature), invalid_parameter,
  ///         unknown_parameter.
  [[nodiscard]] HttpResponse handle(const std::shared_ptr<const geo::Snapshot>& snapshot,
                                    const Request& request) const;

  /// The path templates served, relative to kMount (the OpenAPI document lists exactly these).
  static std::vector<std::string_view> path_templates();

 private:
  Limits limits_;
};

// ---- the pure pieces, exposed for tests ----

/// The OGC API's bbox: across the antimeridian when minLon > maxLon, heights accepted, no area
/// limit (the page size bounds the response and the R-tree the work; QGIS sends whole-world boxes
/// when zoomed out).
inline constexpr BBoxRules kBBoxRules{true, true, 0};
inline BBoxFilter parse_bbox(std::string_view text) {
  return server::parse_bbox(text, kBBoxRules);
}
/// @throws ApiError(invalid_parameter) unless `value` names CRS84.
void require_crs84(std::string_view parameter, std::string_view value);
/// nullptr → the default; above the maximum → the maximum. @throws ApiError below 1 or not a
/// number.
std::size_t parse_limit(const std::string* text, const Limits& limits);
/// nullptr → 0. @throws ApiError unless a non-negative integer.
std::size_t parse_offset(const std::string* text);
/// An RFC 3339 instant or interval ("a/b", open ends ".." or empty). @throws ApiError.
void validate_datetime(std::string_view text);

/// The query string of a page of items: every parameter of `query` in order except limit and
/// offset, then limit and offset. Percent-encoded.
std::string page_query(const QueryParams& query, std::size_t limit, std::size_t offset);
/// self, collection, and next/prev when there are further/earlier pages.
nlohmann::json items_links(std::string_view items_url, std::string_view collection_url,
                           const QueryParams& query, std::size_t limit, std::size_t offset,
                           std::size_t matched, std::size_t returned);

nlohmann::json landing_page(std::string_view base_url);
nlohmann::json conformance();

/// Whether a resource appears in listings for this audience (geo::visible; a closed one only when
/// `closed_requested`, which the public view never holds).
bool listed(const geo::Resource& r, geo::Audience a, bool closed_requested);

}  // namespace tsunagi::server::ogc
