// import_table: an e-Stat small-area table written here in CP932 with both header rows and every
// mark (`*`, `X`, `-`, HTKSYORI 1/2), a mesh table whose cells are generated, a municipality's
// own CSV, and the files that must be refused.
#include "datasets/stat_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "datasets/text_encoding.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/area.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace datasets = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::TempDir;
using tsunagi::test::write_file;

namespace {

const std::string kTown = std::string("municipality:31328") + geo::lg_check_digit("31328");

std::string square(double x, double y) {
  std::ostringstream w;
  w << "MULTIPOLYGON(((" << x << " " << y << "," << x + 0.01 << " " << y << "," << x + 0.01 << " "
    << y + 0.01 << "," << x << " " << y + 0.01 << "," << x << " " << y << ")))";
  return geo::Geometry::from_wkt(w.str()).wkb();
}

void put_area(geo::Store& s, const std::string& id, geo::AreaKind kind, double x) {
  geo::Area a;
  a.id = id;
  a.kind = kind;
  a.code = id.substr(id.find(':') + 1);
  a.name = a.code;
  a.parent_id = kind == geo::AreaKind::municipality ? "" : kTown;
  a.wkb = square(x, 35.2);
  a.label_lon = x + 0.005;
  a.label_lat = 35.205;
  s.put_area(a);
}

/// The areas of the table below.
void put_town(const std::filesystem::path& db) {
  geo::Store s = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(s);
  put_area(s, kTown, geo::AreaKind::municipality, 134.0);
  put_area(s, "small_area:31328001001", geo::AreaKind::small_area, 134.1);
  put_area(s, "small_area:31328001002", geo::AreaKind::small_area, 134.2);
  put_area(s, "small_area:313280020", geo::AreaKind::small_area, 134.3);
  put_area(s, "small_area:313280030", geo::AreaKind::small_area, 134.4);
  tx.commit();
}

/// A T001082-style table (2020 年齢5歳階級): 001 総数, 002–016 0–4…70–74, 017–020 4区分.
std::string t001082(const std::vector<std::string>& data_rows) {
  std::string ids = "KEY_CODE,HYOSYO,CITYNAME,NAME,HTKSYORI,HTKSAKI,GASSAN";
  std::string labels = ",,,,,,";
  const char* names[] = {"総数",     "0～4歳",   "5～9歳",   "10～14歳", "15～19歳",
                         "20～24歳", "25～29歳", "30～34歳", "35～39歳", "40～44歳",
                         "45～49歳", "50～54歳", "55～59歳", "60～64歳", "65～69歳",
                         "70～74歳", "15歳未満", "15～64歳", "65歳以上", "75歳以上（再掲）"};
  for (int i = 1; i <= 20; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "T001082%03d", i);
    ids += std::string(",") + id;
    labels += std::string(",") + names[i - 1];
  }
  std::string out = ids + "\r\n" + labels + "\r\n";
  for (const auto& r : data_rows) out += r + "\r\n";
  return datasets::utf8_to_cp932(out);
}

// 5-year classes 10 each (15 classes); 017 30, 018 100, 019 20, 020 10: total 150
const std::string kPlain = "10,10,10,10,10,10,10,10,10,10,10,10,10,10,10,30,100,20,10";

const geo::StatValue* find(const std::vector<geo::StatValue>& v, const std::string& area,
                           const std::string& key) {
  for (const auto& s : v) {
    if (s.area_id == area && s.key == key) return &s;
  }
  return nullptr;
}

datasets::TableImportReport import_in_tx(const std::filesystem::path& db,
                                         const std::filesystem::path& file,
                                         const datasets::TableImportOptions& opt = {}) {
  geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(store);
  auto r = datasets::import_table(store, file, opt);
  tx.commit();
  return r;
}

}  // namespace

