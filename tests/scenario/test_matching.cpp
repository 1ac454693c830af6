// A 参加支援 worker's question on a small town built here, street by street, as OpenStreetMap XML
// read by the real importer (libosmium): a river between the person and a farm 100 m away, with
// bridges only at the ends of the street, so the straight-line nearest place is a 14-minute walk
// and the café up the street is nearer on foot. Then every constraint leaves out the places it
// should, each with its reason.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "datasets/osm_network.hpp"
#include "geo/analysis/matching.hpp"
#include "geo/core/error.hpp"
#include "geo/core/schedule.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace {

using namespace tsunagi;
using geo::ResourceKind;

// The street grid: 10 columns × 8 rows, 100 m apart; the river runs between rows 3 and 4, and
// only columns 0 and 9 have a bridge. Row 0 is the north edge.
constexpr double kLon0 = 133.600;
constexpr double kLat0 = 35.100;
constexpr double kDLon = 0.0010966;  // 100 m at 35.1°N
constexpr double kDLat = 0.0009013;  // 100 m
double lon_at(double col) {
  return kLon0 + col * kDLon;
}
double lat_at(double row) {
  return kLat0 - row * kDLat;
}

std::string town_osm() {
  std::string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n";
  const auto id = [](int c, int r) { return 1000 + r * 10 + c; };
  for (int r = 0; r < 8; ++r) {
    for (int c = 0; c < 10; ++c) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "<node id='%d' version='1' lat='%.7f' lon='%.7f'/>\n",
                    id(c, r), lat_at(r), lon_at(c));
      xml += buf;
    }
  }
  int way = 1;
  const auto add_way = [&](std::vector<int> nodes, const std::string& tags) {
    xml += "<way id='" + std::to_string(way++) + "' version='1'>";
    for (const int n : nodes) xml += "<nd ref='" + std::to_string(n) + "'/>";
    xml += tags + "</way>\n";
  };
  const std::string residential = "<tag k='highway' v='residential'/>";
  for (int r = 0; r < 8; ++r) {  // east–west streets; row 0 stops either side of column 7
    std::vector<int> nodes;
    for (int c = 0; c < 10; ++c) {
      if (r == 0 && c == 7) {
        add_way(nodes, residential);
        nodes.clear();
        continue;
      }
      nodes.push_back(id(c, r));
    }
    add_way(nodes, residential);
  }
  for (int c = 0; c < 10; ++c) {  // north–south streets, cut by the river but at the bridges
    if (c == 0 || c == 9) {
      std::vector<int> nodes;
      for (int r = 0; r < 8; ++r) nodes.push_back(id(c, r));
      add_way(nodes, residential + "<tag k='bridge' v='yes'/>");
    } else if (c == 7) {
      // North of the river, column 7 climbs to row 0 by a flight of steps: the only way up.
      add_way({id(c, 0), id(c, 1)}, "<tag k='highway' v='steps'/>");
      add_way({id(c, 1), id(c, 2), id(c, 3)}, residential);
      add_way({id(c, 4), id(c, 5), id(c, 6), id(c, 7)}, residential);
    } else {
      add_way({id(c, 0), id(c, 1), id(c, 2), id(c, 3)}, residential);
      add_way({id(c, 4), id(c, 5), id(c, 6), id(c, 7)}, residential);
    }
  }
  // Not for walking: a motorway over the river, a private drive and a path closed to people.
  add_way({id(5, 3), id(5, 4)}, "<tag k='highway' v='motorway'/>");
  add_way({id(4, 3), id(4, 4)}, "<tag k='highway' v='service'/><tag k='access' v='private'/>");
  add_way({id(6, 3), id(6, 4)}, "<tag k='highway' v='footway'/><tag k='foot' v='no'/>");
  add_way({id(3, 3), id(3, 4)}, "<tag k='waterway' v='river'/>");
  xml += "</osm>\n";
  return xml;
}

