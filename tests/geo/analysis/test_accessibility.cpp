// geo/analysis accessibility against pysal/access (541de01): the hospital example of
// access/tests/test_hospital_example.py in its four cost scenarios, and the 5x5 grid of
// access/tests/test_floating_catchment_area.py, for 2SFCA, E2SFCA, G2SFCA and 3SFCA.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>

#include "geo/analysis/accessibility.hpp"
#include "geo/analysis/gap_test_data.hpp"
#include "geo/core/error.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo::gap {
namespace {

using Triples = std::vector<std::tuple<std::uint32_t, std::uint32_t, double>>;

// ---- the weights, as pysal's weights.py defines them ----

TEST(GapWeight, StepIsInclusiveAtEachThresholdAndZeroPastTheLast) {
  // pysal weights.step_fn docstring: {20: 1, 40: 0.68, 60: 0.22} at 0, 10, ... 70.
  const Weight w = effective_weight({AccessMethod::e2sfca, std::numeric_limits<double>::infinity(),
                                     Weight::step({{40, 0.68}, {20, 1}, {60, 0.22}})});
  EXPECT_EQ(w(0), 1);
  EXPECT_EQ(w(20), 1);
  EXPECT_EQ(w(20.000001), 0.68);
  EXPECT_EQ(w(40), 0.68);
  EXPECT_EQ(w(50), 0.22);
  EXPECT_EQ(w(60), 0.22);
  EXPECT_EQ(w(60.5), 0);
}

TEST(GapWeight, GravityKeepsTheSignOfAlphaAndClampsAtMinDist) {
  // pysal weights.gravity docstring: scale 20, alpha -2, min_dist 1.
  const Weight w = Weight::gravity(20, -2, 1);
  EXPECT_DOUBLE_EQ(w(0), 400.0);
  EXPECT_DOUBLE_EQ(w(1), 400.0);
  EXPECT_DOUBLE_EQ(w(2), 100.0);
  EXPECT_DOUBLE_EQ(w(20), 1.0);
  EXPECT_DOUBLE_EQ(w(40), 0.25);
  EXPECT_NEAR(w(60), 0.11, 0.005);
  EXPECT_DOUBLE_EQ(Weight::gravity(60, 1)(30), 0.5);  // alpha > 0 is not flipped
}

TEST(GapWeight, MethodDefaultsAreThoseOfPysal) {
  const auto inf = std::numeric_limits<double>::infinity();
  const Weight e2 = effective_weight({AccessMethod::e2sfca, inf, {}});
  EXPECT_EQ(e2(10), 1);
  EXPECT_EQ(e2(15), 0.68);
  EXPECT_EQ(e2(30), 0.22);
  EXPECT_EQ(e2(31), 0);
  const Weight three = effective_weight({AccessMethod::three_sfca, inf, {}});
  EXPECT_EQ(three(5), 0.962);
  EXPECT_EQ(three(20), 0.704);
  EXPECT_EQ(three(25), 0.377);
  EXPECT_EQ(three(60), 0.042);
  EXPECT_EQ(three(61), 0);
  EXPECT_EQ(effective_weight({AccessMethod::two_sfca, inf, {}})(1e9), 1);
  EXPECT_THROW(effective_weight({AccessMethod::g2sfca, inf, {}}), InvalidArgument);
  EXPECT_THROW(effective_weight({AccessMethod::g2sfca, inf, Weight::none()}), InvalidArgument);
  EXPECT_THROW(effective_weight({AccessMethod::two_sfca, inf, Weight::step({{10, -1}})}),
               InvalidArgument);
  EXPECT_THROW(effective_weight({AccessMethod::g2sfca, inf, Weight::gravity(0, -1)}),
               InvalidArgument);
}

// ---- the hospital example ----

struct Hospital {
  std::array<double, 3> pop{};
  std::array<double, 3> doc{};
  std::array<CostMatrix, 4> scenario;
};

Hospital load_hospital(const std::filesystem::path& dir) {
  Hospital h;
  for (const auto& r : test::gap_data::read_csv(dir / "hospital_example_tracts.csv")) {
    const auto i = std::stoul(r.at("geoid")) - 1;
    h.pop.at(i) = std::stod(r.at("pop"));
    h.doc.at(i) = std::stod(r.at("doc"));
  }
  std::array<Triples, 4> t;
  for (const auto& r : test::gap_data::read_csv(dir / "hospital_example_costs.csv")) {
    t.at(std::stoul(r.at("scenario")))
        .emplace_back(static_cast<std::uint32_t>(std::stoul(r.at("origin")) - 1),
                      static_cast<std::uint32_t>(std::stoul(r.at("dest")) - 1),
                      std::stod(r.at("cost")));
  }
  for (std::size_t s = 0; s < 4; ++s) h.scenario.at(s) = CostMatrix::from_triples(3, 3, t.at(s));
  return h;
}

void expect_access(const std::vector<double>& got, const std::array<double, 3>& want,
                   const char* what, std::size_t scenario) {
  ASSERT_EQ(got.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(got[i], want.at(i), 1e-12 * std::max(1.0, want.at(i)))
        << what << ", scenario " << scenario << ", tract " << i + 1;
  }
}

class GapHospital : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto dir = test::shared_data("pysal-access");
    if (!dir) GTEST_SKIP() << test::shared_data_skip_message("pysal-access");
    h_ = load_hospital(*dir);
  }
  std::vector<double> run(std::size_t s, const AccessOptions& o) {
    return accessibility(h_.scenario.at(s), h_.pop, h_.doc, o);
  }
  Hospital h_;
};

