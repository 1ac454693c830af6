#include "geo/cases/tenancy.hpp"

#include "geo/catalog/municipality_scope.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo::cases {

std::string area_municipality(const AreaLayer& layer, std::string_view area_id) {
  const auto i = layer.area_index(area_id);
  if (!i) return {};
  const Area& a = layer.areas()[*i];
  if (!a.lg_code.empty()) return a.lg_code;
  constexpr std::string_view kPrefix = "municipality:";
  if (a.id.starts_with(kPrefix)) return a.id.substr(kPrefix.size());
  return {};
}

std::string case_municipality(const AreaLayer* layer, const Referral& r) {
  if (!r.municipality.empty()) return r.municipality;
  if (layer == nullptr) return {};
  return area_municipality(*layer, r.home_area);
}

std::string person_municipality(const AreaLayer* layer, std::string_view home_area,
                                const MunicipalScope& scope, std::string_view named) {
  std::string town = layer != nullptr ? area_municipality(*layer, home_area) : std::string();
  if (!town.empty() && !named.empty() && named != town) {
    throw InvalidArgument("municipality " + std::string(named) + " contradicts the home area " +
                          std::string(home_area.substr(0, 60)) + ", which lies in " + town +
                          ": leave municipality out, the home area says the town");
  }
  if (town.empty()) town = std::string(named);
  if (town.empty() && scope.codes().size() == 1) town = scope.codes().front();
  if (town.empty()) {
    // A single-town instance: its one municipality, or, without any boundary, no town at all for
    // an unscoped matcher (as before towns were recorded).
    const auto towns = layer != nullptr ? municipalities(*layer) : std::vector<Municipality>{};
    if (towns.size() == 1) town = towns.front().lg_code;
    if (towns.empty() && scope.all()) return {};
  }
  if (town.empty()) {
    throw InvalidArgument(
        "municipality is required: the home area " + std::string(home_area.substr(0, 60)) +
        " is of no known town, so name the person's town (a 6-digit lg_code, e.g. 023612)");
  }
  if (!scope.covers(town)) {
    throw OutsideMunicipality("the person lives in " + town + ", outside the towns you work for (" +
                                  scope.text() +
                                  "): a matcher of that town records the case; you may match "
                                  "people of your towns to placements anywhere",
                              town);
  }
  return town;
}

std::optional<CaseView> case_view(const MunicipalScope& scope, const Referral& r) {
  if (scope.covers(r.municipality)) return CaseView::full;
  if (scope.covers(r.host_municipality)) return CaseView::host;
  return std::nullopt;
}

nlohmann::json referral_view_json(const Referral& r, CaseView view) {
  using nlohmann::json;
  if (view == CaseView::full) {
    json out = referral_json(r);
    out["view"] = "case";
    return out;
  }
  json history = json::array();
  for (const auto& e : r.history) {
    json h = {{"at", e.at}, {"status", code_id(e.status)}, {"label", code_ja(e.status)}};
    if (e.reason) h["reason"] = {{"code", code_id(*e.reason)}, {"label", code_ja(*e.reason)}};
    history.push_back(std::move(h));
  }
  json out = {
      {"view", "host"},
      {"view_label", "受入れ先としての紹介（本人の情報は紹介元の市町村が持ちます）"},
      {"case_id", r.case_id},
      {"resource_id", r.resource_id},
      {"status", code_id(r.status)},
      {"status_label", code_ja(r.status)},
      {"allowed_next", json::array()},
      {"holds_slot", r.slot_taken},
      {"follow_up_due", r.follow_up_due.empty() ? json(nullptr) : json(r.follow_up_due)},
      {"version", r.version},
      {"created_at", r.created_at},
      {"updated_at", r.updated_at},
      {"history", std::move(history)},
      {"municipality", r.municipality.empty() ? json(nullptr) : json(r.municipality)},
      {"host_municipality",
       r.host_municipality.empty() ? json(nullptr) : json(r.host_municipality)},
  };
  out["decline_reason"] = r.decline_reason ? json{{"code", code_id(*r.decline_reason)},
                                                  {"label", code_ja(*r.decline_reason)}}
                                           : json(nullptr);
  if (!r.closed_at.empty()) out["closed_at"] = r.closed_at;
  return out;
}

}  // namespace tsunagi::geo::cases
