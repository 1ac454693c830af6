// import_areas: e-Stat 小地域境界 (real Tottori and 智頭町 files), a 小学校区 layer with
// --code-field, and what happens with unusable input.
#include "datasets/area_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "datasets/importer.hpp"
#include "datasets/stat_table.hpp"
#include "datasets/text_encoding.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace datasets = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::TempDir;
using tsunagi::test::write_file;

namespace {

constexpr const char* kTottori = "estat-h27-small-areas/polygons/h27ka31_tottori_all.geojson";
constexpr const char* kChizu = "estat-h27-small-areas/polygons/h27ka31328_chizu.geojson";

datasets::AreaImportReport import_in_tx(const std::filesystem::path& db,
                                        const std::filesystem::path& file,
                                        const datasets::AreaImportOptions& opt = {}) {
  geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(store);
  auto r = datasets::import_areas(store, file, opt);
  tx.commit();
  return r;
}

struct Sums {
  double population = 0;
  double households = 0;
  std::size_t population_values = 0;
};

Sums sums(const geo::Store& store) {
  Sums s;
  for (const auto& v : store.stats()) {
    if (!v.value) continue;
    if (v.key == "population") {
      s.population += *v.value;
      ++s.population_values;
    }
    if (v.key == "households") s.households += *v.value;
  }
  return s;
}

}  // namespace

TEST(AreaImport, TottoriSmallAreasKeepThePrefectureTotals) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, kTottori);
  // What the file holds, read independently of GDAL.
  std::ifstream in(file);
  const auto doc = nlohmann::json::parse(in);
  std::set<std::string> land_keys;
  std::size_t water = 0;
  for (const auto& f : doc["features"]) {
    if (f["properties"]["HCODE"].get<int>() == 8154) {
      ++water;
    } else {
      land_keys.insert(f["properties"]["KEY_CODE"].get<std::string>());
    }
  }
  ASSERT_EQ(doc["features"].size(), 2504U);
  ASSERT_EQ(water, 2U);

  TempDir dir;
  const auto r = import_in_tx(dir / "t.tsunagi", file);
  EXPECT_EQ(r.layout, "e-Stat 小地域境界 2015 (h27ka)");
  EXPECT_EQ(r.features_read, 2504);
  EXPECT_EQ(r.dropped.at("water area (HCODE 8154)"), 2);
  EXPECT_EQ(r.dropped.size(), 1U) << datasets::render_text(r);
  EXPECT_EQ(r.areas_written, static_cast<std::int64_t>(land_keys.size()));
  EXPECT_EQ(r.features_merged, 2504 - 2 - static_cast<std::int64_t>(land_keys.size()));
  EXPECT_EQ(r.repaired, 1) << datasets::render_text(r);
  EXPECT_EQ(r.municipalities_created.size(), 19U);
  EXPECT_EQ(r.ref_date, "2015-10-01");

  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  std::size_t small = 0;
  for (const auto& a : store.areas()) {
    if (a.kind == geo::AreaKind::municipality) continue;
    ++small;
    EXPECT_TRUE(land_keys.contains(a.code)) << a.id;
    // one layer whatever the code length; the level kept as an attribute
    EXPECT_EQ(a.id, "small_area:" + a.code);
    EXPECT_EQ(a.kind, geo::AreaKind::small_area);
    EXPECT_EQ(a.level == geo::SmallAreaLevel::oaza, a.code.size() == 9) << a.id;
    EXPECT_TRUE(store.area(a.parent_id).has_value()) << a.id << " → " << a.parent_id;
    EXPECT_TRUE(geo::Geometry::from_wkb(a.wkb).is_valid()) << a.id;
    EXPECT_EQ(a.source_id, r.source_id);
  }
  EXPECT_EQ(small, land_keys.size());
  const Sums s = sums(store);
  EXPECT_EQ(s.population, 573441.0);
  EXPECT_EQ(s.households, 216894.0);
  EXPECT_EQ(s.population_values, land_keys.size());
  const auto src = store.source_by_id(r.source_id);
  ASSERT_TRUE(src);
  EXPECT_THAT(src->attribution, HasSubstr("「政府統計の総合窓口(e-Stat)」"));
  EXPECT_EQ(src->license, "estat_terms");
}

