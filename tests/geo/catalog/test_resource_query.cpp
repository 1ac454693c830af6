// geo/catalog/resource_query: the filters a coordinator uses, over a tiny town, for each audience.
#include "geo/catalog/resource_query.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/schedule.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

class ResourceQueryTown : public ::testing::Test {
 protected:
  void SetUp() override {
    test::TinyTown town(dir_ / "t.db");
    town.add("まちのかふぇ", ResourceKind::ibasho, 133.640, 35.100, [](Resource& r) {
      r.schedules.push_back(parse_schedule("毎週水曜日 13:30〜15:00"));
      r.activities.insert(Activity::sawakai);
      r.targets.insert(TargetGroup::elderly);
      r.barrier_free.elevator = true;
      r.address = "つなぎ町中町1-1";
    });
    town.add("ＡＢＣ体操クラブ", ResourceKind::kayoi_no_ba, 133.650, 35.110, [](Resource& r) {
      r.schedules.push_back(parse_schedule("第1・第3水曜日 10:00〜11:30"));
      r.activities.insert(Activity::taiso);
      r.targets.insert(TargetGroup::elderly);
      r.capacity = 20;
      r.vacancy = 0;
    });
    town.add("子ども食堂ひまわり", ResourceKind::kodomo_shokudo, 133.700, 35.200, [](Resource& r) {
      r.schedules.push_back(parse_schedule("毎週土曜日 17:00〜19:00"));
      r.targets.insert(TargetGroup::children);
      r.capacity = 30;
      r.vacancy = 4;
    });
    town.add("関係機関の窓口", ResourceKind::sodan_shien_other, 133.641, 35.101,
             [](Resource& r) { r.publish = PublishLevel::partners; });
    town.add("閉じたカフェ", ResourceKind::ibasho, 133.642, 35.102,
             [](Resource& r) { r.status = ResourceStatus::closed; });
    snapshot_ = town.snapshot();
  }
  [[nodiscard]] ResourcePage run(const ResourceQuery& q, Audience a = Audience::public_) const {
    return query(snapshot_->view(a), q);
  }
  std::vector<std::string> names(const ResourceQuery& q, Audience a = Audience::public_) const {
    std::vector<std::string> out;
    for (const auto& h : run(q, a).hits) out.push_back(h.resource->name);
    std::sort(out.begin(), out.end());
    return out;
  }
  test::TempDir dir_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(ResourceQueryTown, ThePublicSeesOnlyPublicResourcesThatRun) {
  ResourceQuery q;
  EXPECT_EQ(run(q).number_matched, 3u);
  EXPECT_EQ(run(q, Audience::partners).number_matched, 4u);
  q.publish_levels = {PublishLevel::partners};
  EXPECT_EQ(names(q, Audience::partners), std::vector<std::string>{"関係機関の窓口"});
  EXPECT_TRUE(names(q).empty()) << "a filter cannot widen what the audience may know";
  q = {};
  q.statuses = {ResourceStatus::closed};
  EXPECT_TRUE(names(q).empty()) << "the public never sees a closed resource";
  EXPECT_EQ(names(q, Audience::partners), std::vector<std::string>{"閉じたカフェ"});
}

TEST_F(ResourceQueryTown, WednesdayAfternoonFindsTheCafeNotTheMorningExercise) {
  ResourceQuery q;
  q.open = parse_open_window("水曜の午後");
  EXPECT_EQ(names(q), std::vector<std::string>{"まちのかふぇ"});
  q.open = parse_open_window("水曜");
  EXPECT_EQ(names(q),
            (std::vector<std::string>{"まちのかふぇ", "ＡＢＣ体操クラブ"}));  // byte order
  q.open = parse_open_window("wed,10:30-11:00");
  EXPECT_EQ(names(q), std::vector<std::string>{"ＡＢＣ体操クラブ"});
  q.open = parse_open_window("sat evening");
  EXPECT_EQ(names(q), std::vector<std::string>{"子ども食堂ひまわり"});
}

TEST_F(ResourceQueryTown, OpenWindowTextForms) {
  EXPECT_EQ(parse_open_window("wed"), (OpenWindow{Weekday::wed, std::nullopt, std::nullopt}));
  EXPECT_EQ(parse_open_window("水曜の午後"), (OpenWindow{Weekday::wed, 12 * 60, 18 * 60}));
  EXPECT_EQ(parse_open_window("水曜日 13:00〜15:00"), (OpenWindow{Weekday::wed, 780, 900}));
  EXPECT_EQ(parse_open_window("Wednesday, 13:00-15:00"), (OpenWindow{Weekday::wed, 780, 900}));
  EXPECT_EQ(parse_open_window("金 午前"), (OpenWindow{Weekday::fri, 540, 720}));
  EXPECT_EQ(make_open_window("水", "13:00", "15:00"), (OpenWindow{Weekday::wed, 780, 900}));
  EXPECT_THROW(parse_open_window("someday"), InvalidArgument);
  EXPECT_THROW(parse_open_window("wed,15:00-13:00"), InvalidArgument);
  EXPECT_THROW(parse_open_window("水曜の昼寝"), InvalidArgument);
  EXPECT_THROW(make_open_window("wed", "13:00", ""), InvalidArgument);
}

TEST_F(ResourceQueryTown, TextSearchFoldsWidthAndKana) {
  ResourceQuery q;
  q.text = "カフェ";
  EXPECT_EQ(names(q), std::vector<std::string>{"まちのかふぇ"});
  q.text = "abc";  // full-width ＡＢＣ in the name
  EXPECT_EQ(names(q), std::vector<std::string>{"ＡＢＣ体操クラブ"});
  q.text = "中町　かふぇ";  // address and name, full-width space between
  EXPECT_EQ(names(q), std::vector<std::string>{"まちのかふぇ"});
  q.text = "ひまわり 体操";
  EXPECT_TRUE(names(q).empty());
}

TEST_F(ResourceQueryTown, FlagsKindsAndTargets) {
  ResourceQuery q;
  q.barrier_free = true;
  EXPECT_EQ(names(q), std::vector<std::string>{"まちのかふぇ"});
  q = {};
  q.has_vacancy = true;
  EXPECT_EQ(names(q), std::vector<std::string>{"子ども食堂ひまわり"});
  q = {};
  q.kinds = {ResourceKind::kayoi_no_ba, ResourceKind::kodomo_shokudo};
  EXPECT_EQ(names(q).size(), 2u);
  q = {};
  q.targets = {TargetGroup::children};
  EXPECT_EQ(names(q), std::vector<std::string>{"子ども食堂ひまわり"});
  q = {};
  q.bbox = BBox{133.63, 35.09, 133.66, 35.12};
  EXPECT_EQ(names(q).size(), 2u);
}

TEST_F(ResourceQueryTown, NearestFirstWithDistancesAndPages) {
  ResourceQuery q;
  q.near = LonLat{133.6995, 35.1995};
  q.limit = 2;
  const auto page = run(q);
  EXPECT_EQ(page.number_matched, 3u);
  ASSERT_EQ(page.hits.size(), 2u);
  EXPECT_EQ(page.hits[0].resource->name, "子ども食堂ひまわり");
  EXPECT_LT(*page.hits[0].distance_m, 100.0);
  EXPECT_LT(*page.hits[0].distance_m, *page.hits[1].distance_m);
  q.offset = 2;
  const auto rest = run(q);
  ASSERT_EQ(rest.hits.size(), 1u);
  EXPECT_EQ(rest.hits[0].resource->name, "まちのかふぇ");
  q.offset = 5;
  EXPECT_TRUE(run(q).hits.empty());
}

}  // namespace
}  // namespace tsunagi::geo
