// geo/gap/site_gain: what each chosen site brings on its own, and a site that adds no one.
#include "geo/analysis/site_gain.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace tsunagi::geo::gap {
namespace {

TEST(SiteGain, EachSitesOwnGainAndASiteTheOthersMakeNeedless) {
  // Demand 0 (10 people): the existing place 0 and site 1. Demand 1 (20): sites 1 and 2.
  // Demand 2 (30): site 2, and site 1 only beyond the limit.
  const auto costs = CostMatrix::from_triples(
      3, 3, {{0, 0, 50}, {0, 1, 60}, {1, 1, 90}, {1, 2, 40}, {2, 2, 70}, {2, 1, 150}});
  const std::vector<double> weight{10, 20, 30};
  const std::vector<std::uint32_t> existing{0};
  const std::vector<std::uint32_t> chosen{1, 2};
  const auto g = site_gains(costs, weight, 100, existing, chosen);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_DOUBLE_EQ(g[0].adds, 20);    // demand 1 (demand 0 was reached already)
  EXPECT_DOUBLE_EQ(g[0].only_it, 0);  // site 2 reaches demand 1 too: site 1 adds no one
  EXPECT_DOUBLE_EQ(g[1].adds, 50);
  EXPECT_DOUBLE_EQ(g[1].only_it, 30);
}

TEST(SiteGain, EachSiteListsTheDemandItReachesAndWhatItAddsThere) {
  // As above: site 1 reaches demand 0 (already reached by the existing place: adds 0 there) and
  // demand 1; site 2 reaches demands 1 and 2; demand 2 is beyond site 1's limit.
  const auto costs = CostMatrix::from_triples(
      3, 3, {{0, 0, 50}, {0, 1, 60}, {1, 1, 90}, {1, 2, 40}, {2, 2, 70}, {2, 1, 150}});
  const std::vector<double> weight{10, 20, 30};
  const std::vector<std::uint32_t> existing{0};
  const std::vector<std::uint32_t> chosen{1, 2};
  const auto g = site_gains(costs, weight, 100, existing, chosen);
  ASSERT_EQ(g.size(), 2u);
  using Reached = std::vector<std::pair<std::uint32_t, double>>;
  EXPECT_EQ(g[0].reached, (Reached{{0, 0.0}, {1, 20.0}}));
  EXPECT_EQ(g[1].reached, (Reached{{1, 20.0}, {2, 30.0}}));
}

}  // namespace
}  // namespace tsunagi::geo::gap
