// Area and table files made to break the server, through the real `tsunagi import`: polygons
// outside Japan, of swapped axes, of ±1e308 or plane metres, a self-intersecting polygon of
// 20,000 vertices, a table of a million columns, a store of too many statistics, a cell of a
// megabyte. Each is refused (or reported) with the feature, line or limit named, and a refused
// import leaves the store file byte for byte as it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {
namespace {

using testing::HasSubstr;
namespace fs = std::filesystem;

std::string polygon_feature(const std::string& code, const std::string& ring) {
  return R"({"type":"Feature","properties":{"code":")" + code + R"(","name":"区域)" + code +
         R"("},"geometry":{"type":"Polygon","coordinates":[[)" + ring + "]]}}";
}

std::string collection(const std::vector<std::string>& features) {
  std::string out = R"({"type":"FeatureCollection","features":[)";
  for (std::size_t i = 0; i < features.size(); ++i) out += (i ? "," : "") + features[i];
  return out + "]}";
}

/// A square ring with corners (x0, y0) and (x1, y1), as GeoJSON positions.
std::string square(const std::string& x0, const std::string& y0, const std::string& x1,
                   const std::string& y1) {
  return "[" + x0 + "," + y0 + "],[" + x1 + "," + y0 + "],[" + x1 + "," + y1 + "],[" + x0 + "," +
         y1 + "],[" + x0 + "," + y0 + "]";
}

const std::string kGoodSquare = square("134.0", "34.0", "134.1", "34.1");

/// The store file's bytes (the CLI checkpoints its WAL when it closes the store; the -wal and
/// -shm files a reader in this process leaves behind are not the store's content).
std::string bytes_of(const fs::path& db) {
  return read_file(db);
}

class ImportAttacks : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "good.geojson",
               collection({polygon_feature("K1", kGoodSquare),
                           polygon_feature("K2", square("134.1", "34.0", "134.2", "34.1")),
                           polygon_feature("K3", square("134.2", "34.0", "134.3", "34.1"))}));
    const auto r = areas("good.geojson");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult areas(const std::string& file) {
    return run_tsunagi({"import", "--db", db_.string(), "--areas", (dir_ / file).string(),
                        "--area-type", "custom", "--code-field", "code", "--name-field", "name"});
  }
  CommandResult table(const std::string& file) {
    return run_tsunagi({"import", "--db", db_.string(), "--table", (dir_ / file).string(),
                        "--key-field", "code", "--ref-date", "2024-04-01"});
  }
  /// Imports `features` as an area file and expects a refusal naming `feature` and saying `why`,
  /// with the store's files unchanged.
  void expect_refused(const std::vector<std::string>& features, const std::string& feature,
                      const std::string& why) {
    const auto before = bytes_of(db_);
    write_file(dir_ / "bad.geojson", collection(features));
    const auto r = areas("bad.geojson");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_THAT(r.err, HasSubstr("bad.geojson feature " + feature)) << why;
    EXPECT_THAT(r.err, HasSubstr(why));
    EXPECT_THAT(r.err, HasSubstr("nothing imported"));
    EXPECT_TRUE(bytes_of(db_) == before) << "the store's file changed";
    const geo::Store s = geo::Store::open(db_, geo::Store::Mode::read_only);
    EXPECT_EQ(s.areas().size(), 3U);
  }

  TempDir dir_;
  fs::path db_ = dir_ / "t.tsunagi";
};

TEST_F(ImportAttacks, SwappedAxesAreRefusedAndTheStoreIsByteIdentical) {
  expect_refused({polygon_feature("K4", kGoodSquare),
                  polygon_feature("K5", square("34.0", "134.0", "34.1", "134.1"))},
                 "2 ('K5 区域K5')", "latitude and longitude look swapped");
}

TEST_F(ImportAttacks, AWorldPolygonIsRefused) {
  expect_refused({polygon_feature("W", square("-180", "-90", "180", "90"))}, "1",
                 "outside Japan (lon 122–154, lat 20–46)");
}

TEST_F(ImportAttacks, HugeCoordinatesAreRefused) {
  expect_refused({polygon_feature("H", square("-1e308", "-1e308", "1e308", "1e308"))}, "1",
                 "out of range");
  expect_refused({polygon_feature("H", "[134.0,34.0],[1e308,34.0],[134.1,34.1],[134.0,34.0]")}, "1",
                 "longitude is out of range (-180..180) (lat=34.1, lon=1e+308)");
}

