// export_areas: a municipality's own figures with a small count, exported as CSV, GeoJSON and
// GeoPackage for the public and for partners: the small-cell rule in every file, partners-only
// columns absent from the public one, marks and sources written.
#include "datasets/area_export.hpp"

#include <gdal_priv.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "datasets/gdal_source.hpp"
#include "datasets/stat_table.hpp"
#include "geo/core/area.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace datasets = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using testing::Not;
using tsunagi::test::read_file;
using tsunagi::test::TempDir;
using tsunagi::test::write_file;

namespace {

const std::string kTown = std::string("municipality:31328") + geo::lg_check_digit("31328");

void put_area(geo::Store& s, const std::string& id, geo::AreaKind kind, double x) {
  std::ostringstream w;
  w << "MULTIPOLYGON(((" << x << " 35.2," << x + 0.01 << " 35.2," << x + 0.01 << " 35.21," << x
    << " 35.21," << x << " 35.2)))";
  geo::Area a;
  a.id = id;
  a.kind = kind;
  a.code = id.substr(id.find(':') + 1);
  a.name = a.code;
  a.parent_id = kind == geo::AreaKind::municipality ? "" : kTown;
  a.wkb = geo::Geometry::from_wkt(w.str()).wkb();
  a.label_lon = x + 0.005;
  a.label_lat = 35.205;
  a.approximate = id.ends_with("4");
  s.put_area(a);
}

/// Four 丁目 with a partners-only count (nintei: one is 3) and a public one (kayoi: one is 4).
std::filesystem::path town_with_own_figures(const TempDir& dir) {
  const auto db = dir / "t.tsunagi";
  geo::Store s = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(s);
  put_area(s, kTown, geo::AreaKind::municipality, 134.0);
  for (int i = 1; i <= 4; ++i) {
    put_area(s, "chome:3132800100" + std::to_string(i), geo::AreaKind::chome, 134.0 + 0.1 * i);
  }
  write_file(dir / "nintei.csv",
             "area,nintei\nchome:31328001001,25\nchome:31328001002,3\nchome:31328001003,"
             "40\nchome:31328001004,31\n");
  datasets::TableImportOptions partners;
  partners.key_field = "area";
  partners.ref_date = "2024-04-01";
  partners.title = "要介護認定者数（町丁別）";
  (void)datasets::import_table(s, dir / "nintei.csv", partners);
  write_file(dir / "kayoi.csv",
             "area,kayoi\nchome:31328001001,55\nchome:31328001002,62\nchome:31328001003,"
             "4\nchome:31328001004,70\n");
  datasets::TableImportOptions pub = partners;
  pub.publish = geo::PublishLevel::public_;
  pub.title = "通いの場参加者数";
  pub.attribution = "智頭町 福祉課";
  (void)datasets::import_table(s, dir / "kayoi.csv", pub);
  tx.commit();
  return db;
}

/// The CSV's rows as cells by header name.
std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  const std::string text = read_file(p);
  EXPECT_TRUE(text.starts_with("\xEF\xBB\xBF")) << "no BOM";
  std::vector<std::vector<std::string>> rows;
  for (auto& r : geo::csv::read_all(text)) rows.push_back(std::move(r.cells));
  std::vector<std::map<std::string, std::string>> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string> m;
    for (std::size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c)
      m[rows[0][c]] = rows[r][c];
    out.push_back(m);
  }
  return out;
}

}  // namespace

TEST(AreaExport, CsvForPartnersAppliesTheSmallCellRule) {
  TempDir dir;
  const auto db = town_with_own_figures(dir);
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  EXPECT_EQ(datasets::export_areas(s, dir / "p.csv", datasets::ExportFormat::csv,
                                   geo::Audience::partners),
            5);
  const auto rows = read_csv(dir / "p.csv");
  ASSERT_EQ(rows.size(), 5U);
  int suppressed = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r.contains("nintei"));
    EXPECT_NE(r.at("nintei"), "3") << r.at("id");
    EXPECT_NE(r.at("kayoi"), "4") << r.at("id");
    if (r.at("nintei_status") == "suppressed") {
      ++suppressed;
      EXPECT_EQ(r.at("nintei"), "");
    }
    if (r.at("id") == "chome:31328001002") {
      EXPECT_EQ(r.at("nintei_status"), "suppressed");
    }
    EXPECT_EQ(r.at("approximate"), r.at("id") == "chome:31328001004" ? "true" : "false");
  }
  // primary (3) and secondary suppression: the 3 cannot be derived from the others and a total
  EXPECT_GE(suppressed, 2);
  const std::string side = read_file(datasets::sources_sidecar(dir / "p.csv"));
  EXPECT_THAT(side, HasSubstr("要介護認定者数（町丁別）"));
  EXPECT_THAT(side, HasSubstr("智頭町 福祉課"));
}

