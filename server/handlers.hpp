// The handlers of the core API. Each parses and validates, calls one transport-free function of
// geo/ (the catalog, the store, accounts), and renders JSON. Which roles may call them, and
// where they run, is declared in server/routes.cpp, not here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>
#include "geo/core/json_input.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/http_message.hpp"
#include "server/router.hpp"

namespace tsunagi::server {

// ---- resources (server/resources_api.cpp) ----
HttpResponse health(ServerContext& c, RequestContext& rc);
HttpResponse list_resources(ServerContext& c, RequestContext& rc);
HttpResponse get_resource(ServerContext& c, RequestContext& rc);
HttpResponse create_resource(ServerContext& c, RequestContext& rc);
HttpResponse update_resource(ServerContext& c, RequestContext& rc);
HttpResponse close_resource(ServerContext& c, RequestContext& rc);
HttpResponse resource_history(ServerContext& c, RequestContext& rc);

// ---- the field table (server/fields_api.cpp) ----
/// GET /api/fields: the fields the caller's role may see, with label, kind, codes and editable.
HttpResponse list_fields(ServerContext& c, RequestContext& rc);

// ---- geocoding (server/geocode_api.cpp) ----
HttpResponse geocode(ServerContext& c, RequestContext& rc);
/// GET /api/sources (server/sources_api.cpp): the data credits the caller's audience may see.
HttpResponse list_sources(ServerContext& c, RequestContext& rc);
// GET /api/meta (server/meta_api.cpp): code lists and loaded municipalities for the pages
HttpResponse meta(ServerContext& c, RequestContext& rc);

// ---- gap analyses as background jobs (server/gap_api.cpp) ----
HttpResponse submit_gap_job(ServerContext& c, RequestContext& rc);
HttpResponse list_gap_jobs(ServerContext& c, RequestContext& rc);
HttpResponse get_gap_job(ServerContext& c, RequestContext& rc);
HttpResponse cancel_gap_job(ServerContext& c, RequestContext& rc);

// ---- 参加支援 matching (server/match_api.cpp) ----
HttpResponse match(ServerContext& c, RequestContext& rc);

// ---- 参加支援 referrals and the audit log (server/referrals_api.cpp) ----
HttpResponse create_referral(ServerContext& c, RequestContext& rc);
HttpResponse list_referrals(ServerContext& c, RequestContext& rc);
HttpResponse overdue_referrals(ServerContext& c, RequestContext& rc);
HttpResponse referral_stats(ServerContext& c, RequestContext& rc);
HttpResponse get_referral(ServerContext& c, RequestContext& rc);
HttpResponse transition_referral(ServerContext& c, RequestContext& rc);
HttpResponse follow_up_referral(ServerContext& c, RequestContext& rc);
HttpResponse audit_log(ServerContext& c, RequestContext& rc);
HttpResponse annual_report(ServerContext& c, RequestContext& rc);

// ---- accounts (server/accounts_api.cpp) ----
HttpResponse login(Auth& auth, RequestContext& rc);
HttpResponse logout(Auth& auth, RequestContext& rc);
HttpResponse me(ServerContext& c, RequestContext& rc);
HttpResponse list_users(ServerContext& c, RequestContext& rc);

// ---- listings that stay true (server/confirm_api.cpp) ----
HttpResponse create_confirmation_request(ServerContext& c, RequestContext& rc);
HttpResponse get_confirmation(ServerContext& c, Auth& a, RequestContext& rc);
HttpResponse answer_confirmation(ServerContext& c, Auth& a, RequestContext& rc);
HttpResponse report_mistake(ServerContext& c, Auth& a, RequestContext& rc);
HttpResponse list_review(ServerContext& c, RequestContext& rc);
HttpResponse decide_review(ServerContext& c, RequestContext& rc);
HttpResponse freshness_stats(ServerContext& c, RequestContext& rc);
HttpResponse list_overdue(ServerContext& c, RequestContext& rc);

// ---- shared by handlers (server/resources_api.cpp) ----
/// The version an If-Match names (nullopt for "*"). @throws ApiError(precondition_required)
/// without one, ApiError(precondition_failed) for one that is not a strong ETag of ours.
std::optional<std::int64_t> required_if_match(const HttpRequest& request);
/// A JSON response; strings that are not UTF-8 are replaced rather than thrown on.
HttpResponse json_response(int status, const nlohmann::json& body,
                           std::string_view content_type = "application/json");
/// Parses a JSON object body (Content-Type application/json or application/geo+json) and checks
/// it against the route's `shape`: a key the route does not know, at any depth, is a 400 naming
/// its path ("availability[0].name: unknown key 'name'"). Every route that reads a body reads it
/// here, so none takes a key it does not know.
/// @throws ApiError(unsupported_media_type, invalid_body) saying what to send.
nlohmann::json parse_json_body(const HttpRequest& request, const geo::JsonShape& shape);

}  // namespace tsunagi::server
