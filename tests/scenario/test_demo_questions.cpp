// A coordinator's and a planner's questions, asked of the demo town through the facades the
// server uses (the store, a snapshot's audience views, geo::query with parse_open_window), and
// the demo command itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "datasets/demo_town.hpp"
#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace {

using namespace tsunagi;
using geo::ResourceKind;
using geo::Weekday;

constexpr int kNoon = 12 * 60;
constexpr int kEvening = 18 * 60;

class DemoTownQuestions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    auto store = geo::Store::open(*dir_ / "demo.db", geo::Store::Mode::create_if_missing);
    datasets::generate_demo_town(store, {42, "2026-04-01"});
    snapshot_ = geo::Snapshot::build(store);
  }
  static void TearDownTestSuite() {
    snapshot_.reset();
    delete dir_;
    dir_ = nullptr;
  }

  static const geo::Snapshot& town() { return *snapshot_; }
  /// What a coordinator sees: every resource, unprojected.
  static const geo::AudienceView& staff() { return snapshot_->view(geo::Audience::internal); }
  static std::vector<const geo::Resource*> every_resource() {
    std::vector<const geo::Resource*> out;
    for (const auto& item : staff().items()) out.push_back(&item->resource());
    return out;
  }

  static const geo::Area& area(std::string_view id) {
    for (const auto& a : town().areas()) {
      if (a.id == id) return a;
    }
    throw std::runtime_error("no area " + std::string(id));
  }

  static std::vector<const geo::Area*> chome() {
    std::vector<const geo::Area*> out;
    for (const auto& a : town().areas()) {
      if (a.kind == geo::AreaKind::chome) out.push_back(&a);
    }
    return out;
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline std::shared_ptr<const geo::Snapshot> snapshot_;
};

TEST_F(DemoTownQuestions, WhichKayoiNoBaMeetOnWednesdayAfternoons) {
  // Asked as the coordinator asks the product: 通いの場, 「水曜の午後」.
  geo::ResourceQuery q;
  q.kinds = {ResourceKind::kayoi_no_ba};
  q.statuses = {geo::ResourceStatus::active};
  q.open = geo::parse_open_window("水曜の午後");
  q.limit = 1000;
  const auto page = geo::query(staff(), q);
  std::vector<const geo::Resource*> answer;
  for (const auto& hit : page.hits) answer.push_back(hit.resource);
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(page.number_matched, answer.size());
  // The morning 体操 on Wednesdays exists, and is not in the answer.
  q.open = geo::parse_open_window("水曜");
  bool saw_wednesday_morning = false;
  for (const auto& hit : geo::query(staff(), q).hits) {
    if (std::find(answer.begin(), answer.end(), hit.resource) == answer.end()) {
      saw_wednesday_morning = true;
    }
  }
  EXPECT_TRUE(saw_wednesday_morning) << "the morning 体操 on Wednesdays must not be in the answer";
  bool first_and_third = false;
  for (const auto* r : answer) {
    // Check each answer against the raw rule, not through meets_on again.
    bool ok = false;
    for (const auto& s : r->schedules) {
      if (s.weekdays.contains(Weekday::wed) && s.start_minute && s.end_minute &&
          *s.start_minute<kEvening&& * s.end_minute> kNoon) {
        ok = true;
      }
      if (s.rrule() == "FREQ=MONTHLY;BYDAY=1WE,3WE") first_and_third = true;
    }
    EXPECT_TRUE(ok) << r->name;
  }
  EXPECT_TRUE(first_and_third) << "「第1・第3水曜日 13:30〜15:00」 is among them";
}

