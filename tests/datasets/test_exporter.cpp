// Exports: CSV for Excel that imports back unchanged, GeoJSON, GeoPackage; the public view by
// default, and the file says which view it holds.
#include "datasets/exporter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "datasets/import_test_support.hpp"

namespace ds = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::StoreDir;

namespace {

/// A small store written through the importer from a CSV with every column the export has.
void fill(const StoreDir& store) {
  const auto csv = store.write(
      "salons.csv",
      "id,name,name_kana,lat,lon,address,phone,capacity,開催日時,note,lg_code\n"
      "1,\"ふれあい\"\"いきいき\"\"サロン\",フレアイ,34.3402,134.0434,高松市番町一丁目,"
      "087-000-0001,20,\"毎週火曜日 10:00〜12:00\",\"改行を\n含む備考, カンマも\",372013\n"
      "2,第1・第3水曜の会,,34.3391,134.0466,高松市瓦町,,,\"第1・第3水曜日 13:30〜15:00\",,372013\n"
      "3,子ども食堂ひまわり,,34.3312,134.0512,高松市栗林町,,30,不定期,,\n");
  ds::ImportOptions o;
  o.kind = geo::ResourceKind::kayoi_no_ba;
  const auto r = store.import_with(csv, o);
  ASSERT_EQ(r.exit_code(), 0) << ds::render_text(r);
}

}  // namespace

TEST(ExportCsv, IsUtf8WithBomAndJapaneseHeaders) {
  StoreDir store;
  fill(store);
  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  ds::ExportOptions o;
  EXPECT_EQ(ds::export_resources(s, store.file("out.csv"), o), 3);
  const std::string text = tsunagi::test::read_file(store.file("out.csv"));
  EXPECT_TRUE(text.starts_with("\xEF\xBB\xBFtsunagi資源ID,種別,種別詳細,名称,"));
  EXPECT_THAT(text, HasSubstr("\"ふれあい\"\"いきいき\"\"サロン\""));
  EXPECT_THAT(text, HasSubstr("通いの場"));
  EXPECT_THAT(text, HasSubstr("\r\n"));
}

TEST(ExportCsv, RoundTripGivesTheSameResources) {
  StoreDir a;
  fill(a);
  {
    const geo::Store s = geo::Store::open(a.db(), geo::Store::Mode::read_only);
    ds::ExportOptions o;
    o.view = geo::Audience::internal;  // a full copy: notes included
    ds::export_resources(s, a.file("export.csv"), o);
  }
  StoreDir b;
  const auto r = b.import({a.file("export.csv")});  // auto: the export's own header
  ASSERT_EQ(r.exit_code(), 0) << ds::render_text(r);
  EXPECT_EQ(r.files.at(0).layout, "tsunagi CSV export");
  auto before = a.resources();
  auto after = b.resources();
  ASSERT_EQ(before.size(), after.size());
  std::map<std::string, geo::Resource> by_id;
  for (auto& x : before) by_id[x.id] = x;
  for (auto y : after) {
    const auto& x = by_id.at(y.source_key);  // the export's id is the new source id
    // Identity and provenance differ by construction; everything a person entered must not.
    y.id = x.id;
    y.source_id = x.source_id;
    y.source_key = x.source_key;
    y.version = x.version;
    y.created_at = x.created_at;
    y.updated_at = x.updated_at;
    EXPECT_EQ(y, x) << x.name;
  }
}

TEST(ExportGeoJson, IsAFeatureCollection) {
  StoreDir store;
  fill(store);
  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  ds::ExportOptions o;
  o.format = ds::ExportFormat::geojson;
  EXPECT_EQ(ds::export_resources(s, store.file("out.geojson"), o), 3);
  const auto j = nlohmann::json::parse(tsunagi::test::read_file(store.file("out.geojson")));
  EXPECT_EQ(j["type"], "FeatureCollection");
  ASSERT_EQ(j["features"].size(), 3U);
  EXPECT_EQ(j["features"][0]["geometry"]["type"], "Point");
}

