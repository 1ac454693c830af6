#include "server/routes.hpp"

#include "server/handlers.hpp"
#include "server/ogc/api.hpp"
#include "server/roles.hpp"
#include "server/tiles_api.hpp"

namespace tsunagi::server {

std::vector<Route> core_routes(ServerContext& c, Auth& a) {
  auto with_context = [&c](HttpResponse (*f)(ServerContext&, RequestContext&)) {
    return [&c, f](RequestContext& rc) { return f(c, rc); };
  };
  auto with_auth = [&a](HttpResponse (*f)(Auth&, RequestContext&)) {
    return [&a, f](RequestContext& rc) { return f(a, rc); };
  };
  auto with_both = [&c, &a](HttpResponse (*f)(ServerContext&, Auth&, RequestContext&)) {
    return [&c, &a, f](RequestContext& rc) { return f(c, a, rc); };
  };
  constexpr auto reactor = Runs::reactor;
  constexpr auto worker = Runs::worker;  // writes, store reads
  constexpr auto logins = Runs::login;   // argon2id: its own small pool, per-client limits
  // clang-format off
  //       method          pattern                           roles       runs     handler
  return {
      {Method::get,  "/health",                        kEveryone, reactor, with_context(health)},
      {Method::get,  "/api/resources",                 kEveryone, reactor, with_context(list_resources)},
      {Method::post, "/api/resources",                 kEditors,  worker,  with_context(create_resource)},
      {Method::get,  "/api/resources/{id}",            kEveryone, reactor, with_context(get_resource)},
      {Method::put,  "/api/resources/{id}",            kEditors,  worker,  with_context(update_resource)},
      {Method::post, "/api/resources/{id}/close",      kEditors,  worker,  with_context(close_resource)},
      {Method::get,  "/api/resources/{id}/history",    kSignedIn, worker,  with_context(resource_history)},
      {Method::get,  "/api/fields",                    kEveryone, reactor, with_context(list_fields)},
      // Listings that stay true: hosts confirm through a link (no account: the token is the
      // credential), anyone reports a mistake, staff review.
      {Method::post, "/api/resources/{id}/confirmation-requests", kReviewers, worker, with_context(create_confirmation_request)},
      {Method::post, "/api/resources/{id}/reports",    kEveryone, worker,  with_both(report_mistake)},
      {Method::get,  "/api/confirm/{token}",           kEveryone, worker,  with_both(get_confirmation)},
      {Method::post, "/api/confirm/{token}",           kEveryone, worker,  with_both(answer_confirmation)},
      {Method::get,  "/api/review",                    kReviewers, worker, with_context(list_review)},
      {Method::post, "/api/review/{id}",               kReviewers, worker, with_context(decide_review)},
      {Method::get,  "/api/confirmation/overdue",      kReviewers, worker, with_context(list_overdue)},
      {Method::get,  "/api/stats/freshness",           kEveryone, reactor, with_context(freshness_stats)},
      {Method::post, "/api/match",                     kMatchers, worker,  with_context(match)},
      // 参加支援 referrals: cases are for matchers only; the literal paths come before {id}.
      {Method::post, "/api/referrals",                 kMatchers, worker,  with_context(create_referral)},
      {Method::get,  "/api/referrals",                 kMatchers, worker,  with_context(list_referrals)},
      {Method::get,  "/api/referrals/overdue",         kMatchers, worker,  with_context(overdue_referrals)},
      {Method::get,  "/api/referrals/stats",           kSignedIn, worker,  with_context(referral_stats)},
      {Method::get,  "/api/referrals/{id}",            kMatchers, worker,  with_context(get_referral)},
      {Method::post, "/api/referrals/{id}/transitions", kMatchers, worker, with_context(transition_referral)},
      {Method::put,  "/api/referrals/{id}/follow-up",  kMatchers, worker,  with_context(follow_up_referral)},
      // Gap analyses (planning): background jobs.
      {Method::post, "/api/gap/jobs",                  kAnalysts, worker,  with_context(submit_gap_job)},
      {Method::get,  "/api/gap/jobs",                  kAnalysts, worker,  with_context(list_gap_jobs)},
      {Method::get,  "/api/gap/jobs/{id}",             kAnalysts, worker,  with_context(get_gap_job)},
      {Method::delete_, "/api/gap/jobs/{id}",          kAnalysts, worker,  with_context(cancel_gap_job)},
      {Method::get,  "/api/reports/annual",            kAnalysts, worker,  with_context(annual_report)},
      {Method::get,  "/api/audit",                     kAdmins,   worker,  with_context(audit_log)},
      {Method::post, "/api/login",                     kEveryone, logins,  with_auth(login), /*csrf=*/false},
      {Method::post, "/api/logout",                    kSignedIn, worker,  with_auth(logout)},
      {Method::get,  "/api/me",                        kSignedIn, reactor, with_context(me)},
      {Method::get,  "/api/users",                     kAdmins,   worker,  with_context(list_users)},
      {Method::get,  "/api/geocode",                   kEveryone, worker,  with_context(geocode)},
      {Method::get,  "/api/sources",                   kEveryone, worker,  with_context(list_sources)},
      {Method::get,  "/api/meta",                      kEveryone, worker,  with_context(meta)},
  };
  // clang-format on
}

Router build_router(ServerContext& context, Auth& auth) {
  Router router;
  router.add_module(core_routes(context, auth));
  router.add_module(ogc_api_routes(context));  // OGC API – Features under /ogc
  router.add_module(tile_routes(context));     // vector tiles under /tiles
  return router;
}

}  // namespace tsunagi::server