TEST(AreaImport, ChizuHasItsPeopleAndItsMunicipality) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, kChizu);
  TempDir dir;
  const auto r = import_in_tx(dir / "t.tsunagi", file);
  EXPECT_EQ(r.features_read, 86);
  EXPECT_EQ(r.repaired, 0);
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  EXPECT_EQ(sums(store).population, 7154.0);
  EXPECT_EQ(sums(store).households, 2487.0);
  const std::string parent = std::string("municipality:31328") + geo::lg_check_digit("31328");
  const auto town = store.area(parent);
  ASSERT_TRUE(town);
  EXPECT_EQ(town->name, "八頭郡智頭町");
  EXPECT_EQ(town->lg_code, parent.substr(13));
  // The dissolved town covers each of its small areas.
  const auto town_geom = geo::Geometry::from_wkb(town->wkb);
  for (const auto& a : store.areas()) {
    if (a.kind == geo::AreaKind::municipality) continue;
    EXPECT_EQ(a.parent_id, parent);
    EXPECT_TRUE(town_geom.contains(geo::Geometry::point(a.label_lon, a.label_lat)) ||
                town_geom.intersects(geo::Geometry::from_wkb(a.wkb)))
        << a.id;
  }
  // A municipality already in the store is not replaced.
  const auto r2 = import_in_tx(dir / "t.tsunagi", file);
  EXPECT_TRUE(r2.municipalities_created.empty());
}

namespace {

constexpr const char* kSchools = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"A27_003":"S1","A27_004":"東小学校"},
 "geometry":{"type":"Polygon","coordinates":[[[134.0,34.0],[134.1,34.0],[134.1,34.1],[134.0,34.1],[134.0,34.0]]]}},
{"type":"Feature","properties":{"A27_003":"S2","A27_004":"西小学校"},
 "geometry":{"type":"Polygon","coordinates":[[[134.1,34.0],[134.2,34.0],[134.2,34.1],[134.1,34.1],[134.1,34.0]]]}},
{"type":"Feature","properties":{"A27_003":"S2","A27_004":"西小学校"},
 "geometry":{"type":"Polygon","coordinates":[[[134.3,34.0],[134.4,34.0],[134.4,34.1],[134.3,34.1],[134.3,34.0]]]}},
{"type":"Feature","properties":{"A27_003":"S3","A27_004":"北小学校"},"geometry":null},
{"type":"Feature","properties":{"A27_003":"","A27_004":"名無し"},
 "geometry":{"type":"Polygon","coordinates":[[[134.5,34.0],[134.6,34.0],[134.6,34.1],[134.5,34.1],[134.5,34.0]]]}},
{"type":"Feature","properties":{"A27_003":"S4","A27_004":"南小学校"},
 "geometry":{"type":"Polygon","coordinates":[[[134.0,33.0],[134.1,33.1],[134.1,33.0],[134.0,33.1],[134.0,33.0]]]}}
]})";

}  // namespace

TEST(AreaImport, SchoolDistrictsByCodeFieldWithEveryFeatureAccountedFor) {
  TempDir dir;
  write_file(dir / "a27.geojson", kSchools);
  datasets::AreaImportOptions opt;
  opt.kind = geo::AreaKind::school_district;
  opt.code_field = "A27_003";
  opt.name_field = "A27_004";
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "a27.geojson", opt);
  EXPECT_EQ(r.features_read, 6);
  EXPECT_EQ(r.areas_written, 3);    // S1, S2 (two parts), S4
  EXPECT_EQ(r.features_merged, 1);  // S2's second part
  EXPECT_EQ(r.dropped.at("no geometry"), 1);
  EXPECT_EQ(r.dropped.at("no code"), 1);
  EXPECT_EQ(r.repaired, 1);  // S4 is a bow tie
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto s2 = store.area("school_district:S2");
  ASSERT_TRUE(s2);
  EXPECT_EQ(s2->name, "西小学校");
  EXPECT_EQ(s2->kind, geo::AreaKind::school_district);
  EXPECT_NEAR(geo::Geometry::from_wkb(s2->wkb).area(), 0.02, 1e-9);
  const auto s4 = store.area("school_district:S4");
  ASSERT_TRUE(s4);
  EXPECT_TRUE(geo::Geometry::from_wkb(s4->wkb).is_valid());
  EXPECT_TRUE(store.stats().empty());
}

