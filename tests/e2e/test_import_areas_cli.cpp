// `tsunagi import --areas` as the real binary runs it: the report, exit codes, and a store left
// unchanged by a failing import.
#include <iconv.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "geo/store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"

namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::HttpClient;
using tsunagi::test::run_tsunagi;
using tsunagi::test::ServerProcess;
using tsunagi::test::TempDir;
using tsunagi::test::write_file;

namespace {

/// What a store holds, as text: areas, sources and statistics.
std::string content_of(const std::string& db) {
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  std::string out;
  for (const auto& a : s.areas()) out += a.id + "|" + a.name + "|" + a.wkb + "\n";
  for (const auto& src : s.sources()) out += src.key + "|" + src.imported_at + "\n";
  out += std::to_string(s.stats().size());
  return out;
}

constexpr const char* kDistricts = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"ken_code":"K1","ken_name":"中央圏域"},
 "geometry":{"type":"Polygon","coordinates":[[[134.0,34.0],[134.1,34.0],[134.1,34.1],[134.0,34.1],[134.0,34.0]]]}},
{"type":"Feature","properties":{"ken_code":"K2","ken_name":"北部圏域"},"geometry":null}
]})";

}  // namespace

TEST(ImportAreasCli, ChizuIsImportedWithItsReport) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, "estat-h27-small-areas/polygons/h27ka31328_chizu.geojson");
  TempDir dir;
  const auto r =
      run_tsunagi({"import", "--db", (dir / "t.tsunagi").string(), "--areas", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("e-Stat 小地域境界 2015 (h27ka)"));
  EXPECT_THAT(r.out, HasSubstr("86 features read"));
  EXPECT_THAT(r.out, HasSubstr("parent area municipality:31328"));
  EXPECT_THAT(r.out, HasSubstr("ref_date 2015-10-01"));
  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  double people = 0;
  for (const auto& v : s.stats()) {
    if (v.key == "population" && v.value) people += *v.value;
  }
  EXPECT_EQ(people, 7154.0);
}

