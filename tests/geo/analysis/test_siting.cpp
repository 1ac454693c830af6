// geo/analysis siting: MCLP and p-median, exact (GLPK) and greedy + swap, against pysal/spopt's San
// Francisco example (spopt/tests/test_locate at 493a58a) and against brute force on small
// instances.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include "geo/analysis/gap_test_data.hpp"
#include "geo/analysis/siting.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo::gap {
namespace {

using Triples = std::vector<std::tuple<std::uint32_t, std::uint32_t, double>>;

// ---- spopt's San Francisco example: 205 tracts (POP2000), 16 candidate stores ----

struct SanFrancisco {
  std::vector<std::string> tracts;
  std::vector<std::string> stores;
  std::vector<double> pop;
  CostMatrix costs;
};

SanFrancisco load_sf(const std::filesystem::path& dir) {
  SanFrancisco sf;
  std::map<std::string, std::uint32_t> tract_index;
  for (const auto& r :
       test::gap_data::read_csv(dir / "SF_demand_205_centroid_uniform_weight.csv")) {
    tract_index[r.at("NAME")] = static_cast<std::uint32_t>(sf.tracts.size());
    sf.tracts.push_back(r.at("NAME"));
    sf.pop.push_back(std::stod(r.at("POP2000")));
  }
  std::map<std::string, std::uint32_t> store_index;
  Triples t;
  for (const auto& r : test::gap_data::read_csv(
           dir / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")) {
    const auto [it, added] =
        store_index.emplace(r.at("name"), static_cast<std::uint32_t>(sf.stores.size()));
    if (added) sf.stores.push_back(r.at("name"));
    t.emplace_back(tract_index.at(r.at("DestinationName")), it->second,
                   std::stod(r.at("distance")));
  }
  sf.costs = CostMatrix::from_triples(sf.tracts.size(), sf.stores.size(), std::move(t));
  return sf;
}

class GapSpopt : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = test::shared_data("spopt-sf");
    if (!dir) GTEST_SKIP() << test::shared_data_skip_message("spopt-sf");
    sf_ = load_sf(*dir);
    ASSERT_EQ(sf_.tracts.size(), 205U);
    ASSERT_EQ(sf_.stores.size(), 16U);
    ASSERT_EQ(sf_.costs.entries(), 205U * 16U);
  }
  SitingProblem problem(double radius) const {
    SitingProblem p;
    p.costs = &sf_.costs;
    p.demand_weight = sf_.pop;
    p.k = 4;
    p.radius = radius;
    return p;
  }
  double total_pop() const {
    double s = 0;
    for (const double v : sf_.pop) s += v;
    return s;
  }
  SanFrancisco sf_;
};

// spopt test_mclp.py TestRealWorldLocate: p = 4, service radius 5000 m, weights POP2000 —
// test_mixin_mclp_get_uncovered_clients expects 21 uncovered tracts and
// test_mixin_mclp_get_percentage 89.75609756097561 % of the 205 covered; spopt's notebook
// notebooks/facloc-real-world.ipynb (cell "MCLP", solved with GLPK) prints the objective,
// 875247. The chosen stores are only drawn there, not printed.
TEST_F(GapSpopt, MclpExactMatchesSpopt) {
  const auto r = solve_mclp(problem(5000), {});
  EXPECT_EQ(r.solver, "glpk");
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.chosen.size(), 4U);
  EXPECT_EQ(r.uncovered_origins.size(), 21U);
  EXPECT_NEAR(100.0 * (205.0 - static_cast<double>(r.uncovered_origins.size())) / 205.0,
              89.75609756097561, 1e-9);
  EXPECT_DOUBLE_EQ(r.objective, 875247);
  EXPECT_DOUBLE_EQ(r.covered_weight, 875247);
  EXPECT_DOUBLE_EQ(r.bound, r.objective);
  EXPECT_GE(r.seconds, 0.0);
}

