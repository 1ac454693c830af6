// Query parameters of resource listings (GET /api/resources; the OGC API items reuse the pieces),
// parsed into a geo::ResourceQuery with messages that say what to fix. Documented here once:
//
//   bbox=minLon,minLat,maxLon,maxLat   WGS84 degrees; area at most max_bbox_area_deg2
//   kind=a,b            resource kinds (ids or Japanese labels): any of them
//   activity=a,b        activities: any of them
//   target=a,b          target groups: any of them
//   open=wed | wed,13:00-15:00 | 水 | 水曜の午後 | 水曜 13:00〜15:00
//   open_day=wed&open_from=13:00&open_to=15:00   the same in parts (not together with open)
//   barrier_free=true   at least one barrier-free feature
//   has_vacancy=true    vacancy or open placement slots
//   q=text              words in name, kana or address; full/half width and kana/hira folded
//   near=lon,lat        order by walking-free geodesic distance; adds distance_m
//   sort=name|id        without near: by reading (name_kana, else name), or by id (the default)
//   status=active,paused,closed   default active,paused (closed only when asked, and never to
//                                 the public: its view holds no closed resource)
//   limit=N             default default_page_size, at most max_page_size
//   offset=N            at most 10,000,000
//   municipality=023612 one town's resources (server/municipality_param: checked against the
//                       snapshot's municipalities by the handler, which sets lg_code)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "geo/catalog/resource_query.hpp"
#include "server/config.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

/// The keys parse_resource_query() understands.
const std::vector<std::string_view>& resource_query_keys();

/// "minLon,minLat,maxLon,maxLat" checked for range, order and area.
/// @throws ApiError(invalid_parameter).
geo::BBox parse_bbox(std::string_view text, double max_area_deg2);
/// "lon,lat". @throws ApiError(invalid_parameter).
geo::LonLat parse_point(std::string_view key, std::string_view text);
/// A whole number in [min, max]. @throws ApiError(invalid_parameter).
std::size_t parse_count(std::string_view key, std::string_view text, std::size_t min,
                        std::size_t max);
/// true/false/1/0. @throws ApiError(invalid_parameter).
bool parse_flag(std::string_view key, std::string_view text);

/// Every parameter above. What the caller may see is not a parameter: the query runs over the
/// caller's audience's view (geo/catalog/visibility). `known`: the keys the route takes (a tile
/// takes no window or paging, and takes its own fields=).
/// @throws ApiError(invalid_parameter, unknown_parameter).
geo::ResourceQuery parse_resource_query(
    const QueryParams& query, const Config& config,
    const std::vector<std::string_view>& known = resource_query_keys());

}  // namespace tsunagi::server
