// Gap analyses as background jobs (geo/analysis/job_queue): POST /api/gap/jobs queues one and
// answers 202 with its id; GET /api/gap/jobs/{id} gives status, progress and, when done, the answer
// — as JSON, as CSV for Excel (?format=csv) or as GeoJSON with the areas' boundaries
// (?format=geojson, &layer=uncovered for who is left out); DELETE cancels (the submitter or an
// admin only); the list GET /api/gap/jobs is paged (limit, offset), newest first. For planners,
// coordinators and admins; an answer is computed from the submitter's audience and readable only by
// the same or wider. In a store of several towns a job belongs to the town its request names
// (`municipality`) or to every town: a user scoped to towns analyses one of theirs (their only
// one when the request names none) and sees only their towns' jobs.
#include <nlohmann/json.hpp>

#include "geo/analysis/gap.hpp"
#include "geo/analysis/job_queue.hpp"
#include "geo/core/error.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/resource_params.hpp"
#include "server/roles.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

json job_json(const geo::JobState& s, bool with_result) {
  const auto& r = s.record;
  json j{{"id", r.id},
         {"analysis", r.analysis},
         {"status", r.status},
         {"progress", s.progress},
         {"stage", s.stage},
         {"owner", r.owner},
         {"created_at", r.created_at},
         {"municipality", r.municipality.empty() ? json(nullptr) : json(r.municipality)},
         {"links",
          {{{"rel", "self"}, {"href", "/api/gap/jobs/" + r.id}},
           {{"rel", "alternate"}, {"href", "/api/gap/jobs/" + r.id + "?format=csv"}},
           {{"rel", "alternate"}, {"href", "/api/gap/jobs/" + r.id + "?format=geojson"}}}}};
  if (!r.finished_at.empty()) j["finished_at"] = r.finished_at;
  if (!r.error.empty()) j["error"] = r.error;
  j["request"] = json::parse(r.request_json, nullptr, false);
  if (with_result && r.status == "done") j["result"] = json::parse(r.result_json);
  return j;
}

/// Seconds to wait before submitting again when the queue or one's share of it is full: about
/// how long an analysis of a town takes.
constexpr const char* kRetryAfterS = "5";

HttpResponse no_store(HttpResponse r) {
  r.set_header("Cache-Control", "private, no-store");
  return r;
}

/// The town a request analyses, checked against the store's towns and the caller's: a named town
/// must be one of the store's (400 unknown_municipality) and of the caller's (403
/// outside_municipality); a caller scoped to one town who names none analyses that one, one
/// scoped to several must name one.
void settle_town(json& body, const geo::Snapshot& snapshot, const geo::MunicipalScope& scope) {
  const auto it = body.find("municipality");
  if (it == body.end()) {
    if (scope.all()) return;  // every town's figures
    if (scope.codes().size() == 1) {
      body["municipality"] = scope.codes().front();
      return;
    }
    std::string mine;
    for (const auto& code : scope.codes()) {
      mine += (mine.empty() ? "" : ", ") + town_label(&snapshot, code);
    }
    throw ApiError(ErrorCode::invalid_body, "municipality: you work for several towns (" + mine +
                                                "); name the one whose figures to analyse");
  }
  if (!it->is_string()) {
    throw ApiError(ErrorCode::invalid_body,
                   "municipality: the 6-digit code of one town, e.g. \"023612\"");
  }
  const auto& layer = snapshot.area_layer();
  if (!layer) {
    throw ApiError(ErrorCode::unknown_municipality,
                   "municipality: this server has no municipality boundary loaded");
  }
  const auto found = geo::find_municipality(*layer, it->get<std::string>());
  if (!found.town) throw ApiError(ErrorCode::unknown_municipality, found.message);
  require_covered(scope, &snapshot, found.town->lg_code, "municipality " + found.town->lg_code);
}

}  // namespace

HttpResponse submit_gap_job(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  json body = parse_json_body(rc.http, geo::gap::analysis_request_shape());
  settle_town(body, *c.snapshots().current(), rc.principal.scope);
  std::string id;
  try {
    id = c.jobs().submit(body.dump(), geo::audience_for(rc.principal.role), rc.principal.name);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_body, e.what());
  } catch (const geo::TooManyJobs& e) {
    throw ApiError(ErrorCode::too_many_jobs, e.what(), {{"Retry-After", kRetryAfterS}});
  } catch (const geo::Conflict& e) {
    throw ApiError(ErrorCode::overloaded, e.what(), {{"Retry-After", kRetryAfterS}});
  }
  const auto state = c.jobs().get(id, geo::audience_for(rc.principal.role), rc.principal.scope);
  HttpResponse r = json_response(202, job_json(*state, false));
  r.set_header("Location", "/api/gap/jobs/" + id);
  return no_store(std::move(r));
}

