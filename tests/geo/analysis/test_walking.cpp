// Walking costs for the gap analyses: the multi-source nearest place equals the minimum over the
// per-place searches, on a street grid with gaps.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "geo/analysis/gap.hpp"
#include "geo/spatial/network.hpp"

namespace tsunagi::geo::gap {
namespace {

WalkGraph grid_town(std::mt19937& rng) {
  // 40 × 40 crossings ~80 m apart around 133.6, 35.1; one street in eight missing.
  NetworkData d;
  const int n = 40;
  const double step_lon = 80 / 91200.0;
  const double step_lat = 80 / 110900.0;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      d.lon.push_back(133.6 + x * step_lon);
      d.lat.push_back(35.1 + y * step_lat);
    }
  }
  std::bernoulli_distribution missing(0.125);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const auto a = static_cast<std::uint32_t>(y * n + x);
      if (x + 1 < n && !missing(rng)) d.edges.push_back({a, a + 1, 80.0F, false});
      if (y + 1 < n && !missing(rng)) d.edges.push_back({a, a + n, 80.0F, false});
    }
  }
  return WalkGraph(std::move(d));
}

TEST(GapWalking, TheNearestPlaceEqualsTheBestOfEverySearch) {
  std::mt19937 rng(5);
  const WalkGraph g = grid_town(rng);
  std::uniform_real_distribution<double> lon(133.6, 133.6 + 39 * 80 / 91200.0);
  std::uniform_real_distribution<double> lat(35.1, 35.1 + 39 * 80 / 110900.0);
  std::vector<LonLat> demand(2000);
  std::vector<LonLat> places(25);
  for (auto& p : demand) p = {lon(rng), lat(rng)};
  for (auto& p : places) p = {lon(rng), lat(rng)};
  for (const double limit : {400.0, 1200.0}) {
    std::size_t u1 = 0;
    std::size_t u2 = 0;
    const auto pairs = walking_pairs(g, demand, places, limit, nullptr, u1);
    const auto nearest = walking_nearest(g, demand, places, limit, nullptr, u2);
    EXPECT_EQ(u1, u2);
    std::map<std::uint32_t, double> best;
    for (const auto& [i, j, m] : pairs) {
      if (!best.contains(i) || m < best[i]) best[i] = m;
    }
    ASSERT_EQ(nearest.size(), best.size()) << limit;
    for (const auto& [i, j, m] : nearest) {
      EXPECT_NEAR(m, best.at(i), 0.05) << "demand " << i << " limit " << limit;
    }
    EXPECT_GT(best.size(), 100U);
    EXPECT_LT(best.size(), demand.size()) << "the short limit must leave some out";
    if (limit > 1000) break;
  }
}

}  // namespace
}  // namespace tsunagi::geo::gap
