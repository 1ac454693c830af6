// A planner's first hour on real files, as the README's walkthrough runs it with the real binary:
// Takamatsu's N03 boundary, the e-Stat 2015 small-area points (approximate areas), the city's
// コミュニティセンター and its 地域・年齢別人口, then coverage, the areas export and the map's
// credits; and the nine Aomori towns of the seed 004 (one 社協 serving them) in one store. Each
// figure is checked against an independent sum of the source file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "datasets/stat_table.hpp"
#include "geo/core/area.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"

namespace tsunagi {
namespace {

using nlohmann::json;
using test::run_tsunagi;
using test::TempDir;
using testing::HasSubstr;

using Rows = std::vector<std::map<std::string, std::string>>;

/// The file's rows by header name (the project's own CSV reader is what is under test; this one
/// is the independent RFC 4180 reader of datasets/stat_table.hpp, used only for splitting).
Rows read_rows(const std::filesystem::path& file) {
  const auto records = datasets::parse_csv(test::read_file(file));
  Rows out;
  if (records.empty()) return out;
  const auto& header = records.front().second;
  for (std::size_t r = 1; r < records.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < records[r].second.size(); ++i) {
      row[header[i]] = records[r].second[i];
    }
    out.push_back(std::move(row));
  }
  return out;
}

double number(const std::string& s) {
  std::string t;
  for (const char c : s) {
    if (c != ' ' && c != ',') t.push_back(c);
  }
  if (t == "-" || t.empty()) return 0;
  return std::stod(t);
}

void import_ok(const std::vector<std::string>& args) {
  const auto r = run_tsunagi(args);
  ASSERT_LE(r.exit_code, 1) << r.out << r.err;
}

TEST(RealTowns, TakamatsuCoverageCountsEverySmallAreaOfTheCity) {
  TSUNAGI_REQUIRE_SHARED_DATA(points,
                              "estat-h27-small-areas/points/h27ka_kagawa_37201_takamatsu.csv");
  TSUNAGI_REQUIRE_SHARED_DATA(boundary, "n03-municipalities/37201.geojson");
  TSUNAGI_REQUIRE_SHARED_DATA(centres, "takamatsu-opendata/facilities/community_center.csv");
  TempDir dir;
  const std::string db = (dir / "takamatsu.sqlite").string();
  import_ok({"import", "--db", db, "--boundary", boundary.string()});
  import_ok({"import", "--db", db, "--areas", points.string(), "--approximate"});
  import_ok({"import", "--db", db, "--mapping",
             std::string(TSUNAGI_SOURCE_DIR) + "/datasets/mappings/takamatsu/community_center.json",
             centres.string()});

  // Independently: the people of the land areas (HCODE 8101) of the file, and their codes.
  double people = 0;
  std::set<std::string> codes;
  for (const auto& row : read_rows(points)) {
    if (row.at("HCODE") != "8101") continue;
    people += number(row.at("JINKO"));
    codes.insert(row.at("KEY_CODE"));
  }
  ASSERT_GT(people, 400000);  // 420,748 in the 2015 census

  const auto r = run_tsunagi({"gap", "coverage", "--db", db, "--kinds", "kominkan", "--target",
                              "population", "--max-m", "1000", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json answer = json::parse(r.out);
  EXPECT_DOUBLE_EQ(answer["totals"]["target"].get<double>(), people);
  EXPECT_EQ(answer["demand_area_type"], "small_area");
  EXPECT_EQ(answer["demand_areas"]["small_area"].get<std::size_t>(), codes.size());
  EXPECT_EQ(answer["demand_by_municipality"].size(), 1u);
  EXPECT_DOUBLE_EQ(answer["demand_by_municipality"][0]["target"].get<double>(), people);

  // One layer on the map and in the export: every small area, whatever its code length.
  const auto e = run_tsunagi({"export", "--db", db, "--layer", "areas", "--format", "csv", "--out",
                              (dir / "areas.csv").string()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::size_t small = 0;
  std::set<std::string> levels;
  for (const auto& row : read_rows(dir / "areas.csv")) {
    // the export begins with a BOM for Excel: the first header carries it
    const auto kind = row.find("kind");
    if (kind == row.end() || kind->second != "small_area") continue;
    ++small;
    levels.insert(row.at("level"));
  }
  EXPECT_EQ(small, codes.size());
  EXPECT_EQ(levels, (std::set<std::string>{"oaza", "chome", "aza"}));
}

TEST(RealTowns, TakamatsuAgeTableMatchesItsTownsByName) {
  TSUNAGI_REQUIRE_SHARED_DATA(points,
                              "estat-h27-small-areas/points/h27ka_kagawa_37201_takamatsu.csv");
  TSUNAGI_REQUIRE_SHARED_DATA(boundary, "n03-municipalities/37201.geojson");
  TSUNAGI_REQUIRE_SHARED_DATA(ages, "takamatsu-opendata/population/0066_202407.csv");
  TempDir dir;
  const std::string db = (dir / "takamatsu.sqlite").string();
  import_ok({"import", "--db", db, "--boundary", boundary.string()});
  import_ok({"import", "--db", db, "--areas", points.string(), "--approximate"});
  const auto r = run_tsunagi({"import", "--db", db, "--table", ages.string()});
  ASSERT_LE(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("地域・年齢別人口"));
  EXPECT_THAT(r.out, HasSubstr("ref_date 2024-07-01"));
  // "235 rows read: N imported"
  const auto at = r.out.find(" rows read: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const int imported = std::stoi(r.out.substr(at + std::string(" rows read: ").size()));
  EXPECT_GE(imported, 225) << r.out;
  // every unmatched name is listed with the closest stored names
  EXPECT_THAT(r.out, HasSubstr("closest:"));

  // 65歳以上 and 75歳以上 of a sample of areas: the sums of their classes in the file.
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  std::map<std::string, std::string> id_of;  // name → area id
  for (const auto& a : s.areas(geo::AreaKind::small_area)) id_of[a.name] = a.id;
  std::map<std::pair<std::string, std::string>, double> stored;
  for (const auto& v : s.stats()) {
    if (v.ref_date == "2024-07-01" && v.value) stored[{v.area_id, v.key}] = *v.value;
  }
  int checked = 0;
  for (const auto& row : read_rows(ages)) {
    const auto id = id_of.find(row.at("regionName"));
    if (id == id_of.end()) continue;
    double a65 = 0;
    double a75 = 0;
    for (int k = 14; k <= 18; ++k) {
      const double n =
          number(row.at("man" + std::to_string(k))) + number(row.at("woman" + std::to_string(k)));
      a65 += n;
      if (k >= 16) a75 += n;
    }
    EXPECT_DOUBLE_EQ((stored[{id->second, "aged_65"}]), a65) << row.at("regionName");
    EXPECT_DOUBLE_EQ((stored[{id->second, "aged_75"}]), a75) << row.at("regionName");
    EXPECT_DOUBLE_EQ((stored[{id->second, "population"}]), number(row.at("totalPopulation")));
    EXPECT_DOUBLE_EQ((stored[{id->second, "households"}]), number(row.at("numberOfHouseholds")));
    if (++checked == 40) break;
  }
  EXPECT_EQ(checked, 40);
}

TEST(RealTowns, NineAomoriTownsEachAreaLiesInItsOwnTown) {
  TSUNAGI_REQUIRE_SHARED_DATA(points, "estat-h27-small-areas/points/h27ka_aomori_target_towns.csv");
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  TempDir dir;
  const std::string db = (dir / "aomori.sqlite").string();
  const std::vector<std::string> towns = {"02301", "02303", "02304", "02307", "02343",
                                          "02361", "02362", "02367", "02381"};
  for (const auto& t : towns) {
    import_ok({"import", "--db", db, "--boundary", (n03 / (t + ".geojson")).string()});
  }
  const auto r = run_tsunagi({"import", "--db", db, "--areas", points.string(), "--approximate"});
  ASSERT_LE(r.exit_code, 1) << r.out << r.err;

  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  std::map<std::string, geo::Area> by_id;
  for (auto& m : s.areas(geo::AreaKind::municipality)) by_id.emplace(m.id, std::move(m));
  ASSERT_EQ(by_id.size(), towns.size());
  std::size_t areas = 0;
  for (const auto& a : s.areas(geo::AreaKind::small_area)) {
    ++areas;
    ASSERT_TRUE(by_id.contains(a.parent_id)) << a.id << " " << a.parent_id;
    const auto cell = geo::Geometry::from_wkb(a.wkb);
    const auto town = geo::Geometry::from_wkb(by_id.at(a.parent_id).wkb);
    const double inside = cell.intersection(town).area();
    // all of the cell inside its own town (up to floating-point noise of the clip)
    EXPECT_NEAR(inside / cell.area(), 1.0, 1e-6) << a.id << " " << a.name;
  }
  EXPECT_GT(areas, 350u);  // 389 rows, parts of one code merged
}

TEST(RealTowns, ThePublicMapCreditsEachSourceOnce) {
  TSUNAGI_REQUIRE_SHARED_DATA(points,
                              "estat-h27-small-areas/points/h27ka_kagawa_37201_takamatsu.csv");
  TSUNAGI_REQUIRE_SHARED_DATA(boundary, "n03-municipalities/37201.geojson");
  TSUNAGI_REQUIRE_SHARED_DATA(facilities, "takamatsu-opendata/facilities");
  TSUNAGI_REQUIRE_SHARED_DATA(ages, "takamatsu-opendata/population/0066_202407.csv");
  TempDir dir;
  const std::string db = (dir / "takamatsu.sqlite").string();
  import_ok({"import", "--db", db, "--boundary", boundary.string()});
  import_ok({"import", "--db", db, "--areas", points.string(), "--approximate"});
  import_ok({"import", "--db", db, "--table", ages.string()});
  const std::string maps = std::string(TSUNAGI_SOURCE_DIR) + "/datasets/mappings/takamatsu/";
  for (const char* f : {"community_center", "elderly_wedding_house", "childrens_hall"}) {
    import_ok({"import", "--db", db, "--mapping", maps + f + ".json",
               (facilities / (std::string(f) + ".csv")).string()});
  }
  test::ServerProcess server({"--db", db, "--port", "0"});
  test::HttpClient client(server.host(), server.port());
  const auto res = client.get("/api/sources");
  ASSERT_EQ(res.status, 200);
  const json body = json::parse(res.body);
  std::map<std::string, int> seen;
  for (const auto& c : body["credits"]) {
    const std::string text = c["attribution"];
    if (text.find("国土数値情報") != std::string::npos) ++seen["n03"];
    if (text.find("e-Stat") != std::string::npos) ++seen["estat"];
    if (text.find("高松市オープンデータ") != std::string::npos) ++seen["takamatsu"];
  }
  EXPECT_EQ(seen["n03"], 1) << body.dump(1);
  EXPECT_EQ(seen["estat"], 1) << body.dump(1);
  EXPECT_EQ(seen["takamatsu"], 1) << body.dump(1);
  // the city's credit says what it was used for: its places and its age table
  for (const auto& c : body["credits"]) {
    if (c["publisher"] == "高松市") {
      EXPECT_EQ(c["uses"], json::array({"resources", "statistics"})) << c.dump();
    }
  }
  // the map's first view: the loaded municipality
  const json meta = json::parse(client.get("/api/meta").body);
  ASSERT_EQ(meta["municipalities"].size(), 1u);
  EXPECT_EQ(meta["municipalities"][0]["id"], "municipality:372013");
  EXPECT_EQ(meta["extent"], meta["municipalities"][0]["bbox"]);
}

}  // namespace
}  // namespace tsunagi
