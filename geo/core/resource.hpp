// A 社会資源 (resource): a 通いの場, 居場所, 拠点, placement site or general facility, as stored
// and served. Field meanings follow ../shared/docs/domain.md §7.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/boxed.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/schedule.hpp"
#include "geo/core/text.hpp"

namespace tsunagi::geo {

/// Structured barrier-free flags. Each is tri-state: unknown (nullopt), no, yes.
struct BarrierFree {
  std::optional<bool> step_free;
  std::optional<bool> accessible_toilet;
  std::optional<bool> elevator;
  std::optional<bool> parking_accessible;
  std::optional<bool> hearing_support;

  [[nodiscard]] bool any_yes() const {
    return step_free.value_or(false) || accessible_toilet.value_or(false) ||
           elevator.value_or(false) || parking_accessible.value_or(false) ||
           hearing_support.value_or(false);
  }
  bool operator==(const BarrierFree&) const = default;
};

/// 参加費 for one kind of person.
struct Fee {
  PersonKind person = PersonKind::any;
  std::optional<int> amount_yen;  ///< 0 = 無料; nullopt = 実費 / unknown (see note)
  FeePer per = FeePer::session;
  std::string note;
  bool operator==(const Fee&) const = default;
};

/// 参加支援受入れ条件: what a placement site offers a person.
struct PlacementOffer {
  OfferKind kind = OfferKind::shuro_taiken;
  EnumSet<TaskTag> tasks;
  std::string task_description;
  std::optional<int> slots_total;
  std::optional<int> slots_open;
  std::optional<double> min_hours_per_day;
  std::optional<double> max_hours_per_day;
  DurationKind duration = DurationKind::ongoing;
  std::optional<bool> trial_visit_ok;
  std::string eligibility_note;
  EnumSet<Accommodation> accommodations;
  RewardType reward = RewardType::none;
  std::string reward_note;
  Insurance insurance = Insurance::none;
  std::optional<bool> pickup;
  std::string nearest_stop;
  std::optional<int> walk_min_from_stop;
  /// 受入れ担当: a role, never a person's name.
  std::string contact_role;
  bool operator==(const PlacementOffer&) const = default;
};

/// Text fields are Text (geo/core/text.hpp): a copy of a Resource — an audience's projection in a
/// snapshot — shares the bytes of every text it does not change. `id` stays a std::string: it is
/// the key of maps and indexes everywhere.
struct Resource {
  // identity and provenance
  std::string id;              ///< UUIDv4, assigned by the store
  std::int64_t source_id = 0;  ///< 0 = created by hand through the API
  Text source_key;             ///< the row's id in its source (for re-imports)
  std::int64_t version = 0;    ///< optimistic-concurrency version, bumped on every change
  Text created_at;             ///< ISO 8601 UTC
  Text updated_at;

  // what
  ResourceKind kind = ResourceKind::public_facility;
  Text subtype;  ///< e.g. 地活 I型, 拠点 一般型, 介護サービスの種類, 子育て種別
  Text name;
  Text name_kana;
  Text description;

  // where
  double lon = 0;
  double lat = 0;
  PositionAccuracy accuracy = PositionAccuracy::exact;
  Text lg_code;  ///< 全国地方公共団体コード (6 digits)
  Text address;
  Text building;
  Text access_note;  ///< アクセス: how to get there ("バス停から徒歩3分")
  VenueKind venue = VenueKind::unknown;

  // who runs it, how to reach them
  OperatorType operator_type = OperatorType::unknown;
  Text operator_name;  ///< an organisation; a representative's name is never published
  Text corporate_number;
  Text official_id;  ///< 介護事業所番号 and the like
  Text phone;
  Text fax;
  Text email;
  Text url;
  /// The host agreed that the public may see the contact details above: a private host's (住民個人,
  /// or a meeting in a 個人宅) phone and fax, and any e-mail address. Without it (nullopt or
  /// false) only staff see them.
  std::optional<bool> contact_public;

  // for whom, what, when
  EnumSet<Activity> activities;
  std::optional<Activity> main_activity;
  EnumSet<TargetGroup> targets;
  std::optional<int> age_min;
  std::optional<int> age_max;
  Text residency_restriction;
  std::vector<Schedule> schedules;
  std::vector<Fee> fees;
  Text fee_note;
  std::optional<bool> meal_provided;
  std::optional<bool> reservation_required;
  BarrierFree barrier_free;
  Text parking;

  // capacity
  std::optional<int> capacity;
  CapacityUnit capacity_unit = CapacityUnit::person;
  std::optional<int> vacancy;
  Text vacancy_as_of;

  // 参加支援
  Boxed<PlacementOffer> offer;  ///< on the heap: few resources are placement sites

  // lifecycle
  PublishLevel publish = PublishLevel::public_;
  ResourceStatus status = ResourceStatus::active;
  Text verified_at;  ///< ISO date of the last check that it still runs
  Text note;

  bool operator==(const Resource&) const = default;
};

/// Checks the invariants every stored resource must hold, the one rule for the API, imports and
/// the store: name present; lon/lat in Japan (geo/core/japan_extent.hpp); age_min <= age_max;
/// capacity/vacancy non-negative and vacancy <= capacity; lg_code well formed; schedule times
/// within 00:00..24:00 and each end after its start; offer hours within 0..24; verified_at and
/// vacancy_as_of ISO 8601 dates that exist; text valid UTF-8 without control characters (line
/// breaks and tabs allowed) or bidi overrides/isolates, at most 200 characters for names, codes
/// and addresses and 4000 for notes and descriptions; url with no scheme but http/https.
/// @throws InvalidArgument naming the first field that is wrong.
void validate(const Resource& r);

}  // namespace tsunagi::geo