class Matching : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_file(dir_ / "town.osm", town_osm());
    datasets::OsmNetworkReport report;
    const auto net = datasets::read_osm_network(dir_ / "town.osm", std::nullopt, report);
    report_ = report;
    town_ = std::make_unique<test::TinyTown>(dir_ / "town.db");
    town_->store().put_network(net);
  }
  geo::Resource place(const std::string& name, double col, double row,
                      const std::function<void(geo::Resource&)>& edit = {}) {
    return town_->add(name, ResourceKind::placement_site, lon_at(col), lat_at(row),
                      [&](geo::Resource& r) {
                        r.offer = geo::PlacementOffer{};
                        r.offer->slots_total = 3;
                        r.offer->slots_open = 2;
                        r.schedules.push_back(geo::parse_schedule("毎週火曜日 9:00〜12:00"));
                        if (edit) edit(r);
                      });
  }
  geo::MatchResult ask(nlohmann::json body) {
    body["at"] = {lon_at(5), lat_at(3)};  // the person: north bank, column 5
    const auto snap = town_->snapshot();
    snap_ = snap;
    return geo::match(*snap, geo::Audience::partners, geo::parse_match_request(body, *snap));
  }
  static const geo::MatchExcluded* excluded(const geo::MatchResult& r, const std::string& name) {
    for (const auto& e : r.excluded) {
      if (e.item->resource().name == name) return &e;
    }
    return nullptr;
  }
  static std::string reasons(const geo::MatchExcluded* e) {
    std::string s;
    if (e != nullptr) {
      for (const auto& r : e->reasons) s += r + " / ";
    }
    return s;
  }

  test::TempDir dir_;
  datasets::OsmNetworkReport report_;
  std::unique_ptr<test::TinyTown> town_;
  std::shared_ptr<const geo::Snapshot> snap_;
};

TEST_F(Matching, TheImporterKeepsTheStreetsAndSaysWhyItDroppedTheRest) {
  EXPECT_EQ(report_.ways_dropped.at("highway=motorway"), 1U);
  EXPECT_EQ(report_.ways_dropped.at("access=private"), 1U);
  EXPECT_EQ(report_.ways_dropped.at("foot=no"), 1U);
  EXPECT_EQ(report_.ways_dropped.count("no highway tag (buildings, waterways, boundaries…)"), 1U);
  EXPECT_EQ(report_.ways_kept + 4, report_.ways_read);
  EXPECT_EQ(report_.nodes_kept, 80U);
  EXPECT_EQ(report_.ways_kept, 9U + 2U + 3U + 7U * 2U)
      << "9 streets (row 0 in two), 2 bridges, column 7 in three, 7 columns in two";
  EXPECT_EQ(report_.components, 1U) << "the bridges join both banks";
  EXPECT_EQ(report_.steps_edges, 1U);
}

TEST_F(Matching, TheNearestByWalkingIsNotTheNearestInAStraightLine) {
  place("川向こうの農園", 5, 4.3);    // 130 m across the water
  place("通りの先のカフェ", 5, 0.5);  // 250 m up the street
  const auto r = ask({{"max_walk_min", 20}});
  EXPECT_TRUE(r.walking);
  ASSERT_EQ(r.candidates.size(), 2U);
  const auto& first = r.candidates[0];
  const auto& second = r.candidates[1];
  EXPECT_EQ(first.item->resource().name, "通りの先のカフェ");
  EXPECT_EQ(second.item->resource().name, "川向こうの農園");
  EXPECT_LT(second.straight_m, first.straight_m) << "the farm is nearer in a straight line";
  // Over the nearer bridge (column 9): 400 m along the bank, 100 m across, 400 m back, and the
  // last 30 m.
  EXPECT_NEAR(second.walk_m, 930, 10);
  EXPECT_NEAR(first.walk_m, 250, 10);
  EXPECT_GE(second.route.size(), 10U) << "the route goes round by a bridge";
  EXPECT_EQ(first.reasons.front(), "徒歩4分（250 m、道のり）");
  // With a 10-minute limit the farm is left out, and the answer says why.
  const auto near = ask({{"max_walk_min", 10}});
  ASSERT_EQ(near.candidates.size(), 1U);
  const auto* farm = excluded(near, "川向こうの農園");
  ASSERT_NE(farm, nullptr);
  EXPECT_EQ(farm->reasons.front(), "10分以内に歩いて行けない（直線 130 m）");
  // A slow walker (50 m/min) takes longer for the same way.
  const auto slow = ask({{"max_walk_min", 20}, {"walking_profile", "slow"}});
  ASSERT_FALSE(slow.candidates.empty());
  EXPECT_EQ(slow.candidates[0].reasons.front(), "徒歩5分（250 m、道のり）");
}

