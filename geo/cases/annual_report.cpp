#include "geo/cases/annual_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "geo/cases/tenancy.hpp"
#include "geo/catalog/small_cell.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

/// The calendar year in Japan of an ISO 8601 UTC instant or a date; 0 when unreadable.
int jst_year(const std::string& text) {
  if (const auto t = parse_iso_utc(text)) return std::stoi(jst_month(*t).substr(0, 4));
  if (text.size() >= 10 && text[4] == '-') {
    try {
      return std::stoi(text.substr(0, 4));  // a date (verified_at) is already in Japan
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

/// When the host answered (見学・体験・参加開始 accept, 受入れ不可 declines), in days after the
/// first 受入れ先打診; nullopt when there is no answer yet.
std::optional<double> days_to_answer(const Referral& r) {
  std::optional<std::time_t> asked;
  for (const auto& e : r.history) {
    const auto at = parse_iso_utc(e.at);
    if (!at) continue;
    if (e.status == ReferralStatus::host_asked && !asked) {
      asked = at;
    } else if (asked && (e.status == ReferralStatus::visit || e.status == ReferralStatus::trial ||
                         e.status == ReferralStatus::started ||
                         e.status == ReferralStatus::declined_by_host)) {
      return static_cast<double>(*at - *asked) / 86400.0;
    }
  }
  return std::nullopt;
}

}  // namespace

AnnualReport annual_report(Store& store, const Snapshot& snap, const Municipality& town,
                           const AnnualReportRequest& req, const AuditActor& who) {
  AnnualReport out;
  out.lg_code = town.lg_code;
  out.town = town.short_name;
  out.town_full = town.name;
  out.year = req.year;
  out.k = req.k;
  out.generated_at = utc_now_iso();
  const auto& layer = snap.area_layer();
  if (!layer) throw InvalidArgument("the store has no areas: import the town's boundary first");

  // ---- referrals of the year whose person lives in the town ----
  std::map<std::string, ResourceKind> kind_of;  // placements seen
  const AudienceView& all = snap.view(Audience::internal);
  std::vector<Referral> cases;
  for (auto& r : store.referrals().list({}, who)) {
    if (jst_year(r.created_at) != req.year) continue;
    if (cases::case_municipality(layer.get(), r) != town.lg_code) continue;
    if (!kind_of.contains(r.resource_id)) {
      if (const auto* s = all.find(r.resource_id)) {
        kind_of.emplace(r.resource_id, s->resource().kind);
      } else if (const auto stored = store.resource(r.resource_id)) {
        kind_of.emplace(r.resource_id, stored->kind);
      }
    }
    cases.push_back(std::move(r));
  }

  std::vector<ReportCount>& c = out.counts;
  const auto add = [&](std::string section, std::string key, std::string label, std::int64_t v) {
    c.push_back({std::move(section), std::move(key), std::move(label), v});
    return c.size() - 1;
  };
  std::vector<Breakdown> relations;

  const std::size_t total =
      add("referrals", "total", "紹介（つなぎ）の件数", static_cast<std::int64_t>(cases.size()));
  Breakdown by_status{total, {}};
  for (const auto& code : CodeTable<ReferralStatus>::entries) {
    const auto n = std::count_if(cases.begin(), cases.end(),
                                 [&](const Referral& r) { return r.status == code.value; });
    by_status.parts.push_back(add("referrals_by_status", std::string(code.id), std::string(code.ja),
                                  static_cast<std::int64_t>(n)));
  }
  relations.push_back(by_status);
  Breakdown by_kind{total, {}};
  std::map<ResourceKind, std::int64_t> kinds;
  std::int64_t unknown_kind = 0;
  for (const auto& r : cases) {
    const auto it = kind_of.find(r.resource_id);
    if (it == kind_of.end()) {
      ++unknown_kind;
    } else {
      ++kinds[it->second];
    }
  }
  for (const auto& [kind, n] : kinds) {
    by_kind.parts.push_back(
        add("referrals_by_kind", std::string(code_id(kind)), std::string(code_ja(kind)), n));
  }
  if (unknown_kind > 0) {
    by_kind.parts.push_back(
        add("referrals_by_kind", "unknown", "受入れ先が削除済み", unknown_kind));
  }
  relations.push_back(by_kind);
  const auto declined = [&](ReferralStatus s) {
    for (std::size_t i = 0; i < by_status.parts.size(); ++i) {
      if (CodeTable<ReferralStatus>::entries[i].value == s) return by_status.parts[i];
    }
    return total;
  };
  std::int64_t n_declined = 0;
  std::map<DeclineReason, std::int64_t> reasons;
  for (const auto& r : cases) {
    if (r.status != ReferralStatus::declined_by_person &&
        r.status != ReferralStatus::declined_by_host) {
      continue;
    }
    ++n_declined;
    ++reasons[r.decline_reason.value_or(DeclineReason::other)];
  }
  const std::size_t declines = add("decline_reasons", "total", "辞退・受入れ不可", n_declined);
  relations.push_back(
      {declines,
       {declined(ReferralStatus::declined_by_person), declined(ReferralStatus::declined_by_host)}});
  Breakdown by_reason{declines, {}};
  for (const auto& code : CodeTable<DeclineReason>::entries) {
    by_reason.parts.push_back(
        add("decline_reasons", std::string(code.id), std::string(code.ja), reasons[code.value]));
  }
  relations.push_back(by_reason);

  std::vector<double> days;
  for (const auto& r : cases) {
    if (const auto d = days_to_answer(r)) days.push_back(*d);
  }
  add("referrals", "host_answers", "受入れ先の回答", static_cast<std::int64_t>(days.size()));
  if (static_cast<int>(days.size()) >= req.k) {
    std::sort(days.begin(), days.end());
    const std::size_t m = days.size() / 2;
    const double med = days.size() % 2 == 1 ? days[m] : (days[m - 1] + days[m]) / 2;
    out.median_days_to_answer = std::round(med * 10) / 10;
  }

  // ---- the town's resources ----
  std::int64_t created = 0;
  std::int64_t closed = 0;
  std::int64_t confirmed = 0;
  std::vector<std::string> closed_ids;
  store.for_each_resource([&](Resource&& r) {
    if (r.lg_code != town.lg_code) return;
    if (jst_year(r.created_at) == req.year) ++created;
    if (!r.verified_at.empty() && jst_year(r.verified_at) == req.year) ++confirmed;
    if (r.status == ResourceStatus::closed) closed_ids.push_back(r.id);
  });
  for (const auto& id : closed_ids) {
    const auto h = store.history(id);
    const auto it = std::find_if(h.rbegin(), h.rend(),
                                 [](const HistoryEntry& e) { return e.action == "closed"; });
    if (it != h.rend() && jst_year(it->at) == req.year) ++closed;
  }
  add("resources", "new", "新しく登録された社会資源", created);
  add("resources", "closed", "終了した社会資源", closed);
  add("resources", "confirmed", "掲載内容が確認された社会資源（最終確認がこの年）", confirmed);

  // ---- coverage of 75歳以上 (computed by the caller with the gap analysis) ----
  if (req.coverage) {
    const std::size_t target = add("coverage", "aged_75", "75歳以上の人数", req.coverage->target);
    const std::size_t in = add("coverage", "covered", "徒歩圏内", req.coverage->covered);
    const std::size_t outside = add("coverage", "uncovered", "徒歩圏外", req.coverage->uncovered);
    relations.push_back({target, {in, outside}});
  }
  out.coverage_note = req.coverage_note;

  // ---- the small-cell rule over every count ----
  std::vector<Area> row(1);
  row[0].id = town.area_id;
  row[0].kind = AreaKind::municipality;
  row[0].lg_code = town.lg_code;
  SmallCellInput in;
  in.areas = &row;
  in.columns = c.size();
  in.k.assign(c.size(), req.k);
  in.breakdowns = relations;
  for (const auto& x : c) in.value.emplace_back(static_cast<double>(*x.value));
  const SmallCellResult rule = apply_small_cell_rule(in);
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (rule.suppressed[i] != 0) c[i].value.reset();
  }
  out.suppressed = rule.primary + rule.secondary;
  out.suppressed_secondary = rule.secondary;
  out.unprotectable = rule.unprotectable;
  return out;
}

namespace {

std::string suppression_note(const AnnualReport& r) {
  return std::to_string(r.k) + "件未満の件数は秘匿（小さな数から個人が特定されないよう）。秘匿 " +
         std::to_string(r.suppressed) + "件（うち合計から逆算されないための秘匿 " +
         std::to_string(r.suppressed_secondary) + "件）。回答の中央値は回答が" +
         std::to_string(r.k) + "件以上のときのみ。" +
         (r.unprotectable > 0 ? "ただし " + std::to_string(r.unprotectable) +
                                    "件は公表した件数からおおよその範囲が分かります。"
                              : std::string());
}

}  // namespace

nlohmann::json annual_report_json(const AnnualReport& r) {
  nlohmann::json counts = nlohmann::json::array();
  for (const auto& c : r.counts) {
    counts.push_back({{"section", c.section},
                      {"key", c.key},
                      {"label", c.label},
                      {"value", c.value ? nlohmann::json(*c.value) : nlohmann::json(nullptr)},
                      {"suppressed", !c.value}});
  }
  return {
      {"municipality", {{"code", r.lg_code}, {"name", r.town}}},
      {"year", r.year},
      {"title", r.town + " 参加支援事業 事業報告（" + std::to_string(r.year) + "年）"},
      {"counts", std::move(counts)},
      {"median_days_to_answer", r.median_days_to_answer ? nlohmann::json(*r.median_days_to_answer)
                                                        : nlohmann::json(nullptr)},
      {"coverage_note", r.coverage_note},
      {"suppression",
       {{"k", r.k},
        {"suppressed", r.suppressed},
        {"secondary", r.suppressed_secondary},
        {"note", suppression_note(r)}}},
      {"generated_at", r.generated_at}};
}

std::string annual_report_csv(const AnnualReport& r) {
  std::string out(csv::kBom);
  const std::string year = std::to_string(r.year);
  csv::append_row(out, {"municipality", r.lg_code, r.town, year});
  csv::append_row(out, {"section", "key", "項目", "件数"});
  for (const auto& c : r.counts) {
    const std::string v = c.value ? std::to_string(*c.value) : "秘匿";
    csv::append_row(out, {c.section, c.key, c.label, v});
  }
  std::string median = "秘匿";
  if (r.median_days_to_answer) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *r.median_days_to_answer);
    median = buf;
  }
  csv::append_row(
      out, {"referrals", "median_days_to_answer", "受入れ先の回答までの日数（中央値）", median});
  csv::append_row(out, {"coverage", "note", "カバー率の条件", r.coverage_note});
  csv::append_row(out, {"suppression", "note", "秘匿", suppression_note(r)});
  return out;
}

}  // namespace tsunagi::geo
