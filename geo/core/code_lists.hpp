// The code lists of the domain (docs: ../shared/docs/domain.md §7). Each enumerator has a stable
// snake_case id (used in the store, the API and exports) and its Japanese label, here and nowhere
// else. parse_code() accepts either the id or the Japanese label.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "geo/core/enum_set.hpp"

namespace tsunagi::geo {

template <typename E>
struct Code {
  E value;
  std::string_view id;
  std::string_view ja;
};

/// Specialised below for every code list: `static constexpr std::array<Code<E>, N> entries`.
template <typename E>
struct CodeTable;

#define TSUNAGI_CODE_TABLE(E, ...)                    \
  template <>                                         \
  struct CodeTable<E> {                               \
    static constexpr std::array entries{__VA_ARGS__}; \
    static constexpr std::string_view name = #E;      \
  }

/// 社会資源の種別 (resource_type).
enum class ResourceKind : std::uint8_t {
  kayoi_no_ba,
  ibasho,
  kodomo_shokudo,
  chiiki_kosodate_shien_kyoten,
  chiiki_katsudo_shien_center,
  chiiki_hokatsu_shien_center,
  jiritsu_sodan_shien,
  sodan_shien_other,
  placement_site,
  nofuku_site,
  shafuku_facility,
  kaigo_jigyosho,
  kosodate_shisetsu,
  public_facility,
  kominkan,
};
TSUNAGI_CODE_TABLE(
    ResourceKind, Code<ResourceKind>{ResourceKind::kayoi_no_ba, "kayoi_no_ba", "通いの場"},
    Code<ResourceKind>{ResourceKind::ibasho, "ibasho", "居場所・サロン"},
    Code<ResourceKind>{ResourceKind::kodomo_shokudo, "kodomo_shokudo", "子ども食堂・地域食堂"},
    Code<ResourceKind>{ResourceKind::chiiki_kosodate_shien_kyoten, "chiiki_kosodate_shien_kyoten",
                       "地域子育て支援拠点"},
    Code<ResourceKind>{ResourceKind::chiiki_katsudo_shien_center, "chiiki_katsudo_shien_center",
                       "地域活動支援センター"},
    Code<ResourceKind>{ResourceKind::chiiki_hokatsu_shien_center, "chiiki_hokatsu_shien_center",
                       "地域包括支援センター"},
    Code<ResourceKind>{ResourceKind::jiritsu_sodan_shien, "jiritsu_sodan_shien",
                       "生活困窮者自立相談支援機関"},
    Code<ResourceKind>{ResourceKind::sodan_shien_other, "sodan_shien_other", "その他相談窓口"},
    Code<ResourceKind>{ResourceKind::placement_site, "placement_site", "参加支援受入れ先"},
    Code<ResourceKind>{ResourceKind::nofuku_site, "nofuku_site", "農福連携農園"},
    Code<ResourceKind>{ResourceKind::shafuku_facility, "shafuku_facility", "社会福祉法人施設"},
    Code<ResourceKind>{ResourceKind::kaigo_jigyosho, "kaigo_jigyosho", "介護サービス事業所"},
    Code<ResourceKind>{ResourceKind::kosodate_shisetsu, "kosodate_shisetsu", "子育て施設"},
    Code<ResourceKind>{ResourceKind::public_facility, "public_facility", "公共施設"},
    Code<ResourceKind>{ResourceKind::kominkan, "kominkan", "公民館・集会所"});

/// 主な活動内容 (MHLW 通いの場 survey list plus 相談 and 学習支援).
enum class Activity : std::uint8_t {
  taiso,
  kaishoku,
  sawakai,
  ninchisho_yobo,
  shumi,
  nosagyo,
  shogai_gakushu,
  volunteer,
  shuroteki_katsudo,
  tasedai_koryu,
  sodan,
  gakushu_shien,
  other,
};
TSUNAGI_CODE_TABLE(Activity, Code<Activity>{Activity::taiso, "taiso", "体操（運動）"},
                   Code<Activity>{Activity::kaishoku, "kaishoku", "会食"},
                   Code<Activity>{Activity::sawakai, "sawakai", "茶話会"},
                   Code<Activity>{Activity::ninchisho_yobo, "ninchisho_yobo", "認知症予防"},
                   Code<Activity>{Activity::shumi, "shumi", "趣味活動"},
                   Code<Activity>{Activity::nosagyo, "nosagyo", "農作業"},
                   Code<Activity>{Activity::shogai_gakushu, "shogai_gakushu", "生涯学習"},
                   Code<Activity>{Activity::volunteer, "volunteer", "ボランティア活動"},
                   Code<Activity>{Activity::shuroteki_katsudo, "shuroteki_katsudo", "就労的活動"},
                   Code<Activity>{Activity::tasedai_koryu, "tasedai_koryu", "多世代交流"},
                   Code<Activity>{Activity::sodan, "sodan", "相談"},
                   Code<Activity>{Activity::gakushu_shien, "gakushu_shien", "学習支援"},
                   Code<Activity>{Activity::other, "other", "その他"});

/// 対象 (who a resource is for).
enum class TargetGroup : std::uint8_t {
  elderly,
  children,
  parents_infants,
  disabled,
  youth,
  hikikomori,
  seikatsu_konkyu,
  foreign_residents,
  everyone,
};
TSUNAGI_CODE_TABLE(
    TargetGroup, Code<TargetGroup>{TargetGroup::elderly, "elderly", "高齢者"},
    Code<TargetGroup>{TargetGroup::children, "children", "子ども"},
    Code<TargetGroup>{TargetGroup::parents_infants, "parents_infants", "子育て中の親子"},
    Code<TargetGroup>{TargetGroup::disabled, "disabled", "障害のある方"},
    Code<TargetGroup>{TargetGroup::youth, "youth", "若者"},
    Code<TargetGroup>{TargetGroup::hikikomori, "hikikomori", "ひきこもりの方"},
    Code<TargetGroup>{TargetGroup::seikatsu_konkyu, "seikatsu_konkyu", "生活に困りごとのある方"},
    Code<TargetGroup>{TargetGroup::foreign_residents, "foreign_residents", "外国にルーツのある方"},
    Code<TargetGroup>{TargetGroup::everyone, "everyone", "誰でも"});

/// 公開範囲. `public_` is spelled with an underscore because `public` is a C++ keyword; its id is
/// "public".
enum class PublishLevel : std::uint8_t { public_, partners, internal };
TSUNAGI_CODE_TABLE(PublishLevel, Code<PublishLevel>{PublishLevel::public_, "public", "公開"},
                   Code<PublishLevel>{PublishLevel::partners, "partners", "関係機関のみ"},
                   Code<PublishLevel>{PublishLevel::internal, "internal", "内部のみ"});

/// 活動状況.
enum class ResourceStatus : std::uint8_t { active, paused, closed };
TSUNAGI_CODE_TABLE(ResourceStatus, Code<ResourceStatus>{ResourceStatus::active, "active", "活動中"},
                   Code<ResourceStatus>{ResourceStatus::paused, "paused", "休止中"},
                   Code<ResourceStatus>{ResourceStatus::closed, "closed", "終了"});

/// 運営主体.
enum class OperatorType : std::uint8_t {
  unknown,
  jumin_dantai,
  jumin_kojin,
  shakyo,
  gyosei,
  hokatsu,
  kaigo_jigyosha,
  shafuku_hojin,
  npo,
  kyodo_kumiai,
  kigyo,
  other,
};
TSUNAGI_CODE_TABLE(OperatorType, Code<OperatorType>{OperatorType::unknown, "unknown", "不明"},
                   Code<OperatorType>{OperatorType::jumin_dantai, "jumin_dantai", "住民団体"},
                   Code<OperatorType>{OperatorType::jumin_kojin, "jumin_kojin", "住民個人"},
                   Code<OperatorType>{OperatorType::shakyo, "shakyo", "社会福祉協議会"},
                   Code<OperatorType>{OperatorType::gyosei, "gyosei", "行政"},
                   Code<OperatorType>{OperatorType::hokatsu, "hokatsu", "地域包括支援センター"},
                   Code<OperatorType>{OperatorType::kaigo_jigyosha, "kaigo_jigyosha",
                                      "介護サービス事業者"},
                   Code<OperatorType>{OperatorType::shafuku_hojin, "shafuku_hojin", "社会福祉法人"},
                   Code<OperatorType>{OperatorType::npo, "npo", "NPO法人"},
                   Code<OperatorType>{OperatorType::kyodo_kumiai, "kyodo_kumiai", "協同組合"},
                   Code<OperatorType>{OperatorType::kigyo, "kigyo", "民間企業"},
                   Code<OperatorType>{OperatorType::other, "other", "その他"});

/// 活動場所.
enum class VenueKind : std::uint8_t {
  unknown,
  kominkan_shukaijo,
  private_home,
  vacant_house_shop,
  care_facility_space,
  park,
  farm,
  school,
  commercial,
  religious,
  office,
  other,
};
TSUNAGI_CODE_TABLE(VenueKind, Code<VenueKind>{VenueKind::unknown, "unknown", "不明"},
                   Code<VenueKind>{VenueKind::kominkan_shukaijo, "kominkan_shukaijo",
                                   "公民館・自治会館・集会所"},
                   Code<VenueKind>{VenueKind::private_home, "private_home", "個人宅"},
                   Code<VenueKind>{VenueKind::vacant_house_shop, "vacant_house_shop",
                                   "空き家・空き店舗"},
                   Code<VenueKind>{VenueKind::care_facility_space, "care_facility_space",
                                   "介護関係施設・事業所の空きスペース"},
                   Code<VenueKind>{VenueKind::park, "park", "公園"},
                   Code<VenueKind>{VenueKind::farm, "farm", "農園"},
                   Code<VenueKind>{VenueKind::school, "school", "学校"},
                   Code<VenueKind>{VenueKind::commercial, "commercial", "商業施設"},
                   Code<VenueKind>{VenueKind::religious, "religious", "寺社"},
                   Code<VenueKind>{VenueKind::office, "office", "事業所・事務所"},
                   Code<VenueKind>{VenueKind::other, "other", "その他"});

/// 位置の精度.
enum class PositionAccuracy : std::uint8_t { exact, block, chome, municipality };
TSUNAGI_CODE_TABLE(PositionAccuracy,
                   Code<PositionAccuracy>{PositionAccuracy::exact, "exact", "建物"},
                   Code<PositionAccuracy>{PositionAccuracy::block, "block", "街区"},
                   Code<PositionAccuracy>{PositionAccuracy::chome, "chome", "町丁目"},
                   Code<PositionAccuracy>{PositionAccuracy::municipality, "municipality",
                                          "市区町村"});

/// 曜日, Monday first (ISO 8601 order).
enum class Weekday : std::uint8_t { mon, tue, wed, thu, fri, sat, sun };
TSUNAGI_CODE_TABLE(Weekday, Code<Weekday>{Weekday::mon, "mon", "月"},
                   Code<Weekday>{Weekday::tue, "tue", "火"},
                   Code<Weekday>{Weekday::wed, "wed", "水"},
                   Code<Weekday>{Weekday::thu, "thu", "木"},
                   Code<Weekday>{Weekday::fri, "fri", "金"},
                   Code<Weekday>{Weekday::sat, "sat", "土"},
                   Code<Weekday>{Weekday::sun, "sun", "日"});

/// 開催頻度 (the MHLW survey's classes, plus daily and irregular).
enum class FreqClass : std::uint8_t { daily, weekly_plus, m2to4, m1to2, lt_monthly, irregular };
TSUNAGI_CODE_TABLE(FreqClass, Code<FreqClass>{FreqClass::daily, "daily", "毎日"},
                   Code<FreqClass>{FreqClass::weekly_plus, "weekly_plus", "週1回以上"},
                   Code<FreqClass>{FreqClass::m2to4, "m2to4", "月2回以上4回未満"},
                   Code<FreqClass>{FreqClass::m1to2, "m1to2", "月1回以上2回未満"},
                   Code<FreqClass>{FreqClass::lt_monthly, "lt_monthly", "月1回未満"},
                   Code<FreqClass>{FreqClass::irregular, "irregular", "不定期"});

/// 定員の単位.
enum class CapacityUnit : std::uint8_t { person, household, meal, group };
TSUNAGI_CODE_TABLE(CapacityUnit, Code<CapacityUnit>{CapacityUnit::person, "person", "人"},
                   Code<CapacityUnit>{CapacityUnit::household, "household", "世帯"},
                   Code<CapacityUnit>{CapacityUnit::meal, "meal", "食"},
                   Code<CapacityUnit>{CapacityUnit::group, "group", "組"});

/// 参加費の区分.
enum class PersonKind : std::uint8_t { any, child, student, adult, senior };
TSUNAGI_CODE_TABLE(PersonKind, Code<PersonKind>{PersonKind::any, "any", "全員"},
                   Code<PersonKind>{PersonKind::child, "child", "子ども"},
                   Code<PersonKind>{PersonKind::student, "student", "学生"},
                   Code<PersonKind>{PersonKind::adult, "adult", "大人"},
                   Code<PersonKind>{PersonKind::senior, "senior", "高齢者"});

enum class FeePer : std::uint8_t { session, meal, month, year };
TSUNAGI_CODE_TABLE(FeePer, Code<FeePer>{FeePer::session, "session", "1回"},
                   Code<FeePer>{FeePer::meal, "meal", "1食"},
                   Code<FeePer>{FeePer::month, "month", "月額"},
                   Code<FeePer>{FeePer::year, "year", "年額"});

/// 参加支援の受入れ形態.
enum class OfferKind : std::uint8_t {
  shuro_taiken,
  chukanteki_hikoyo,
  chukanteki_koyo,
  nofuku_itaku,
  volunteer,
  yakuwari,
  gakushu,
};
TSUNAGI_CODE_TABLE(
    OfferKind, Code<OfferKind>{OfferKind::shuro_taiken, "shuro_taiken", "就労体験"},
    Code<OfferKind>{OfferKind::chukanteki_hikoyo, "chukanteki_hikoyo", "中間的就労（非雇用型）"},
    Code<OfferKind>{OfferKind::chukanteki_koyo, "chukanteki_koyo", "中間的就労（雇用型）"},
    Code<OfferKind>{OfferKind::nofuku_itaku, "nofuku_itaku", "農福連携（作業受委託）"},
    Code<OfferKind>{OfferKind::volunteer, "volunteer", "ボランティア"},
    Code<OfferKind>{OfferKind::yakuwari, "yakuwari", "役割づくり・居場所内の役割"},
    Code<OfferKind>{OfferKind::gakushu, "gakushu", "学び"});

enum class TaskTag : std::uint8_t {
  seiso,
  nosagyo,
  keisagyo,
  chori,
  sekkyaku,
  jimu,
  haitatsu,
  mimamori,
  seisaku,
  it,
};
TSUNAGI_CODE_TABLE(TaskTag, Code<TaskTag>{TaskTag::seiso, "seiso", "清掃"},
                   Code<TaskTag>{TaskTag::nosagyo, "nosagyo", "農作業"},
                   Code<TaskTag>{TaskTag::keisagyo, "keisagyo", "軽作業"},
                   Code<TaskTag>{TaskTag::chori, "chori", "調理"},
                   Code<TaskTag>{TaskTag::sekkyaku, "sekkyaku", "接客"},
                   Code<TaskTag>{TaskTag::jimu, "jimu", "事務"},
                   Code<TaskTag>{TaskTag::haitatsu, "haitatsu", "配達"},
                   Code<TaskTag>{TaskTag::mimamori, "mimamori", "見守り・話し相手"},
                   Code<TaskTag>{TaskTag::seisaku, "seisaku", "制作"},
                   Code<TaskTag>{TaskTag::it, "it", "IT作業"});

/// 配慮事項 a placement can offer.
enum class Accommodation : std::uint8_t {
  short_hours,
  flexible_attendance,
  breaks,
  quiet_space,
  step_by_step,
  companion_ok,
  low_contact,
  interpreter,
};
TSUNAGI_CODE_TABLE(Accommodation,
                   Code<Accommodation>{Accommodation::short_hours, "short_hours", "短時間可"},
                   Code<Accommodation>{Accommodation::flexible_attendance, "flexible_attendance",
                                       "休みやすい"},
                   Code<Accommodation>{Accommodation::breaks, "breaks", "休憩を取りやすい"},
                   Code<Accommodation>{Accommodation::quiet_space, "quiet_space", "静かな場所"},
                   Code<Accommodation>{Accommodation::step_by_step, "step_by_step", "個別指示"},
                   Code<Accommodation>{Accommodation::companion_ok, "companion_ok", "同行支援可"},
                   Code<Accommodation>{Accommodation::low_contact, "low_contact", "対人少なめ"},
                   Code<Accommodation>{Accommodation::interpreter, "interpreter", "通訳"});

enum class RewardType : std::uint8_t { none, thanks_in_kind, kouchin, wage };
TSUNAGI_CODE_TABLE(RewardType, Code<RewardType>{RewardType::none, "none", "なし"},
                   Code<RewardType>{RewardType::thanks_in_kind, "thanks_in_kind", "謝礼"},
                   Code<RewardType>{RewardType::kouchin, "kouchin", "工賃"},
                   Code<RewardType>{RewardType::wage, "wage", "賃金"});

enum class Insurance : std::uint8_t { none, volunteer, rousai };
TSUNAGI_CODE_TABLE(Insurance, Code<Insurance>{Insurance::none, "none", "なし"},
                   Code<Insurance>{Insurance::volunteer, "volunteer", "ボランティア保険"},
                   Code<Insurance>{Insurance::rousai, "rousai", "労災保険"});

enum class DurationKind : std::uint8_t { single, seasonal, ongoing };
TSUNAGI_CODE_TABLE(DurationKind, Code<DurationKind>{DurationKind::single, "single", "単発"},
                   Code<DurationKind>{DurationKind::seasonal, "seasonal", "季節"},
                   Code<DurationKind>{DurationKind::ongoing, "ongoing", "継続"});

/// 地域の種別 (area_kind).
enum class AreaKind : std::uint8_t {
  prefecture,
  municipality,
  ward,
  oaza,
  chome,
  small_area,
  mesh1,
  mesh2,
  mesh3,
  mesh_half,
  mesh_quarter,
  mesh_eighth,
  nichijo_seikatsu_ken,
  school_district,
  custom,
};
TSUNAGI_CODE_TABLE(AreaKind, Code<AreaKind>{AreaKind::prefecture, "prefecture", "都道府県"},
                   Code<AreaKind>{AreaKind::municipality, "municipality", "市区町村"},
                   Code<AreaKind>{AreaKind::ward, "ward", "行政区"},
                   Code<AreaKind>{AreaKind::oaza, "oaza", "大字・町"},
                   Code<AreaKind>{AreaKind::chome, "chome", "丁目・字"},
                   Code<AreaKind>{AreaKind::small_area, "small_area", "町丁・字等"},
                   Code<AreaKind>{AreaKind::mesh1, "mesh1", "第1次地域区画"},
                   Code<AreaKind>{AreaKind::mesh2, "mesh2", "第2次地域区画"},
                   Code<AreaKind>{AreaKind::mesh3, "mesh3", "基準地域メッシュ"},
                   Code<AreaKind>{AreaKind::mesh_half, "mesh_half", "2分の1地域メッシュ"},
                   Code<AreaKind>{AreaKind::mesh_quarter, "mesh_quarter", "4分の1地域メッシュ"},
                   Code<AreaKind>{AreaKind::mesh_eighth, "mesh_eighth", "8分の1地域メッシュ"},
                   Code<AreaKind>{AreaKind::nichijo_seikatsu_ken, "nichijo_seikatsu_ken",
                                  "日常生活圏域"},
                   Code<AreaKind>{AreaKind::school_district, "school_district", "小学校区"},
                   Code<AreaKind>{AreaKind::custom, "custom", "その他"});

#undef TSUNAGI_CODE_TABLE

// ---- lookups ----

/// The stable snake_case id of an enumerator ("kayoi_no_ba").
template <typename E>
constexpr std::string_view code_id(E value) {
  for (const auto& c : CodeTable<E>::entries) {
    if (c.value == value) return c.id;
  }
  return {};
}

/// The Japanese label of an enumerator ("通いの場").
template <typename E>
constexpr std::string_view code_ja(E value) {
  for (const auto& c : CodeTable<E>::entries) {
    if (c.value == value) return c.ja;
  }
  return {};
}

/// Accepts the id or the Japanese label; nullopt when the text is neither.
template <typename E>
constexpr std::optional<E> parse_code(std::string_view text) {
  for (const auto& c : CodeTable<E>::entries) {
    if (c.id == text || c.ja == text) return c.value;
  }
  return std::nullopt;
}

/// All ids of a code list joined by ", " (for error messages that list the allowed values).
template <typename E>
std::string code_ids_joined() {
  std::string out;
  for (const auto& c : CodeTable<E>::entries) {
    if (!out.empty()) out += ", ";
    out += c.id;
  }
  return out;
}

/// Members of a set as "a,b,c" ids.
template <typename E>
std::string code_ids(EnumSet<E> set) {
  std::string out;
  set.for_each([&](E v) {
    if (!out.empty()) out += ',';
    out += code_id(v);
  });
  return out;
}

}  // namespace tsunagi::geo