TEST_F(GapSpopt, MclpGreedySwapStaysWithinItsBound) {
  SolveOptions o;
  o.force_greedy = true;
  const auto r = solve_mclp(problem(5000), o);
  EXPECT_EQ(r.solver, "greedy+swap");
  EXPECT_FALSE(r.optimal);
  EXPECT_EQ(r.chosen.size(), 4U);
  EXPECT_LE(r.objective, 875247);        // no better than the optimum
  EXPECT_GE(r.bound, 875247);            // a bound on the optimum
  EXPECT_GE(r.objective, 0.9 * 875247);  // and not far off on this instance
  EXPECT_DOUBLE_EQ(r.objective, r.covered_weight);
}

// spopt test_p_median.py TestRealWorldLocate test_mixin_mean_distance: p = 4, mean weighted
// distance 2982.1268579890657; notebooks/facloc-real-world.ipynb prints the objective,
// 2848268129.7145104 (= that mean times the total POP2000).
TEST_F(GapSpopt, PmedianExactMatchesSpopt) {
  const auto r = solve_pmedian(problem(std::nan("")), {});
  EXPECT_EQ(r.solver, "glpk");
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.chosen.size(), 4U);
  EXPECT_NEAR(r.objective, 2848268129.7145104, 1e-9 * 2848268129.7145104);
  EXPECT_NEAR(r.objective / total_pop(), 2982.1268579890657, 1e-9);
  EXPECT_DOUBLE_EQ(r.bound, r.objective);
  EXPECT_DOUBLE_EQ(r.covered_weight, total_pop());  // no radius: every tract is assigned
  EXPECT_TRUE(r.uncovered_origins.empty());
}

TEST_F(GapSpopt, PmedianGreedySwapStaysWithinItsBound) {
  SolveOptions o;
  o.force_greedy = true;
  const auto r = solve_pmedian(problem(5000), o);
  EXPECT_EQ(r.solver, "greedy+swap");
  EXPECT_FALSE(r.optimal);
  EXPECT_GE(r.objective, 2848268129.7145104 * (1 - 1e-12));
  EXPECT_LE(r.bound, 2848268129.7145104 * (1 + 1e-12));
  EXPECT_GE(r.bound, 0.99 * 2848268129.7145104);  // the Lagrangian bound is tight here
  EXPECT_LE(r.objective, 1.1 * 2848268129.7145104);
}

// ---- brute force on small random instances ----

// All k-subsets of `items`, calling f on each.
void for_each_subset(const std::vector<std::uint32_t>& items, std::size_t k,
                     const std::function<void(const std::vector<std::uint32_t>&)>& f) {
  std::vector<std::uint32_t> pick;
  std::function<void(std::size_t)> rec = [&](std::size_t from) {
    if (pick.size() == k) {
      f(pick);
      return;
    }
    for (std::size_t i = from; i < items.size(); ++i) {
      pick.push_back(items[i]);
      rec(i + 1);
      pick.pop_back();
    }
  };
  rec(0);
}

struct Random {
  CostMatrix costs;
  std::vector<double> weight;
};

// n origins and m sites at random points in a 10 x 10 square; pairs farther than `reach` apart
// are left out of the (sparse) matrix.
Random random_instance(std::uint32_t seed, std::uint32_t n, std::uint32_t m, double reach) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> xy(0, 10);
  std::uniform_int_distribution<int> w(0, 20);
  std::vector<std::pair<double, double>> o(n);
  std::vector<std::pair<double, double>> s(m);
  Random r;
  for (auto& p : o) {
    p = {xy(rng), xy(rng)};
    r.weight.push_back(w(rng));
  }
  for (auto& p : s) p = {xy(rng), xy(rng)};
  Triples t;
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t j = 0; j < m; ++j) {
      const double d = std::hypot(o[i].first - s[j].first, o[i].second - s[j].second);
      if (d <= reach) t.emplace_back(i, j, d);
    }
  }
  r.costs = CostMatrix::from_triples(n, m, std::move(t));
  return r;
}

