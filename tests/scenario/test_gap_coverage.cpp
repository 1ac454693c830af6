// A planner's questions on a small town built here, where every answer can be checked by hand:
// three 町丁 with their 75歳以上 counts, one 通いの場 and one 公民館, no walking network (so
// distances are straight lines, and the answer says so).
//
//   本町 A   100 people at 133.600, 35.10   the 通いの場 at 133.605 (≈ 456 m): covered
//   中町 B    50 people at 133.620, 35.10   ≈ 1.37 km from it: not covered; the 公民館 is here
//   外町 C    30 people at 133.650, 35.10   ≈ 4.1 km: not covered; a 集会所 is here
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "geo/analysis/gap.hpp"
#include "geo/core/error.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi {
namespace {

using nlohmann::json;
using test::TempDir;
using test::TinyTown;

std::string square(double lon, double lat) {
  const double h = 0.008;
  char buf[256];
  std::snprintf(buf, sizeof buf, "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))", lon - h, lat - h,
                lon + h, lat - h, lon + h, lat + h, lon - h, lat + h, lon - h, lat - h);
  return buf;
}

geo::StatValue figure(const std::string& area, const std::string& key, double v) {
  geo::StatValue s;
  s.area_id = area;
  s.key = key;
  s.ref_date = "2020-10-01";
  s.value = v;
  return s;
}

class GapTown : public ::testing::Test {
 protected:
  void SetUp() override {
    TinyTown town(dir_.path() / "town.db");
    town.add_area("chome:A", geo::AreaKind::chome, "本町", square(133.600, 35.10), 133.600, 35.10);
    town.add_area("chome:B", geo::AreaKind::chome, "中町", square(133.620, 35.10), 133.620, 35.10);
    town.add_area("chome:C", geo::AreaKind::chome, "外町", square(133.650, 35.10), 133.650, 35.10);
    geo::StatDef aged;
    aged.key = "aged_75";
    aged.label = "75歳以上人口";
    geo::StatDef own;
    own.key = "living_alone_known";
    own.label = "把握済み独居高齢者";
    own.own_data = true;
    own.publish = geo::PublishLevel::partners;
    geo::StatDef secret = own;
    secret.key = "welfare_cases";
    secret.label = "生活保護世帯";
    secret.publish = geo::PublishLevel::internal;
    town.store().put_stats({aged, own, secret},
                           {figure("chome:A", "aged_75", 100), figure("chome:B", "aged_75", 50),
                            figure("chome:C", "aged_75", 30), figure("chome:A", own.key, 40),
                            figure("chome:B", own.key, 25), figure("chome:C", own.key, 4),
                            figure("chome:A", secret.key, 12), figure("chome:B", secret.key, 15),
                            figure("chome:C", secret.key, 20)});
    town.add("さくらサロン", geo::ResourceKind::kayoi_no_ba, 133.605, 35.10);
    town.add("中町公民館", geo::ResourceKind::kominkan, 133.620, 35.1001);
    town.add("外町集会所", geo::ResourceKind::kominkan, 133.652, 35.1001);
    snap_ = town.snapshot();
  }
  json run(const std::string& request, geo::Audience a = geo::Audience::partners) {
    return json::parse(
        geo::gap::run_analysis(*snap_, a, geo::gap::parse_analysis_request(request), {}));
  }
  static std::map<std::string, json> by_id(const json& answer) {
    std::map<std::string, json> out;
    for (const auto& row : answer["areas"]) out[row["id"]] = row;
    return out;
  }

  TempDir dir_;
  std::shared_ptr<const geo::Snapshot> snap_;
};

TEST_F(GapTown, WhoIsWithinOneKilometreOfATsudoiNoBa) {
  const auto a =
      run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"aged_75","max_m":1000})");
  EXPECT_EQ(a["network"], "straight_line");
  EXPECT_TRUE(a.contains("note")) << "a straight-line answer says so";
  EXPECT_EQ(a["totals"]["target"], 180);
  EXPECT_EQ(a["totals"]["covered"], 100);
  EXPECT_EQ(a["totals"]["uncovered"], 80);
  EXPECT_EQ(a["totals"]["areas_without_place"], 2);
  const auto rows = by_id(a);
  EXPECT_EQ(rows.at("chome:A")["covered"], 100);
  EXPECT_EQ(rows.at("chome:A")["has_place"], true);
  EXPECT_NEAR(rows.at("chome:A")["nearest_m"].get<double>(), 456, 3);
  EXPECT_EQ(rows.at("chome:B")["uncovered"], 50);
  EXPECT_EQ(rows.at("chome:B")["has_place"], false);
  EXPECT_TRUE(rows.at("chome:C")["nearest_m"].is_null()) << "nothing within the limit";
  EXPECT_EQ(a["areas"][0]["id"], "chome:B") << "most people left out first";

  // 20 minutes at 80 m/min = 1,600 m reaches 中町 too; at the slow 50 m/min it does not.
  const auto far = run(
      R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"aged_75","max_walk_min":20})");
  EXPECT_EQ(far["totals"]["covered"], 150);
  const auto slow = run(
      R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"aged_75","max_walk_min":20,
          "walking_profile":"slow"})");
  EXPECT_EQ(slow["totals"]["covered"], 100);
}

