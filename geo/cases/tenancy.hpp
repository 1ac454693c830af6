// Cases in a store serving several towns (広域): which town a case belongs to, how the person's
// town is decided when a matcher records one, and what each town's matchers see of it. A case
// belongs to the person's town (its matchers read and write it, with every detail); its
// placement's town, when another, follows the slot as "a referral to your placement" — the
// steps and the slot, no home area, age band, needs or consent — and cannot write it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/core/referral.hpp"

namespace tsunagi::geo::cases {

/// The town (lg_code) of an area of the layer: its own lg_code, else the code of a municipality
/// id "municipality:NNNNNN"; empty when the area is unknown or of no town.
[[nodiscard]] std::string area_municipality(const AreaLayer& layer, std::string_view area_id);

/// The town a case counts for: its stored municipality, else its home area's town (a case
/// stored before towns were recorded); empty when neither is known. `layer` may be null.
[[nodiscard]] std::string case_municipality(const AreaLayer* layer, const Referral& r);

/// The person's town of a new case: the home area's town; when the home area has none, the one
/// town of a matcher scoped to exactly one, else the town the request names (`named`), else the
/// store's one municipality; an unscoped matcher in a store without municipality boundaries
/// records no town ("").
/// @throws InvalidArgument when none of these gives a town, or `named` contradicts the home
///         area's; OutsideMunicipality when `scope` does not cover the town.
[[nodiscard]] std::string person_municipality(const AreaLayer* layer, std::string_view home_area,
                                              const MunicipalScope& scope, std::string_view named);

/// How a reader sees a case: all of it (the person's town, or an unscoped reader), or as the
/// host of its placement.
enum class CaseView : unsigned char { full, host };

/// The view `scope` has of `r`, or nullopt when it has none (not their town, nor their
/// placement's).
[[nodiscard]] std::optional<CaseView> case_view(const MunicipalScope& scope, const Referral& r);

/// The JSON of a case as `view` shows it, marked "view": "case" or "host". The host's view keeps
/// the case id, the placement, the steps with their dates, the slot and the follow-up date, and
/// says `allowed_next` empty (it cannot write); it leaves out the home area, age band, needs,
/// legal basis, consent and who recorded each step.
[[nodiscard]] nlohmann::json referral_view_json(const Referral& r, CaseView view);

}  // namespace tsunagi::geo::cases
