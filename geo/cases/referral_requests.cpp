#include "geo/cases/referral_requests.hpp"

#include <cmath>

#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo::cases {

using nlohmann::json;

bool home_area_kind_allowed(AreaKind k) {
  using K = AreaKind;
  return k == K::prefecture || k == K::municipality || k == K::ward || k == K::oaza ||
         k == K::chome || k == K::small_area || k == K::nichijo_seikatsu_ken ||
         k == K::school_district || k == K::mesh1 || k == K::mesh2 || k == K::mesh3;
}

std::optional<std::string> resolve_home_area(const Snapshot& snapshot, std::string_view text) {
  for (const auto& a : snapshot.areas()) {
    if ((a.id == text || a.code == text) && home_area_kind_allowed(a.kind)) return a.id;
  }
  return std::nullopt;
}

const JsonShape& transition_shape() {
  static const JsonShape shape =
      JsonShape{{"to", {}}, {"reason", {}}, {"follow_up_due", {}}}.with_note(
          "a transition takes to, reason and follow_up_due only (no personal data)");
  return shape;
}

TransitionRequest parse_transition(const json& body) {
  TransitionRequest t;
  const std::string to_text =
      body.contains("to") && body["to"].is_string() ? body["to"].get<std::string>() : "";
  const auto to = parse_code<ReferralStatus>(to_text);
  if (!to) throw InvalidArgument("to must be one of " + code_ids_joined<ReferralStatus>());
  t.to = *to;
  if (body.contains("reason") && !body["reason"].is_null()) {
    const std::string text = body["reason"].is_string() ? body["reason"].get<std::string>() : "";
    t.reason = parse_code<DeclineReason>(text);
    if (!t.reason) {
      throw InvalidArgument("reason must be one of " + code_ids_joined<DeclineReason>());
    }
  }
  if (body.contains("follow_up_due")) {
    const auto& f = body["follow_up_due"];
    if (!f.is_null() && !f.is_string()) {
      throw InvalidArgument("follow_up_due must be a date YYYY-MM-DD or null");
    }
    t.follow_up_due = f.is_null() ? std::string() : f.get<std::string>();
  }
  return t;
}

const JsonShape& follow_up_shape() {
  static const JsonShape shape = JsonShape{{"follow_up_due", {}}}.with_note(
      "a follow-up takes follow_up_due only (no personal data)");
  return shape;
}

std::string parse_follow_up(const json& body) {
  if (!body.contains("follow_up_due") ||
      (!body["follow_up_due"].is_null() && !body["follow_up_due"].is_string())) {
    throw InvalidArgument("follow_up_due is required: a date YYYY-MM-DD, or null to clear it");
  }
  return body["follow_up_due"].is_null() ? std::string() : body["follow_up_due"].get<std::string>();
}

json placement_stats_json(const PlacementReferralStats& s) {
  // Coarse on purpose: a tenth of a day, a hundredth of a share.
  const auto rounded = [](const std::optional<double>& v, double unit) {
    return v ? json(std::round(*v / unit) * unit) : json(nullptr);
  };
  json months = json::array();
  for (const auto& m : s.months) {
    months.push_back({{"month", m.month},
                      {"answered", m.answered},
                      {"median_days_to_answer", rounded(m.median_days_to_answer, 0.1)},
                      {"share_accepted", rounded(m.share_accepted, 0.01)}});
  }
  return {{"resource_id", s.resource_id},
          {"through", s.through},
          {"suppressed", s.suppressed},
          {"k_min", Referrals::kMinCell},
          {"answered", s.answered ? json(*s.answered) : json(nullptr)},
          {"share_accepted", rounded(s.share_accepted, 0.01)},
          {"months", std::move(months)}};
}

}  // namespace tsunagi::geo::cases