// pysal test_hospital_example.py, test_simple_2sfca_scenario_0..3: two_stage_fca with
// weights.gravity(1, -1) and max_cost 61 equals the test's own simple_2sfca(); those reference
// values, computed by the same formula (gravity, cost < 61):
TEST_F(GapHospital, G2sfcaMatchesPysalsSimple2sfcaReferenceInAllFourScenarios) {
  const std::array<std::array<double, 3>, 4> want{{
      {0.331444116980277, 0.579828132066938, 7.28641816986254},
      {0.435340220876381, 0.683724235963042, 5.72797661142099},
      {0.331071913161465, 0.577857785778578, 7.29999193949246},
      {0.442568395398584, 0.666758279965827, 5.74052464618502},
  }};
  for (std::size_t s = 0; s < 4; ++s) {
    expect_access(run(s, {AccessMethod::g2sfca, 61, Weight::gravity(1, -1)}), want.at(s), "G2SFCA",
                  s);
    // pysal's two_stage_fca with a weight_fn is the same computation.
    expect_access(run(s, {AccessMethod::two_sfca, 61, Weight::gravity(1, -1)}), want.at(s),
                  "2SFCA+gravity", s);
  }
}

// pysal test_hospital_example.py, test_simple_3sfca_scenario_0..3: three_stage_fca with
// weights.gravity(1, -1), max_cost 61, against simple_2sfca(three_stage=True). The preference
// weights G include the 80-minute cross-city trips that the cut-off at 61 leaves out.
TEST_F(GapHospital, ThreeSfcaMatchesPysalsReferenceInAllFourScenarios) {
  const std::array<std::array<double, 3>, 4> want{{
      {0.15625658829062, 0.406216452450861, 9.9063518548395},
      {0.173813542920754, 0.423772440088754, 9.64300237034868},
      {0.156525927418226, 0.406372740952074, 9.90287702105737},
      {0.174802148079814, 0.424035508556526, 9.63180097641923},
  }};
  for (std::size_t s = 0; s < 4; ++s) {
    expect_access(run(s, {AccessMethod::three_sfca, 61, Weight::gravity(1, -1)}), want.at(s),
                  "3SFCA", s);
  }
}