TEST(AreaImport, MissingCodeFieldListsTheFieldsAndWritesNothing) {
  TempDir dir;
  write_file(dir / "a27.geojson", kSchools);
  datasets::AreaImportOptions opt;
  opt.kind = geo::AreaKind::school_district;
  opt.code_field = "CODE";
  geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::create_if_missing);
  {
    geo::Store::Transaction tx(store);
    try {
      (void)datasets::import_areas(store, dir / "a27.geojson", opt);
      FAIL() << "expected a SourceError";
    } catch (const datasets::SourceError& e) {
      EXPECT_THAT(e.what(), HasSubstr("no field 'CODE'"));
      EXPECT_THAT(e.what(), HasSubstr("A27_003, A27_004"));
    }
  }
  opt.code_field.clear();
  try {
    (void)datasets::import_areas(store, dir / "a27.geojson", opt);
    FAIL() << "expected a SourceError";
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--code-field"));
    EXPECT_THAT(e.what(), HasSubstr("A27_003, A27_004"));
  }
  EXPECT_TRUE(store.areas().empty());
  EXPECT_TRUE(store.sources().empty());
}

TEST(AreaImport, Cp932ShapefileNamesAreDecoded) {
  // An e-Stat style shapefile written in CP932 with its .cpg, as e-Stat's downloads are.
  TempDir dir;
  const std::string geojson =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
      R"({"KEY_CODE":"31328001001","KEN":"31","CITY":"328","MOJI":"智頭","HCODE":8101,)"
      R"("JINKO":120,"SETAI":50,"X_CODE":134.25,"Y_CODE":35.25,"AREA_MAX_F":"M",)"
      R"("GST_NAME":"八頭郡","CSS_NAME":"智頭町"},)"
      R"("geometry":{"type":"Polygon","coordinates":[[[134.2,35.2],[134.3,35.2],[134.3,35.3],)"
      R"([134.2,35.3],[134.2,35.2]]]}}]})";
  write_file(dir / "in.geojson", geojson);
  const auto conv =
      tsunagi::test::run_program({"ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=CP932",
                                  (dir / "h27ka.shp").string(), (dir / "in.geojson").string()});
  if (conv.exit_code != 0) GTEST_SKIP() << "ogr2ogr unavailable: " << conv.err;
  const auto dbf = tsunagi::test::read_file(dir / "h27ka.dbf");
  ASSERT_NE(dbf.find(datasets::utf8_to_cp932("智頭")), std::string::npos) << "not written in CP932";
  const auto r = import_in_tx(dir / "t.tsunagi", dir / "h27ka.shp");
  EXPECT_EQ(r.areas_written, 1);
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto a = store.area("small_area:31328001001");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "智頭");
  EXPECT_DOUBLE_EQ(a->label_lon, 134.25);
  EXPECT_EQ(store.area(a->parent_id)->name, "八頭郡智頭町");
}

