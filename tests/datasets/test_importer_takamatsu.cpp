// The real files a municipality has: 高松市's facility CSVs with the shipped mappings, N03
// boundaries of 12 municipalities.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "datasets/import_test_support.hpp"
#include "geo/spatial/geometry.hpp"

namespace ds = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::StoreDir;
using tsunagi::test::takamatsu_mapping;

namespace {

struct Category {
  const char* file;
  int accepted;
  int empty_rows;
  geo::ResourceKind kind;
};

// Counts checked against the files themselves (rows with data; exchange_center's 9 template rows
// are empty).
const Category kCategories[] = {
    {"regional_comprehensive_support_center", 7, 0, geo::ResourceKind::chiiki_hokatsu_shien_center},
    {"regional_child_rearing_support_base", 15, 0, geo::ResourceKind::chiiki_kosodate_shien_kyoten},
    {"community_center", 52, 0, geo::ResourceKind::kominkan},
    {"regional_exchange_center", 7, 0, geo::ResourceKind::kominkan},
    {"contact_center", 2, 0, geo::ResourceKind::kominkan},
    {"exchange_center", 1, 9, geo::ResourceKind::kominkan},
    {"elderly_wedding_house", 10, 0, geo::ResourceKind::ibasho},
    {"elderly_welfare_center", 2, 0, geo::ResourceKind::shafuku_facility},
    {"elderly_welfare_facility", 46, 0, geo::ResourceKind::kaigo_jigyosho},
    {"nursing_home", 12, 0, geo::ResourceKind::kaigo_jigyosho},
    {"group_home", 51, 0, geo::ResourceKind::kaigo_jigyosho},
    {"disabled_welfare_facility", 8, 0, geo::ResourceKind::shafuku_facility},
    {"welfare_hall", 7, 0, geo::ResourceKind::shafuku_facility},
    {"other_welfare_facilities", 4, 0, geo::ResourceKind::public_facility},
    {"childrens_hall", 9, 0, geo::ResourceKind::ibasho},
    {"children_club", 35, 0, geo::ResourceKind::kosodate_shisetsu},
    {"other_child_care_support_facility", 2, 0, geo::ResourceKind::kosodate_shisetsu},
    {"health_center", 9, 0, geo::ResourceKind::public_facility},
};

ds::ImportOptions with_mapping(const std::string& category) {
  ds::ImportOptions o;
  o.mapping = ds::load_mapping(takamatsu_mapping(category));
  return o;
}

}  // namespace

TEST(TakamatsuOpenData, EveryCategoryImportsWithItsShippedMapping) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "takamatsu-opendata/facilities");
  StoreDir store;
  std::map<geo::ResourceKind, int> expected_by_kind;
  int total = 0;
  for (const auto& c : kCategories) {
    SCOPED_TRACE(c.file);
    const auto report =
        store.import_with(dir / (std::string(c.file) + ".csv"), with_mapping(c.file));
    ASSERT_EQ(report.files.size(), 1U);
    const auto& f = report.files[0];
    EXPECT_EQ(f.error, "");
    for (const auto& r : f.rejected) ADD_FAILURE() << "row " << r.row << ": " << r.message;
    EXPECT_EQ(f.inserted, c.accepted);
    EXPECT_EQ(static_cast<int>(f.empty_rows.size()), c.empty_rows);
    EXPECT_EQ(f.source_key, std::string("takamatsu/") + c.file);
    EXPECT_EQ(report.exit_code(), 0);
    expected_by_kind[c.kind] += c.accepted;
    total += c.accepted;
  }
  std::map<geo::ResourceKind, int> by_kind;
  const auto all = store.resources();
  for (const auto& r : all) {
    ++by_kind[r.kind];
    EXPECT_EQ(r.lg_code, "372013") << r.name;
  }
  EXPECT_EQ(static_cast<int>(all.size()), total);
  EXPECT_EQ(by_kind, expected_by_kind);
  EXPECT_EQ(by_kind[geo::ResourceKind::chiiki_hokatsu_shien_center], 7);
  EXPECT_EQ(by_kind[geo::ResourceKind::chiiki_kosodate_shien_kyoten], 15);
}

