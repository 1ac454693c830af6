// /api/referrals (参加支援 matchers) and /api/audit (admins): referrals followed from 提案 to
// 終了 (the store keeps them, geo/cases holds their request rules), each read and write of a case
// audited in the store. Every answer about a case is `Cache-Control: no-store`; bodies hold no
// personal data (unknown fields are refused, by name).
#include <charconv>
#include <cmath>
#include <limits>

#include "geo/cases/referral_requests.hpp"
#include "geo/cases/tenancy.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

namespace {

using nlohmann::json;

/// The caller with the towns they work for: the store finds only the cases of those towns and
/// of placements there (geo/store/referrals.hpp AuditActor).
geo::AuditActor actor_of(const RequestContext& rc) {
  return {rc.principal.user_id, rc.principal.name, rc.principal.scope};
}

HttpResponse private_json(int status, const json& body) {
  HttpResponse r = json_response(status, body);
  r.set_header("Cache-Control", "no-store");  // about people: never kept by a cache
  return r;
}

/// The case id of the path, or 404 (without a lookup) when it cannot be one.
const std::string& case_id_param(const RequestContext& rc) {
  const std::string& id = rc.params.at(0);
  if (!geo::is_case_id(id)) throw ApiError(ErrorCode::not_found, "no referral with that case id");
  return id;
}

/// A case as the caller sees it (geo/cases/tenancy): all of it in the person's town, as "a
/// referral to your placement" in the placement's town.
json case_json(const RequestContext& rc, const geo::Referral& r) {
  const auto view = geo::cases::case_view(rc.principal.scope, r);
  return geo::cases::referral_view_json(r, view.value_or(geo::cases::CaseView::host));
}

json list_json(const RequestContext& rc, const std::vector<geo::Referral>& list) {
  json items = json::array();
  for (const auto& r : list) items.push_back(case_json(rc, r));
  return {{"count", list.size()}, {"referrals", std::move(items)}};
}

std::int64_t int_param(const RequestContext& rc, std::string_view key, std::int64_t fallback,
                       std::int64_t min, std::int64_t max) {
  const std::string* v = rc.query.get(key);
  if (v == nullptr) return fallback;
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < min || n > max) {
    throw ApiError(ErrorCode::invalid_parameter,
                   std::string(key) + " must be a whole number from " + std::to_string(min) +
                       " to " + std::to_string(max));
  }
  return n;
}

}  // namespace

HttpResponse create_referral(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const json body = parse_json_body(rc.http, geo::new_referral_shape());
  const auto snapshot = c.snapshots().current();
  geo::Referral r;
  try {
    r = geo::parse_new_referral(body, [&](std::string_view text) -> std::optional<std::string> {
      if (!snapshot) return std::nullopt;
      return geo::cases::resolve_home_area(*snapshot, text);
    });
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  // Only a placement the matcher may see (geo/catalog/visibility): an internal one stays unknown.
  // Any town's: people are matched across borders; the case belongs to the person's town.
  if (!snapshot ||
      snapshot->view(geo::audience_for(rc.principal.role)).find(r.resource_id) == nullptr) {
    throw ApiError(ErrorCode::invalid_body, "resource_id '" + r.resource_id.substr(0, 60) +
                                                "' is not a placement you can see");
  }
  try {
    r.municipality = geo::cases::person_municipality(snapshot->area_layer().get(), r.home_area,
                                                     rc.principal.scope, r.municipality);
  } catch (const geo::OutsideMunicipality& e) {
    throw ApiError(ErrorCode::outside_municipality, e.what());
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  const auto who = actor_of(rc);
  const auto created = c.write([&](geo::Store& s) { return s.referrals().create(r, who); });
  HttpResponse resp = private_json(201, case_json(rc, created));
  resp.set_header("Location", "/api/referrals/" + percent_encode(created.case_id));
  return resp;
}

HttpResponse list_referrals(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"status", "resource_id", "municipality"});
  geo::ReferralFilter filter;
  if (const std::string* s = rc.query.get("status")) {
    filter.status = geo::parse_code<geo::ReferralStatus>(*s);
    if (!filter.status) {
      throw ApiError(ErrorCode::invalid_parameter,
                     "status must be one of " + geo::code_ids_joined<geo::ReferralStatus>());
    }
  }
  if (const std::string* s = rc.query.get("resource_id")) filter.resource_id = *s;
  if (rc.query.get("municipality") != nullptr) {
    // The cases of one town (their person's); a scoped matcher names one of their towns.
    const auto snapshot = c.snapshots().current();
    filter.municipality =
        parse_municipality_in_scope(rc.query, *snapshot, rc.principal.scope)->lg_code;
  }
  const auto who = actor_of(rc);
  const auto list = c.write([&](geo::Store& s) { return s.referrals().list(filter, who); });
  return private_json(200, list_json(rc, list));
}

