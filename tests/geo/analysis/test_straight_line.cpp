// The streamed straight-line analyses against brute force and against the cost-matrix path.
#include "geo/analysis/straight_line.hpp"

#include <gtest/gtest.h>

#include <random>

#include "geo/analysis/accessibility.hpp"
#include "geo/analysis/cost_matrix.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo::gap {
namespace {

std::vector<LonLat> scatter(std::size_t n, std::mt19937& rng) {
  // Clustered around two towns ~30 km apart, like a municipality's settlements.
  std::normal_distribution<double> jitter(0, 0.02);
  std::vector<LonLat> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double cx = i % 3 == 0 ? 133.6 : 133.9;
    out.push_back({cx + jitter(rng), 35.1 + jitter(rng)});
  }
  return out;
}

TEST(StraightLine, GreatCircleOnTheMeanSphere) {
  // One degree of latitude on a sphere of R = 6,371,008.8 m is R·π/180.
  EXPECT_NEAR(great_circle_m({135, 35}, {135, 36}), kSphereRadiusM * M_PI / 180, 1e-6);
  EXPECT_EQ(great_circle_m({135, 35}, {135, 35}), 0);
}

TEST(StraightLine, NearestWithinEqualsBruteForce) {
  std::mt19937 rng(7);
  const auto demand = scatter(20000, rng);
  const auto supply = scatter(300, rng);
  for (const double max_m : {300.0, 1000.0, 2500.0}) {
    const auto got = nearest_within(demand, supply, max_m, 2);
    const auto one = nearest_within(demand, supply, max_m, 1);
    EXPECT_EQ(got, one) << "threads change nothing";
    const auto any = covered_within(demand, supply, max_m, 2);
    for (std::size_t i = 0; i < demand.size(); ++i) {
      ASSERT_EQ(any[i] != 0, std::isfinite(got[i])) << i;
    }
    for (std::size_t i = 0; i < demand.size(); i += 97) {
      double best = std::numeric_limits<double>::infinity();
      for (const auto& s : supply) {
        const double m = great_circle_m(demand[i], s);
        if (m <= max_m) best = std::min(best, m);
      }
      if (std::isinf(best)) {
        EXPECT_TRUE(std::isinf(got[i])) << i;
      } else {
        EXPECT_NEAR(got[i], best, 1e-6) << i;
      }
    }
  }
}

TEST(StraightLine, TwoSfcaEqualsTheCostMatrixPath) {
  std::mt19937 rng(11);
  const auto demand = scatter(12000, rng);
  const auto supply = scatter(400, rng);
  std::uniform_real_distribution<double> u(1, 300);
  std::vector<double> pop(demand.size());
  std::vector<double> cap(supply.size());
  for (auto& v : pop) v = std::round(u(rng));
  for (auto& v : cap) v = std::round(u(rng) / 10);
  const double max_m = 1000;
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> pairs;
  for (std::uint32_t i = 0; i < demand.size(); ++i) {
    for (std::uint32_t j = 0; j < supply.size(); ++j) {
      const double m = great_circle_m(demand[i], supply[j]);
      if (m <= max_m * 1.5) pairs.emplace_back(i, j, m);
    }
  }
  const auto m = CostMatrix::from_triples(demand.size(), supply.size(), std::move(pairs));
  AccessOptions o;
  o.method = AccessMethod::two_sfca;
  o.max_cost = max_m;
  const auto want = accessibility(m, pop, cap, o);
  const auto got = two_sfca_within(demand, pop, supply, cap, max_m, 2);
  ASSERT_EQ(got.size(), want.size());
  std::size_t reached = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, want[i])) << i;
    if (got[i] > 0) ++reached;
  }
  EXPECT_GT(reached, 1000U) << "the case must reach something";
}

TEST(StraightLine, BadInputAndCancel) {
  const std::vector<LonLat> pts{{135, 35}};
  const std::vector<LonLat> bad{{135, 95}};
  EXPECT_THROW(nearest_within(pts, bad, 100), InvalidArgument);
  EXPECT_THROW(nearest_within(pts, pts, 0), InvalidArgument);
  const std::vector<double> one{1};
  const std::vector<double> two{1, 2};
  EXPECT_THROW(two_sfca_within(pts, two, pts, one, 100), InvalidArgument);
  struct Stop : Progress {
    [[nodiscard]] bool cancelled() const override { return true; }
  } stop;
  EXPECT_THROW(nearest_within(pts, pts, 100, 1, &stop), Cancelled);
}

}  // namespace
}  // namespace tsunagi::geo::gap