TEST(TakamatsuOpenData, ExchangeCenterReportsItsNineEmptyTemplateRows) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, "takamatsu-opendata/facilities/exchange_center.csv");
  StoreDir store;
  const auto report = store.import_with(file, with_mapping("exchange_center"));
  const auto& f = report.files.at(0);
  EXPECT_EQ(f.inserted, 1);
  EXPECT_EQ(f.empty_rows, (std::vector<std::int64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(ds::summary_line(f),
            "imported 1 resource from exchange_center.csv (1 new, 0 updated, 0 unchanged); "
            "rejected 0; skipped 9 empty rows");
  const auto r = store.resources().at(0);
  EXPECT_EQ(r.name, "高松市仏生山交流センター");
  EXPECT_EQ(r.name_kana, "タカマツシブッショウザンコウリュウセンター");
  ASSERT_EQ(r.schedules.size(), 1U);
  EXPECT_EQ(r.schedules[0].start_minute, 9 * 60);
  EXPECT_EQ(r.schedules[0].end_minute, 17 * 60);
}

TEST(TakamatsuOpenData, CommunityCentreSummaryLineAndSchedules) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "takamatsu-opendata/facilities");
  StoreDir store;
  const auto report =
      store.import_with(dir / "community_center.csv", with_mapping("community_center"));
  EXPECT_EQ(ds::summary_line(report.files.at(0)),
            "imported 52 resources from community_center.csv (52 new, 0 updated, 0 unchanged); "
            "rejected 0");
  // The 拠点 file has 利用可能曜日 and times (some in full-width digits, 「10：00」).
  const auto r2 = store.import_with(dir / "regional_child_rearing_support_base.csv",
                                    with_mapping("regional_child_rearing_support_base"));
  EXPECT_EQ(r2.files.at(0).inserted, 15);
  int with_times = 0;
  for (const auto& r : store.resources()) {
    if (r.kind != geo::ResourceKind::chiiki_kosodate_shien_kyoten) continue;
    ASSERT_FALSE(r.schedules.empty()) << r.name;
    if (r.schedules[0].start_minute) ++with_times;
  }
  EXPECT_EQ(with_times, 15);
}

TEST(TakamatsuOpenData, GeoJsonTwinImportsTheSameRows) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "takamatsu-opendata/facilities");
  StoreDir csv_store, json_store;
  csv_store.import_with(dir / "community_center.csv", with_mapping("community_center"));
  const auto report =
      json_store.import_with(dir / "community_center.geojson", with_mapping("community_center"));
  EXPECT_EQ(report.files.at(0).inserted, 52);
  EXPECT_EQ(report.files.at(0).format, "GeoJSON");
  auto a = csv_store.resources();
  auto b = json_store.resources();
  ASSERT_EQ(a.size(), b.size());
  std::map<std::string, geo::Resource> by_key;
  for (auto& r : a) by_key[r.source_key] = r;
  for (const auto& r : b) {
    const auto& twin = by_key.at(r.source_key);
    EXPECT_EQ(r.name, twin.name);
    EXPECT_NEAR(r.lon, twin.lon, 1e-9);
    EXPECT_NEAR(r.lat, twin.lat, 1e-9);
  }
}

TEST(TakamatsuOpenData, ReimportUpdatesInsteadOfDuplicating) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "takamatsu-opendata/facilities");
  StoreDir store;
  const auto first =
      store.import_with(dir / "community_center.csv", with_mapping("community_center"));
  EXPECT_EQ(first.files.at(0).inserted, 52);
  const auto again =
      store.import_with(dir / "community_center.csv", with_mapping("community_center"));
  EXPECT_EQ(again.files.at(0).inserted, 0);
  EXPECT_EQ(again.files.at(0).unchanged, 52);
  EXPECT_EQ(store.resources().size(), 52U);

  // The city renames one centre and drops another: one update, one row reported missing.
  std::string csv = tsunagi::test::read_file(dir / "community_center.csv");
  const auto renamed = csv.find("高松市日新コミュニティセンター");
  ASSERT_NE(renamed, std::string::npos);
  csv.replace(renamed, std::string("高松市日新コミュニティセンター").size(),
              "高松市日新地域交流センター");
  const auto row2 = csv.find("\"2\",");
  const auto row3 = csv.find("\"3\",");
  csv.erase(row2, row3 - row2);
  const auto changed = store.write("community_center.csv", csv);
  const auto third = store.import_with(changed, with_mapping("community_center"));
  const auto& f = third.files.at(0);
  EXPECT_EQ(f.updated, 1);
  EXPECT_EQ(f.unchanged, 50);
  ASSERT_EQ(f.missing.size(), 1U);
  EXPECT_EQ(f.missing[0].source_id, "2");
  EXPECT_EQ(f.missing[0].name, "高松市二番丁コミュニティセンター");
  EXPECT_FALSE(f.missing[0].closed);
  EXPECT_THAT(ds::summary_line(f), HasSubstr("1 from the previous import missing"));
  EXPECT_EQ(store.resources().size(), 52U);

  auto close = with_mapping("community_center");
  close.close_missing = true;
  const auto fourth = store.import_with(changed, close);
  ASSERT_EQ(fourth.files.at(0).missing.size(), 1U);
  EXPECT_TRUE(fourth.files.at(0).missing[0].closed);
  int closed = 0;
  for (const auto& r : store.resources()) closed += r.status == geo::ResourceStatus::closed;
  EXPECT_EQ(closed, 1);
}