TEST_F(ImportAttacks, PlaneMetresWithoutACrsAreRefused) {
  // 平面直角座標系 V (Tottori) metres, in a file that does not say so.
  expect_refused({polygon_feature("M", square("-45000", "-120000", "-44000", "-119000"))}, "1",
                 "coordinates in metres need the file's CRS");
}

TEST_F(ImportAttacks, ABoundaryOutsideJapanIsRefused) {
  const auto before = bytes_of(db_);
  write_file(dir_ / "31328.geojson",
             collection({polygon_feature("B", square("-180", "-90", "180", "90"))}));
  const auto r = run_tsunagi(
      {"import", "--db", db_.string(), "--boundary", (dir_ / "31328.geojson").string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out + r.err, HasSubstr("31328.geojson feature 1"));
  EXPECT_THAT(r.out + r.err, HasSubstr("outside Japan"));
  EXPECT_TRUE(bytes_of(db_) == before);
}

TEST_F(ImportAttacks, ASelfIntersectingPolygonOf20000VerticesIsRefused) {
  std::mt19937 rng(18);
  std::uniform_real_distribution<double> lon(134.0, 134.1);
  std::uniform_real_distribution<double> lat(34.0, 34.1);
  std::ostringstream ring;
  ring.precision(10);
  const auto [x0, y0] = std::pair{lon(rng), lat(rng)};
  ring << "[" << x0 << "," << y0 << "]";
  for (int i = 1; i < 20000; ++i) ring << ",[" << lon(rng) << "," << lat(rng) << "]";
  ring << ",[" << x0 << "," << y0 << "]";
  expect_refused({polygon_feature("Z", ring.str())}, "1 ('Z 区域Z')", "crosses itself");
}

TEST_F(ImportAttacks, ASlipOfThePenIsStillRepaired) {
  // A bow tie: one crossing, repaired as before.
  write_file(dir_ / "bowtie.geojson",
             collection({polygon_feature(
                 "T", "[134.0,34.0],[134.1,34.1],[134.1,34.0],[134.0,34.1],[134.0,34.0]")}));
  const auto r = areas("bowtie.geojson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("1 geometries repaired"));
}

TEST_F(ImportAttacks, AMillionColumnTableIsRefused) {
  std::string csv = "code";
  for (int i = 0; i < 1'000'000; ++i) csv += ",c" + std::to_string(i);
  csv += "\nK1";
  for (int i = 0; i < 1'000'000; ++i) csv += ",1";
  csv += "\n";
  write_file(dir_ / "wide.csv", csv);
  const auto before = bytes_of(db_);
  const auto r = table("wide.csv");
  EXPECT_EQ(r.exit_code, 2) << r.out.substr(0, 500);
  EXPECT_THAT(r.err, HasSubstr("wide.csv line 1 has more than 1000 columns"));
  EXPECT_THAT(r.err, HasSubstr("nothing imported"));
  EXPECT_LT(r.err.size(), 1000U);
  EXPECT_TRUE(bytes_of(db_) == before);
}

TEST_F(ImportAttacks, AStoreHoldsABoundedNumberOfStatistics) {
  auto wide = [&](int file) {
    std::string csv = "code";
    for (int i = 0; i < 900; ++i) csv += ",f" + std::to_string(file) + "_" + std::to_string(i);
    for (const char* k : {"K1", "K2", "K3"}) {
      csv += "\n" + std::string(k);
      for (int i = 0; i < 900; ++i) csv += ",7";
    }
    write_file(dir_ / ("t" + std::to_string(file) + ".csv"), csv + "\n");
    return table("t" + std::to_string(file) + ".csv");
  };
  for (int f = 1; f <= 3; ++f) {
    const auto r = wide(f);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto before = bytes_of(db_);
  const auto r = wide(4);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("t4.csv would bring the store to 3600 statistics (2700 stored"));
  EXPECT_THAT(r.err, HasSubstr("at most 3000"));
  EXPECT_TRUE(bytes_of(db_) == before);
}

TEST_F(ImportAttacks, ARejectedRowQuotesItsValueShort) {
  const std::string huge(1 << 20, 'x');
  write_file(dir_ / "big.csv", "code,count\nK1,5\nK2," + huge + "\nK3,7\n");
  const auto r = table("big.csv");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.find("rejected line 3") == std::string::npos) continue;
    found = true;
    EXPECT_LT(line.size(), 200U);
    EXPECT_THAT(line, HasSubstr("count 'xxxxxxxxxx"));
    EXPECT_THAT(line, HasSubstr("…'"));
  }
  EXPECT_TRUE(found) << r.out.substr(0, 2000);
  EXPECT_LT(r.out.size(), 4000U);
}

}  // namespace
}  // namespace tsunagi::test
