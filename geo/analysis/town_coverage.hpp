// The coverage of one town's 75歳以上 for its annual report: the gap analysis' coverage
// (geo/analysis/gap) reported per municipality — places of every town count, since people near
// a border walk to the neighbour's — and the row of the town.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/enum_set.hpp"

namespace tsunagi::geo {

struct TownCoverage {
  struct Figures {
    std::int64_t target = 0;
    std::int64_t covered = 0;
    std::int64_t uncovered = 0;
  };
  std::optional<Figures> figures;  ///< nullopt when the analysis could not count the town
  std::string note;                ///< what was counted (walking or straight line), or why not
};

/// 75歳以上 of the municipality area `area_id` within `walk_min` minutes of a place of `kinds`,
/// as `a` may see the figures and places. Never throws for missing figures: says so in `note`.
[[nodiscard]] TownCoverage town_coverage(const Snapshot& snap, Audience a,
                                         const std::string& area_id, EnumSet<ResourceKind> kinds,
                                         double walk_min, const std::vector<SourceInfo>& sources);

}  // namespace tsunagi::geo