TEST(StatTable, EstatSmallAreaTableKeepsEveryMark) {
  TempDir dir;
  put_town(dir / "t.tsunagi");
  write_file(dir / "tblT001082C31.txt",
             t001082({"31328,1,智頭町,,0,,,600," + kPlain,
                      // 65歳以上 suppressed (*), 75歳以上 '-'
                      "31328001001,3,智頭町,智頭１丁目,0,,,150,10,10,10,10,10,10,10,10,10,10,10,"
                      "10,10,10,10,30,100,*,-",
                      // the total hidden with X
                      "31328001002,3,智頭町,智頭２丁目,0,,,X," + kPlain,
                      // 合算先 and 合算元
                      "313280020,2,智頭町,大字A,1,,313280030,300," + kPlain,
                      "313280030,2,智頭町,大字B,2,313280020,,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,X,"
                      "X,X",
                      "31399001001,3,どこか,どこか,0,,,5," + kPlain}));
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "tblT001082C31.txt");
  EXPECT_EQ(r.stats_id, "T001082");
  EXPECT_EQ(r.ref_date, "2020-10-01");
  EXPECT_EQ(r.rows_read, 6);
  EXPECT_EQ(r.rows_matched, 5);
  ASSERT_EQ(r.unmatched.size(), 1U);
  EXPECT_EQ(r.unmatched[0], "31399001001");
  EXPECT_THAT(r.encoding, HasSubstr("CP932"));

  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto v = s.stats();
  // the municipality row on the municipality
  ASSERT_TRUE(find(v, kTown, "population"));
  EXPECT_EQ(find(v, kTown, "population")->value, 600.0);
  // '*' suppressed: no value; '-' is 0
  const auto* a65 = find(v, "small_area:31328001001", "aged_65");
  ASSERT_TRUE(a65);
  EXPECT_EQ(a65->status, geo::StatStatus::suppressed);
  EXPECT_FALSE(a65->value);
  const auto* a75 = find(v, "small_area:31328001001", "aged_75");
  ASSERT_TRUE(a75);
  EXPECT_EQ(a75->status, geo::StatStatus::value);
  EXPECT_EQ(a75->value, 0.0);
  // X suppressed
  const auto* pop2 = find(v, "small_area:31328001002", "population");
  ASSERT_TRUE(pop2);
  EXPECT_EQ(pop2->status, geo::StatStatus::suppressed);
  EXPECT_FALSE(pop2->value);
  // 合算先 / 合算元
  const auto* m = find(v, "small_area:313280020", "population");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, geo::StatStatus::merged);
  EXPECT_EQ(m->value, 300.0);
  EXPECT_EQ(m->merged, "313280030");
  const auto* ab = find(v, "small_area:313280030", "population");
  ASSERT_TRUE(ab);
  EXPECT_EQ(ab->status, geo::StatStatus::absorbed);
  EXPECT_FALSE(ab->value);
  EXPECT_EQ(ab->merged, "small_area:313280020");
  // 5-year classes: 15–39 and 40–64
  EXPECT_EQ(find(v, "small_area:31328001001", "aged_15_39")->value, 50.0);
  EXPECT_EQ(find(v, "small_area:31328001001", "aged_40_64")->value, 50.0);
  EXPECT_EQ(find(v, "small_area:313280030", "aged_15_39")->status, geo::StatStatus::absorbed);
  // a column without a canonical key is kept under its id with its row-2 label
  const auto defs = s.stat_defs();
  const auto def = std::find_if(defs.begin(), defs.end(),
                                [](const auto& d) { return d.key == "estat_T001082015"; });
  ASSERT_NE(def, defs.end());
  EXPECT_EQ(def->label, "65～69歳");
  EXPECT_EQ(find(v, "small_area:31328001001", "estat_T001082015")->value, 10.0);

  // What outputs serve: the suppressed cell stays without a value (never the municipality total
  // minus the others), for every audience.
  geo::AreaLayer layer(1, s.areas(), {}, s.stat_defs(), s.stats());
  const auto i = layer.area_index("small_area:31328001001");
  ASSERT_TRUE(i);
  for (const auto a : geo::kAudiences) {
    bool seen = false;
    for (const auto& f : geo::served_area_figures(a, layer.indicators(), *i)) {
      if (f.key() == "aged_65") {
        seen = true;
        EXPECT_FALSE(f.value);
        EXPECT_EQ(f.status, geo::StatStatus::suppressed);
      }
    }
    EXPECT_TRUE(seen);
  }
  const auto src = s.source_by_id(r.source_id);
  ASSERT_TRUE(src);
  EXPECT_THAT(src->attribution, HasSubstr("令和2年国勢調査"));
}

