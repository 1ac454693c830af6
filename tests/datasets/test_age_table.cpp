// The 地域・年齢別人口 reader: its header under the 推奨データセット's Japanese names (the shared
// spec's header row) and under Takamatsu's English property names, names matched after
// normalising (丁目 numerals, ヶ/ケ/が, 大字/字), --name-map, blanks kept as missing, the
// municipality's total row skipped, survey dates as cities write them.
#include "datasets/age_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "geo/core/area.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace datasets = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::TempDir;
using tsunagi::test::write_file;

namespace {

std::string square(double x, double y) {
  std::ostringstream w;
  w << "MULTIPOLYGON(((" << x << " " << y << "," << x + 0.01 << " " << y << "," << x + 0.01 << " "
    << y + 0.01 << "," << x << " " << y + 0.01 << "," << x << " " << y << ")))";
  return geo::Geometry::from_wkt(w.str()).wkb();
}

void put_small_area(geo::Store& s, const std::string& code, const std::string& name, double x) {
  geo::Area a;
  a.kind = geo::AreaKind::small_area;
  a.id = geo::small_area_id_of(code);
  a.code = code;
  a.name = name;
  a.lg_code = "372013";
  a.parent_id = "municipality:372013";
  a.wkb = square(x, 34.3);
  a.label_lon = x + 0.005;
  a.label_lat = 34.305;
  s.put_area(a);
}

/// A header in the English property names, and one row per (name, classes value, households).
std::string english_csv(
    const std::vector<std::tuple<std::string, std::string, std::string>>& rows) {
  std::string h =
      "\"#property\",\"prefCode\",\"regionCode\",\"prefName\",\"cityName\",\"surveyDate\","
      "\"regionName\",\"totalPopulation\",\"male\",\"woman\"";
  for (int k = 1; k <= 18; ++k) {
    h += ",\"man" + std::to_string(k) + "\",\"woman" + std::to_string(k) + "\"";
  }
  h += ",\"numberOfHouseholds\",\"note\",\"location\"\n";
  int n = 0;
  for (const auto& [name, cls, households] : rows) {
    // every class holds `cls` people of each sex (blank stays blank)
    const double each = cls == "blank3" ? 2 : std::stod(cls);
    const std::string total = std::to_string(static_cast<int>(each * 36));
    h += "\"" + std::to_string(++n) + "\",\"37201\",,\"香川県\",\"高松市\",\"7/1/24\",\"" + name +
         "\",\" " + total + " \",,";
    for (int k = 1; k <= 18; ++k) {
      const std::string c =
          cls == "blank3" ? (k == 3 ? "" : "2") : std::to_string(static_cast<int>(each));
      h += ",\" " + c + " \",\" " + c + " \"";
    }
    h += ",\" " + households + " \",,\"34.3,134.0\"\n";
  }
  return h;
}

}  // namespace

TEST(AgeTable, NamesAreComparedAfterNormalising) {
  EXPECT_EQ(datasets::normalize_area_name("番町一丁目"),
            datasets::normalize_area_name("番町１丁目"));
  EXPECT_EQ(datasets::normalize_area_name("番町1丁目"), "番町1丁目");
  EXPECT_EQ(datasets::normalize_area_name("本町十二丁目"), "本町12丁目");
  EXPECT_EQ(datasets::normalize_area_name("霞ヶ関"), datasets::normalize_area_name("霞が関"));
  EXPECT_EQ(datasets::normalize_area_name("霞ケ関"), datasets::normalize_area_name("霞ヶ関"));
  EXPECT_EQ(datasets::normalize_area_name("大字薬師野"), "薬師野");
  EXPECT_EQ(datasets::normalize_area_name("字和山"), "和山");
  EXPECT_EQ(datasets::normalize_area_name(" 塩屋町 "), "塩屋町");
  // が between kana is not a ヶ: ながの stays
  EXPECT_EQ(datasets::normalize_area_name("ながの台"), "ながの台");
  // a name that is only 字 keeps it
  EXPECT_EQ(datasets::normalize_area_name("字"), "字");
}

