#include "geo/analysis/site_gain.hpp"

#include <algorithm>

namespace tsunagi::geo::gap {

std::vector<SiteGain> site_gains(const CostMatrix& costs, std::span<const double> weight,
                                 double max_cost, std::span<const std::uint32_t> existing,
                                 std::span<const std::uint32_t> chosen) {
  std::vector<SiteGain> out(chosen.size());
  std::vector<char> is_existing(costs.n_dests, 0);
  for (const auto e : existing) is_existing[e] = 1;
  std::vector<int> chosen_at(costs.n_dests, -1);
  for (std::size_t c = 0; c < chosen.size(); ++c) chosen_at[chosen[c]] = static_cast<int>(c);
  std::vector<std::size_t> reaching;  // the chosen sites that reach one demand point
  for (std::size_t i = 0; i < costs.n_origins && i < weight.size(); ++i) {
    const auto dests = costs.dests_of(i);
    const auto cost = costs.costs_of(i);
    bool by_existing = false;
    reaching.clear();
    for (std::size_t e = 0; e < dests.size(); ++e) {
      if (cost[e] > max_cost) continue;
      if (is_existing[dests[e]] != 0) by_existing = true;
      if (chosen_at[dests[e]] >= 0)
        reaching.push_back(static_cast<std::size_t>(chosen_at[dests[e]]));
    }
    std::sort(reaching.begin(), reaching.end());
    reaching.erase(std::unique(reaching.begin(), reaching.end()), reaching.end());
    for (const auto c : reaching) {
      out[c].reached.emplace_back(static_cast<std::uint32_t>(i), by_existing ? 0.0 : weight[i]);
    }
    if (by_existing) continue;
    for (const auto c : reaching) out[c].adds += weight[i];
    if (reaching.size() == 1) out[reaching.front()].only_it += weight[i];
  }
  return out;
}

}  // namespace tsunagi::geo::gap
