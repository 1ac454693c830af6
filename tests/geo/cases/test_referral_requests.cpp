// The case rules of geo/cases: a home recorded only as a 町丁 or coarser, transition and follow-up
// requests read with specific errors, a placement's answers published coarse.
#include "geo/cases/referral_requests.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo::cases {
namespace {

using nlohmann::json;

constexpr std::string_view kSquare = "POLYGON((134 34,134.01 34,134.01 34.01,134 34.01,134 34))";

TEST(Cases, AHomeIsRecordedAsAChomeOrCoarserNeverAsAFinerMeshOrADrawnArea) {
  test::TempDir dir;
  test::TinyTown town(dir / "t.sqlite");
  town.add_area("small_area:372010010", AreaKind::small_area, "番町一丁目", kSquare, 134.005,
                34.005);
  town.add_area("mesh_half:513340001", AreaKind::mesh_half, "500m", kSquare, 134.005, 34.005);
  town.add_area("custom:walk", AreaKind::custom, "drawn", kSquare, 134.005, 34.005);
  const auto snap = town.snapshot();
  ASSERT_EQ(snap->areas().size(), 3u);

  EXPECT_EQ(resolve_home_area(*snap, "small_area:372010010"), "small_area:372010010");
  EXPECT_EQ(resolve_home_area(*snap, "372010010"), "small_area:372010010");  // by its code
  EXPECT_EQ(resolve_home_area(*snap, "mesh_half:513340001"), std::nullopt);
  EXPECT_EQ(resolve_home_area(*snap, "513340001"), std::nullopt);
  EXPECT_EQ(resolve_home_area(*snap, "custom:walk"), std::nullopt);
  EXPECT_EQ(resolve_home_area(*snap, "small_area:999"), std::nullopt);
  EXPECT_TRUE(home_area_kind_allowed(AreaKind::chome));
  EXPECT_FALSE(home_area_kind_allowed(AreaKind::mesh_quarter));
}

TEST(Cases, ATransitionRequestIsReadWithItsReasonAndFollowUp) {
  const auto t = parse_transition(
      json{{"to", "declined_by_host"}, {"reason", "full"}, {"follow_up_due", "2026-12-10"}});
  EXPECT_EQ(t.to, ReferralStatus::declined_by_host);
  ASSERT_TRUE(t.reason.has_value());
  EXPECT_EQ(*t.reason, DeclineReason::full);
  EXPECT_EQ(t.follow_up_due, "2026-12-10");

  const auto cleared = parse_transition(json{{"to", "visit"}, {"follow_up_due", nullptr}});
  EXPECT_EQ(cleared.follow_up_due, "");  // named as null: cleared
  EXPECT_FALSE(parse_transition(json{{"to", "visit"}}).follow_up_due.has_value());
}

TEST(Cases, AWrongTransitionRequestSaysWhichFieldAndWhatIsAllowed) {
  const auto message = [](const json& body) {
    try {
      parse_transition(body);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(json::object()).find("to must be one of proposed"), std::string::npos);
  EXPECT_NE(message(json{{"to", "somewhere"}}).find("to must be one of"), std::string::npos);
  EXPECT_NE(
      message(json{{"to", "declined_by_host"}, {"reason", "bored"}}).find("reason must be one of"),
      std::string::npos);
  EXPECT_NE(message(json{{"to", "visit"}, {"follow_up_due", 20261210}}).find("follow_up_due"),
            std::string::npos);
  EXPECT_THROW(parse_follow_up(json::object()), InvalidArgument);
  EXPECT_THROW(parse_follow_up(json{{"follow_up_due", 3}}), InvalidArgument);
  EXPECT_EQ(parse_follow_up(json{{"follow_up_due", nullptr}}), "");
  EXPECT_EQ(parse_follow_up(json{{"follow_up_due", "2027-01-05"}}), "2027-01-05");
}

TEST(Cases, APlacementsAnswersArePublishedToATenthOfADayAndAHundredthOfAShare) {
  PlacementReferralStats s;
  s.resource_id = "r1";
  s.through = "2026-11";
  s.suppressed = false;
  s.answered = 7;
  s.share_accepted = 4.0 / 7.0;
  s.months.push_back({"2026-11", 7, 3.14159, 4.0 / 7.0});
  const json j = placement_stats_json(s);
  EXPECT_EQ(j["k_min"], Referrals::kMinCell);
  EXPECT_DOUBLE_EQ(j["share_accepted"].get<double>(), 0.57);
  ASSERT_EQ(j["months"].size(), 1u);
  EXPECT_DOUBLE_EQ(j["months"][0]["median_days_to_answer"].get<double>(), 3.1);
  EXPECT_DOUBLE_EQ(j["months"][0]["share_accepted"].get<double>(), 0.57);

  PlacementReferralStats hidden;
  hidden.resource_id = "r2";
  const json h = placement_stats_json(hidden);
  EXPECT_TRUE(h["suppressed"].get<bool>());
  EXPECT_TRUE(h["answered"].is_null());
  EXPECT_TRUE(h["share_accepted"].is_null());
}

}  // namespace
}  // namespace tsunagi::geo::cases