TEST_F(DemoTownQuestions, WhichPlacementsOfferShortHoursWithAnOpenSlot) {
  std::vector<const geo::Resource*> answer;
  for (const auto* rp : every_resource()) {
    const auto& r = *rp;
    if (!r.offer || r.status != geo::ResourceStatus::active) continue;
    const auto& o = *r.offer;
    const bool short_hours = o.accommodations.contains(geo::Accommodation::short_hours) ||
                             (o.min_hours_per_day && *o.min_hours_per_day <= 2.0);
    if (short_hours && o.slots_open.value_or(0) > 0) answer.push_back(&r);
  }
  ASSERT_GE(answer.size(), 3u);
  int public_ones = 0;
  for (const auto* r : answer) {
    EXPECT_TRUE(r->kind == ResourceKind::placement_site || r->kind == ResourceKind::nofuku_site);
    EXPECT_FALSE(r->offer->contact_role.empty()) << r->name << ": whom to ask, as a role";
    EXPECT_FALSE(r->schedules.empty()) << r->name;
    if (r->publish == geo::PublishLevel::public_) ++public_ones;
  }
  EXPECT_LT(public_ones, static_cast<int>(answer.size()))
      << "most placements are for partners; the public sees only some";
}

TEST_F(DemoTownQuestions, DoTheSmallAreaPopulationsAddUpToTheTown) {
  const geo::AreaPopulation* total = nullptr;
  std::int64_t sum = 0;
  std::int64_t sum_65 = 0;
  std::set<std::string> with_population;
  for (const auto& p : town().populations()) {
    if (p.area_id == datasets::kDemoTownAreaId) {
      total = &p;
      continue;
    }
    sum += p.total();
    sum_65 += p.aged_at_least(65);
    with_population.insert(p.area_id);
  }
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(sum, total->total());
  EXPECT_EQ(sum_65, total->aged_at_least(65));
  for (const auto* a : chome()) EXPECT_TRUE(with_population.contains(a->id)) << a->name;
  EXPECT_EQ(with_population.size(), chome().size());
}

TEST_F(DemoTownQuestions, IsEveryResourceInsideTheTownAndInExactlyOneChome) {
  const geo::PreparedGeometry boundary(
      geo::Geometry::from_wkb(area(datasets::kDemoTownAreaId).wkb));
  std::vector<std::pair<std::string, geo::PreparedGeometry>> small;
  for (const auto* a : chome()) {
    small.emplace_back(a->name, geo::PreparedGeometry(geo::Geometry::from_wkb(a->wkb)));
  }
  ASSERT_GE(small.size(), 35u);
  for (const auto* rp : every_resource()) {
    const auto& r = *rp;
    EXPECT_TRUE(boundary.contains_point(r.lon, r.lat)) << r.name;
    std::vector<std::string> in;
    for (const auto& [name, g] : small) {
      if (g.contains_point(r.lon, r.lat)) in.push_back(name);
    }
    ASSERT_EQ(in.size(), 1u) << r.name << " is in " << in.size() << " 町丁";
    // The address names the 町丁 the point is in.
    EXPECT_TRUE(r.address.starts_with("つなぎ町" + in.front())) << r.name << ": " << r.address;
  }
}

TEST_F(DemoTownQuestions, DoesEveryKindOccur) {
  std::map<ResourceKind, int> per_kind;
  ASSERT_FALSE(every_resource().empty());
  for (const auto* r : every_resource()) ++per_kind[r->kind];
  ASSERT_FALSE(geo::CodeTable<ResourceKind>::entries.empty());
  for (const auto& c : geo::CodeTable<ResourceKind>::entries) {
    EXPECT_GT(per_kind[c.value], 0) << "no " << c.ja << " (" << c.id << ")";
  }
}

