// 地域: municipalities, 町丁 small areas, meshes, 圏域 — polygons that indicators are attached to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/code_lists.hpp"

namespace tsunagi::geo {

/// The level of a small area (町丁・字等) within its municipality, as e-Stat's KEY_CODE and name
/// tell it: a 大字・町 without 丁目 (9 digits), a 丁目, or a 字 (11 digits).
enum class SmallAreaLevel : std::uint8_t { none, oaza, chome, aza };
std::string_view small_area_level_id(SmallAreaLevel l);
std::string_view small_area_level_ja(SmallAreaLevel l);
std::optional<SmallAreaLevel> parse_small_area_level(std::string_view id);
/// The id of the small area with an e-Stat KEY_CODE of 9 or 11 digits: "small_area:<code>".
std::string small_area_id_of(std::string_view key_code);
/// Its level: 9 digits a 大字・町, 11 digits a 丁目 when the name ends in 丁目, else a 字.
SmallAreaLevel small_area_level_of(std::string_view key_code, std::string_view name);

/// Kinds whose areas partition a municipality at its finest level (町丁・字等, and the 大字・町 /
/// 丁目・字 of a store made before e-Stat small areas became one layer).
constexpr bool is_small_area_kind(AreaKind k) {
  return k == AreaKind::small_area || k == AreaKind::oaza || k == AreaKind::chome;
}

struct Area {
  std::string id;  ///< stable: "<kind>:<code>", e.g. "municipality:372013", "small_area:372010010"
  AreaKind kind = AreaKind::custom;
  SmallAreaLevel level = SmallAreaLevel::none;  ///< small areas only
  std::string code;  ///< lg_code, e-Stat KEY_CODE, mesh code… (what `kind` implies)
  std::string name;
  std::string parent_id;
  std::string lg_code;
  std::int64_t source_id = 0;
  std::string vintage;  ///< e.g. "census2015", "n03-2022", "demo"
  /// Boundary as ISO WKB (MultiPolygon, EPSG:4326 lon/lat). Empty when only a label point is known.
  std::string wkb;
  double label_lon = 0;
  double label_lat = 0;
  /// The boundary is an approximation (e.g. a Voronoi cell around a 町丁's representative point
  /// clipped to the municipality), not a surveyed one: every output says so.
  bool approximate = false;
  bool operator==(const Area&) const = default;
};

/// Population of one area in one 5-year band (age_to = nullopt for the open top band, e.g. 85+).
struct AgeBandCount {
  int age_from = 0;
  std::optional<int> age_to;
  std::int64_t male = 0;
  std::int64_t female = 0;
  bool operator==(const AgeBandCount&) const = default;
};

struct AreaPopulation {
  std::string area_id;
  std::string ref_date;  ///< ISO date of the count
  std::vector<AgeBandCount> bands;
  std::optional<std::int64_t> households;
  std::int64_t source_id = 0;

  [[nodiscard]] std::int64_t total() const {
    std::int64_t t = 0;
    for (const auto& b : bands) t += b.male + b.female;
    return t;
  }
  /// People aged `from` or older (bands must start at multiples that align with `from`).
  [[nodiscard]] std::int64_t aged_at_least(int from) const {
    std::int64_t t = 0;
    for (const auto& b : bands) {
      if (b.age_from >= from) t += b.male + b.female;
    }
    return t;
  }
};

}  // namespace tsunagi::geo
