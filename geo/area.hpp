// 地域: municipalities, 町丁 small areas, meshes, 圏域 — polygons that indicators are attached to.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/code_lists.hpp"

namespace tsunagi::geo {

struct Area {
  std::string id;  ///< stable: "<kind>:<code>", e.g. "municipality:372013", "chome:372010010"
  AreaKind kind = AreaKind::custom;
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
