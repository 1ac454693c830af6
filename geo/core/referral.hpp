// 参加支援 referrals (つなぎ): a pseudonymous case followed from 提案 to 終了 at one placement,
// with the legal basis for sharing it (domain.md §6), and the status machine that says which step
// may follow which. A referral holds no name, address, birth date, diagnosis or disability grade —
// there is no field for them — only a 町丁 (or coarser) home area, a decade age band and
// functional needs tags.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/json_input.hpp"

namespace tsunagi::geo {

/// The legal basis for sharing a case (社会福祉法106条の6 支援会議, or the person's consent).
enum class LegalBasis : std::uint8_t { shien_kaigi, consent };

/// The steps of a referral. The first eight are the way to a settled placement; the last two end
/// it early.
enum class ReferralStatus : std::uint8_t {
  proposed,
  consented,
  host_asked,
  visit,
  trial,
  started,
  settling,
  ended,
  declined_by_person,
  declined_by_host,
};

/// Why a referral was declined (by the person or the host).
enum class DeclineReason : std::uint8_t {
  full,
  not_eligible,
  out_of_area,
  mismatch,
  unreachable,
  other
};

/// What the person consented to share, and with whom.
enum class ConsentScope : std::uint8_t { share_with_host, share_with_agencies, contact_by_phone };

/// Functional needs (never a diagnosis): what the person would like the placement to allow.
enum class NeedTag : std::uint8_t {
  short_hours,
  low_contact,
  quiet_space,
  breaks,
  step_by_step,
  companion,
  step_free,
  flexible_attendance,
  morning,
  afternoon,
  outdoor,
  indoor,
  interpreter,
  transport,
};

template <>
struct CodeTable<LegalBasis> {
  static constexpr std::array entries{
      Code<LegalBasis>{LegalBasis::shien_kaigi, "shien_kaigi", "支援会議（社会福祉法106条の6）"},
      Code<LegalBasis>{LegalBasis::consent, "consent", "本人同意"}};
  static constexpr std::string_view name = "LegalBasis";
};

template <>
struct CodeTable<ReferralStatus> {
  static constexpr std::array entries{
      Code<ReferralStatus>{ReferralStatus::proposed, "proposed", "提案"},
      Code<ReferralStatus>{ReferralStatus::consented, "consented", "本人同意"},
      Code<ReferralStatus>{ReferralStatus::host_asked, "host_asked", "受入れ先打診"},
      Code<ReferralStatus>{ReferralStatus::visit, "visit", "見学"},
      Code<ReferralStatus>{ReferralStatus::trial, "trial", "体験"},
      Code<ReferralStatus>{ReferralStatus::started, "started", "参加開始"},
      Code<ReferralStatus>{ReferralStatus::settling, "settling", "定着支援"},
      Code<ReferralStatus>{ReferralStatus::ended, "ended", "終了"},
      Code<ReferralStatus>{ReferralStatus::declined_by_person, "declined_by_person", "本人辞退"},
      Code<ReferralStatus>{ReferralStatus::declined_by_host, "declined_by_host", "受入れ不可"}};
  static constexpr std::string_view name = "ReferralStatus";
};

template <>
struct CodeTable<DeclineReason> {
  static constexpr std::array entries{
      Code<DeclineReason>{DeclineReason::full, "full", "満員"},
      Code<DeclineReason>{DeclineReason::not_eligible, "not_eligible", "対象外"},
      Code<DeclineReason>{DeclineReason::out_of_area, "out_of_area", "区域外"},
      Code<DeclineReason>{DeclineReason::mismatch, "mismatch", "条件不一致"},
      Code<DeclineReason>{DeclineReason::unreachable, "unreachable", "連絡つかず"},
      Code<DeclineReason>{DeclineReason::other, "other", "その他"}};
  static constexpr std::string_view name = "DeclineReason";
};

template <>
struct CodeTable<ConsentScope> {
  static constexpr std::array entries{
      Code<ConsentScope>{ConsentScope::share_with_host, "share_with_host", "受入れ先への情報提供"},
      Code<ConsentScope>{ConsentScope::share_with_agencies, "share_with_agencies",
                         "関係機関への情報提供"},
      Code<ConsentScope>{ConsentScope::contact_by_phone, "contact_by_phone", "電話での連絡"}};
  static constexpr std::string_view name = "ConsentScope";
};

template <>
struct CodeTable<NeedTag> {
  static constexpr std::array entries{
      Code<NeedTag>{NeedTag::short_hours, "short_hours", "短時間希望"},
      Code<NeedTag>{NeedTag::low_contact, "low_contact", "対人少なめ希望"},
      Code<NeedTag>{NeedTag::quiet_space, "quiet_space", "静かな場所希望"},
      Code<NeedTag>{NeedTag::breaks, "breaks", "休憩が必要"},
      Code<NeedTag>{NeedTag::step_by_step, "step_by_step", "個別の指示を希望"},
      Code<NeedTag>{NeedTag::companion, "companion", "同行支援を希望"},
      Code<NeedTag>{NeedTag::step_free, "step_free", "段差なしを希望"},
      Code<NeedTag>{NeedTag::flexible_attendance, "flexible_attendance", "休みやすさを希望"},
      Code<NeedTag>{NeedTag::morning, "morning", "午前希望"},
      Code<NeedTag>{NeedTag::afternoon, "afternoon", "午後希望"},
      Code<NeedTag>{NeedTag::outdoor, "outdoor", "屋外希望"},
      Code<NeedTag>{NeedTag::indoor, "indoor", "屋内希望"},
      Code<NeedTag>{NeedTag::interpreter, "interpreter", "通訳が必要"},
      Code<NeedTag>{NeedTag::transport, "transport", "送迎が必要"}};
  static constexpr std::string_view name = "NeedTag";
};

/// The steps that may follow `from` (empty for ended and the declines).
EnumSet<ReferralStatus> allowed_next(ReferralStatus from);
/// ended, declined_by_person, declined_by_host.
bool is_final(ReferralStatus s);
/// Whether a referral in this status has taken one of the placement's open slots
/// (started, settling).
bool holds_slot(ReferralStatus s);

/// One step of a referral's history.
struct ReferralEvent {
  std::string at;  ///< ISO 8601 UTC
  std::string actor;
  ReferralStatus status = ReferralStatus::proposed;
  std::optional<DeclineReason> reason;
};

struct Referral {
  std::string case_id;  ///< "C-" + 16 random base32 characters; never derived from the person
  std::string resource_id;
  LegalBasis legal_basis = LegalBasis::shien_kaigi;
  EnumSet<ConsentScope> consent_scope;
  std::string consent_date;  ///< YYYY-MM-DD, with consent only
  std::string home_area;     ///< an area id of the store, 町丁 or coarser
  std::string age_band;      ///< "50s"
  EnumSet<NeedTag> needs;
  std::string follow_up_due;  ///< YYYY-MM-DD or empty
  ReferralStatus status = ReferralStatus::proposed;
  std::optional<DeclineReason> decline_reason;
  bool slot_taken = false;  ///< this referral holds one of the placement's open slots
  std::int64_t version = 0;
  std::string created_at;
  std::string updated_at;
  std::string closed_at;  ///< when it reached a final status (retention counts from it)
  std::string created_by;
  /// The person's town (lg_code): the case belongs to it, its matchers read and write it. Empty
  /// for a case whose town is not known (then its home area's town counts: case_municipality).
  std::string municipality;
  /// The placement's town (the resource's lg_code when the case was made): its matchers follow
  /// the slot as "a referral to your placement", without the person's details.
  std::string host_municipality;
  std::vector<ReferralEvent> history;
};

/// A new random case id: "C-" and 16 base32 characters (80 bits from the kernel's CSPRNG).
std::string new_case_id();
/// Whether `text` has the shape of a case id (checked before any lookup).
bool is_case_id(std::string_view text);

/// Checks a calendar date "YYYY-MM-DD". @throws InvalidArgument naming `field`.
void check_date(std::string_view text, std::string_view field);

/// The keys of the body of POST /api/referrals (needs and consent_scope are lists of codes).
const JsonShape& new_referral_shape();

/// Reads the body of POST /api/referrals: the fields and nothing else. `find_area(text)` returns
/// the area id when `text` is an id or code of an area of kind 町丁 or coarser, or nullopt.
/// @throws InvalidArgument naming the field (an unknown field, such as name or address, by name).
Referral parse_new_referral(
    const nlohmann::json& body,
    const std::function<std::optional<std::string>(std::string_view)>& find_area);

/// The JSON of a referral (codes as ids with their Japanese labels), with its history.
nlohmann::json referral_json(const Referral& r);

}  // namespace tsunagi::geo