namespace {

/// Takamatsu's N03 boundary, as `tsunagi import --boundary` stores it.
void import_takamatsu_boundary(const std::filesystem::path& db, const std::filesystem::path& n03) {
  geo::Store s = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(s);
  (void)datasets::import_boundary(s, n03, "372013");
  tx.commit();
}

constexpr const char* kTakamatsuPoints =
    "estat-h27-small-areas/points/h27ka_kagawa_37201_takamatsu.csv";

/// The cells must tile without overlap: the sum of pairwise intersections is ~0.
void expect_no_overlap(const std::vector<geo::Area>& cells) {
  std::vector<geo::Geometry> g;
  std::vector<geo::Geometry::Envelope> env;
  for (const auto& a : cells) {
    g.push_back(geo::Geometry::from_wkb(a.wkb));
    env.push_back(g.back().envelope());
  }
  double overlap = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    for (std::size_t j = i + 1; j < g.size(); ++j) {
      if (env[i].max_x < env[j].min_x || env[j].max_x < env[i].min_x ||
          env[i].max_y < env[j].min_y || env[j].max_y < env[i].min_y) {
        continue;
      }
      overlap += g[i].intersection(g[j]).area();
    }
  }
  EXPECT_LT(overlap, 1e-10);
}

}  // namespace

TEST(AreaImport, TakamatsuPointsBecomeApproximateVoronoiCells) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, kTakamatsuPoints);
  // Distinct land KEY_CODEs.
  std::set<std::string> codes;
  {
    std::ifstream in(file, std::ios::binary);
    geo::csv::Reader reader(in);
    std::vector<std::string> cells;
    ASSERT_TRUE(reader.next(cells)) << "no header";
    while (reader.next(cells)) {
      if (cells.at(6) != "8154") codes.insert(cells.at(0));
    }
  }
  ASSERT_GT(codes.size(), 200U);
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities/37201.geojson");
  TempDir dir;
  datasets::AreaImportOptions opt;
  opt.approximate = true;
  // Cells are clipped to their own municipality, never to a hull of the points: without its
  // boundary the import is refused, naming it, and writes nothing.
  try {
    (void)import_in_tx(dir / "t.tsunagi", file, opt);
    FAIL() << "imported without the municipality's boundary";
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no boundary of municipality:372013"));
  }
  EXPECT_TRUE(
      geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::create_if_missing).areas().empty());
  import_takamatsu_boundary(dir / "t.tsunagi", n03);
  const auto r = import_in_tx(dir / "t.tsunagi", file, opt);
  EXPECT_EQ(r.areas_written, static_cast<std::int64_t>(codes.size())) << datasets::render_text(r);
  EXPECT_EQ(r.clip, "municipality:372013");
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  std::vector<geo::Area> cells;
  for (const auto& a : store.areas()) {
    if (a.kind == geo::AreaKind::municipality) continue;
    EXPECT_TRUE(a.approximate) << a.id;
    EXPECT_TRUE(codes.contains(a.code)) << a.id;
    const auto g = geo::Geometry::from_wkb(a.wkb);
    EXPECT_TRUE(g.contains(geo::Geometry::point(a.label_lon, a.label_lat))) << a.id;
    cells.push_back(a);
  }
  EXPECT_EQ(cells.size(), codes.size());
  expect_no_overlap(cells);
  EXPECT_EQ(sums(store).population, 420748.0);
  EXPECT_EQ(sums(store).households, 182047.0);
}

