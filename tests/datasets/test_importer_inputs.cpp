// The layouts a coordinator meets (standard open-data heads, the MHLW CSV, a Shift_JIS shapefile)
// and the broken inputs they also meet, each with the message it must produce.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "datasets/import_test_support.hpp"
#include "datasets/text_encoding.hpp"
#include "geo/core/csv.hpp"

namespace ds = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::StoreDir;

namespace {

ds::ImportOptions kind(geo::ResourceKind k) {
  ds::ImportOptions o;
  o.kind = k;
  return o;
}

std::string first_line(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::string line;
  std::getline(f, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return std::string(ds::strip_bom(line));
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  geo::csv::Reader(s).next(out);
  return out;
}

/// A CSV row for `header` with the given values by column name, empty elsewhere.
std::string row_for(const std::vector<std::string>& header,
                    const std::map<std::string, std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i > 0) out += ',';
    if (auto it = values.find(header[i]); it != values.end()) out += "\"" + it->second + "\"";
  }
  return out;
}

}  // namespace

// ---- standard heads ----

TEST(StandardDataset, LegacyRecommendedHeadsAreRecognised) {
  TSUNAGI_REQUIRE_SHARED_DATA(spec, "standard-dataset-spec");
  struct Case {
    const char* file;
    const char* name_column;
    geo::ResourceKind kind;
    const char* layout;
  };
  const Case cases[] = {
      {"12_公共施設一覧_header.csv", "名称", geo::ResourceKind::public_facility, "公共施設一覧"},
      {"02_介護サービス事業所一覧_header.csv", "介護サービス事業所名称",
       geo::ResourceKind::kaigo_jigyosho, "介護サービス事業所一覧"},
      {"13_子育て施設一覧_header.csv", "名称", geo::ResourceKind::kosodate_shisetsu,
       "子育て施設一覧"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string head = first_line(spec / c.file);
    const auto header = split_commas(head);
    StoreDir store;
    const std::string csv =
        head + "\n" +
        row_for(header, {{"都道府県コード又は市区町村コード", "372013"},
                         {"NO", "1"},
                         {c.name_column, "テスト施設"},
                         {"住所", "香川県高松市番町一丁目8-15"},
                         {"緯度", "34.3402"},
                         {"経度", "134.0434"},
                         {"利用可能曜日", "月火水木金"},
                         {"開始時間", "8:30"},
                         {"終了時間", "17:15"},
                         {"定員", "25"},
                         {"収容定員", "60"},
                         {"事業所番号", "3770100011"},
                         {"種別", "認可公立保育所"},
                         {"実施サービス", "通所介護"}}) +
        "\n" +
        row_for(header, {{"都道府県コード又は市区町村コード", "37201"},  // e-Stat form: repaired
                         {"NO", "2"},
                         {c.name_column, "二つ目"},
                         {"緯度", "34.35"},
                         {"経度", "134.05"},
                         {"事業所番号", "3770100029"}}) +
        "\n";
    const auto report = store.import({store.write("standard.csv", csv)});
    const auto& f = report.files.at(0);
    ASSERT_EQ(f.error, "");
    EXPECT_THAT(f.layout, HasSubstr(c.layout));
    EXPECT_THAT(f.layout, HasSubstr("推奨データセット"));
    for (const auto& r : f.rejected) ADD_FAILURE() << r.row << ": " << r.message;
    EXPECT_EQ(f.inserted, 2);
    ASSERT_EQ(f.warnings.size(), 1U);
    EXPECT_EQ(f.warnings[0].row, 3);
    EXPECT_THAT(f.warnings[0].message, HasSubstr("'37201' read as 372013"));
    const auto all = store.resources();
    ASSERT_EQ(all.size(), 2U);
    for (const auto& r : all) {
      EXPECT_EQ(r.kind, c.kind);
      EXPECT_EQ(r.lg_code, "372013");
    }
    const auto& first = all[0].name == "テスト施設" ? all[0] : all[1];
    ASSERT_EQ(first.schedules.size(), 1U);
    if (c.kind != geo::ResourceKind::kaigo_jigyosho) {  // 介護 has no 開始時間 column
      EXPECT_EQ(first.schedules[0].start_minute, 8 * 60 + 30);
    }
    if (c.kind == geo::ResourceKind::kaigo_jigyosho) {
      EXPECT_EQ(first.capacity, 25);
      EXPECT_EQ(first.subtype, "通所介護");
      EXPECT_EQ(first.source_key, "3770100011");
    }
    if (c.kind == geo::ResourceKind::kosodate_shisetsu) {
      EXPECT_EQ(first.capacity, 60);
      EXPECT_EQ(first.subtype, "認可公立保育所");
    }
  }
}

TEST(StandardDataset, OfficialLocationHeadIsRecognised) {
  StoreDir store;
  const std::string csv =
      "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英字,所在地_"
      "全国地方公共団体コード,"
      "町字ID,所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,"
      "建物名等(方書),緯度,経度,電話番号,内線番号,利用可能曜日,開始時間,終了時間,"
      "利用可能日時特記事項,備考\n"
      "092011,0001,宇都宮市,宇都宮市役所,ウツノミヤシヤクショ,,092011,,栃木県宇都宮市旭1丁目1-5,"
      "栃木県,宇都宮市,旭一丁目,1-5,本庁舎,36.555,139.8828,028-632-2222,,月火水木金,8:30,17:15,"
      "祝日休み,\n"
      "92011,0002,宇都宮市,中央生涯学習センター,,,92011,,栃木県宇都宮市明保野町7-1,,,,,,36.5455,"
      "139.8790,,,,,,,\n";
  const auto report = store.import({store.write("utsunomiya_facilities.csv", csv)});
  const auto& f = report.files.at(0);
  ASSERT_EQ(f.error, "");
  EXPECT_THAT(f.layout, HasSubstr("公共施設一覧"));
  EXPECT_THAT(f.layout, HasSubstr("正式版"));
  EXPECT_EQ(f.inserted, 2);
  ASSERT_EQ(f.warnings.size(), 1U);  // 92011 → 092011, once, with the count of rows
  EXPECT_THAT(f.warnings[0].message, HasSubstr("'92011' read as 092011"));
  const auto all = store.resources();
  ASSERT_EQ(all.size(), 2U);
  const auto& hall = all[0].name == "宇都宮市役所" ? all[0] : all[1];
  EXPECT_EQ(hall.address, "栃木県宇都宮市旭1丁目1-5");
  EXPECT_EQ(hall.building, "本庁舎");
  EXPECT_EQ(hall.source_key, "0001");
  EXPECT_EQ(hall.lg_code, "092011");
  ASSERT_EQ(hall.schedules.size(), 1U);
  EXPECT_EQ(hall.schedules[0].end_minute, 17 * 60 + 15);
}

TEST(MhlwKaigo, TwentyFourColumnFileWithBom) {
  StoreDir store;
  const std::string csv =
      "\xEF\xBB\xBF"
      "都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,"
      "サービスの種類,"
      "住所,方書（ビル名等）,緯度,経度,電話番号,FAX番号,法人番号,法人の名称,事業所番号,"
      "利用可能曜日,"
      "利用可能曜日特記事項,定員,URL,高齢者の方と障害者の方が同時一体的に利用できるサービス,"
      "介護保険の通常の指定基準を満たしている,障害福祉の通常の指定基準を満たしている,備考\r\n"
      "372013,1,香川県,高松市,デイサービスさくら,デイサービスサクラ,通所介護,香川県高松市番町1-1-1,"
      "さくらビル2階,34.3431,134.0466,087-000-0001,087-000-0002,1234567890123,社会福祉法人さくら会,"
      "3770100011,月火水木金,年末年始休み,30,https://example.jp/sakura,,,,\r\n"
      "372013,2,香川県,高松市,訪問介護ひまわり,ホウモンカイゴヒマワリ,訪問介護,香川県高松市瓦町1-2,"
      ","
      "34.3390,134.0540,087-000-0003,,,株式会社ひまわり,37A0100029,月火水木金土,,0,"
      "info@himawari.example.jp,,,,\r\n";
  const auto report = store.import({store.write("jigyosho_150.csv", csv)});
  const auto& f = report.files.at(0);
  ASSERT_EQ(f.error, "");
  EXPECT_EQ(f.layout, "介護サービス情報公表システム オープンデータ");
  for (const auto& r : f.rejected) ADD_FAILURE() << r.row << ": " << r.message;
  EXPECT_EQ(f.inserted, 2);
  const auto all = store.resources();
  ASSERT_EQ(all.size(), 2U);
  for (const auto& r : all) {
    EXPECT_EQ(r.kind, geo::ResourceKind::kaigo_jigyosho);
    if (r.official_id == "3770100011") {
      EXPECT_EQ(r.name, "デイサービスさくら");
      EXPECT_EQ(r.subtype, "通所介護");
      EXPECT_EQ(r.capacity, 30);
      EXPECT_EQ(r.building, "さくらビル2階");
      EXPECT_EQ(r.operator_name, "社会福祉法人さくら会");
      EXPECT_EQ(r.url, "https://example.jp/sakura");
    } else {
      EXPECT_EQ(r.official_id, "37A0100029");
      EXPECT_EQ(r.capacity, std::nullopt);  // 定員 0 = 未記入
      EXPECT_EQ(r.email, "info@himawari.example.jp");
      EXPECT_EQ(r.url, "");
    }
  }
}

// ---- encodings ----

class Cp932Shapefile : public ::testing::Test {
 protected:
  void SetUp() override {
    // Written by GDAL itself (ogr2ogr) from UTF-8 GeoJSON, as an older GIS would: CP932 + .cpg.
    const auto geojson = store.write(
        "salons.geojson",
        R"({"type":"FeatureCollection","features":[)"
        R"({"type":"Feature","properties":{"id":"1","name":"髙松サロン①","address":"高松市番町一丁目"},)"
        R"("geometry":{"type":"Point","coordinates":[134.0434,34.3402]}},)"
        R"({"type":"Feature","properties":{"id":"2","name":"はしご髙の家②","address":"高松市瓦町"},)"
        R"("geometry":{"type":"Point","coordinates":[134.054,34.339]}}]})");
    shp = store.file("salons.shp");
    const auto r = tsunagi::test::run_program({"ogr2ogr", "-f", "ESRI Shapefile", "-lco",
                                               "ENCODING=CP932", shp.string(), geojson.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(std::filesystem::exists(store.file("salons.cpg")));
  }
  StoreDir store;
  std::filesystem::path shp;
};

TEST_F(Cp932Shapefile, WithCpgKeepsNecCharacters) {
  const auto report = store.import_with(shp, kind(geo::ResourceKind::ibasho));
  const auto& f = report.files.at(0);
  ASSERT_EQ(f.error, "");
  EXPECT_EQ(f.encoding, "CP932 (from .cpg 'CP932')");
  EXPECT_EQ(f.inserted, 2);
  std::set<std::string> names;
  for (const auto& r : store.resources()) names.insert(r.name);
  EXPECT_EQ(names, (std::set<std::string>{"髙松サロン①", "はしご髙の家②"}));
}

TEST_F(Cp932Shapefile, WithoutCpgSaysWhatToDoAndImportsWithEncodingOption) {
  std::filesystem::remove(store.file("salons.cpg"));
  const auto report = store.import_with(shp, kind(geo::ResourceKind::ibasho));
  const auto& f = report.files.at(0);
  EXPECT_THAT(f.error, HasSubstr("salons.shp is not valid UTF-8"));
  EXPECT_THAT(f.error, HasSubstr("--encoding CP932"));
  EXPECT_EQ(report.exit_code(), 2);
  EXPECT_TRUE(report.rolled_back);
  EXPECT_TRUE(store.resources().empty());

  auto o = kind(geo::ResourceKind::ibasho);
  o.encoding = ds::Encoding::cp932;
  const auto again = store.import_with(shp, o);
  EXPECT_EQ(again.files.at(0).inserted, 2);
  std::set<std::string> names;
  for (const auto& r : store.resources()) names.insert(r.name);
  EXPECT_TRUE(names.contains("髙松サロン①"));
}

TEST(Encodings, Cp932CsvNeedsTheOptionAndThenImports) {
  StoreDir store;
  const auto csv =
      store.write("sjis.csv", ds::utf8_to_cp932("名称,緯度,経度\n"
                                                "髙松ふれあいサロン①,34.3402,134.0434\n"));
  const auto bad = store.import_with(csv, kind(geo::ResourceKind::ibasho));
  EXPECT_EQ(bad.files.at(0).error,
            "sjis.csv is not valid UTF-8 (first invalid byte on line 1) and declares no encoding; "
            "if it is Shift_JIS (as files saved by Excel or an older GIS often are), import it "
            "again with --encoding CP932");
  EXPECT_EQ(bad.exit_code(), 2);
  auto o = kind(geo::ResourceKind::ibasho);
  o.encoding = ds::Encoding::cp932;
  const auto good = store.import_with(csv, o);
  EXPECT_EQ(good.files.at(0).inserted, 1);
  EXPECT_EQ(store.resources().at(0).name, "髙松ふれあいサロン①");
}

// ---- broken inputs ----

TEST(BrokenInput, EmptyFile) {
  StoreDir store;
  const auto r = store.import_with(store.write("empty.csv", ""), kind(geo::ResourceKind::ibasho));
  EXPECT_EQ(r.files.at(0).error, "empty.csv is empty: it has no header row and no data");
  EXPECT_EQ(r.exit_code(), 2);
}

TEST(BrokenInput, TruncatedCsvRejectsTheCutRow) {
  StoreDir store;
  const auto r = store.import_with(store.write("cut.csv",
                                               "id,name,address,lat,lon\n"
                                               "1,サロンA,高松市番町,34.3402,134.0434\n"
                                               "2,サロンB,高松市瓦町,34.33"),
                                   kind(geo::ResourceKind::ibasho));
  const auto& f = r.files.at(0);
  EXPECT_EQ(f.inserted, 1);
  ASSERT_EQ(f.rejected.size(), 1U);
  EXPECT_EQ(f.rejected[0].row, 3);
  EXPECT_EQ(f.rejected[0].message, "lon is empty");
  ASSERT_EQ(f.warnings.size(), 1U);
  EXPECT_EQ(f.warnings[0].message, "has only 4 of 5 columns (is the file cut short?)");
  EXPECT_EQ(r.exit_code(), 1);
}

TEST(BrokenInput, TruncatedGeoJsonIsUnreadable) {
  StoreDir store;
  const auto r = store.import_with(
      store.write(
          "cut.geojson",
          R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"A"},)"
          R"("geometry":{"type":"Point","coordinates":[134.04,)"),
      kind(geo::ResourceKind::ibasho));
  EXPECT_THAT(r.files.at(0).error, HasSubstr("cannot read cut.geojson as GeoJSON"));
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_TRUE(store.resources().empty());
}

TEST(BrokenInput, NanAndTextCoordinates) {
  StoreDir store;
  const auto r = store.import_with(store.write("nan.csv",
                                               "name,緯度,経度\n"
                                               "A,NaN,134.04\n"
                                               "B,34.34,abc\n"
                                               "C,34.3.4,134.04\n"
                                               "D,,\n"
                                               "E,３４．３４,１３４．０４\n"),
                                   kind(geo::ResourceKind::ibasho));
  const auto& f = r.files.at(0);
  ASSERT_EQ(f.rejected.size(), 4U);
  EXPECT_EQ(f.rejected[0].row, 2);
  EXPECT_EQ(f.rejected[0].message, "緯度 'NaN' is not a number");
  EXPECT_EQ(f.rejected[1].message, "経度 'abc' is not a number");
  EXPECT_EQ(f.rejected[2].message, "緯度 '34.3.4' is not a number");
  EXPECT_EQ(f.rejected[3].message, "missing coordinates (緯度 and 経度 are empty)");
  EXPECT_EQ(f.inserted, 1);  // full-width digits are fine
}

TEST(BrokenInput, SwappedAndOutsideJapan) {
  StoreDir store;
  const auto r = store.import_with(store.write("swap.csv",
                                               "name,lat,lon\n"
                                               "A,135.2,34.7\n"
                                               "B,48.8566,2.3522\n"
                                               "C,34.7,135.2\n"),
                                   kind(geo::ResourceKind::ibasho));
  const auto& f = r.files.at(0);
  ASSERT_EQ(f.rejected.size(), 2U);
  EXPECT_THAT(f.rejected[0].message,
              HasSubstr("latitude and longitude look swapped (lat=135.2, lon=34.7)"));
  EXPECT_THAT(f.rejected[1].message, HasSubstr("outside Japan (lon 122–154, lat 20–46)"));
  EXPECT_EQ(f.inserted, 1);
}

TEST(BrokenInput, DuplicateIdsNameTheFirstRow) {
  StoreDir store;
  const auto r = store.import_with(store.write("dup.csv",
                                               "id,name,lat,lon\n"
                                               "7,A,34.34,134.04\n"
                                               "8,B,34.35,134.05\n"
                                               "7,C,34.36,134.06\n"),
                                   kind(geo::ResourceKind::ibasho));
  const auto& f = r.files.at(0);
  ASSERT_EQ(f.rejected.size(), 1U);
  EXPECT_EQ(f.rejected[0].row, 4);
  EXPECT_EQ(f.rejected[0].message, "duplicate source id '7' (first used on row 2)");
}

TEST(BrokenInput, MissingNameBadLgCodeAndUnreadableSchedule) {
  StoreDir store;
  const auto r =
      store.import_with(store.write("misc.csv",
                                    "name,lat,lon,lg_code,開催日時\n"
                                    ",34.34,134.04,372013,毎週火曜日 10:00〜12:00\n"
                                    "B,34.35,134.05,372014,\n"
                                    "C,34.36,134.06,372013,毎月15日\n"
                                    "D,34.37,134.07,372013,第1・第3水曜日 13:30〜15:00\n"),
                        kind(geo::ResourceKind::kayoi_no_ba));
  const auto& f = r.files.at(0);
  ASSERT_EQ(f.rejected.size(), 3U);
  EXPECT_EQ(f.rejected[0].message, "missing name (column name)");
  EXPECT_THAT(f.rejected[1].message, HasSubstr("bad 全国地方公共団体コード '372014'"));
  EXPECT_THAT(f.rejected[2].message,
              HasSubstr("the schedule '毎月15日' in column 開催日時 cannot be read: "));
  EXPECT_EQ(f.inserted, 1);
  const auto d = store.resources().at(0);
  ASSERT_EQ(d.schedules.size(), 1U);
  EXPECT_EQ(d.schedules[0].rule, geo::Schedule::Rule::monthly_nth);
}

TEST(BrokenInput, NoKindNoNameNoCoordinatesAreFileErrors) {
  StoreDir store;
  const auto no_kind = store.import({store.write("a.csv", "name,lat,lon\nA,34.3,134.0\n")});
  EXPECT_THAT(no_kind.files.at(0).error, HasSubstr("cannot tell what kind of resource"));
  EXPECT_THAT(no_kind.files.at(0).error, HasSubstr("--kind"));
  const auto no_name = store.import_with(store.write("b.csv", "title2,lat,lon\nA,34.3,134.0\n"),
                                         kind(geo::ResourceKind::ibasho));
  EXPECT_THAT(no_name.files.at(0).error, HasSubstr("no column holds the name"));
  const auto no_xy = store.import_with(store.write("c.csv", "name,住所\nA,高松市\n"),
                                       kind(geo::ResourceKind::ibasho));
  EXPECT_THAT(no_xy.files.at(0).error, HasSubstr("no coordinate columns"));
  EXPECT_EQ(no_xy.exit_code(), 2);
}

TEST(BrokenInput, OneBadRowInTenThousand) {
  StoreDir store;
  std::string csv = "id,name,lat,lon\n";
  for (int i = 1; i <= 10000; ++i) {
    const std::string lat = i == 5000 ? "34.3x" : std::to_string(34.0 + (i % 100) * 0.001);
    csv += std::to_string(i) + ",場所" + std::to_string(i) + "," + lat + "," +
           std::to_string(134.0 + (i % 97) * 0.001) + "\n";
  }
  const auto r = store.import_with(store.write("big.csv", csv), kind(geo::ResourceKind::ibasho));
  const auto& f = r.files.at(0);
  EXPECT_EQ(f.rows_read, 10000);
  EXPECT_EQ(f.inserted, 9999);
  ASSERT_EQ(f.rejected.size(), 1U);
  EXPECT_EQ(f.rejected[0].row, 5001);  // data row 5000 is spreadsheet row 5001
  EXPECT_EQ(f.rejected[0].message, "lat '34.3x' is not a number");
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(store.resources().size(), 9999U);
}

TEST(BrokenInput, InvalidUtf8InGeoJson) {
  StoreDir store;
  const auto r = store.import_with(
      store.write("bad.geojson",
                  "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                  "\"properties\":{\"name\":\"\x82\xa0\x82\xa2\"},\"geometry\":{\"type\":\"Point\","
                  "\"coordinates\":[134.04,34.34]}}]}"),
      kind(geo::ResourceKind::ibasho));
  EXPECT_FALSE(r.files.at(0).error.empty());
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_TRUE(store.resources().empty());
}

// ---- atomicity ----

TEST(Atomicity, FailedStrictImportLeavesTheStoreByteIdentical) {
  StoreDir store;
  const auto good =
      store.write("good.csv", "id,name,lat,lon\n1,A,34.34,134.04\n2,B,34.35,134.05\n");
  ASSERT_EQ(store.import_with(good, kind(geo::ResourceKind::ibasho)).exit_code(), 0);
  const std::string before = tsunagi::test::file_digest(store.db());

  const auto bad = store.write("good.csv",  // same source key: would update A and B
                               "id,name,lat,lon\n1,A2,34.34,134.04\n2,B2,34.35,134.05\n"
                               "3,C,NaN,134.06\n4,D,34.37,134.07\n");
  auto strict = kind(geo::ResourceKind::ibasho);
  strict.strict = true;
  const auto r = store.import_with(bad, strict);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_TRUE(r.files.at(0).strict_failed);
  EXPECT_TRUE(r.rolled_back);
  EXPECT_EQ(ds::summary_line(r.files.at(0)),
            "rejected good.csv under --strict: 1 row was rejected, so nothing was imported");
  EXPECT_EQ(tsunagi::test::file_digest(store.db()), before);
  const auto all = store.resources();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(tsunagi::test::file_digest(store.db()), before);
}

TEST(Atomicity, AnUnreadableSecondFileKeepsNothingOfTheFirst) {
  StoreDir store;
  const auto one = store.write("one.csv", "id,name,lat,lon\n1,A,34.34,134.04\n");
  const auto two = store.write("two.csv", "\x82\xa0,lat,lon\n");
  const auto r = store.import({one, two}, [] {
    ds::RunOptions o;
    o.import.kind = geo::ResourceKind::ibasho;
    return o;
  }());
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_EQ(r.files.at(0).inserted, 1);
  EXPECT_TRUE(r.rolled_back);
  EXPECT_TRUE(store.resources().empty());
}