// pysal test_hospital_example.py, test_scenario_0_v_1/2/3: the directions of change.
TEST_F(GapHospital, FasterTravelMovesAccessTheWayPysalsTestsSay) {
  std::array<std::vector<double>, 4> a;
  for (std::size_t s = 0; s < 4; ++s)
    a.at(s) = run(s, {AccessMethod::g2sfca, 61, Weight::gravity(1, -1)});
  EXPECT_GT(a[1][0], a[0][0]);
  EXPECT_GT(a[1][1], a[0][1]);
  EXPECT_LT(a[1][2], a[0][2]);
  EXPECT_LT(a[2][0], a[0][0]);
  EXPECT_LT(a[2][1], a[0][1]);
  EXPECT_GT(a[2][2], a[0][2]);
  EXPECT_GT(a[3][0], a[0][0]);
  EXPECT_GT(a[3][1], a[0][1]);
  EXPECT_LT(a[3][2], a[0][2]);
}

// Not in pysal's tests: by hand (pop 100, 50, 10; doctors 15, 20, 100).
// Plain 2SFCA, cut-off 61 (inclusive). Scenarios 0-2: every site reaches itself and the 40 (or
// 20) minute trips, not the 80-minute cross-city ones: D1 = 100 + 10, D2 = 50 + 10,
// D3 = 160; A1 = 15/110 + 100/160 = 0.761363..., A2 = 20/60 + 100/160, A3 = all three.
// Scenario 3: everything within 61, every ratio S/160, A = 135/160 = 0.84375.
TEST_F(GapHospital, TwoSfcaWithACutOffByHand) {
  const std::array<double, 3> partial{15.0 / 110 + 100.0 / 160, 20.0 / 60 + 100.0 / 160,
                                      15.0 / 110 + 20.0 / 60 + 100.0 / 160};
  for (std::size_t s = 0; s < 3; ++s) {
    expect_access(run(s, {AccessMethod::two_sfca, 61, {}}), partial, "2SFCA", s);
  }
  expect_access(run(3, {AccessMethod::two_sfca, 61, {}}), {0.84375, 0.84375, 0.84375}, "2SFCA", 3);
}

// E2SFCA with pysal's default steps and no max_cost (pysal: max_cost None), by hand:
// scenario 0: the 40 and 80 minute trips weigh 0, so A_i = S_i / P_i = 0.15, 0.4, 10;
// scenario 1: the 20-minute trips into tract 3 weigh 0.68: D3 = 10 + 0.68 * 150 = 112,
// A1 = 0.15 + 0.68 * 100/112, A2 = 0.4 + 0.68 * 100/112, A3 = 100/112.
// Scenarios 2 and 3: the same formula (pysal's fca.py), evaluated once:
TEST_F(GapHospital, E2sfcaWithDefaultStepsByHand) {
  expect_access(run(0, {AccessMethod::e2sfca, std::numeric_limits<double>::infinity(), {}}),
                {0.15, 0.4, 10}, "E2SFCA", 0);
  expect_access(run(1, {AccessMethod::e2sfca, std::numeric_limits<double>::infinity(), {}}),
                {0.15 + 0.68 * 100 / 112, 0.4 + 0.68 * 100 / 112, 100.0 / 112}, "E2SFCA", 1);
  expect_access(run(2, {AccessMethod::e2sfca, std::numeric_limits<double>::infinity(), {}}),
                {0.140449438202247, 0.352112676056338, 10.3349422376958}, "E2SFCA", 2);
  expect_access(run(3, {AccessMethod::e2sfca, std::numeric_limits<double>::infinity(), {}}),
                {0.747592295345104, 0.959255533199195, 1.22779938055298}, "E2SFCA", 3);
}

