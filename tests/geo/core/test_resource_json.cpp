// The JSON form of resources: round trip, precise errors, and the fields each audience gets.
#include "geo/core/resource_json.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

using nlohmann::json;

Resource home_salon() {
  Resource r;
  r.id = "6f1c1f5e-0000-4000-8000-000000000001";
  r.kind = ResourceKind::ibasho;
  r.name = "えんがわサロン";
  r.lon = 133.912345;
  r.lat = 35.067891;
  r.address = "つなぎ町上ノ山3-5（架空）";
  r.venue = VenueKind::private_home;
  r.operator_type = OperatorType::jumin_kojin;
  r.operator_name = "山田 花子";
  r.email = "salon@example.jp";
  r.note = "鍵は隣家に預けてある";
  r.activities = {Activity::sawakai};
  r.targets = {TargetGroup::elderly};
  Schedule s;
  s.rule = Schedule::Rule::weekly;
  s.weekdays = {Weekday::tue};
  s.start_minute = 600;
  s.end_minute = 720;
  r.schedules = {s};
  r.fees = {Fee{PersonKind::any, 100, FeePer::session, ""}};
  r.offer = PlacementOffer{};
  r.offer->kind = OfferKind::yakuwari;
  r.offer->contact_role = "世話役";
  r.version = 3;
  return r;
}

TEST(ResourceJson, StaffViewRoundTripsThroughTheApiShape) {
  const Resource r = home_salon();
  const json j = to_json(r);
  EXPECT_EQ(j["kind"], "ibasho");
  EXPECT_EQ(j["kind_ja"], "居場所・サロン");
  EXPECT_EQ(j["schedules"][0]["rrule"], "FREQ=WEEKLY;BYDAY=TU");
  Resource back = resource_from_json(j);
  back.version = r.version;  // bookkeeping is the store's, not the client's
  back.source_id = r.source_id;
  EXPECT_EQ(back, r);
}

TEST(ResourceJson, ErrorsNameTheFieldAndWhatIsExpected) {
  auto message = [](const json& j) {
    try {
      resource_from_json(j);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const json ok = {{"kind", "kayoi_no_ba"}, {"name", "体操"}, {"lon", 134.0}, {"lat", 34.3}};
  EXPECT_EQ(message(ok), "(accepted)");
  json j = ok;
  j["kind"] = "cafe";
  EXPECT_NE(message(j).find("kind must be one of: kayoi_no_ba"), std::string::npos) << message(j);
  j = ok;
  j["lat"] = "34.3";
  EXPECT_EQ(message(j), "lat must be a number");
  j = ok;
  j["colour"] = "red";
  EXPECT_EQ(message(j), "unknown field \"colour\"");
  j = ok;
  j["lat"] = 95.0;
  EXPECT_NE(message(j).find("lat must be within -90..90"), std::string::npos);
  j = ok;
  j["schedules"] = json::array({{{"rule", "monthly_nth"}, {"weekdays", {"wed"}}}});
  EXPECT_EQ(message(j), "schedules[0].nth must be non-empty for a monthly_nth rule");
  j = ok;
  j["name"] = "";
  EXPECT_EQ(message(j), "name is required");
}

TEST(ResourceJson, AcceptsAGeoJsonFeatureAndJapaneseLabels) {
  const json f = {{"type", "Feature"},
                  {"geometry", {{"type", "Point"}, {"coordinates", {134.05, 34.34}}}},
                  {"properties",
                   {{"kind", "通いの場"}, {"name", "百歳体操"}, {"activities", {"体操（運動）"}}}}};
  const Resource r = resource_from_json(f);
  EXPECT_EQ(r.kind, ResourceKind::kayoi_no_ba);
  EXPECT_TRUE(r.activities.contains(Activity::taiso));
  EXPECT_DOUBLE_EQ(r.lon, 134.05);
}

}  // namespace
}  // namespace tsunagi::geo