HttpResponse list_gap_jobs(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"limit", "offset"});
  const auto& config = c.config();
  std::size_t limit = static_cast<std::size_t>(config.default_page_size);
  std::size_t offset = 0;
  if (const auto* v = rc.query.get("limit")) {
    limit = parse_count("limit", *v, 1, static_cast<std::size_t>(config.max_page_size));
  }
  if (const auto* v = rc.query.get("offset")) offset = parse_count("offset", *v, 0, 10'000'000);
  const auto page =
      c.jobs().list(geo::audience_for(rc.principal.role), static_cast<std::int64_t>(limit),
                    static_cast<std::int64_t>(offset), rc.principal.scope);
  json list = json::array();
  for (const auto& s : page.jobs) list.push_back(job_json(s, false));
  json links = json::array();
  const std::string base = rc.base_url + "/api/gap/jobs";
  links.push_back(
      {{"rel", "self"},
       {"href", base + "?limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset)}});
  if (offset + page.jobs.size() < static_cast<std::size_t>(page.matched)) {
    links.push_back({{"rel", "next"},
                     {"href", base + "?limit=" + std::to_string(limit) +
                                  "&offset=" + std::to_string(offset + page.jobs.size())}});
  }
  return no_store(
      json_response(200, json{{"jobs", list}, {"numberMatched", page.matched}, {"links", links}}));
}

HttpResponse get_gap_job(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"format", "layer"});
  const auto audience = geo::audience_for(rc.principal.role);
  const auto state = c.jobs().get(rc.params.at(0), audience, rc.principal.scope);
  if (!state) throw ApiError(ErrorCode::not_found, "no analysis job with that id");
  const std::string* format = rc.query.get("format");
  const std::string* layer = rc.query.get("layer");
  if (layer != nullptr && *layer != "uncovered" && *layer != "all") {
    throw ApiError(ErrorCode::invalid_parameter, "layer: 'all' or 'uncovered'");
  }
  if (format == nullptr || *format == "json")
    return no_store(json_response(200, job_json(*state, true)));
  if (*format != "csv" && *format != "geojson") {
    throw ApiError(ErrorCode::invalid_parameter, "format: json, csv or geojson");
  }
  if (state->record.status != "done") {
    throw ApiError(ErrorCode::conflict, "the analysis is " + state->record.status +
                                            ": its answer can be exported when it is done");
  }
  HttpResponse r;
  r.status = 200;
  if (*format == "csv") {
    // For a person in Excel: Japanese column names, the keys in the second row.
    r.body = geo::gap::answer_csv(state->record.result_json, true);
    r.set_header("Content-Type", "text/csv; charset=utf-8");
    r.set_header("Content-Disposition",
                 "attachment; filename=\"tsunagi-" + state->record.analysis + ".csv\"");
  } else {
    const auto snapshot = c.snapshots().current();
    r.body = geo::gap::answer_geojson(*snapshot, audience, state->record.result_json,
                                      layer != nullptr && *layer == "uncovered");
    r.set_header("Content-Type", "application/geo+json");
  }
  return no_store(std::move(r));
}

HttpResponse cancel_gap_job(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const auto audience = geo::audience_for(rc.principal.role);
  const std::string& id = rc.params.at(0);
  switch (c.jobs().cancel(id, audience, rc.principal.name, rc.principal.role == Role::admin,
                          rc.principal.scope)) {
    case geo::JobQueue::CancelResult::not_found:
      throw ApiError(ErrorCode::not_found, "no analysis job with that id");
    case geo::JobQueue::CancelResult::not_owner:
      throw ApiError(ErrorCode::forbidden,
                     "only the user who submitted an analysis, or an admin, may cancel it");
    case geo::JobQueue::CancelResult::ended:
      throw ApiError(ErrorCode::conflict, "the analysis has already ended");
    case geo::JobQueue::CancelResult::cancelled:
      break;
  }
  const auto state = c.jobs().get(id, audience, rc.principal.scope);
  if (!state) throw ApiError(ErrorCode::not_found, "no analysis job with that id");
  return no_store(json_response(202, job_json(*state, false)));
}

}  // namespace tsunagi::server
