// What each chosen site of a siting answer brings on its own, so that a plan can say why each
// one is there: the people it reaches whom no existing place reaches, and the people whom no
// other open site (existing or chosen) reaches — 0 means the plan loses no one without it.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "geo/analysis/cost_matrix.hpp"

namespace tsunagi::geo::gap {

struct SiteGain {
  double adds = 0;     ///< demand within reach of this site and of no existing place
  double only_it = 0;  ///< demand within reach of this site and of no other open site
  /// Each demand point within reach of this site (ascending), with what it adds there: its
  /// weight when no existing place reaches it, else 0 — the areas a site reaches, and where its
  /// gain lies.
  std::vector<std::pair<std::uint32_t, double>> reached;
};

/// One SiteGain per `chosen` site (in its order). Demand `i` (weight[i]) is reached by a site
/// when costs has the pair with a cost <= max_cost.
std::vector<SiteGain> site_gains(const CostMatrix& costs, std::span<const double> weight,
                                 double max_cost, std::span<const std::uint32_t> existing,
                                 std::span<const std::uint32_t> chosen);

}  // namespace tsunagi::geo::gap