TEST_F(DemoTownQuestions, IsThereAnActiveKayoiNoBaWithinReachOfEverySmallArea) {
  // The planner's first look: from each 町丁's centre, how far is the nearest running 通いの場?
  std::map<std::string, double> nearest;
  for (const auto* a : chome()) {
    geo::ResourceQuery q;
    q.kinds = {ResourceKind::kayoi_no_ba};
    q.statuses = {geo::ResourceStatus::active};
    q.near = geo::LonLat{a->label_lon, a->label_lat};
    q.limit = 1;
    const auto found = geo::query(staff(), q);
    ASSERT_EQ(found.hits.size(), 1u) << a->name;
    nearest[a->name] = *found.hits.front().distance_m;
  }
  for (const auto& [name, metres] : nearest) {
    EXPECT_LT(metres, 3000.0) << name << ": the town is 6 km across";
  }
  // …but not everywhere equally: some 町丁 are well served, some are not.
  const auto [lo, hi] =
      std::minmax_element(nearest.begin(), nearest.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_LT(lo->second, 400.0);
  EXPECT_GT(hi->second, 700.0) << "a gap for the planner to find";
}

TEST_F(DemoTownQuestions, WhatHasNotBeenCheckedForOverAYear) {
  std::vector<std::string> stale;
  for (const auto* r : every_resource()) {
    if (r->status != geo::ResourceStatus::closed && r->verified_at < "2025-04-01") {
      stale.push_back(r->name);
    }
  }
  EXPECT_FALSE(stale.empty());
  EXPECT_LT(stale.size(), staff().size() / 2);
}

TEST_F(DemoTownQuestions, WhereDoesAResidentSeeTheSalonsHeldInPrivateHomes) {
  // A resident's map: every 個人宅 サロン is listed, at its 町丁's point, never at the house.
  int homes = 0;
  for (const auto* r : every_resource()) {
    if (r->venue != geo::VenueKind::private_home || !geo::visible(geo::Audience::public_, *r)) {
      continue;
    }
    ++homes;
    const auto* seen = town().view(geo::Audience::public_).find(r->id);
    ASSERT_NE(seen, nullptr) << r->name;
    const auto& s = seen->resource();
    EXPECT_EQ(s.address, "") << r->name;
    const auto chome =
        std::find_if(town().areas().begin(), town().areas().end(), [&](const auto& a) {
          return a.kind == geo::AreaKind::chome && a.label_lon == s.lon && a.label_lat == s.lat;
        });
    EXPECT_NE(chome, town().areas().end()) << r->name << " is shown at its 町丁's point";
    EXPECT_TRUE(r->address.starts_with("つなぎ町" + chome->name)) << r->address;
  }
  EXPECT_GE(homes, 3);
}

// ---- the command ----

TEST(DemoCommand, CreatesTheStoreRefusesToOverwriteAndReplacesWithForce) {
  test::TempDir dir;
  const std::string db = (dir / "demo.db").string();
  const auto first = test::run_tsunagi({"demo", "--db", db, "--as-of", "2026-04-01"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("つなぎ町（架空）"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("町丁"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("kayoi_no_ba"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("fictional"), std::string::npos) << first.out;
  {
    auto store = geo::Store::open(db, geo::Store::Mode::read_only);
    EXPECT_GE(store.resource_count(), 130);
    const auto source = store.source_by_key(datasets::kDemoSourceKey);
    ASSERT_TRUE(source.has_value());
    EXPECT_EQ(source->license, "fictional");
  }

  const std::string before = test::file_digest(db);
  const auto refused = test::run_tsunagi({"demo", "--db", db});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("already holds data"), std::string::npos) << refused.err;
  EXPECT_EQ(test::file_digest(db), before) << "a refusal writes nothing";

  const auto forced =
      test::run_tsunagi({"demo", "--db", db, "--seed", "7", "--as-of", "2026-04-01", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("replacing the demo's own rows"), std::string::npos) << forced.out;
  auto store = geo::Store::open(db, geo::Store::Mode::read_only);
  EXPECT_EQ(store.sources().size(), 1u);
}

TEST(DemoCommand, SaysWhatIsWrongWithItsArguments) {
  test::TempDir dir;
  const std::string db = (dir / "demo.db").string();
  const auto no_db = test::run_tsunagi({"demo"});
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("--db FILE is required"), std::string::npos) << no_db.err;

  const auto bad_seed = test::run_tsunagi({"demo", "--db", db, "--seed", "forty-two"});
  EXPECT_EQ(bad_seed.exit_code, 2);
  EXPECT_NE(bad_seed.err.find("forty-two"), std::string::npos) << bad_seed.err;

  const auto bad_date = test::run_tsunagi({"demo", "--db", db, "--as-of", "2026-13-01"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_NE(bad_date.err.find("as_of"), std::string::npos) << bad_date.err;

  const auto help = test::run_tsunagi({"demo", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--force"), std::string::npos);
}

}  // namespace
