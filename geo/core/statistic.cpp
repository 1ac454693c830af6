#include "geo/core/statistic.hpp"

#include <array>

namespace tsunagi::geo {

namespace {

constexpr std::array<std::string_view, 5> kStatusIds{"value", "merged", "absorbed", "suppressed",
                                                     "missing"};
constexpr std::array<std::string_view, 5> kStatusJa{"", "合算", "合算元", "秘匿", "該当なし"};
constexpr std::array<std::string_view, 3> kUnitIds{"count", "ratio", "estimate"};

constexpr std::array<KnownStat, 16> kKnown{{
    {"population", "人口総数"},
    {"male", "男性人口"},
    {"female", "女性人口"},
    {"households", "世帯総数"},
    {"general_households", "一般世帯数"},
    {"aged_0_14", "15歳未満人口"},
    {"aged_15_64", "15〜64歳人口"},
    {"aged_65", "65歳以上人口"},
    {"aged_75", "75歳以上人口"},
    {"aged_85", "85歳以上人口"},
    {"aged_15_39", "15〜39歳人口"},
    {"aged_40_64", "40〜64歳人口"},
    {"single_households", "単身世帯数"},
    {"elderly_single_households", "高齢単身世帯数"},
    {"elderly_couple_households", "高齢夫婦世帯数"},
    {"households_with_65", "65歳以上世帯員のいる一般世帯数"},
}};

}  // namespace

std::string_view stat_status_id(StatStatus s) {
  return kStatusIds.at(static_cast<std::size_t>(s));
}
std::string_view stat_status_ja(StatStatus s) {
  return kStatusJa.at(static_cast<std::size_t>(s));
}
std::optional<StatStatus> parse_stat_status(std::string_view id) {
  for (std::size_t i = 0; i < kStatusIds.size(); ++i) {
    if (kStatusIds[i] == id) return static_cast<StatStatus>(i);
  }
  return std::nullopt;
}
std::string_view stat_unit_id(StatUnit u) {
  return kUnitIds.at(static_cast<std::size_t>(u));
}
std::optional<StatUnit> parse_stat_unit(std::string_view id) {
  for (std::size_t i = 0; i < kUnitIds.size(); ++i) {
    if (kUnitIds[i] == id) return static_cast<StatUnit>(i);
  }
  return std::nullopt;
}

std::span<const KnownStat> known_stats() {
  return kKnown;
}
std::optional<std::string_view> known_stat_label(std::string_view key) {
  for (const auto& k : kKnown) {
    if (k.key == key) return k.label;
  }
  return std::nullopt;
}
}  // namespace tsunagi::geo