// 3SFCA with pysal's default steps {10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}, no max_cost.
// Scenario 0 by hand: G_11 = 0.962 / (0.962 + 0.042 + 0) — the 80-minute trip weighs 0 —
// so every weight is w * G; the rest evaluated once with the same formula.
TEST_F(GapHospital, ThreeSfcaWithDefaultSteps) {
  const auto inf = std::numeric_limits<double>::infinity();
  {
    const double g_self12 = 0.962 / (0.962 + 0.042);     // tracts 1, 2: self, 40 to 3
    const double g_far12 = 0.042 / (0.962 + 0.042);      //
    const double g_self3 = 0.962 / (0.962 + 2 * 0.042);  // tract 3: self, 40 to 1 and 2
    const double g_far3 = 0.042 / (0.962 + 2 * 0.042);   //
    const double self12 = 0.962 * g_self12, far12 = 0.042 * g_far12;
    const double self3 = 0.962 * g_self3, far3 = 0.042 * g_far3;
    const double d1 = 100 * self12 + 10 * far3;
    const double d2 = 50 * self12 + 10 * far3;
    const double d3 = 10 * self3 + 100 * far12 + 50 * far12;
    const double r1 = 15 / d1, r2 = 20 / d2, r3 = 100 / d3;
    expect_access(
        run(0, {AccessMethod::three_sfca, inf, {}}),
        {r1 * self12 + r3 * far12, r2 * self12 + r3 * far12, r3 * self3 + (r1 + r2) * far3},
        "3SFCA", 0);
  }
  expect_access(run(0, {AccessMethod::three_sfca, inf, {}}),
                {0.169256630882567, 0.419137756957615, 9.71174490638626}, "3SFCA", 0);
  expect_access(run(1, {AccessMethod::three_sfca, inf, {}}),
                {0.706312139675103, 0.956114937786469, 1.65630391431662}, "3SFCA", 1);
  expect_access(run(2, {AccessMethod::three_sfca, inf, {}}),
                {0.188822487495796, 0.424788113921154, 9.48783455543627}, "3SFCA", 2);
  expect_access(run(3, {AccessMethod::three_sfca, inf, {}}),
                {0.756780885943572, 0.982083953011591, 1.02177137550633}, "3SFCA", 3);
}

// ---- the 5x5 grid ----

// pysal test_floating_catchment_area.py: supply = all 25 cells (value 1), demand = 5 cells drawn
// at random (value 1), Euclidean costs. pysal draws them with DataFrame.sample; the expected
// values hold for any 5, so two fixed draws are used here.
class GapGrid : public ::testing::TestWithParam<std::array<std::uint32_t, 5>> {
 protected:
  void SetUp() override {
    const auto dir = test::shared_data("pysal-access");
    if (!dir) GTEST_SKIP() << test::shared_data_skip_message("pysal-access");
    std::vector<double> supply(25, 0);
    for (const auto& r : test::gap_data::read_csv(*dir / "grid5x5_points.csv")) {
      supply.at(std::stoul(r.at("id")) - 1) = std::stod(r.at("value"));
    }
    supply_ = supply;
    const auto picked = GetParam();
    Triples t;
    for (const auto& r : test::gap_data::read_csv(*dir / "grid5x5_euclidean_costs.csv")) {
      const auto origin = static_cast<std::uint32_t>(std::stoul(r.at("origin")));
      for (std::uint32_t k = 0; k < 5; ++k) {
        if (picked.at(k) == origin) {
          t.emplace_back(k, static_cast<std::uint32_t>(std::stoul(r.at("dest")) - 1),
                         std::stod(r.at("cost")));
        }
      }
    }
    ASSERT_EQ(t.size(), 5U * 25U);
    costs_ = CostMatrix::from_triples(5, 25, t);
  }
  void expect_all(const AccessOptions& o, double want, const char* what) {
    const auto a = accessibility(costs_, demand_, supply_, o);
    ASSERT_EQ(a.size(), 5U);
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_NEAR(a[i], want, 1e-12) << what << ", demand cell " << GetParam().at(i);
    }
  }
  CostMatrix costs_;
  std::vector<double> demand_ = std::vector<double>(5, 1.0);
  std::vector<double> supply_;
};