TEST_F(GapTown, TheRankingPutsTheMostLeftOutFirstWithTheNumbersBehindIt) {
  const auto a =
      run(R"({"analysis":"rank","kinds":["kayoi_no_ba"],"target":"aged_75","max_m":1000})");
  ASSERT_EQ(a["areas"].size(), 3U);
  EXPECT_EQ(a["areas"][0]["id"], "chome:B");
  EXPECT_EQ(a["areas"][1]["id"], "chome:C");
  EXPECT_EQ(a["areas"][2]["id"], "chome:A");
  EXPECT_EQ(a["areas"][0]["rank"], 1);
  // 2SFCA by hand: the サロン's catchment holds A only (100 people): R = 1/100; A's access is
  // 0.01 places per person = 10 per 1,000.
  EXPECT_NEAR(a["areas"][2]["access"].get<double>(), 10.0, 1e-9);
  EXPECT_EQ(a["areas"][0]["access"], 0.0);
  const std::string csv = geo::gap::answer_csv(a.dump());
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF") << "a BOM, for Excel";
  EXPECT_EQ(csv.find("rank,id,code,name"), 3U) << csv;
}

TEST_F(GapTown, OneNewPlaceInTheKominkanReachesNakamachi) {
  const auto a = run(
      R"({"analysis":"site","kinds":["kayoi_no_ba"],"candidate_kinds":["kominkan"],"k":1,
          "target":"aged_75","max_m":1000})");
  EXPECT_EQ(a["solver"], "glpk");
  EXPECT_EQ(a["optimal"], true);
  ASSERT_EQ(a["chosen"].size(), 1U);
  EXPECT_EQ(a["chosen"][0]["name"], "中町公民館");
  EXPECT_EQ(a["totals"]["covered_before"], 100);
  EXPECT_EQ(a["totals"]["covered_after"], 150);
  EXPECT_EQ(a["totals"]["newly_covered"], 50);
  EXPECT_EQ(a["uncovered_demand_ids"], json::array({"chome:C"}));
  EXPECT_EQ(by_id(a).at("chome:B")["newly_covered"], 50);
}

TEST_F(GapTown, OwnFiguresAreDemandOnlyAsTheReaderMaySeeThem) {
  // 4 < 10 is suppressed, and (secondary) the next smallest, 25: neither counts as demand, and
  // the answer says how many areas were left out and why — not their values.
  const auto a = run(
      R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"living_alone_known","max_m":1000})");
  EXPECT_EQ(a["totals"]["target"], 40);
  EXPECT_EQ(a["not_counted"]["suppressed"], 2);
  EXPECT_EQ(a["areas"].size(), 1U);
  // An internal figure does not exist for a planner, nor for the public any own figure.
  EXPECT_THROW(run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"welfare_cases"})"),
               geo::InvalidArgument);
  EXPECT_THROW(
      run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"living_alone_known"})",
          geo::Audience::public_),
      geo::InvalidArgument);
  EXPECT_EQ(
      run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"welfare_cases","max_m":1000})",
          geo::Audience::internal)["totals"]["target"],
      47);
}

TEST_F(GapTown, BadRequestsAreRefusedByName) {
  for (const auto* bad : {R"({"analysis":"coverage"})", R"({"analysis":"x","kinds":["kominkan"]})",
                          R"({"analysis":"coverage","kinds":["nope"]})",
                          R"({"analysis":"coverage","kinds":["kominkan"],"max_m":-1})",
                          R"({"analysis":"coverage","kinds":["kominkan"],"person":"山田"})",
                          R"({"analysis":"site","kinds":["kominkan"],"k":0})", "[1]", "{"}) {
    EXPECT_THROW(geo::gap::parse_analysis_request(bad), geo::InvalidArgument) << bad;
  }
  EXPECT_THROW(run(R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"aged_99"})"),
               geo::InvalidArgument);
  EXPECT_THROW(run(R"({"analysis":"site","kinds":["kayoi_no_ba"],"target":"aged_75"})"),
               geo::InvalidArgument)
      << "siting needs candidate venues";
}

}  // namespace
}  // namespace tsunagi
