// The coordinator's page of overdue listings (issue 23):
//   GET /api/confirmation/overdue?older_than_days=N&kind=K&limit=L&offset=O   coordinator, admin
// The listings last confirmed (verified_at, else their creation) more than N days ago (default:
// the server's unconfirmed_after_days; the same rule, geo::unconfirmed, that flags or hides them
// on the public map), oldest first, a page of them; every open confirmation request with its
// listing; and how many proposals wait in the review queue.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/time.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/store.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/resource_params.hpp"

namespace tsunagi::server {

using nlohmann::json;

HttpResponse list_overdue(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"older_than_days", "kind", "limit", "offset"});
  const auto& config = c.config();
  int older_than = config.unconfirmed_after_days;
  if (const auto* v = rc.query.get("older_than_days")) {
    older_than = static_cast<int>(parse_count("older_than_days", *v, 0, 36500));
  }
  std::optional<geo::ResourceKind> kind;
  if (const auto* v = rc.query.get("kind")) {
    kind = geo::parse_code<geo::ResourceKind>(*v);
    if (!kind) {
      throw ApiError(ErrorCode::invalid_parameter,
                     "kind: unknown kind '" + v->substr(0, 40) + "' (one of " +
                         geo::code_ids_joined<geo::ResourceKind>() + ")");
    }
  }
  std::size_t limit = static_cast<std::size_t>(config.default_page_size);
  std::size_t offset = 0;
  if (const auto* v = rc.query.get("limit")) {
    limit = parse_count("limit", *v, 1, static_cast<std::size_t>(config.max_page_size));
  }
  if (const auto* v = rc.query.get("offset")) offset = parse_count("offset", *v, 0, 10'000'000);

  std::vector<geo::ConfirmationRequest> open;
  std::int64_t review_count = 0;
  c.read_accounts([&](geo::Store& s) {
    geo::Confirmations& conf = s.confirmations();
    open = conf.open_requests(geo::utc_now_iso());
    review_count = conf.count_open();
    if (!rc.principal.scope.all()) {
      // The review queue of the caller's towns (list_review decides the same way).
      review_count = 0;
      for (const auto& p : conf.open_proposals(conf.count_open(), 0)) {
        const auto res = s.resource(p.resource_id);
        if (res && rc.principal.scope.covers(res->lg_code)) ++review_count;
      }
    }
  });
  std::map<std::string, const geo::ConfirmationRequest*> open_by_listing;
  for (const auto& r : open) open_by_listing[r.resource_id] = &r;

  const auto snapshot = c.snapshots().current();
  const geo::AudienceView& view = snapshot->view(geo::audience_for(rc.principal.role));
  const auto& scope = rc.principal.scope;
  const geo::FreshnessRule rule = geo::freshness_rule(older_than, geo::FreshnessRule::Public::flag);
  struct Row {
    std::string last;
    const geo::Resource* r = nullptr;
  };
  std::vector<Row> rows;
  for (const auto& item : view.items()) {
    const geo::Resource& r = item->resource();
    if (kind && r.kind != *kind) continue;
    if (!scope.covers(r.lg_code)) continue;  // a scoped coordinator's towns only
    if (!geo::unconfirmed(r, rule)) continue;
    rows.push_back({geo::last_confirmed(r), &r});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.last != b.last ? a.last < b.last : a.r->id < b.r->id;
  });

  auto request_json = [](const geo::ConfirmationRequest& q) {
    return json{{"id", q.id}, {"created_at", q.created_at}, {"expires_at", q.expires_at}};
  };
  json listings = json::array();
  for (std::size_t i = offset; i < rows.size() && i < offset + limit; ++i) {
    const geo::Resource& r = *rows[i].r;
    json item = {{"id", r.id},
                 {"name", r.name},
                 {"kind", geo::code_id(r.kind)},
                 {"lg_code", r.lg_code},
                 {"address", r.address},
                 {"last_confirmed", rows[i].last},
                 {"verified_at", r.verified_at.empty() ? json(nullptr) : json(r.verified_at)}};
    const auto it = open_by_listing.find(r.id);
    item["open_request"] = it != open_by_listing.end() ? request_json(*it->second) : json(nullptr);
    listings.push_back(std::move(item));
  }
  json requests = json::array();
  for (const auto& q : open) {
    const geo::ServedResource* served = view.find(q.resource_id);
    if (served == nullptr || !scope.covers(served->resource().lg_code)) continue;
    json item = request_json(q);
    item["resource_id"] = q.resource_id;
    item["name"] = served->resource().name;
    item["kind"] = geo::code_id(served->resource().kind);
    requests.push_back(std::move(item));
  }
  json body = {{"older_than_days", older_than},
               {"confirmed_since", rule.confirmed_since},
               {"total", rows.size()},
               {"limit", limit},
               {"offset", offset},
               {"listings", std::move(listings)},
               {"open_requests", std::move(requests)},
               {"review_count", review_count}};
  if (offset + limit < rows.size()) body["next_offset"] = offset + limit;
  HttpResponse r = json_response(200, body);
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace tsunagi::server