TEST(N03Boundaries, AllTwelveMunicipalitiesImport) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "n03-municipalities");
  StoreDir store;
  std::vector<std::filesystem::path> files;
  for (const char* code : {"02301", "02303", "02304", "02307", "02343", "02361", "02362", "02367",
                           "02381", "28213", "31328", "37201"}) {
    files.push_back(dir / (std::string(code) + ".geojson"));
  }
  ds::RunOptions run;
  run.boundaries = files;
  const auto report = store.import({}, run);
  ASSERT_EQ(report.files.size(), 12U);
  for (const auto& f : report.files) EXPECT_EQ(f.error, "") << f.file;
  EXPECT_EQ(report.exit_code(), 0);
  EXPECT_EQ(report.files.back().area_id, "municipality:372013");
  EXPECT_EQ(report.files.back().polygons, 162);
  EXPECT_EQ(report.files[9].area_id, "municipality:282138");

  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  const auto areas = s.areas(geo::AreaKind::municipality);
  EXPECT_EQ(areas.size(), 12U);
  const auto takamatsu = s.area("municipality:372013");
  ASSERT_TRUE(takamatsu);
  EXPECT_EQ(takamatsu->name, "香川県高松市");
  EXPECT_EQ(takamatsu->lg_code, "372013");
  const auto g = geo::Geometry::from_wkb(takamatsu->wkb);
  EXPECT_EQ(g.type_name(), "MultiPolygon");
  EXPECT_TRUE(g.is_valid());
}

TEST(N03Boundaries, PointsOutsideTheLoadedBoundaryAreRejected) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities/37201.geojson");
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "takamatsu-opendata/facilities");
  StoreDir store;
  ds::RunOptions run;
  run.boundaries = {n03};
  run.import.mapping = ds::load_mapping(takamatsu_mapping("community_center"));
  const auto report = store.import({dir / "community_center.csv"}, run);
  ASSERT_EQ(report.files.size(), 2U);
  EXPECT_EQ(report.files[1].inserted, 52);  // every Takamatsu centre is inside 高松市

  // A 西脇市 (Hyogo) facility: outside, with the boundary named and the distance in metres.
  const auto csv = store.write("mixed.csv",
                               "id,name,lat,lon\n"
                               "1,高松市役所,34.3402,134.0434\n"
                               "2,西脇市役所,34.9930,134.9700\n");
  ds::ImportOptions o;
  o.kind = geo::ResourceKind::public_facility;
  const auto r2 = store.import_with(csv, o);  // the boundary is in the store now
  const auto& f = r2.files.at(0);
  EXPECT_EQ(f.inserted, 1);
  ASSERT_EQ(f.rejected.size(), 1U);
  EXPECT_EQ(f.rejected[0].row, 3);
  EXPECT_THAT(f.rejected[0].message,
              HasSubstr("outside the municipality boundary of 香川県高松市 (372013) (about "));
  EXPECT_THAT(f.rejected[0].message, HasSubstr(" m outside"));
  EXPECT_EQ(r2.exit_code(), 1);
}

TEST(N03Boundaries, APointMayBeInsideAnyOfSeveralBoundaries) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  StoreDir store;
  ds::RunOptions run;
  run.boundaries = {n03 / "37201.geojson", n03 / "28213.geojson"};
  store.import({}, run);
  const auto csv = store.write("two.csv",
                               "id,name,lat,lon\n"
                               "1,高松市役所,34.3402,134.0434\n"
                               "2,西脇市役所,34.9930,134.9700\n"
                               "3,東京駅,35.681236,139.767125\n");
  ds::ImportOptions o;
  o.kind = geo::ResourceKind::public_facility;
  const auto f = store.import_with(csv, o).files.at(0);
  EXPECT_EQ(f.inserted, 2);
  ASSERT_EQ(f.rejected.size(), 1U);
  EXPECT_EQ(f.rejected[0].row, 4);
}