TEST(ImportAreasCli, DroppedFeaturesExitOneAndAreListed) {
  TempDir dir;
  write_file(dir / "ken.geojson", kDistricts);
  const auto r = run_tsunagi({"import", "--db", (dir / "t.tsunagi").string(), "--areas",
                              (dir / "ken.geojson").string(), "--area-type", "nichijo_seikatsu_ken",
                              "--code-field", "ken_code", "--name-field", "ken_name"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 features read: 1 areas written"));
  EXPECT_THAT(r.out, HasSubstr("dropped 1: no geometry"));
  EXPECT_THAT(r.out, HasSubstr("feature 2: dropped: no geometry K2"));
  const geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto a = s.area("nichijo_seikatsu_ken:K1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "中央圏域");
}

TEST(ImportAreasCli, BadInputIsRefusedAndTheStoreIsUnchanged) {
  TempDir dir;
  write_file(dir / "ken.geojson", kDistricts);
  const auto db = (dir / "t.tsunagi").string();
  ASSERT_EQ(run_tsunagi({"import", "--db", db, "--areas", (dir / "ken.geojson").string(),
                         "--area-type", "custom", "--code-field", "ken_code"})
                .exit_code,
            1);
  const std::string before = content_of(db);
  ASSERT_THAT(before, HasSubstr("custom:K1"));

  // the code field is missing: the file's fields are listed
  auto r = run_tsunagi({"import", "--db", db, "--areas", (dir / "ken.geojson").string(),
                        "--area-type", "custom", "--code-field", "CODE"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no field 'CODE'"));
  EXPECT_THAT(r.err, HasSubstr("ken_code, ken_name"));
  EXPECT_THAT(r.err, HasSubstr("nothing imported"));

  // no --code-field for a layer that is not e-Stat's
  r = run_tsunagi({"import", "--db", db, "--areas", (dir / "ken.geojson").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--code-field"));

  // a second, good file with a bad one: neither is imported
  write_file(dir / "more.geojson",
             R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
             R"({"ken_code":"K9"},"geometry":{"type":"Polygon","coordinates":[[[134.0,34.0],)"
             R"([134.1,34.0],[134.1,34.1],[134.0,34.0]]]}}]})");
  write_file(dir / "notes.txt", "これは地図ではありません\n");
  r = run_tsunagi({"import", "--db", db, "--areas", (dir / "more.geojson").string(), "--areas",
                   (dir / "notes.txt").string(), "--area-type", "custom", "--code-field",
                   "ken_code"});
  EXPECT_EQ(r.exit_code, 2) << r.out;

  // an unknown kind
  r = run_tsunagi({"import", "--db", db, "--areas", (dir / "ken.geojson").string(), "--area-type",
                   "galaxy", "--code-field", "ken_code"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("school_district"));

  EXPECT_EQ(content_of(db), before);
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  EXPECT_FALSE(s.area("custom:K9"));
}

TEST(ImportAreasCli, AFailedImportIntoANewStoreLeavesNoFile) {
  TempDir dir;
  write_file(dir / "ken.geojson", kDistricts);
  const auto r = run_tsunagi({"import", "--db", (dir / "new.tsunagi").string(), "--areas",
                              (dir / "ken.geojson").string(), "--area-type", "custom",
                              "--code-field", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "new.tsunagi"));
}

namespace {

/// Two 丁目 of 智頭町 as an e-Stat boundary layer (h27ka fields).
std::string estat_like_layer() {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  for (int i = 1; i <= 2; ++i) {
    const double x = 134.2 + 0.01 * i;
    char buf[900];
    std::snprintf(
        buf, sizeof buf,
        R"(%s{"type":"Feature","properties":{"KEY_CODE":"3132800100%d","KEN":"31",)"
        R"("CITY":"328","MOJI":"智頭%d丁目","HCODE":8101,"JINKO":%d,"SETAI":%d,)"
        R"("GST_NAME":"八頭郡","CSS_NAME":"智頭町"},"geometry":{"type":"Polygon",)"
        R"("coordinates":[[[%.2f,35.2],[%.2f,35.2],[%.2f,35.21],[%.2f,35.21],[%.2f,35.2]]]}})",
        i == 1 ? "" : ",", i, i, 100 * i, 40 * i, x, x + 0.01, x + 0.01, x, x);
    out += buf;
  }
  return out + "]}";
}

/// UTF-8 → CP932 with glibc's iconv (the e2e tests link no tsunagi library that converts).
std::string to_cp932(const std::string& utf8) {
  iconv_t cd = iconv_open("CP932", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string in = utf8;
  std::string out(in.size() * 2 + 16, '\0');
  char* ip = in.data();
  char* op = out.data();
  std::size_t il = in.size();
  std::size_t ol = out.size();
  EXPECT_NE(iconv(cd, &ip, &il, &op, &ol), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - ol);
  return out;
}

std::string cp932_table(const std::string& rows) {
  return to_cp932(
      "KEY_CODE,HYOSYO,CITYNAME,NAME,HTKSYORI,HTKSAKI,GASSAN,T001081001,T001081002,T001081003,"
      "T001081004\r\n,,,,,,,人口総数,男,女,世帯総数\r\n" +
      rows);
}

}  // namespace

TEST(ImportAreasCli, EstatTableRowsForUnknownAreasAreListedAndExitOne) {
  TempDir dir;
  const auto db = (dir / "t.tsunagi").string();
  write_file(dir / "h27ka.geojson", estat_like_layer());
  ASSERT_EQ(
      run_tsunagi({"import", "--db", db, "--areas", (dir / "h27ka.geojson").string()}).exit_code,
      0);
  write_file(dir / "tblT001081C31.txt",
             cp932_table("31328001001,3,智頭町,智頭1丁目,0,,,101,50,51,40\r\n"
                         "31328001002,3,智頭町,智頭2丁目,0,,,*,*,*,80\r\n"
                         "31328009999,3,智頭町,どこか,0,,,7,3,4,2\r\n"));
  const auto r =
      run_tsunagi({"import", "--db", db, "--table", (dir / "tblT001081C31.txt").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("e-Stat 小地域 T001081"));
  EXPECT_THAT(r.out, HasSubstr("3 rows read: 2 imported, 1 for areas not in the store"));
  EXPECT_THAT(r.out, HasSubstr("31328009999"));
  EXPECT_THAT(r.out, HasSubstr("3 suppressed"));
  EXPECT_THAT(r.out, HasSubstr("T001081004→households"));
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  int suppressed = 0;
  for (const auto& v : s.stats()) {
    if (v.area_id == "small_area:31328001001" && v.key == "population" &&
        v.ref_date == "2020-10-01") {
      EXPECT_EQ(v.value, 101.0);
    }
    if (v.status == geo::StatStatus::suppressed) {
      ++suppressed;
      EXPECT_FALSE(v.value);
    }
  }
  EXPECT_EQ(suppressed, 3);
}

TEST(ImportAreasCli, TablesThatCannotBeUsedChangeNothing) {
  TempDir dir;
  const auto db = (dir / "t.tsunagi").string();
  write_file(dir / "h27ka.geojson", estat_like_layer());
  ASSERT_EQ(
      run_tsunagi({"import", "--db", db, "--areas", (dir / "h27ka.geojson").string()}).exit_code,
      0);
  const std::string before = content_of(db);
  // no row matches a stored area
  write_file(dir / "tokyo.txt", cp932_table("13101001001,3,千代田区,丸の内1丁目,0,,,5,2,3,1\r\n"));
  auto r = run_tsunagi({"import", "--db", db, "--table", (dir / "tokyo.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no KEY_CODE matches an area of the store"));
  // not an e-Stat table
  write_file(dir / "notes.txt", "名前,住所\nサロン,智頭町\n");
  r = run_tsunagi({"import", "--db", db, "--table", (dir / "notes.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not an e-Stat table"));
  // CP932 read as UTF-8
  write_file(dir / "tbl.txt", cp932_table("31328001001,3,智頭町,智頭1丁目,0,,,101,50,51,40\r\n"));
  r = run_tsunagi(
      {"import", "--db", db, "--table", (dir / "tbl.txt").string(), "--encoding", "UTF-8"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("UTF-8"));
  EXPECT_EQ(content_of(db), before);
}

TEST(ImportAreasCli, ExportAreasWritesTheFileAndItsSources) {
  TempDir dir;
  const auto db = (dir / "t.tsunagi").string();
  write_file(dir / "h27ka.geojson", estat_like_layer());
  ASSERT_EQ(
      run_tsunagi({"import", "--db", db, "--areas", (dir / "h27ka.geojson").string()}).exit_code,
      0);
  const auto r = run_tsunagi({"export", "--db", db, "--layer", "areas", "--format", "csv", "--out",
                              (dir / "areas.csv").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("exported 3 areas (public view)"));
  const std::string csv = tsunagi::test::read_file(dir / "areas.csv");
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBFid,kind,level,code,name,parent_id"));
  EXPECT_THAT(csv, HasSubstr("small_area:31328001002,small_area,chome,31328001002,智頭2丁目"));
  EXPECT_THAT(csv, HasSubstr(",population,population_status,population_merged"));
  EXPECT_THAT(tsunagi::test::read_file(dir / "areas.csv.sources.txt"),
              HasSubstr("「政府統計の総合窓口(e-Stat)」"));
  const auto g = run_tsunagi({"export", "--db", db, "--layer", "areas", "--audience", "partners",
                              "--out", (dir / "areas.geojson").string()});
  EXPECT_EQ(g.exit_code, 0) << g.err;
  EXPECT_THAT(tsunagi::test::read_file(dir / "areas.geojson"), HasSubstr("\"sources\":["));
}

// A statistic's key carries one protection for all its sources: a public census table may not
// make a municipality's internal figures of the same key public, nor an own table hide (or
// re-label) census figures. Both orders are refused, naming the key, and change nothing.
TEST(ImportAreasCli, ASecondSourceCannotChangeHowTheFiguresOfAKeyAreServed) {
  TempDir dir;
  const auto db = (dir / "t.tsunagi").string();
  write_file(dir / "h27ka.geojson", estat_like_layer());
  ASSERT_EQ(
      run_tsunagi({"import", "--db", db, "--areas", (dir / "h27ka.geojson").string()}).exit_code,
      0);
  // census population is public; an internal own column of the same key is refused
  write_file(dir / "own.csv",
             "area,population,male\nsmall_area:31328001001,3,2\nsmall_area:31328001002,5,4\n");
  std::string before = content_of(db);
  auto r = run_tsunagi({"import", "--db", db, "--table", (dir / "own.csv").string(), "--key-field",
                        "area", "--ref-date", "2030-01-01", "--publish", "internal"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("statistic 'population' is stored already as public"));
  EXPECT_EQ(content_of(db), before);

  // the other order: internal own figures first, then a public census table of the same key
  write_file(dir / "own_male.csv",
             "area,male\nsmall_area:31328001001,2\nsmall_area:31328001002,4\n");
  r = run_tsunagi({"import", "--db", db, "--table", (dir / "own_male.csv").string(), "--key-field",
                   "area", "--ref-date", "2030-01-01", "--publish", "internal"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  before = content_of(db);
  write_file(dir / "tbl.txt", cp932_table("31328001001,3,智頭町,智頭1丁目,0,,,101,50,51,40\r\n"
                                          "31328001002,3,智頭町,智頭2丁目,0,,,202,100,102,80\r\n"));
  r = run_tsunagi({"import", "--db", db, "--table", (dir / "tbl.txt").string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("statistic 'male' is stored already as internal own figures"));
  EXPECT_EQ(content_of(db), before);

  // the public still sees no own figure (the internal 2030 male counts stay internal)
  ServerProcess server({"--db", db, "--port", "0"});
  HttpClient c(server.host(), server.port());
  const auto items = c.get("/ogc/collections/areas/items?f=json");
  ASSERT_EQ(items.status, 200);
  EXPECT_EQ(items.body.find("\"male\""), std::string::npos) << items.body;
}