TEST(AreaImport, VoronoiCellsStayInsideTheStoredBoundary) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, kTakamatsuPoints);
  TempDir dir;
  const std::string town = std::string("municipality:37201") + geo::lg_check_digit("37201");
  // A made-up boundary over the city centre only: points outside it get no cell, and say so.
  const auto box = geo::Geometry::from_wkt(
      "MULTIPOLYGON(((134.0 34.3,134.1 34.3,134.1 34.36,134.0 34.36,134.0 34.3)))");
  {
    geo::Store s = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::create_if_missing);
    geo::Area a;
    a.id = town;
    a.kind = geo::AreaKind::municipality;
    a.code = town.substr(13);
    a.name = "高松市";
    a.wkb = box.wkb();
    s.put_area(a);
  }
  datasets::AreaImportOptions opt;
  opt.approximate = true;
  const auto r = import_in_tx(dir / "t.tsunagi", file, opt);
  EXPECT_EQ(r.clip, town);
  EXPECT_GT(r.dropped.at("point more than 1 km outside its municipality's boundary (check its "
                         "coordinates)"),
            0);
  EXPECT_TRUE(r.municipalities_created.empty());
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  std::vector<geo::Area> cells;
  double total = 0;
  for (const auto& a : store.areas(geo::AreaKind::small_area)) cells.push_back(a);
  ASSERT_GT(cells.size(), 20U);
  for (const auto& a : cells) {
    const auto g = geo::Geometry::from_wkb(a.wkb);
    EXPECT_LT(g.area() - g.intersection(box).area(), 1e-12) << a.id << " leaves the boundary";
    total += g.area();
    EXPECT_EQ(a.parent_id, town);
  }
  expect_no_overlap(cells);
  // the cells tile the boundary
  EXPECT_NEAR(total, box.area(), 1e-9);
}

TEST(AreaImport, TakamatsuPopulationPointsByRegionName) {
  TSUNAGI_REQUIRE_SHARED_DATA(file,
                              "takamatsu-opendata/population/0066_202407_points_derived.geojson");
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities/37201.geojson");
  TempDir dir;
  import_takamatsu_boundary(dir / "t.tsunagi", n03);
  datasets::AreaImportOptions opt;
  opt.approximate = true;
  opt.kind = geo::AreaKind::custom;
  opt.code_field = "regionName";
  opt.name_field = "regionName";
  const auto r = import_in_tx(dir / "t.tsunagi", file, opt);
  EXPECT_EQ(r.features_read, 235);
  // 松島町３丁目's location in the city's file is "34.069518,134.069518" (its longitude twice),
  // 30 km south of it in the mountains: refused and named, not given a cell there
  EXPECT_EQ(r.areas_written + r.features_merged, 234) << datasets::render_text(r);
  EXPECT_EQ(r.dropped.at("point more than 1 km outside every stored municipality boundary"), 1);
  EXPECT_THAT(datasets::render_text(r), HasSubstr("松島町３丁目"));
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto a = store.area("custom:塩屋町");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->approximate);
  EXPECT_TRUE(
      geo::Geometry::from_wkb(a->wkb).contains(geo::Geometry::point(134.055021, 34.342286)));
}

TEST(AreaImport, Cp932ShapefileWithoutCpgNeedsTheEncoding) {
  TempDir dir;
  const std::string geojson =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)"
      R"({"KEY_CODE":"313280010","PREF":"31","CITY":"328","S_NAME":"智頭","HCODE":8101,)"
      R"("JINKO":120,"SETAI":50,"X_CODE":134.25,"Y_CODE":35.25,"CITY_NAME":"智頭町"},)"
      R"("geometry":{"type":"Polygon","coordinates":[[[134.2,35.2],[134.3,35.2],[134.3,35.3],)"
      R"([134.2,35.3],[134.2,35.2]]]}}]})";
  write_file(dir / "in.geojson", geojson);
  const auto conv =
      tsunagi::test::run_program({"ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=CP932",
                                  (dir / "r2ka.shp").string(), (dir / "in.geojson").string()});
  if (conv.exit_code != 0) GTEST_SKIP() << "ogr2ogr unavailable: " << conv.err;
  std::filesystem::remove(dir / "r2ka.cpg");
  // the DBF may carry a language id; clear it so that nothing declares the encoding
  {
    std::fstream dbf(dir / "r2ka.dbf", std::ios::in | std::ios::out | std::ios::binary);
    dbf.seekp(29);
    dbf.put('\0');
  }
  geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::create_if_missing);
  {
    geo::Store::Transaction tx(store);
    try {
      (void)datasets::import_areas(store, dir / "r2ka.shp", {});
      FAIL() << "CP932 bytes read as UTF-8";
    } catch (const datasets::SourceError& e) {
      EXPECT_THAT(e.what(), HasSubstr("CP932"));
    }
  }
  EXPECT_TRUE(store.areas().empty());
  datasets::AreaImportOptions opt;
  opt.encoding = datasets::Encoding::cp932;
  geo::Store::Transaction tx(store);
  const auto r = datasets::import_areas(store, dir / "r2ka.shp", opt);
  tx.commit();
  EXPECT_EQ(r.layout, "e-Stat 小地域境界 2020 (r2ka)");
  EXPECT_EQ(r.ref_date, "2020-10-01");
  const auto a = store.area("small_area:313280010");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "智頭");
  EXPECT_EQ(a->vintage, "census2020");
  const auto src = store.source_by_id(r.source_id);
  ASSERT_TRUE(src);
  EXPECT_THAT(src->attribution, HasSubstr("令和2年国勢調査"));
}

