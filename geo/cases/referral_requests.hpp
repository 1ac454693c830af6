// The rules of a 参加支援 case as its requests carry them, whatever the transport: which area a
// person's home may be recorded as, what a transition or a follow-up request says, and how a
// placement's answers are published (coarse on purpose). The store keeps the cases
// (geo/store/referrals.hpp); the HTTP API and the command line only hand these rules their input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/area.hpp"
#include "geo/core/json_input.hpp"
#include "geo/core/referral.hpp"
#include "geo/store/referrals.hpp"

namespace tsunagi::geo::cases {

/// Whether a home may be recorded as an area of kind `k`: a 町丁 or coarser. A 500 m mesh or a
/// drawn polygon could be finer, so it never is.
bool home_area_kind_allowed(AreaKind k);

/// The stored area a home given as `text` (an area id or its code) is recorded as, or nullopt when
/// no area of an allowed kind has that id or code.
std::optional<std::string> resolve_home_area(const Snapshot& snapshot, std::string_view text);

/// A request to move a case on.
struct TransitionRequest {
  ReferralStatus to = ReferralStatus::proposed;
  std::optional<DeclineReason> reason;
  /// Set when the request names follow_up_due: a date, or "" to clear it.
  std::optional<std::string> follow_up_due;
};

/// What a transition request may hold: to, reason, follow_up_due — no personal data.
const JsonShape& transition_shape();
/// @throws InvalidArgument naming the field and the allowed values.
TransitionRequest parse_transition(const nlohmann::json& body);

/// What a follow-up request may hold: follow_up_due only.
const JsonShape& follow_up_shape();
/// The date a follow-up request sets ("" clears it). @throws InvalidArgument.
std::string parse_follow_up(const nlohmann::json& body);

/// A placement's answers as they are published: the store's closed-month figures, rounded to a
/// tenth of a day and a hundredth of a share, with the smallest cell shown (k_min).
nlohmann::json placement_stats_json(const PlacementReferralStats& s);

}  // namespace tsunagi::geo::cases