TEST(AgeTable, SurveyDatesAsCitiesWriteThem) {
  EXPECT_EQ(datasets::parse_survey_date("7/1/24"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("2024-07-01"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("2024/7/1"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("20240701"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("令和6年7月1日"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("R6.7.1"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date("平成27年10月1日"), "2015-10-01");
  EXPECT_EQ(datasets::parse_survey_date("７/１/２４"), "2024-07-01");
  EXPECT_EQ(datasets::parse_survey_date(""), std::nullopt);
  EXPECT_EQ(datasets::parse_survey_date("いつか"), std::nullopt);
  EXPECT_EQ(datasets::parse_survey_date("13/45/24"), std::nullopt);
}

TEST(AgeTable, TheSpecHeaderAndTheEnglishNamesAreRecognised) {
  TSUNAGI_REQUIRE_SHARED_DATA(spec, "standard-dataset-spec/11_地域・年齢別人口_header.csv");
  const auto rows = datasets::parse_csv(tsunagi::test::read_file(spec));
  ASSERT_FALSE(rows.empty());
  const auto ja = datasets::detect_age_table(rows.front().second);
  ASSERT_TRUE(ja);
  EXPECT_FALSE(ja->english);
  EXPECT_GE(ja->region_name, 0);
  EXPECT_GE(ja->survey_date, 0);
  EXPECT_GE(ja->households, 0);
  EXPECT_GE(ja->men[17], 0);
  EXPECT_GE(ja->women[0], 0);

  const auto en_rows = datasets::parse_csv(english_csv({}));
  const auto en = datasets::detect_age_table(en_rows.front().second);
  ASSERT_TRUE(en);
  EXPECT_TRUE(en->english);
  EXPECT_GE(en->location, 0);
  // a table without the classes is not one
  EXPECT_FALSE(datasets::detect_age_table({"regionName", "population"}));
}

TEST(AgeTable, RowsMatchByNameWithinTheMunicipalityAndBlanksStayMissing) {
  TempDir dir;
  auto store = geo::Store::open(dir / "t.sqlite", geo::Store::Mode::create_if_missing);
  put_small_area(store, "37201001001", "番町１丁目", 134.0);
  put_small_area(store, "372010020", "霞ヶ丘町", 134.02);
  put_small_area(store, "372010030", "塩屋町", 134.04);
  put_small_area(store, "372010040", "新名前町", 134.06);
  write_file(dir / "ages.csv", english_csv({{"番町一丁目", "2", "30"},
                                            {"霞が丘町", "blank3", "20"},
                                            {"高松市", "100", "9999"},
                                            {"旧名前町", "1", "5"},
                                            {"塩屋町", "3", " 1,234 "}}));
  datasets::TableImportOptions opt;
  geo::Store::Transaction tx(store);
  auto r = datasets::import_table(store, dir / "ages.csv", opt);
  tx.commit();
  EXPECT_EQ(r.ref_date, "2024-07-01");
  EXPECT_EQ(r.rows_matched, 3);
  ASSERT_EQ(r.unmatched, std::vector<std::string>{"旧名前町"});
  EXPECT_THAT(r.closest.at("旧名前町"), testing::Contains("新名前町"));
  EXPECT_THAT(datasets::render_text(r), HasSubstr("旧名前町 — closest:"));
  EXPECT_THAT(datasets::render_text(r), HasSubstr("total: skipped"));

  std::map<std::pair<std::string, std::string>, geo::StatValue> v;
  for (const auto& s : store.stats()) v[{s.area_id, s.key}] = s;
  auto at = [&](const std::string& area, const std::string& key) { return v[{area, key}]; };
  const auto ban = geo::small_area_id_of("37201001001");
  EXPECT_EQ(at(ban, "aged_65").value, 2.0 * 2 * 5);  // 5 classes of 2 men and 2 women
  EXPECT_EQ(at(ban, "aged_75").value, 2.0 * 2 * 3);
  EXPECT_EQ(at(ban, "population").value, 72.0);
  EXPECT_EQ(at(ban, "households").value, 30.0);
  const auto kasumi = geo::small_area_id_of("372010020");
  // a blank class (10–14) leaves the sums that need it missing, not 0; the others are read
  EXPECT_EQ(at(kasumi, "aged_0_14").status, geo::StatStatus::missing);
  EXPECT_FALSE(at(kasumi, "aged_0_14").value);
  EXPECT_EQ(at(kasumi, "aged_65").value, 20.0);
  EXPECT_EQ(at(geo::small_area_id_of("372010030"), "households").value, 1234.0);

  // --name-map settles the renamed 町
  write_file(dir / "names.csv", "旧名前町,新名前町\n");
  opt.name_map = dir / "names.csv";
  geo::Store::Transaction tx2(store);
  r = datasets::import_table(store, dir / "ages.csv", opt);
  tx2.commit();
  EXPECT_EQ(r.rows_matched, 4);
  EXPECT_TRUE(r.unmatched.empty());
}

TEST(AgeTable, NoMatchingNameWritesNothingAndSaysWhy) {
  TempDir dir;
  auto store = geo::Store::open(dir / "t.sqlite", geo::Store::Mode::create_if_missing);
  write_file(dir / "ages.csv", english_csv({{"塩屋町", "1", "3"}}));
  geo::Store::Transaction tx(store);
  try {
    (void)datasets::import_table(store, dir / "ages.csv", {});
    FAIL() << "expected an error";
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no small areas of municipality:372013"));
    EXPECT_THAT(e.what(), HasSubstr("--approximate"));
  }
}