TEST(AreaImport, TakamatsuCellsTileTheN03Boundary) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, kTakamatsuPoints);
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities/37201.geojson");
  TempDir dir;
  import_takamatsu_boundary(dir / "t.tsunagi", n03);
  datasets::AreaImportOptions opt;
  opt.approximate = true;
  const auto r = import_in_tx(dir / "t.tsunagi", file, opt);
  EXPECT_EQ(r.clip, "municipality:372013");
  EXPECT_EQ(r.areas_written, 244);  // 245 codes, one of them the water area
  EXPECT_EQ(r.dropped.size(), 1U) << datasets::render_text(r);
  const geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::read_only);
  const auto city = geo::Geometry::from_wkb(store.area("municipality:372013")->wkb);
  std::vector<geo::Area> cells;
  double total = 0;
  for (const auto& a : store.areas()) {
    if (a.kind == geo::AreaKind::municipality) continue;
    const auto g = geo::Geometry::from_wkb(a.wkb);
    EXPECT_LT(g.area() - g.intersection(city).area(), 1e-10) << a.id << " leaves the city";
    EXPECT_TRUE(a.approximate);
    total += g.area();
    cells.push_back(a);
  }
  expect_no_overlap(cells);
  EXPECT_NEAR(total, city.area(), city.area() * 1e-6);
}

TEST(AreaImport, AnAgeTableWithLocationsBecomesTheSmallAreasItsFiguresThenFill) {
  TSUNAGI_REQUIRE_SHARED_DATA(file, "takamatsu-opendata/population/0066_202407.csv");
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities/37201.geojson");
  TempDir dir;
  import_takamatsu_boundary(dir / "t.tsunagi", n03);
  datasets::AreaImportOptions opt;
  opt.approximate = true;
  const auto r = import_in_tx(dir / "t.tsunagi", file, opt);
  EXPECT_EQ(r.layout, "地域・年齢別人口 (representative points)");
  // one row's location is wrong in the city's file (松島町３丁目: its longitude twice)
  EXPECT_EQ(r.areas_written, 234) << datasets::render_text(r);
  EXPECT_EQ(r.dropped.at("point more than 1 km outside its municipality's boundary (check its "
                         "coordinates)"),
            1);
  geo::Store store = geo::Store::open(dir / "t.tsunagi", geo::Store::Mode::create_if_missing);
  const auto areas = store.areas(geo::AreaKind::small_area);
  ASSERT_EQ(areas.size(), 234U);
  for (const auto& a : areas) {
    EXPECT_EQ(a.parent_id, "municipality:372013");
    EXPECT_TRUE(a.approximate);
  }
  const auto src = store.source_by_id(r.source_id);
  ASSERT_TRUE(src);
  EXPECT_EQ(src->attribution, "出典「高松市オープンデータ」(高松市)");
  // the same file's figures then match every one of its areas by name
  geo::Store::Transaction tx(store);
  const auto t = datasets::import_table(store, file, {});
  tx.commit();
  EXPECT_EQ(t.rows_matched, 234) << datasets::render_text(t);
  EXPECT_EQ(t.unmatched, std::vector<std::string>{"松島町３丁目"});
}