constexpr double kNoCutOff = std::numeric_limits<double>::infinity();

// test_two_stage_floating_catchment_area_large_catchment (== 5), _small_catchment (0.9: == 1).
TEST_P(GapGrid, TwoSfca) {
  expect_all({AccessMethod::two_sfca, kNoCutOff, {}}, 5, "2SFCA");
  expect_all({AccessMethod::two_sfca, 0.9, {}}, 1, "2SFCA 0.9");
}

// test_enhanced_two_stage_floating_catchment_area_large_catchment (== 5), _small (== 1): the
// farthest cells are 5.66 apart, all under the first step (10, weight 1).
TEST_P(GapGrid, E2sfca) {
  expect_all({AccessMethod::e2sfca, kNoCutOff, {}}, 5, "E2SFCA");
  expect_all({AccessMethod::e2sfca, 0.9, {}}, 1, "E2SFCA 0.9");
}

// test_three_stage_floating_catchment_area_large_catchment (step_fn({10: 25}): == 5) and
// _small_catchment (max_cost 0.9: == 1, because G = 25 / (25 * 25) counts all 25 destinations
// before the cut-off).
TEST_P(GapGrid, ThreeSfca) {
  expect_all({AccessMethod::three_sfca, kNoCutOff, Weight::step({{10, 25}})}, 5, "3SFCA");
  expect_all({AccessMethod::three_sfca, 0.9, Weight::step({{10, 25}})}, 1, "3SFCA 0.9");
}

// pysal has no G2SFCA test on the grid: with alpha = 0 the gravity weight is 1 everywhere
// (test_weights.py test_gravity_with_zero_alpha) and G2SFCA is 2SFCA.
TEST_P(GapGrid, G2sfcaWithAlphaZeroIsTwoSfca) {
  expect_all({AccessMethod::g2sfca, kNoCutOff, Weight::gravity(60, 0)}, 5, "G2SFCA");
  expect_all({AccessMethod::g2sfca, 0.9, Weight::gravity(60, 0)}, 1, "G2SFCA 0.9");
}

// test_*_zero_catchment (max_cost -1): pysal gives NaN (no pair in any catchment); we give 0.
TEST_P(GapGrid, AnEmptyCatchmentGivesZeroNotNan) {
  expect_all({AccessMethod::two_sfca, -1, {}}, 0, "2SFCA -1");
  expect_all({AccessMethod::e2sfca, -1, {}}, 0, "E2SFCA -1");
  expect_all({AccessMethod::three_sfca, -1, {}}, 0, "3SFCA -1");
}

INSTANTIATE_TEST_SUITE_P(TwoDraws, GapGrid,
                         ::testing::Values(std::array<std::uint32_t, 5>{1, 7, 13, 19, 25},
                                           std::array<std::uint32_t, 5>{3, 5, 11, 22, 24}));

// ---- edge cases ----

TEST(GapAccessibility, ZeroDemandAndUnreachedSitesGiveNumbersNotNan) {
  // Origins: 0 (demand 0) reaches site 0 only; 1 (demand 10) reaches site 1; 2 reaches nothing.
  // Site 2 is reached by no one.
  const auto m = CostMatrix::from_triples(3, 3, {{0, 0, 1.0}, {1, 1, 2.0}});
  const std::vector<double> demand{0, 10, 5};
  const std::vector<double> supply{4, 3, 7};
  for (const auto method :
       {AccessMethod::two_sfca, AccessMethod::e2sfca, AccessMethod::three_sfca}) {
    const auto a = accessibility(m, demand, supply, {method, kNoCutOff, {}});
    ASSERT_EQ(a.size(), 3U);
    for (const double v : a) EXPECT_TRUE(std::isfinite(v));
    EXPECT_EQ(a[0], 0);  // pysal: 4/0 = inf at site 0, spread to origin 0
    EXPECT_EQ(a[2], 0);  // pysal: NaN
  }
  const auto a = accessibility(m, demand, supply, {});
  EXPECT_DOUBLE_EQ(a[1], 0.3);
}

