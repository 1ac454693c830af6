// GET /api/reports/annual?municipality=023612&year=2026[&format=csv] — the 事業報告 of one town
// (geo/cases/annual_report) for planners, coordinators and admins: JSON, or CSV through the one
// guarded CSV writer. Counts under k = 5 are suppressed by the small-cell rule and the answer says
// so. Reading the cases is written to the audit log under the caller's name.
#include "geo/analysis/town_coverage.hpp"
#include "geo/cases/annual_report.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/resource_params.hpp"

namespace tsunagi::server {

HttpResponse annual_report(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"municipality", "year", "format"});
  const auto snapshot = c.snapshots().current();
  // A scoped coordinator or planner asks for one of their towns only.
  const auto town = parse_municipality_in_scope(rc.query, *snapshot, rc.principal.scope);
  if (!town) {
    throw ApiError(ErrorCode::invalid_parameter,
                   "municipality is required: the 6-digit code of one town (e.g. 023612)");
  }
  const std::string* year = rc.query.get("year");
  if (year == nullptr) {
    throw ApiError(ErrorCode::invalid_parameter, "year is required (e.g. year=2026)");
  }
  geo::AnnualReportRequest req;
  req.lg_code = town->lg_code;
  req.year = static_cast<int>(parse_count("year", *year, 2000, 2100));
  const std::string* format = rc.query.get("format");
  if (format != nullptr && *format != "json" && *format != "csv") {
    throw ApiError(ErrorCode::invalid_parameter, "format must be json or csv");
  }
  // The coverage as a planner may see the figures, from the published snapshot.
  const auto cover = geo::town_coverage(*snapshot, geo::Audience::partners, town->area_id,
                                        {geo::ResourceKind::kayoi_no_ba}, 15,
                                        c.read([](const geo::Store& s) { return s.sources(); }));
  if (cover.figures) {
    req.coverage = geo::ReportCoverage{cover.figures->target, cover.figures->covered,
                                       cover.figures->uncovered};
  }
  req.coverage_note = cover.note;
  const geo::AuditActor who{rc.principal.user_id, rc.principal.name, rc.principal.scope};
  const auto report =
      c.write([&](geo::Store& s) { return geo::annual_report(s, *snapshot, *town, req, who); });
  HttpResponse r;
  if (format != nullptr && *format == "csv") {
    r.status = 200;
    r.body = geo::annual_report_csv(report);
    r.set_header("Content-Type", "text/csv; charset=utf-8");
    r.set_header("Content-Disposition", "attachment; filename=\"tsunagi-report-" + town->lg_code +
                                            "-" + std::to_string(req.year) + ".csv\"");
  } else {
    r = json_response(200, geo::annual_report_json(report));
  }
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace tsunagi::server