TEST(AreaExport, PublicFilesHoldNoPartnersColumnAndNoSmallCount) {
  TempDir dir;
  const auto db = town_with_own_figures(dir);
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  datasets::export_areas(s, dir / "pub.csv", datasets::ExportFormat::csv, geo::Audience::public_);
  const std::string csv = read_file(dir / "pub.csv");
  EXPECT_THAT(csv, Not(HasSubstr("nintei")));
  const auto rows = read_csv(dir / "pub.csv");
  int suppressed = 0;
  for (const auto& r : rows) {
    EXPECT_NE(r.at("kayoi"), "4");
    if (r.at("kayoi_status") == "suppressed") ++suppressed;
  }
  EXPECT_GE(suppressed, 2);
  EXPECT_THAT(read_file(datasets::sources_sidecar(dir / "pub.csv")),
              Not(HasSubstr("要介護認定者数")));

  datasets::export_areas(s, dir / "pub.geojson", datasets::ExportFormat::geojson,
                         geo::Audience::public_);
  const std::string text = read_file(dir / "pub.geojson");
  EXPECT_THAT(text, Not(HasSubstr("nintei")));
  const auto doc = nlohmann::json::parse(text);
  ASSERT_EQ(doc["features"].size(), 5U);
  int gj_suppressed = 0;
  for (const auto& f : doc["features"]) {
    const auto& p = f["properties"];
    if (p["id"] == "chome:31328001003") {
      EXPECT_TRUE(p["kayoi"].is_null());
      EXPECT_EQ(p["kayoi_status"], "suppressed");
    }
    if (p.contains("kayoi_status") && p["kayoi_status"] == "suppressed") ++gj_suppressed;
    EXPECT_FALSE(p.contains("kayoi") && p["kayoi"].is_number() && p["kayoi"].get<double>() == 4);
    EXPECT_TRUE(f["geometry"].is_object());
  }
  EXPECT_GE(gj_suppressed, 2);
  ASSERT_TRUE(doc["sources"].is_array());
  EXPECT_THAT(doc["sources"].dump(), HasSubstr("智頭町 福祉課"));
}

TEST(AreaExport, GeoPackageHasTheAreasAndTheSources) {
  TempDir dir;
  const auto db = town_with_own_figures(dir);
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  datasets::export_areas(s, dir / "p.gpkg", datasets::ExportFormat::gpkg, geo::Audience::partners);
  datasets::ensure_gdal_registered();
  GDALDatasetUniquePtr ds(GDALDataset::Open((dir / "p.gpkg").c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds);
  OGRLayer* areas = ds->GetLayerByName("areas");
  ASSERT_NE(areas, nullptr);
  EXPECT_EQ(areas->GetFeatureCount(), 5);
  OGRLayer* sources = ds->GetLayerByName("sources");
  ASSERT_NE(sources, nullptr);
  EXPECT_EQ(sources->GetFeatureCount(), 2);
  areas->SetAttributeFilter("id = 'chome:31328001002'");
  OGRFeatureUniquePtr f(areas->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->IsFieldSetAndNotNull(f->GetFieldIndex("nintei")));
  EXPECT_STREQ(f->GetFieldAsString("nintei_status"), "suppressed");
  EXPECT_FALSE(
      std::filesystem::exists(dir / ("p.gpkg.tmp-" + std::to_string(::getpid()) + ".gpkg")));
}

TEST(AreaExport, GeoJsonForPartnersHasTheColumnAfterTheRule) {
  TempDir dir;
  const auto db = town_with_own_figures(dir);
  const geo::Store s = geo::Store::open(db, geo::Store::Mode::read_only);
  datasets::export_areas(s, dir / "p.geojson", datasets::ExportFormat::geojson,
                         geo::Audience::partners);
  const auto doc = nlohmann::json::parse(read_file(dir / "p.geojson"));
  EXPECT_EQ(doc["tsunagi:view"], "partners");
  int suppressed = 0;
  int shown = 0;
  for (const auto& f : doc["features"]) {
    const auto& p = f["properties"];
    if (p["kind"] != "chome") continue;
    ASSERT_TRUE(p.contains("nintei")) << p.dump();
    if (p.value("nintei_status", "") == "suppressed") {
      ++suppressed;
      EXPECT_TRUE(p["nintei"].is_null());
    } else {
      ++shown;
      EXPECT_GE(p["nintei"].get<double>(), 10);
    }
    if (p["id"] == "chome:31328001004") {
      EXPECT_EQ(p["approximate"], true);
    }
  }
  EXPECT_GE(suppressed, 2);
  EXPECT_EQ(suppressed + shown, 4);
}