TEST(GapAccessibility, TheCutOffIsInclusive) {
  // One origin (demand 2) with sites at cost 10 (supply 4) and 10.5 (supply 6).
  const auto m = CostMatrix::from_triples(1, 2, {{0, 0, 10.0}, {0, 1, 10.5}});
  const std::vector<double> demand{2};
  const std::vector<double> supply{4, 6};
  EXPECT_DOUBLE_EQ(accessibility(m, demand, supply, {AccessMethod::two_sfca, 10, {}})[0], 2.0);
  EXPECT_DOUBLE_EQ(accessibility(m, demand, supply, {AccessMethod::two_sfca, 10.5, {}})[0], 5.0);
  EXPECT_DOUBLE_EQ(accessibility(m, demand, supply, {AccessMethod::two_sfca, 9.99, {}})[0], 0.0);
}

TEST(GapAccessibility, GravityAtCostZeroWithoutMinDistIsRejected) {
  const auto m = CostMatrix::from_triples(1, 1, {{0, 0, 0.0}});
  const std::vector<double> one{1};
  EXPECT_THROW(
      accessibility(m, one, one, {AccessMethod::g2sfca, kNoCutOff, Weight::gravity(1, -1)}),
      InvalidArgument);
  const auto a =
      accessibility(m, one, one, {AccessMethod::g2sfca, kNoCutOff, Weight::gravity(1, -1, 0.5)});
  EXPECT_DOUBLE_EQ(a[0], 1.0);
}

TEST(GapAccessibility, BadInputsAreRejected) {
  const auto m = CostMatrix::from_triples(2, 1, {{0, 0, 1.0}, {1, 0, 2.0}});
  const std::vector<double> two{1, 1};
  const std::vector<double> one{1};
  const std::vector<double> negative{1, -1};
  EXPECT_THROW(accessibility(m, one, one, {}), InvalidArgument);
  EXPECT_THROW(accessibility(m, negative, one, {}), InvalidArgument);
  EXPECT_THROW(accessibility(m, two, two, {}), InvalidArgument);
  EXPECT_THROW(CostMatrix::from_triples(1, 1, {{0, 0, -1.0}}), InvalidArgument);
  EXPECT_THROW(CostMatrix::from_triples(1, 1, {{0, 1, 1.0}}), InvalidArgument);
  EXPECT_THROW(CostMatrix::from_triples(1, 1, {{0, 0, 1.0}, {0, 0, 2.0}}), InvalidArgument);
  EXPECT_THROW(CostMatrix::from_triples(1, 1, {{0, 0, std::nan("")}}), InvalidArgument);
}

struct CancelAfter : Progress {
  int calls = 0;
  int limit = 0;
  void report(double fraction, std::string_view) override {
    EXPECT_GE(fraction, 0.0);
    EXPECT_LE(fraction, 1.0);
    ++calls;
  }
  [[nodiscard]] bool cancelled() const override { return calls >= limit; }
};

TEST(GapAccessibility, ReportsProgressAndStopsWhenCancelled) {
  const auto m = CostMatrix::from_triples(2, 1, {{0, 0, 1.0}, {1, 0, 2.0}});
  const std::vector<double> two{1, 1};
  const std::vector<double> one{1};
  CancelAfter run_through;
  run_through.limit = 1000;
  accessibility(m, two, one, {}, &run_through);
  EXPECT_GE(run_through.calls, 2);
  CancelAfter stop;
  stop.limit = 1;
  EXPECT_THROW(accessibility(m, two, one, {}, &stop), Cancelled);
}

}  // namespace
}  // namespace tsunagi::geo::gap
