// POST /api/login, POST /api/logout, GET /api/me, GET /api/users.
#include "geo/store/accounts.hpp"
#include "geo/store/store.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

std::string string_field(const json& body, const char* key) {
  const auto it = body.find(key);
  if (it == body.end() || !it->is_string()) {
    throw ApiError(ErrorCode::invalid_body,
                   std::string("the body must be {\"name\": \"…\", \"password\": \"…\"}; '") + key +
                       "' is missing or not a string");
  }
  return it->get<std::string>();
}

std::string_view via_id(Principal::Via via) {
  switch (via) {
    case Principal::Via::session:
      return "session";
    case Principal::Via::token:
      return "token";
    case Principal::Via::none:
      break;
  }
  return "none";
}

}  // namespace

HttpResponse login(Auth& auth, RequestContext& rc) {
  rc.query.require_known({});
  static const geo::JsonShape kLogin{{"name", {}}, {"password", {}}};
  const json body = parse_json_body(rc.http, kLogin);
  const LoginResult result =
      auth.login(string_field(body, "name"), string_field(body, "password"), rc.http.client);
  HttpResponse r = json_response(200, {{"name", result.principal.name},
                                       {"role", geo::role_id(result.principal.role)},
                                       {"csrf_token", result.principal.csrf_token},
                                       {"expires_at", result.expires_at}});
  r.set_header("Set-Cookie", auth.session_cookie(result.session_token, result.max_age_s));
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse logout(Auth& auth, RequestContext& rc) {
  rc.query.require_known({});
  auth.logout(rc.principal);
  HttpResponse r;
  r.status = 204;
  r.set_header("Set-Cookie", auth.session_cookie("", 0));
  return r;
}

HttpResponse me(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto snapshot = c.snapshots().current();
  const auto& scope = rc.principal.scope;
  HttpResponse r =
      json_response(200, {{"name", rc.principal.name},
                          {"role", geo::role_id(rc.principal.role)},
                          {"via", via_id(rc.principal.via)},
                          // The towns the user works for ([] with all_municipalities: every town).
                          {"municipalities", towns_json(snapshot.get(), scope)},
                          {"all_municipalities", scope.all()}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse list_users(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto users = c.read_accounts([](geo::Store& s) { return s.accounts().users(); });
  const auto snapshot = c.snapshots().current();
  json list = json::array();
  for (const auto& u : users) {
    // An admin scoped to towns manages the users of those towns only: users working for every
    // town, or for a town outside theirs, are not theirs to see.
    if (!rc.principal.scope.covers(u.municipalities)) continue;
    list.push_back({{"name", u.name},
                    {"role", geo::role_id(u.role)},
                    {"municipalities", towns_json(snapshot.get(), u.municipalities)},
                    {"disabled", u.disabled},
                    {"created_at", u.created_at},
                    {"locked_until", u.locked_until.empty() ? json() : json(u.locked_until)}});
  }
  HttpResponse r = json_response(200, {{"users", std::move(list)}});
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace tsunagi::server