TEST(ExportGpkg, ImportsBackThroughGdal) {
  StoreDir store;
  fill(store);
  {
    const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
    ds::ExportOptions o;
    o.format = ds::ExportFormat::gpkg;
    EXPECT_EQ(ds::export_resources(s, store.file("out.gpkg"), o), 3);
  }
  const auto info =
      tsunagi::test::run_program({"ogrinfo", "-so", store.file("out.gpkg").string(), "resources"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("Feature Count: 3"));
  EXPECT_THAT(info.out, HasSubstr("EPSG\",4326"));
  // The GeoPackage is itself a source the importer reads (mapping by column names).
  StoreDir back;
  ds::ImportOptions o;
  o.kind_column = "kind";
  const auto r = back.import_with(store.file("out.gpkg"), o);
  EXPECT_EQ(r.files.at(0).inserted, 3) << ds::render_text(r);
}

TEST(ExportOptions, KindFilterAndClosedResources) {
  StoreDir store;
  fill(store);
  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  ds::ExportOptions o;
  o.kind = geo::ResourceKind::ibasho;
  EXPECT_EQ(ds::export_resources(s, store.file("none.csv"), o), 0);
}

TEST(ExportViews, ThePublicViewIsTheDefaultAndTheFileSaysWhichViewItHolds) {
  StoreDir store;
  {
    auto s = geo::Store::open(store.db(), geo::Store::Mode::create_if_missing);
    auto make = [&](const std::string& name, auto&& edit) {
      geo::Resource r;
      r.kind = geo::ResourceKind::ibasho;
      r.name = name;
      r.lon = 134.0434;
      r.lat = 34.3402;
      edit(r);
      s.create(r, "test");
    };
    make("えんがわサロン", [](geo::Resource& r) {
      r.venue = geo::VenueKind::private_home;
      r.operator_type = geo::OperatorType::jumin_kojin;
      r.operator_name = "山田 花子";
      r.address = "高松市番町三丁目14-15";
      r.phone = "090-0000-0000";
      r.note = "鍵は隣家";
    });
    make("内部の受入れ先", [](geo::Resource& r) { r.publish = geo::PublishLevel::internal; });
    make("閉じたカフェ", [](geo::Resource& r) { r.status = geo::ResourceStatus::closed; });
  }
  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  ds::ExportOptions o;
  EXPECT_EQ(o.view, geo::Audience::public_) << "safe by default";
  EXPECT_EQ(ds::export_resources(s, store.file("public.csv"), o), 1);
  const std::string pub = tsunagi::test::read_file(store.file("public.csv"));
  EXPECT_THAT(pub, HasSubstr("えんがわサロン"));
  for (const char* secret : {"14-15", "山田", "090-0000-0000", "鍵は隣家", "内部の受入れ先",
                             "閉じたカフェ", "34.3402", "134.0434"}) {
    EXPECT_THAT(pub, testing::Not(HasSubstr(secret))) << secret;
  }
  EXPECT_THAT(pub, HasSubstr(",出力範囲\r\n"));
  EXPECT_THAT(pub, HasSubstr(",一般公開用\r\n"));

  o.view = geo::Audience::internal;
  o.include_closed = true;
  EXPECT_EQ(ds::export_resources(s, store.file("internal.csv"), o), 3);
  const std::string all = tsunagi::test::read_file(store.file("internal.csv"));
  for (const char* known : {"14-15", "山田", "鍵は隣家", "内部の受入れ先", "閉じたカフェ"}) {
    EXPECT_THAT(all, HasSubstr(known)) << known;
  }
  EXPECT_THAT(all, HasSubstr(",内部用\r\n"));

  o = {};
  o.format = ds::ExportFormat::geojson;
  ds::export_resources(s, store.file("public.geojson"), o);
  const auto j = nlohmann::json::parse(tsunagi::test::read_file(store.file("public.geojson")));
  EXPECT_EQ(j["tsunagi:view"], "public");
  ASSERT_EQ(j["features"].size(), 1U);
  EXPECT_FALSE(j["features"][0]["properties"].contains("note"));
  EXPECT_EQ(j["features"][0]["properties"]["address"], "");
}

namespace {

// A resource whose text fields start with what Excel takes for a formula.
geo::Resource formula_resource() {
  geo::Resource r;
  r.kind = geo::ResourceKind::ibasho;
  r.name = "=HYPERLINK(\"http://evil.example/\",\"click\")";
  r.description = "\tTAB first";
  r.address = "@SUM(1+1)*cmd|' /C calc'!A0";
  r.phone = "+81-87-000-0000";
  r.fee_note = "-2+3+cmd|' /C calc'!A0";
  r.note = "\r=1+1";
  r.parking = "-3";
  r.lon = 134.04;
  r.lat = 34.34;
  r.capacity = 12;
  return r;
}

}  // namespace

TEST(ExportCsv, FormulaCellsArePrefixedWithAQuote) {
  StoreDir store;
  {
    geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::create_if_missing);
    auto r = formula_resource();
    s.create(r, "test");
  }
  const geo::Store s = geo::Store::open(store.db(), geo::Store::Mode::read_only);
  ds::ExportOptions o;
  o.view = geo::Audience::internal;  // the note is internal
  ds::export_resources(s, store.file("out.csv"), o);
  const std::string text = tsunagi::test::read_file(store.file("out.csv"));
  EXPECT_THAT(text, HasSubstr(",\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\","));
  EXPECT_THAT(text, HasSubstr(",'\tTAB first,"));
  EXPECT_THAT(text, HasSubstr(",'@SUM(1+1)*cmd|' /C calc'!A0,"));
  EXPECT_THAT(text, HasSubstr(",'+81-87-000-0000,"));
  EXPECT_THAT(text, HasSubstr(",'-2+3+cmd|' /C calc'!A0,"));
  EXPECT_THAT(text, HasSubstr(",\"'\r=1+1\""));
  // A plain decimal number cannot be a formula and stays a number; so do our coordinates.
  EXPECT_THAT(text, HasSubstr(",-3,"));
  EXPECT_THAT(text, HasSubstr(",34.34,134.04,"));
  // No cell starts with a formula character.
  for (const std::string bad : {",=", ",+", ",@", ",\"=", ",\"+", ",\"@", ",\t", ",\"\t"}) {
    EXPECT_EQ(text.find(bad), std::string::npos) << bad;
  }
}