TEST(GapSiting, MclpExactEqualsBruteForceAndGreedyRespectsItsBound) {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    const auto inst = random_instance(seed, 40, 9, 100);
    SitingProblem p;
    p.costs = &inst.costs;
    p.demand_weight = inst.weight;
    p.k = 3;
    p.radius = 2.5;
    if (seed % 3 == 0) p.existing = {seed % 9};
    std::vector<std::uint32_t> cands;
    for (std::uint32_t j = 0; j < 9; ++j) {
      if (p.existing.empty() || j != p.existing[0]) cands.push_back(j);
    }
    double best = -1;
    for_each_subset(cands, 3, [&](const std::vector<std::uint32_t>& pick) {
      double covered = 0;
      for (std::uint32_t i = 0; i < 40; ++i) {
        bool c = false;
        const auto ds = inst.costs.dests_of(i);
        const auto cs = inst.costs.costs_of(i);
        for (std::size_t e = 0; e < ds.size(); ++e) {
          const bool open =
              std::find(pick.begin(), pick.end(), ds[e]) != pick.end() ||
              std::find(p.existing.begin(), p.existing.end(), ds[e]) != p.existing.end();
          if (open && cs[e] <= p.radius) c = true;
        }
        if (c) covered += inst.weight[i];
      }
      best = std::max(best, covered);
    });
    const auto exact = solve_mclp(p, {});
    EXPECT_TRUE(exact.optimal) << "seed " << seed;
    EXPECT_DOUBLE_EQ(exact.objective, best) << "seed " << seed;
    for (const auto j : exact.chosen) {
      EXPECT_TRUE(p.existing.empty() || j != p.existing[0]) << "an existing site is not chosen";
    }
    SolveOptions g;
    g.force_greedy = true;
    const auto greedy = solve_mclp(p, g);
    EXPECT_LE(greedy.objective, best + 1e-9) << "seed " << seed;
    EXPECT_GE(greedy.bound, best - 1e-9) << "seed " << seed;
    EXPECT_EQ(greedy.chosen.size(), 3U);
  }
}

TEST(GapSiting, PmedianExactEqualsBruteForceOverAllowedPairsOnly) {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    // Sparse: pairs farther than 6 apart are not in the matrix and may not be assigned.
    const auto inst = random_instance(seed, 30, 8, 6);
    SitingProblem p;
    p.costs = &inst.costs;
    p.demand_weight = inst.weight;
    p.k = 3;
    if (seed % 2 == 0) p.existing = {seed % 8};
    std::vector<std::uint32_t> cands;
    for (std::uint32_t j = 0; j < 8; ++j) {
      if (p.existing.empty() || j != p.existing[0]) cands.push_back(j);
    }
    double best = std::numeric_limits<double>::infinity();
    for_each_subset(cands, 3, [&](const std::vector<std::uint32_t>& pick) {
      double total = 0;
      for (std::uint32_t i = 0; i < 30; ++i) {
        double d = std::numeric_limits<double>::infinity();
        const auto ds = inst.costs.dests_of(i);
        const auto cs = inst.costs.costs_of(i);
        for (std::size_t e = 0; e < ds.size(); ++e) {
          const bool open =
              std::find(pick.begin(), pick.end(), ds[e]) != pick.end() ||
              std::find(p.existing.begin(), p.existing.end(), ds[e]) != p.existing.end();
          if (open) d = std::min(d, cs[e]);
        }
        total += std::isfinite(d) ? inst.weight[i] * d : std::numeric_limits<double>::infinity();
      }
      best = std::min(best, total);
    });
    if (!std::isfinite(best)) {
      EXPECT_THROW(solve_pmedian(p, {}), Infeasible) << "seed " << seed;
      continue;
    }
    const auto exact = solve_pmedian(p, {});
    EXPECT_TRUE(exact.optimal);
    EXPECT_NEAR(exact.objective, best, 1e-9 * (1 + best)) << "seed " << seed;
    SolveOptions g;
    g.force_greedy = true;
    const auto greedy = solve_pmedian(p, g);
    EXPECT_GE(greedy.objective, best - 1e-9 * (1 + best)) << "seed " << seed;
    EXPECT_LE(greedy.bound, best + 1e-9 * (1 + best)) << "seed " << seed;
    // ... and never below "every candidate open" (each origin at its nearest allowed site).
    double all_open = 0;
    for (std::uint32_t i = 0; i < 30; ++i) {
      double d = std::numeric_limits<double>::infinity();
      for (const double c : inst.costs.costs_of(i)) d = std::min(d, c);
      all_open += inst.weight[i] * d;
    }
    EXPECT_GE(greedy.bound, all_open - 1e-9 * (1 + all_open)) << "seed " << seed;
  }
}

