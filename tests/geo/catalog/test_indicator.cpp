// The indicator table: statistics from age bands and stored tables, derived indicators, the
// source's 秘匿・合算 marks carried into what is derived, and the small-cell rule for own data.
#include "geo/catalog/indicator.hpp"

#include <gtest/gtest.h>

#include "geo/catalog/visibility.hpp"

namespace tsunagi::geo {
namespace {

Area chome(const std::string& code, const std::string& parent = "municipality:31328") {
  Area a;
  a.id = "chome:" + code;
  a.kind = AreaKind::chome;
  a.code = code;
  a.name = code;
  a.parent_id = parent;
  a.lg_code = "313289";
  return a;
}

StatValue val(const std::string& area, const std::string& key, std::optional<double> v,
              StatStatus s = StatStatus::value, const std::string& merged = "") {
  StatValue out;
  out.area_id = "chome:" + area;
  out.key = key;
  out.ref_date = "2015-10-01";
  out.value = v;
  out.status = s;
  out.merged = merged;
  return out;
}

StatDef def(const std::string& key, const std::string& label) {
  StatDef d;
  d.key = key;
  d.label = label;
  return d;
}

StatValue at(const std::string& area_id, const std::string& key, double v) {
  StatValue s;
  s.area_id = area_id;
  s.key = key;
  s.ref_date = "2024";
  s.value = v;
  return s;
}

double cell_value(const IndicatorTable& t, std::size_t area, std::string_view key) {
  const auto c = t.column(key);
  EXPECT_TRUE(c.has_value()) << key;
  const auto& cell = t.cell(area, *c);
  EXPECT_TRUE(cell.has_value()) << key << " of area " << area;
  return cell.value;
}

StatStatus cell_status(const IndicatorTable& t, std::size_t area, std::string_view key) {
  return t.cell(area, *t.column(key)).status;
}

TEST(IndicatorTable, AgeBandsBecomeStatisticsAndRates) {
  const std::vector<Area> areas{chome("1")};
  AreaPopulation p;
  p.area_id = "chome:1";
  p.ref_date = "2020-10-01";
  p.households = 40;
  // 0–14: 10, 15–39: 20, 40–64: 30, 65–74: 15, 75+: 25 → 100 people
  p.bands = {{0, 14, 5, 5}, {15, 39, 10, 10}, {40, 64, 15, 15}, {65, 74, 7, 8}, {75, {}, 10, 15}};
  const IndicatorTable t(areas, {p}, {}, {});
  EXPECT_EQ(cell_value(t, 0, "population"), 100);
  EXPECT_EQ(cell_value(t, 0, "aged_65"), 40);
  EXPECT_EQ(cell_value(t, 0, "aged_75"), 25);
  EXPECT_EQ(cell_value(t, 0, "households"), 40);
  EXPECT_DOUBLE_EQ(cell_value(t, 0, "aging_rate"), 0.40);
  EXPECT_DOUBLE_EQ(cell_value(t, 0, "late_elderly_rate"), 0.25);
  EXPECT_DOUBLE_EQ(cell_value(t, 0, "hikikomori_estimate"), 20 * 0.0205 + 30 * 0.0202);
  const auto& est = t.columns()[*t.column("hikikomori_estimate")];
  EXPECT_EQ(est.unit, StatUnit::estimate);
  EXPECT_NE(est.note.find("推計"), std::string::npos);
  EXPECT_FALSE(t.column("elderly_single_rate"))
      << "no 高齢単身世帯 figures: the rate is not offered at all";
}

TEST(IndicatorTable, MarksCarryIntoDerivedIndicatorsAndAreNeverFilledIn) {
  const std::vector<Area> areas{chome("1"), chome("2"), chome("3")};
  const std::vector<StatDef> defs{def("population", "人口総数"), def("aged_65", "65歳以上人口")};
  const std::vector<StatValue> values{
      val("1", "population", 500, StatStatus::merged, "313280020"),
      val("1", "aged_65", 200, StatStatus::merged, "313280020"),
      val("2", "population", std::nullopt, StatStatus::absorbed, "chome:1"),
      val("2", "aged_65", std::nullopt, StatStatus::absorbed, "chome:1"),
      val("3", "population", 80),
      val("3", "aged_65", std::nullopt, StatStatus::suppressed),
  };
  const IndicatorTable t(areas, {}, defs, values);
  EXPECT_EQ(cell_status(t, 0, "aging_rate"), StatStatus::merged);
  EXPECT_DOUBLE_EQ(cell_value(t, 0, "aging_rate"), 0.4);
  EXPECT_EQ(t.merged_text(t.cell(0, *t.column("aging_rate"))), "313280020");
  EXPECT_EQ(cell_status(t, 1, "aging_rate"), StatStatus::absorbed);
  EXPECT_FALSE(t.cell(1, *t.column("aging_rate")).get());
  EXPECT_EQ(cell_status(t, 2, "aged_65"), StatStatus::suppressed);
  EXPECT_EQ(cell_status(t, 2, "aging_rate"), StatStatus::suppressed);
  EXPECT_FALSE(t.cell(2, *t.column("aging_rate")).get());
}

TEST(IndicatorTable, OwnCountsBelowTheThresholdAreSuppressedWithASecondCell) {
  Area town;
  town.id = "municipality:313289";
  town.kind = AreaKind::municipality;
  town.code = "313289";
  std::vector<Area> areas{town, chome("1", town.id), chome("2", town.id), chome("3", town.id),
                          chome("4", town.id)};
  StatDef own = def("care_certified", "要介護認定者数");
  own.own_data = true;
  own.publish = PublishLevel::partners;
  own.min_cell = 10;
  std::vector<StatValue> values{at("municipality:313289", "care_certified", 120.0),
                                val("1", "care_certified", 4), val("2", "care_certified", 50),
                                val("3", "care_certified", 25), val("4", "care_certified", 41)};
  for (auto& v : values) v.ref_date = "2024";
  const IndicatorTable t(areas, {}, {own}, values);
  EXPECT_EQ(cell_status(t, 1, "care_certified"), StatStatus::suppressed) << "4 < 10";
  EXPECT_EQ(cell_status(t, 3, "care_certified"), StatStatus::suppressed)
      << "the smallest other sibling, or 120 − 50 − 41 − 25 would give the 4 back";
  EXPECT_EQ(cell_value(t, 2, "care_certified"), 50);
  EXPECT_EQ(cell_value(t, 4, "care_certified"), 41);
  EXPECT_EQ(cell_value(t, 0, "care_certified"), 120);

  // The public does not see a partners-level statistic at all; a planner sees it suppressed.
  for (const auto& f : served_area_figures(Audience::public_, t, 1)) {
    EXPECT_NE(f.key(), "care_certified");
  }
  bool seen = false;
  for (const auto& f : served_area_figures(Audience::partners, t, 1)) {
    if (f.key() != "care_certified") continue;
    seen = true;
    EXPECT_FALSE(f.value);
    EXPECT_EQ(f.status, StatStatus::suppressed);
  }
  EXPECT_TRUE(seen);
}

TEST(IndicatorTable, ALoneChildIsProtectedByItsParentsCell) {
  Area town;
  town.id = "municipality:313289";
  town.kind = AreaKind::municipality;
  std::vector<Area> areas{town, chome("1", town.id)};
  StatDef own = def("hikikomori_known", "把握済みひきこもり");
  own.own_data = true;
  const std::vector<StatValue> values{at(town.id, own.key, 7.0), at("chome:1", own.key, 7.0)};
  const IndicatorTable t(areas, {}, {own}, values);
  EXPECT_EQ(cell_status(t, 0, own.key), StatStatus::suppressed);
  EXPECT_EQ(cell_status(t, 1, own.key), StatStatus::suppressed);

  const std::vector<StatValue> big{at(town.id, own.key, 70.0), at("chome:1", own.key, 7.0)};
  const IndicatorTable t2(areas, {}, {own}, big);
  EXPECT_EQ(cell_status(t2, 1, own.key), StatStatus::suppressed);
  EXPECT_EQ(cell_status(t2, 0, own.key), StatStatus::suppressed)
      << "the only child equals its parent: the parent's cell must go too";
}

TEST(IndicatorTable, TheNewestReferenceDateWins) {
  const std::vector<Area> areas{chome("1")};
  const std::vector<StatDef> defs{def("population", "人口総数")};
  std::vector<StatValue> values{val("1", "population", 100), val("1", "population", 90)};
  values[1].ref_date = "2020-10-01";
  const IndicatorTable t(areas, {}, defs, values);
  EXPECT_EQ(cell_value(t, 0, "population"), 90);
  EXPECT_EQ(t.columns()[*t.column("population")].ref_date, "2020-10-01");
}

}  // namespace
}  // namespace tsunagi::geo