TEST(ExportCsv, PrefixedCellsImportBackAsTheyWere) {
  StoreDir a;
  {
    geo::Store s = geo::Store::open(a.db(), geo::Store::Mode::create_if_missing);
    auto r = formula_resource();
    r.note.clear();  // a leading CR is not kept by the CSV reader's line handling
    s.create(r, "test");
    const geo::Store& cs = s;
    ds::export_resources(cs, a.file("export.csv"), {});
  }
  StoreDir b;
  const auto report = b.import({a.file("export.csv")});
  ASSERT_EQ(report.exit_code(), 0) << ds::render_text(report);
  const auto after = b.resources();
  ASSERT_EQ(after.size(), 1U);
  const auto expected = formula_resource();
  EXPECT_EQ(after[0].name, expected.name);
  EXPECT_EQ(after[0].address, expected.address);
  EXPECT_EQ(after[0].phone, expected.phone);
  EXPECT_EQ(after[0].fee_note, expected.fee_note);
  EXPECT_EQ(after[0].parking, "-3");
}

TEST(ExportCsv, AFieldOfTheFieldTableIsImportedByAliasExportedUnderItsLabelAndReadBack) {
  // access_note 「アクセス」 is defined by its row of geo/core/resource_fields alone: its
  // import names, its export label and its value's text all come from there.
  StoreDir a;
  const auto csv = a.write("salons.csv",
                           "id,name,lat,lon,交通アクセス\n"
                           "1,ふれあいサロン,34.3402,134.0434,ことでんバス「番町」から徒歩3分\n");
  ds::ImportOptions o;
  o.kind = geo::ResourceKind::kayoi_no_ba;
  const auto imported = a.import_with(csv, o);
  ASSERT_EQ(imported.exit_code(), 0) << ds::render_text(imported);
  ASSERT_EQ(a.resources().size(), 1u);
  EXPECT_EQ(a.resources().at(0).access_note, "ことでんバス「番町」から徒歩3分");
  {
    const geo::Store s = geo::Store::open(a.db(), geo::Store::Mode::read_only);
    ds::ExportOptions e;  // the public view: access_note is public
    ds::export_resources(s, a.file("export.csv"), e);
    e.format = ds::ExportFormat::geojson;
    ds::export_resources(s, a.file("export.geojson"), e);
  }
  const std::string text = tsunagi::test::read_file(a.file("export.csv"));
  EXPECT_THAT(text, HasSubstr(",備考,アクセス,"));
  EXPECT_THAT(text, HasSubstr(",ことでんバス「番町」から徒歩3分,"));
  const auto geojson = nlohmann::json::parse(tsunagi::test::read_file(a.file("export.geojson")));
  EXPECT_EQ(geojson["features"][0]["properties"]["access_note"], "ことでんバス「番町」から徒歩3分");

  StoreDir b;
  const auto back = b.import({a.file("export.csv")});
  ASSERT_EQ(back.exit_code(), 0) << ds::render_text(back);
  ASSERT_EQ(b.resources().size(), 1u);
  EXPECT_EQ(b.resources().at(0).access_note, "ことでんバス「番町」から徒歩3分");
}