TEST(StatTable, NoMatchingAreaIsAnErrorAndWritesNothing) {
  TempDir dir;
  put_town(dir / "t.tsunagi");
  write_file(dir / "tblT001082C13.txt", t001082({"13101001001,3,千代田区,丸の内,0,,,5," + kPlain}));
  geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::open_existing);
  {
    geo::Store::Transaction tx(s);
    try {
      (void)datasets::import_table(s, dir / "tblT001082C13.txt", {});
      FAIL();
    } catch (const datasets::SourceError& e) {
      EXPECT_THAT(e.what(), HasSubstr("no KEY_CODE matches"));
      EXPECT_THAT(e.what(), HasSubstr("13101001001"));
    }
  }
  EXPECT_TRUE(s.stats().empty());
  EXPECT_TRUE(s.sources().empty());
}

TEST(StatTable, NotAnEstatTableAndWrongEncodingAreRefused) {
  TempDir dir;
  put_town(dir / "t.tsunagi");
  write_file(dir / "notes.txt", "名前,住所\nサロン,智頭町\n");
  geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::open_existing);
  geo::Store::Transaction tx(s);
  try {
    (void)datasets::import_table(s, dir / "notes.txt", {});
    FAIL();
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not an e-Stat table"));
    EXPECT_THAT(e.what(), HasSubstr("--key-field"));
  }
  write_file(dir / "tbl.txt", t001082({"31328001001,3,智頭町,智頭１丁目,0,,,5," + kPlain}));
  datasets::TableImportOptions utf8;
  utf8.encoding = datasets::Encoding::utf8;
  try {
    (void)datasets::import_table(s, dir / "tbl.txt", utf8);
    FAIL();
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("UTF-8"));
  }
  EXPECT_TRUE(s.stats().empty());
}

TEST(StatTable, MeshTableCellsAreGeneratedWithTheirBounds) {
  TempDir dir;
  const std::string table = datasets::utf8_to_cp932(
      "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001142001,T001142019,T001142049\r\n"
      ",,,,人口（総数）,65歳以上人口（総数）,高齢単身世帯\r\n"
      "533946113,0,,,120,30,5\r\n"
      "533946114,1,,533946111;533946112,80,*,-\r\n");
  write_file(dir / "tblT001142Q5339.txt", table);
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "tblT001142Q5339.txt");
  EXPECT_EQ(r.mesh_areas_created, 2);
  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto a = s.area("mesh_half:533946113");
  ASSERT_TRUE(a);
  const auto cell = geo::mesh_cell("533946113");
  const auto e = geo::Geometry::from_wkb(a->wkb).envelope();
  EXPECT_NEAR(e.min_x, cell.west, 1e-9);
  EXPECT_NEAR(e.max_x, cell.east, 1e-9);
  EXPECT_NEAR(e.min_y, cell.south, 1e-9);
  EXPECT_NEAR(e.max_y, cell.north, 1e-9);
  // Tokyo Station's 3次 cell is 35.6750–35.68333 N, 139.7625–139.7750 E (domain.md §4.4); its
  // 2分の1 cell 3 is the north-west quarter.
  EXPECT_NEAR(e.min_y, 35.675 + (35.683333333 - 35.675) / 2, 1e-6);
  EXPECT_NEAR(e.min_x, 139.7625, 1e-9);
  const auto v = s.stats();
  EXPECT_EQ(find(v, "mesh_half:533946113", "elderly_single_households")->value, 5.0);
  EXPECT_EQ(find(v, "mesh_half:533946114", "aged_65")->status, geo::StatStatus::suppressed);
  EXPECT_EQ(find(v, "mesh_half:533946114", "population")->status, geo::StatStatus::merged);
  EXPECT_EQ(find(v, "mesh_half:533946114", "population")->merged, "533946111;533946112");
  EXPECT_EQ(find(v, "mesh_half:533946114", "elderly_single_households")->value, 0.0);
}