// A tiny street: origins 0..3 at x = 0, 1, 2, 10 (weights 1, 1, 1, 5); sites A x=0, B x=2,
// C x=10. Costs are distances; origin 3 is not in the matrix for site A.
CostMatrix street() {
  return CostMatrix::from_triples(4, 3,
                                  {{0, 0, 0.0},
                                   {0, 1, 2.0},
                                   {1, 0, 1.0},
                                   {1, 1, 1.0},
                                   {2, 0, 2.0},
                                   {2, 1, 0.0},
                                   {2, 2, 8.0},
                                   {3, 1, 8.0},
                                   {3, 2, 0.0}});
}

TEST(GapSiting, ExistingSitesCoverWithoutUsingK) {
  const auto m = street();
  const std::vector<double> w{1, 1, 1, 5};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 1;
  p.radius = 1;
  p.existing = {2};  // C covers origin 3 (weight 5)
  const auto r = solve_mclp(p, {});
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.chosen.size(), 1U);  // one NEW site besides C
  EXPECT_DOUBLE_EQ(r.objective, 5 + 2);
  EXPECT_EQ(r.uncovered_origins.size(), 1U);
  EXPECT_GE(r.bound, r.objective);
}

TEST(GapSiting, CandidatesRestrictTheChoice) {
  const auto m = street();
  const std::vector<double> w{1, 1, 1, 5};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 1;
  p.radius = 1;
  p.candidates = {0, 1};  // not C
  const auto r = solve_mclp(p, {});
  ASSERT_EQ(r.chosen.size(), 1U);
  EXPECT_DOUBLE_EQ(r.objective, 2);
  // A covers origins 0 and 1, B covers 1 and 2: either leaves two origins, one of them 3.
  ASSERT_EQ(r.uncovered_origins.size(), 2U);
  EXPECT_EQ(r.uncovered_origins.back(), 3U);
}

TEST(GapSiting, BadProblemsAreRejected) {
  const auto m = street();
  const std::vector<double> w{1, 1, 1, 5};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 4;
  p.radius = 1;
  EXPECT_THROW(solve_mclp(p, {}), InvalidArgument);  // k larger than 3 candidates
  p.k = 1;
  p.radius = std::nan("");
  EXPECT_THROW(solve_mclp(p, {}), InvalidArgument);  // radius missing
  p.radius = 1;
  p.existing = {7};
  EXPECT_THROW(solve_mclp(p, {}), InvalidArgument);  // out of range
  p.existing.clear();
  const std::vector<double> short_w{1, 1};
  p.demand_weight = short_w;
  EXPECT_THROW(solve_mclp(p, {}), InvalidArgument);
  p.costs = nullptr;
  EXPECT_THROW(solve_pmedian(p, {}), InvalidArgument);
}

TEST(GapSiting, PmedianWithAnOriginNoSiteReachesIsInfeasible) {
  const auto m = street();
  const std::vector<double> w{1, 1, 1, 5};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 1;
  p.candidates = {0};  // origin 3 has no pair with A
  try {
    solve_pmedian(p, {});
    FAIL() << "expected Infeasible";
  } catch (const Infeasible& e) {
    EXPECT_EQ(e.origins(), std::vector<std::uint32_t>{3});
  }
  // With B and C as candidates and k = 1: C has no pair with origin 0, so B.
  p.candidates = {1, 2};
  const auto r = solve_pmedian(p, {});
  EXPECT_EQ(r.chosen, std::vector<std::uint32_t>{1});
  EXPECT_DOUBLE_EQ(r.objective, 2 + 1 + 0 + 5 * 8);
}

