// `tsunagi import --areas` as the real binary runs it: the report, exit codes, and a store left
// unchanged by a failing import.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "geo/store.hpp"
#include "support/test_support.hpp"

namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::run_tsunagi;
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
