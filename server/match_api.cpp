// POST /api/match: the placements a person can walk to (geo/analysis/matching), for matchers. The
// body holds no personal data (unknown keys are refused); the answer is what the matcher's audience
// may know.
#include "geo/analysis/matching.hpp"
#include "geo/core/error.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server {

HttpResponse match(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const nlohmann::json body = parse_json_body(rc.http, geo::match_request_shape());
  const auto snapshot = c.snapshots().current();
  geo::MatchRequest request;
  try {
    request = geo::parse_match_request(body, *snapshot);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  const auto result = geo::match(*snapshot, geo::audience_for(rc.principal.role), request);
  HttpResponse r = json_response(200, geo::match_json(result));
  r.set_header("Cache-Control", "no-store");  // about one person: never kept by a cache
  return r;
}

}  // namespace tsunagi::server