TEST(GapSiting, PmedianFindsNoKSitesReachingEveryOrigin) {
  // Origin 0 reaches only site 0, origin 1 only site 1: with k = 1 nobody can serve both.
  const auto m = CostMatrix::from_triples(2, 2, {{0, 0, 1.0}, {1, 1, 1.0}});
  const std::vector<double> w{1, 1};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 1;
  EXPECT_THROW(solve_pmedian(p, {}), Infeasible);
  SolveOptions g;
  g.force_greedy = true;
  EXPECT_THROW(solve_pmedian(p, g), Infeasible);
}

TEST(GapSiting, InstancesAboveTheSizeLimitGoToGreedySwap) {
  const auto inst = random_instance(5, 40, 9, 100);
  SitingProblem p;
  p.costs = &inst.costs;
  p.demand_weight = inst.weight;
  p.k = 3;
  p.radius = 2.5;
  SolveOptions small;
  small.exact_max_pairs = 10;
  small.pmedian_exact_max_pairs = 10;
  const auto mclp = solve_mclp(p, small);
  EXPECT_EQ(mclp.solver, "greedy+swap");
  EXPECT_FALSE(mclp.optimal);
  EXPECT_GE(mclp.bound, solve_mclp(p, {}).objective - 1e-9);
  const auto pmedian = solve_pmedian(p, small);
  EXPECT_EQ(pmedian.solver, "greedy+swap");
  EXPECT_LE(pmedian.bound, solve_pmedian(p, {}).objective + 1e-9);
  // k = 0: one answer, nothing chosen, and it is optimal.
  p.k = 0;
  const auto none = solve_mclp(p, {});
  EXPECT_EQ(none.solver, "none");
  EXPECT_TRUE(none.optimal);
  EXPECT_TRUE(none.chosen.empty());
}

// Background jobs may solve on several threads at once: GLPK keeps its state per thread.
TEST(GapSiting, SolvesOnSeveralThreadsAtOnce) {
  std::vector<Random> inst;
  std::vector<double> want_mclp;
  std::vector<double> want_pmedian;
  for (std::uint32_t seed = 21; seed < 25; ++seed)
    inst.push_back(random_instance(seed, 60, 12, 100));
  auto problem = [&](std::size_t t) {
    SitingProblem p;
    p.costs = &inst[t].costs;
    p.demand_weight = inst[t].weight;
    p.k = 4;
    p.radius = 2.0;
    return p;
  };
  for (std::size_t t = 0; t < inst.size(); ++t) {
    want_mclp.push_back(solve_mclp(problem(t), {}).objective);
    want_pmedian.push_back(solve_pmedian(problem(t), {}).objective);
  }
  std::vector<double> got_mclp(inst.size());
  std::vector<double> got_pmedian(inst.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < inst.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        got_mclp[t] = solve_mclp(problem(t), {}).objective;
        got_pmedian[t] = solve_pmedian(problem(t), {}).objective;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(got_mclp, want_mclp);
  EXPECT_EQ(got_pmedian, want_pmedian);
}

struct Cancel : Progress {
  [[nodiscard]] bool cancelled() const override { return true; }
};

TEST(GapSiting, CancelledRunsThrow) {
  const auto m = street();
  const std::vector<double> w{1, 1, 1, 5};
  SitingProblem p;
  p.costs = &m;
  p.demand_weight = w;
  p.k = 1;
  p.radius = 1;
  Cancel c;
  EXPECT_THROW(solve_mclp(p, {}, &c), Cancelled);
  EXPECT_THROW(solve_pmedian(p, {}, &c), Cancelled);
}

}  // namespace
}  // namespace tsunagi::geo::gap