TEST(StatTable, OwnCsvRowsWithTextAreRejectedByLine) {
  TempDir dir;
  put_town(dir / "t.tsunagi");
  write_file(dir / "own.csv",
             "area,町丁名,nintei,seiho\n"
             "small_area:31328001001,智頭１丁目,25,3\n"
             "31328001002,智頭２丁目,不明,12\n"
             "small_area:313280020,大字A,40,*\n");
  datasets::TableImportOptions opt;
  opt.key_field = "area";
  opt.ref_date = "2024-04-01";
  opt.column_labels["nintei"] = "要介護認定者数";
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "own.csv", opt);
  EXPECT_EQ(r.rows_matched, 2);
  ASSERT_EQ(r.rejected.size(), 1U);
  EXPECT_EQ(r.rejected[0].row, 3);
  EXPECT_THAT(r.rejected[0].message, HasSubstr("nintei '不明'"));
  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto defs = s.stat_defs();
  const auto d =
      std::find_if(defs.begin(), defs.end(), [](const auto& x) { return x.key == "nintei"; });
  ASSERT_NE(d, defs.end());
  EXPECT_EQ(d->label, "要介護認定者数");
  EXPECT_TRUE(d->own_data);
  EXPECT_EQ(d->publish, geo::PublishLevel::partners);
  EXPECT_EQ(d->min_cell, 10);
  const auto v = s.stats();
  EXPECT_EQ(find(v, "small_area:31328001001", "seiho")->value, 3.0);
  EXPECT_EQ(find(v, "small_area:313280020", "seiho")->status, geo::StatStatus::suppressed);
  EXPECT_FALSE(find(v, "small_area:31328001002", "nintei"));
}

TEST(StatTable, OwnCp932CsvByMeshCreatesTheCells) {
  TempDir dir;
  write_file(dir / "mesh.csv", datasets::utf8_to_cp932("メッシュ,生活保護世帯数\r\n"
                                                       "53394611,12\r\n"
                                                       "5339461,4\r\n"));
  datasets::TableImportOptions opt;
  opt.key_field = "メッシュ";
  opt.key_type = "mesh";
  opt.ref_date = "2024-03-31";
  opt.publish = geo::PublishLevel::internal;
  opt.small_cell_k = 5;
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "mesh.csv", opt);
  EXPECT_THAT(r.encoding, HasSubstr("CP932"));
  EXPECT_EQ(r.rows_matched, 1);
  ASSERT_EQ(r.rejected.size(), 1U);
  EXPECT_EQ(r.rejected[0].row, 3);
  EXPECT_EQ(r.mesh_areas_created, 1);
  ASSERT_EQ(r.columns.size(), 1U);
  EXPECT_EQ(r.columns[0].second, "own_col2");
  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto a = s.area("mesh3:53394611");
  ASSERT_TRUE(a);
  const auto e = geo::Geometry::from_wkb(a->wkb).envelope();
  // domain.md §4.4: the 3次 cell of Tokyo Station is 35.6750–35.68333 N, 139.7625–139.7750 E
  EXPECT_NEAR(e.min_y, 35.675, 1e-9);
  EXPECT_NEAR(e.max_y, 35.6833333333, 1e-9);
  EXPECT_NEAR(e.min_x, 139.7625, 1e-9);
  EXPECT_NEAR(e.max_x, 139.775, 1e-9);
  const auto defs = s.stat_defs();
  ASSERT_EQ(defs.size(), 1U);
  EXPECT_EQ(defs[0].label, "生活保護世帯数");
  EXPECT_EQ(defs[0].publish, geo::PublishLevel::internal);
  EXPECT_EQ(defs[0].min_cell, 5);
}

namespace tsunagi::datasets {
namespace {

TEST(StatTable, AQuoteNeverClosedNamesTheFileAndTheLineItOpensOn) {
  // The one CSV reader (geo/core/csv): before it, the rest of the file became one cell.
  try {
    (void)parse_csv("KEY_CODE,T001\n13101001001,5\n13101001002,\"7\n13101001003,9\n", "table.csv");
    ADD_FAILURE() << "an unclosed quote was read";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("table.csv line 3: a quoted cell is never closed"));
  }
  const auto rows = parse_csv("\"a,b\",\"say \"\"x\"\"\"\r\n\r\nc,\"d\ne\"\n");
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].second, (std::vector<std::string>{"a,b", "say \"x\""}));
  EXPECT_EQ(rows[1].first, 3);
  EXPECT_EQ(rows[1].second, (std::vector<std::string>{"c", "d\ne"}));
}

}  // namespace
}  // namespace tsunagi::datasets
