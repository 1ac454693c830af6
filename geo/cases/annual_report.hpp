// The 事業報告 of one commissioning town for one year (JST calendar year): what a town asks of
// the contractor running 参加支援 for it — referrals by status and by kind of placement, decline
// reasons, the median days to the host's answer, new and closed resources, listings confirmed in
// the year, and the coverage of 75歳以上. Every count goes through the one small-cell rule
// (geo/catalog/small_cell) with k = 5 and the relations a reader can combine (a total and its
// parts); a suppressed count has no value, and the report says how many were suppressed and why.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/catalog/municipality_scope.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/store/referrals.hpp"

namespace tsunagi::geo {

/// 75歳以上 within reach, as the gap analysis counted them for the town (geo/analysis/
/// town_coverage; computed by the caller, since cases do not link the analysis library).
struct ReportCoverage {
  std::int64_t target = 0;
  std::int64_t covered = 0;
  std::int64_t uncovered = 0;
};

struct AnnualReportRequest {
  std::string lg_code;  ///< checked by the caller (find_municipality)
  int year = 0;         ///< calendar year in Japan, e.g. 2026
  std::optional<ReportCoverage> coverage;
  std::string coverage_note;  ///< what the coverage counted, or why there is none
  int k = 5;                  ///< the small-cell threshold
};

/// One count of the report: nullopt when suppressed.
struct ReportCount {
  std::string section;  ///< referrals_by_status, referrals_by_kind, decline_reasons, resources,
                        ///< coverage
  std::string key;      ///< e.g. "started", "kayoi_no_ba", "full", "new"
  std::string label;    ///< Japanese
  std::optional<std::int64_t> value;
};

struct AnnualReport {
  std::string lg_code;
  std::string town;       ///< 藤崎町
  std::string town_full;  ///< 青森県南津軽郡藤崎町
  int year = 0;
  int k = 5;
  std::vector<ReportCount> counts;
  /// Median days from 受入れ先打診 to the host's answer over the year's answers; nullopt when
  /// fewer than k answers (then suppressed).
  std::optional<double> median_days_to_answer;
  std::size_t suppressed = 0;            ///< counts without a value
  std::size_t suppressed_secondary = 0;  ///< of them, hidden only to protect another
  /// Suppressed counts that the published ones still bound to an interval narrower than k (the
  /// rule's `unprotectable`): said in the report rather than hidden.
  std::size_t unprotectable = 0;
  std::string coverage_note;  ///< what the coverage counted, or why it is missing
  std::string generated_at;
};

/// Builds the report from the store's cases (read through Referrals::list, so each case read is
/// in the audit log under `who`) and resources, and the snapshot's areas. A case counts for the
/// town it belongs to (geo/cases/tenancy case_municipality: its stored town, else its home
/// area's), never for its placement's.
[[nodiscard]] AnnualReport annual_report(Store& store, const Snapshot& snap,
                                         const Municipality& town, const AnnualReportRequest& req,
                                         const AuditActor& who);

[[nodiscard]] nlohmann::json annual_report_json(const AnnualReport& r);
/// UTF-8 with a BOM, through the one guarded CSV writer: section, key, 項目, 件数 (empty and
/// 秘匿 when suppressed), then the median and the suppression note.
[[nodiscard]] std::string annual_report_csv(const AnnualReport& r);

}  // namespace tsunagi::geo