TEST_F(Matching, EachConstraintLeavesOutThePlacesItShouldWithItsReason) {
  place("空きなし", 3, 2, [](geo::Resource& r) { r.offer->slots_open = 0; });
  place("月曜だけ", 4, 2,
        [](geo::Resource& r) { r.schedules = {geo::parse_schedule("毎週月曜日 9:00〜12:00")}; });
  place("段差のある作業所", 6, 2, [](geo::Resource& r) { r.barrier_free.step_free = false; });
  place("高齢者向け", 2, 2, [](geo::Resource& r) { r.age_min = 65; });
  place("一日6時間", 5, 1, [](geo::Resource& r) { r.offer->min_hours_per_day = 6; });
  place("階段の上", 7, 0);  // reached only by the steps
  place("ぴったり", 5, 2, [](geo::Resource& r) {
    r.barrier_free.step_free = true;
    r.offer->tasks.insert(geo::TaskTag::keisagyo);
    r.offer->accommodations.insert(geo::Accommodation::short_hours);
  });
  const auto r = ask({{"availability", {"火曜の午前"}},
                      {"step_free", true},
                      {"short_hours", true},
                      {"age_band", "50s"},
                      {"tasks", {"keisagyo"}},
                      {"max_walk_min", 7}});
  EXPECT_EQ(reasons(excluded(r, "空きなし")), "満員 / ");
  EXPECT_EQ(reasons(excluded(r, "月曜だけ")), "曜日・時間が合わない / ");
  EXPECT_EQ(reasons(excluded(r, "段差のある作業所")), "段差あり / ");
  EXPECT_EQ(reasons(excluded(r, "高齢者向け")), "対象年齢外 / ");
  EXPECT_EQ(reasons(excluded(r, "一日6時間")), "短時間の受入れ不可（1日6時間以上） / ");
  EXPECT_EQ(reasons(excluded(r, "階段の上")),
            "7分以内に歩いて行けない（段差のない道で）（直線 361 m） / ");
  ASSERT_EQ(r.candidates.size(), 1U);
  const auto& best = r.candidates[0];
  EXPECT_EQ(best.item->resource().name, "ぴったり");
  const std::vector<std::string> expected = {"徒歩2分（100 m、道のり）",
                                             "火曜 9:00〜12:00に開いている",
                                             "希望に合う: 軽作業",
                                             "配慮あり: 短時間可",
                                             "空き2名",
                                             "段差なし"};
  EXPECT_EQ(best.reasons, expected);
  // Without the step-free wish, the steps lead up to it: 200 + 200 + 100 m.
  const auto by_steps = ask({{"max_walk_min", 7}, {"kinds", {"placement_site"}}});
  bool above = false;
  for (const auto& c : by_steps.candidates) above = above || c.item->resource().name == "階段の上";
  EXPECT_TRUE(above);
}

TEST_F(Matching, WithoutANetworkTheAnswerSaysItIsAStraightLine) {
  test::TempDir dir;
  test::TinyTown bare(dir / "bare.db");
  bare.add("カフェ", ResourceKind::ibasho, lon_at(5), lat_at(1));
  const auto snap = bare.snapshot();
  const auto r = geo::match(*snap, geo::Audience::partners,
                            geo::parse_match_request({{"at", {lon_at(5), lat_at(3)}}}, *snap));
  EXPECT_FALSE(r.walking);
  ASSERT_EQ(r.candidates.size(), 1U);
  EXPECT_NEAR(r.candidates[0].walk_m, 200 * geo::kDetourFactor, 3);
  const auto j = geo::match_json(r);
  EXPECT_EQ(j["network"], "straight_line");
  EXPECT_EQ(j["detour_factor"], geo::kDetourFactor);
  EXPECT_NE(j["note"].get<std::string>().find("straight lines"), std::string::npos);
}

TEST_F(Matching, NoPersonalFieldIsAccepted) {
  const auto snap = town_->snapshot();
  for (const std::string key :
       {"name", "氏名", "address", "birth_date", "diagnosis", "disability_grade", "phone"}) {
    nlohmann::json body = {{"at", {lon_at(5), lat_at(3)}}, {key, "x"}};
    try {
      (void)geo::parse_match_request(body, *snap);
      ADD_FAILURE() << key << " was accepted";
    } catch (const geo::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown key '" + key + "'"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW((void)geo::parse_match_request(
                   {{"at", {lon_at(5), lat_at(3)}}, {"age_band", "1975-04-01"}}, *snap),
               geo::InvalidArgument);
}

}  // namespace
