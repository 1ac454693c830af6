// A planner of one town of a store serving two (広域): the town's figures are its own people, the
// neighbour's places still count where they are walkable, and a new place is sited in the town
// itself. Two towns side by side, straight-line distances, every answer checkable by hand:
//
//   藤崎町 (023612)  西町 100 people at 133.600 (its 公民館 is here)
//                    境町   40 people at 133.615; the 通いの場 at 133.618 (≈ 270 m)
//   板柳町 (023817)  東境   60 people at 133.625 (≈ 640 m from 藤崎町's 通いの場)
//                    奥町   30 people at 133.650 (its 公民館 is here; ≈ 2.9 km from the 通いの場)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "geo/analysis/gap.hpp"
#include "geo/core/error.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi {
namespace {

using nlohmann::json;
using test::TempDir;
using test::TinyTown;

constexpr const char* kFujisaki = "023612";
constexpr const char* kItayanagi = "023817";

std::string box(double west, double east, double lat) {
  const double h = 0.008;
  char buf[256];
  std::snprintf(buf, sizeof buf, "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))", west, lat - h, east,
                lat - h, east, lat + h, west, lat + h, west, lat - h);
  return buf;
}

geo::StatValue aged(const std::string& area, double v) {
  geo::StatValue s;
  s.area_id = area;
  s.key = "aged_75";
  s.ref_date = "2020-10-01";
  s.value = v;
  return s;
}

class GapTowns : public ::testing::Test {
 protected:
  void SetUp() override {
    TinyTown town(dir_.path() / "towns.db");
    town.add_area(std::string("municipality:") + kFujisaki, geo::AreaKind::municipality,
                  "青森県南津軽郡藤崎町", box(133.592, 133.620, 35.10), 133.606, 35.10);
    town.add_area(std::string("municipality:") + kItayanagi, geo::AreaKind::municipality,
                  "青森県北津軽郡板柳町", box(133.620, 133.660, 35.10), 133.640, 35.10);
    const auto chome = [&](const std::string& id, const std::string& name, const char* lg,
                           double west, double east, double lon) {
      geo::Area a =
          town.add_area(id, geo::AreaKind::chome, name, box(west, east, 35.10), lon, 35.10);
      a.lg_code = lg;
      town.store().put_area(a);
    };
    chome("chome:west", "西町", kFujisaki, 133.592, 133.608, 133.600);
    chome("chome:border_f", "境町", kFujisaki, 133.608, 133.620, 133.615);
    chome("chome:border_i", "東境", kItayanagi, 133.620, 133.632, 133.625);
    chome("chome:far", "奥町", kItayanagi, 133.632, 133.660, 133.650);
    geo::StatDef def;
    def.key = "aged_75";
    def.label = "75歳以上人口";
    town.store().put_stats({def}, {aged("chome:west", 100), aged("chome:border_f", 40),
                                   aged("chome:border_i", 60), aged("chome:far", 30)});
    const auto in = [](const char* lg) { return [lg](geo::Resource& r) { r.lg_code = lg; }; };
    town.add("境のサロン", geo::ResourceKind::kayoi_no_ba, 133.618, 35.10, in(kFujisaki));
    town.add("西町公民館", geo::ResourceKind::kominkan, 133.600, 35.1001, in(kFujisaki));
    town.add("奥町公民館", geo::ResourceKind::kominkan, 133.650, 35.1001, in(kItayanagi));
    snap_ = town.snapshot();
  }
  json run(const std::string& request) {
    return json::parse(geo::gap::run_analysis(*snap_, geo::Audience::partners,
                                              geo::gap::parse_analysis_request(request), {}));
  }
  static std::set<std::string> ids(const json& answer) {
    std::set<std::string> out;
    for (const auto& row : answer["areas"]) out.insert(row["id"].get<std::string>());
    return out;
  }

  TempDir dir_;
  std::shared_ptr<const geo::Snapshot> snap_;
};

TEST_F(GapTowns, OneTownsCoverageCountsItsPeopleAndTheNeighboursPlaces) {
  const auto all = run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"max_m":1000})");
  EXPECT_EQ(all["totals"]["target"], 230);
  EXPECT_EQ(all["totals"]["covered"], 100) << "境町 and 東境";
  EXPECT_FALSE(all.contains("municipality"));

  const auto itayanagi = run(
      R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"max_m":1000,"municipality":"023817"})");
  EXPECT_EQ(itayanagi["totals"]["target"], 90) << "板柳町's own people only";
  EXPECT_EQ(itayanagi["totals"]["covered"], 60) << "東境 walks to 藤崎町's 通いの場";
  EXPECT_EQ(ids(itayanagi), (std::set<std::string>{"chome:border_i", "chome:far"}));
  EXPECT_EQ(itayanagi["municipality"]["lg_code"], kItayanagi);
  EXPECT_EQ(itayanagi["municipality"]["name"], "板柳町");
  ASSERT_EQ(itayanagi["demand_by_municipality"].size(), 1U);

  const auto fujisaki = run(
      R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"max_m":1000,"municipality":"023612"})");
  EXPECT_EQ(fujisaki["totals"]["target"], 140);
  EXPECT_EQ(fujisaki["totals"]["covered"], 40);
  EXPECT_EQ(ids(fujisaki), (std::set<std::string>{"chome:west", "chome:border_f"}));
}

TEST_F(GapTowns, OneTownsRankingHoldsItsAreasOnly) {
  const auto a =
      run(R"({"analysis":"rank","kinds":["kayoi_no_ba"],"max_m":1000,"municipality":"023612"})");
  EXPECT_EQ(ids(a), (std::set<std::string>{"chome:west", "chome:border_f"}));
}

TEST_F(GapTowns, ATownSitesANewPlaceInItself) {
  // Across both towns the best venue is 西町公民館 (100 people); 板柳町 sites in 板柳町.
  const auto all = run(
      R"({"analysis":"site","kinds":["kayoi_no_ba"],"candidate_kinds":["kominkan"],"k":1,
          "max_m":1000})");
  ASSERT_EQ(all["chosen"].size(), 1U);
  EXPECT_EQ(all["chosen"][0]["name"], "西町公民館");
  const auto mine = run(
      R"({"analysis":"site","kinds":["kayoi_no_ba"],"candidate_kinds":["kominkan"],"k":1,
          "max_m":1000,"municipality":"023817"})");
  ASSERT_EQ(mine["chosen"].size(), 1U);
  EXPECT_EQ(mine["chosen"][0]["name"], "奥町公民館");
  EXPECT_EQ(mine["totals"]["newly_covered"], 30);
}

TEST_F(GapTowns, BadTownsAreRefusedByName) {
  for (const auto* bad :
       {R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"municipality":"02381"})",
        R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"municipality":"023818"})",
        R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"municipality":23817})"}) {
    EXPECT_THROW(geo::gap::parse_analysis_request(bad), geo::InvalidArgument) << bad;
  }
  try {
    run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"municipality":"023035"})");
    ADD_FAILURE() << "a town of no boundary here was analysed";
  } catch (const geo::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("023612"), std::string::npos)
        << "names the towns there are: " << e.what();
  }
  try {
    run(R"({"analysis":"site","kinds":["kayoi_no_ba"],"candidate_kinds":["public_facility"],"k":1,
            "municipality":"023817"})");
    ADD_FAILURE() << "siting without a venue in the town";
  } catch (const geo::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("板柳町"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tsunagi