HttpResponse overdue_referrals(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"as_of"});
  std::string today = geo::today_jst();
  if (const std::string* d = rc.query.get("as_of")) {
    try {
      geo::check_date(*d, "as_of");
    } catch (const geo::InvalidArgument& e) {
      throw ApiError(ErrorCode::invalid_parameter, e.what());
    }
    today = *d;
  }
  const auto who = actor_of(rc);
  const auto list = c.write([&](geo::Store& s) { return s.referrals().overdue(today, who); });
  json body = list_json(rc, list);
  body["as_of"] = today;
  return private_json(200, body);
}

HttpResponse get_referral(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string& id = case_id_param(rc);
  const auto who = actor_of(rc);
  const auto r = c.write([&](geo::Store& s) { return s.referrals().get(id, who); });
  if (!r) throw ApiError(ErrorCode::not_found, "no referral with case id " + id);
  return private_json(200, case_json(rc, *r));
}

HttpResponse transition_referral(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string& id = case_id_param(rc);
  const json body = parse_json_body(rc.http, geo::cases::transition_shape());
  geo::cases::TransitionRequest t;
  try {
    t = geo::cases::parse_transition(body);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  const auto who = actor_of(rc);
  const auto r = c.write([&](geo::Store& s) {
    return s.referrals().transition(id, t.to, t.reason, t.follow_up_due, who);
  });
  return private_json(200, case_json(rc, r));
}

HttpResponse follow_up_referral(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string& id = case_id_param(rc);
  const json body = parse_json_body(rc.http, geo::cases::follow_up_shape());
  std::string due;
  try {
    due = geo::cases::parse_follow_up(body);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  }
  const auto who = actor_of(rc);
  const auto r = c.write([&](geo::Store& s) { return s.referrals().set_follow_up(id, due, who); });
  return private_json(200, case_json(rc, r));
}

HttpResponse referral_stats(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"resource_id"});
  const std::string* res = rc.query.get("resource_id");
  const std::string resource_id = res != nullptr ? *res : std::string();
  // Only placements the caller may see (geo/catalog/visibility).
  const auto snapshot = c.snapshots().current();
  const auto& view = snapshot->view(geo::audience_for(rc.principal.role));
  if (!resource_id.empty() && view.find(resource_id) == nullptr) {
    throw ApiError(ErrorCode::not_found, "no placement " + resource_id.substr(0, 60));
  }
  const auto who = actor_of(rc);
  const auto stats = c.write([&](geo::Store& s) { return s.referrals().stats(resource_id, who); });
  json placements = json::array();
  for (const auto& s : stats) {
    if (view.find(s.resource_id) != nullptr)
      placements.push_back(geo::cases::placement_stats_json(s));
  }
  return private_json(200, {{"k_min", geo::Referrals::kMinCell},
                            {"note",
                             "the host's answers by closed calendar month (JST), up to the end "
                             "of last month: this month is never shown, and a month with fewer "
                             "than 5 answers is neither shown nor counted in a total"},
                            {"placements", std::move(placements)}});
}

HttpResponse audit_log(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"after", "limit"});
  const std::int64_t after = int_param(rc, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
  const auto limit = static_cast<int>(int_param(rc, "limit", 100, 1, 1000));
  // The read connection: reading the log never waits for a write. An admin scoped to towns reads
  // the entries of those towns' cases only.
  const auto& towns = rc.principal.scope;
  const auto entries =
      c.read_accounts([&](geo::Store& s) { return s.referrals().audit(after, limit, towns); });
  json items = json::array();
  for (const auto& e : entries) {
    items.push_back(
        {{"id", e.id},
         {"at", e.at},
         {"user_id", e.user_id},
         {"user", e.user_name},
         {"action", e.action},
         {"case_id", e.case_id.empty() ? json(nullptr) : json(e.case_id)},
         {"legal_basis", e.legal_basis.empty() ? json(nullptr) : json(e.legal_basis)},
         {"detail", e.detail},
         {"municipality", e.municipality.empty() ? json(nullptr) : json(e.municipality)}});
  }
  json body = {{"entries", std::move(items)}};
  if (static_cast<int>(entries.size()) == limit) {
    body["next"] =
        "/api/audit?after=" + std::to_string(entries.back().id) + "&limit=" + std::to_string(limit);
  }
  return private_json(200, body);
}

}  // namespace tsunagi::server
