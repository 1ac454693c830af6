// The offline basemap end to end: `tsunagi import --basemap` runs Debian's tilemaker on the
// Liechtenstein extract and reports its layers and zooms; bad input is refused with the previous
// basemap left as it was; `tsunagi serve` serves its tiles (decoded with GDAL's MVT reader: roads,
// water and places over Vaduz), its TileJSON and its style, and /api/meta tells the map about it.
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>

#include <nlohmann/json.hpp>
#include <set>

#include "e2e/server_town.hpp"
#include "support/mvt_reader.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

constexpr const char* kExtract = "osm-liechtenstein/liechtenstein-2013-08-03.osm.pbf";

bool has_tilemaker() {
  return run_program({"sh", "-c", "command -v tilemaker"}).exit_code == 0;
}

#define REQUIRE_TILEMAKER()                                                   \
  if (!has_tilemaker()) {                                                     \
    GTEST_SKIP() << "tilemaker is not installed (scripts/setup installs it)"; \
  }

TEST(BasemapImport, ReportsItsLayersAndZoomsAndWritesTheMbtilesBesideTheStore) {
  TSUNAGI_REQUIRE_SHARED_DATA(extract, kExtract);
  REQUIRE_TILEMAKER();
  const TempDir dir;
  const auto db = dir / "li.db";
  const auto r = run_tsunagi({"import", "--db", db.string(), "--basemap", extract.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(no municipality in the store: the whole extract)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("zooms 0-14"), std::string::npos) << r.out;
  for (const char* layer : {"transportation (z4-14)", "water (z6-14)", "waterway (z8-14)",
                            "place (z0-14)", "building (z13-14)", "transportation_name (z8-14)"}) {
    EXPECT_NE(r.out.find(layer), std::string::npos) << layer << " in\n" << r.out;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "li.db.basemap.mbtiles"));
  // Nothing else is left beside it (the temporary file was renamed).
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1U);
}

TEST(BasemapImport, ClipsToTheStoresMunicipalitiesPlusAMargin) {
  TSUNAGI_REQUIRE_SHARED_DATA(extract, kExtract);
  REQUIRE_TILEMAKER();
  const TempDir dir;
  const auto db = dir / "vaduz.db";
  {
    TinyTown town(db);  // a municipality around Vaduz only
    town.add_area("municipality:vaduz", geo::AreaKind::municipality, "Vaduz",
                  "POLYGON((9.50 47.12,9.54 47.12,9.54 47.16,9.50 47.16,9.50 47.12))", 9.52, 47.14);
  }
  const auto r = run_tsunagi({"import", "--db", db.string(), "--basemap", extract.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("clipped to the store's municipalities + 2 km"), std::string::npos) << r.out;
  ServerProcess server({"--db", db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  const json tj = json::parse(c.get("/tiles/basemap.json").body);
  // The box: 47.12-47.16 / 9.50-9.54 and 2 km around it, not the whole country (9.47-9.64).
  EXPECT_GT(tj["bounds"][0].get<double>(), 9.45);
  EXPECT_LT(tj["bounds"][2].get<double>(), 9.58);
  EXPECT_GT(tj["bounds"][1].get<double>(), 47.09);
  EXPECT_LT(tj["bounds"][3].get<double>(), 47.19);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(BasemapImport, BadInputIsRefusedAndTheBasemapInPlaceIsKept) {
  const TempDir dir;
  const auto db = dir / "town.db";
  const auto mbtiles = dir / "town.db.basemap.mbtiles";
  write_file(mbtiles, "the basemap in place");
  {
    const auto r =
        run_tsunagi({"import", "--db", db.string(), "--basemap", (dir / "nope.osm.pbf").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("nope.osm.pbf does not exist"), std::string::npos) << r.err;
  }
  {
    write_file(dir / "streets.osm", "<?xml version='1.0'?>\n<osm version='0.6'></osm>\n");
    const auto r =
        run_tsunagi({"import", "--db", db.string(), "--basemap", (dir / "streets.osm").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("it is OSM XML, and tilemaker reads only .osm.pbf"), std::string::npos)
        << r.err;
  }
  {
    write_file(dir / "fake.osm.pbf", std::string(200, 'x'));
    const auto r =
        run_tsunagi({"import", "--db", db.string(), "--basemap", (dir / "fake.osm.pbf").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("does not start like an OpenStreetMap .osm.pbf"), std::string::npos)
        << r.err;
  }
  {
    const auto r = run_tsunagi(
        {"import", "--db", db.string(), "--basemap", "x.osm.pbf", (dir / "more.csv").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("import --basemap on its own"), std::string::npos) << r.err;
  }
  EXPECT_EQ(read_file(mbtiles), "the basemap in place");
  EXPECT_FALSE(std::filesystem::exists(db)) << "no store is created for a refused basemap";
}

TEST(BasemapImport, TilemakerFailingLeavesTheBasemapInPlace) {
  TSUNAGI_REQUIRE_SHARED_DATA(extract, kExtract);
  REQUIRE_TILEMAKER();
  const TempDir dir;
  const auto db = dir / "town.db";
  const auto mbtiles = dir / "town.db.basemap.mbtiles";
  write_file(mbtiles, "the basemap in place");
  {
    // A download cut short: it starts like a PBF, and tilemaker fails on it.
    write_file(dir / "cut.osm.pbf", read_file(extract).substr(0, 30000));
    const auto r =
        run_tsunagi({"import", "--db", db.string(), "--basemap", (dir / "cut.osm.pbf").string()});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.err.find("tilemaker failed on"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was replaced"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(mbtiles), "the basemap in place");
  }
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

class BasemapServed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!shared_data(kExtract) || !has_tilemaker()) return;
    dir_ = new TempDir();
    const auto db = *dir_ / "li.db";
    { TinyTown town(db); }
    const auto r =
        run_tsunagi({"import", "--db", db.string(), "--basemap", shared_data(kExtract)->string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    server_ = new ServerProcess({"--db", db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->stop(SIGTERM), 0);
    }
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!shared_data(kExtract)) GTEST_SKIP() << shared_data_skip_message(kExtract);
    if (!has_tilemaker()) GTEST_SKIP() << "tilemaker is not installed (scripts/setup installs it)";
    ASSERT_NE(server_, nullptr);
  }
  static HttpResult get(const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpClient c(server_->host(), server_->port());
    return c.get(target, headers);
  }
  static TempDir* dir_;
  static ServerProcess* server_;
};
TempDir* BasemapServed::dir_ = nullptr;
ServerProcess* BasemapServed::server_ = nullptr;

std::string tile_url(const tiles::TileId& t) {
  return "/tiles/basemap/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
         std::to_string(t.y) + ".mvt";
}

TEST_F(BasemapServed, ATileOverVaduzHoldsRoadsWaterAndPlacesAsGdalReadsThem) {
  const auto t = tiles::tile_at(9.521, 47.141, 14);  // the basemap's deepest zoom
  const auto r = get(tile_url(t));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/vnd.mapbox-vector-tile");
  EXPECT_EQ(r.header("content-encoding"), "");  // not asked for gzip: inflated here
  const auto features = decode_tile(r.body, t.z, t.x, t.y);
  std::map<std::string, int> per_layer;
  std::set<std::string> road_classes;
  std::set<std::string> names;
  for (const auto& f : features) {
    ++per_layer[f.layer];
    if (f.layer == "transportation" && f.props.contains("class")) {
      road_classes.insert(f.props.at("class"));
    }
    if (f.props.contains("name:latin")) names.insert(f.props.at("name:latin"));
  }
  EXPECT_GT(per_layer["transportation"], 20);
  EXPECT_TRUE(road_classes.contains("primary") || road_classes.contains("secondary"));
  EXPECT_GT(per_layer["waterway"] + per_layer["water"], 0);
  EXPECT_GT(per_layer["place"], 0);
  EXPECT_GT(per_layer["transportation_name"], 0);
  EXPECT_TRUE(names.contains("Vaduz")) << "the place label of Vaduz";
  // The same tile gzip-compressed as stored, the same features.
  const auto gz = get(tile_url(t), {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_LT(gz.body.size(), r.body.size());
  EXPECT_EQ(gunzip(gz.body), r.body);
  // Revalidation, and the public caching of OpenStreetMap data.
  const std::string etag = r.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(get(tile_url(t), {{"If-None-Match", etag}}).status, 304);
  EXPECT_NE(r.header("cache-control").find("public"), std::string::npos);
}

TEST_F(BasemapServed, EmptyTilesAre204AndDeeperZoomsAreLeftToTheClient) {
  EXPECT_EQ(get("/tiles/basemap/14/0/0.mvt").status, 204);  // the Pacific: nothing mapped
  const auto deep = get(tile_url(tiles::tile_at(9.521, 47.141, 15)));
  EXPECT_EQ(deep.status, 404);
  EXPECT_NE(deep.body.find("tiles up to zoom 14"), std::string::npos) << deep.body;
  EXPECT_EQ(get("/tiles/basemap/14/99999/0.mvt").status, 400);
  EXPECT_EQ(get("/tiles/basemap/14/1/1.png").status, 404);
}

TEST_F(BasemapServed, TileJsonStyleAndMetaDescribeIt) {
  const auto tj = get("/tiles/basemap.json");
  ASSERT_EQ(tj.status, 200) << tj.body;
  const json j = json::parse(tj.body);
  EXPECT_EQ(j["maxzoom"], 14);
  std::set<std::string> ids;
  for (const auto& l : j["vector_layers"]) ids.insert(l["id"].get<std::string>());
  for (const char* id : {"transportation", "water", "waterway", "place", "building"}) {
    EXPECT_TRUE(ids.contains(id)) << id;
  }
  EXPECT_NE(j["tiles"][0].get<std::string>().find("/tiles/basemap/{z}/{x}/{y}.mvt"),
            std::string::npos);

  const auto st = get("/tiles/basemap/style.json");
  ASSERT_EQ(st.status, 200) << st.body;
  const json style = json::parse(st.body);
  EXPECT_EQ(style["version"], 8);
  // Nothing from outside: no glyphs or sprite URL (labels are drawn from local fonts), and the
  // only source is this server's tiles.
  EXPECT_FALSE(style.contains("glyphs"));
  EXPECT_FALSE(style.contains("sprite"));
  ASSERT_EQ(style["sources"].size(), 1U);
  const std::string tiles = style["sources"]["basemap"]["tiles"][0];
  EXPECT_EQ(tiles.rfind("http://" + server_->host() + ":" + std::to_string(server_->port()), 0), 0U)
      << tiles;
  bool japanese_label = false;
  for (const auto& l : style["layers"]) {
    if (l["type"] == "symbol" &&
        l["layout"]["text-field"].dump().find("name:ja") != std::string::npos) {
      japanese_label = true;
    }
  }
  EXPECT_TRUE(japanese_label);

  const json meta = json::parse(get("/api/meta").body);
  ASSERT_TRUE(meta["basemap"].is_object()) << meta.dump();
  EXPECT_EQ(meta["basemap"]["use"], "primary");
}

TEST(BasemapDemoTown, ItsStreetsRiverAndStationBecomeItsBasemap) {
  REQUIRE_TILEMAKER();
  const TempDir dir;
  const auto db = dir / "demo.db";
  const auto osm = dir / "demo.osm.pbf";
  ASSERT_EQ(run_tsunagi({"demo", "--db", db.string(), "--as-of", "2026-04-01"}).exit_code, 0);
  const auto w = run_tsunagi({"demo", "--osm", osm.string()});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const auto r = run_tsunagi({"import", "--db", db.string(), "--basemap", osm.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("clipped to the store's municipalities"), std::string::npos) << r.out;
  ServerProcess server({"--db", db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  // Every z14 tile of the town, its features by layer and their names.
  const json tj = json::parse(c.get("/tiles/basemap.json").body);
  const auto sw = tiles::tile_at(tj["bounds"][0].get<double>(), tj["bounds"][1].get<double>(), 14);
  const auto ne = tiles::tile_at(tj["bounds"][2].get<double>(), tj["bounds"][3].get<double>(), 14);
  std::map<std::string, std::set<std::string>> names;  // layer → names
  std::map<std::string, int> per_layer;
  for (std::uint32_t x = sw.x; x <= ne.x; ++x) {
    for (std::uint32_t y = ne.y; y <= sw.y; ++y) {
      const auto t = c.get(tile_url({14, x, y}));
      if (t.status == 204) continue;
      ASSERT_EQ(t.status, 200) << t.body;
      for (const auto& f : decode_tile(t.body, 14, x, y)) {
        ++per_layer[f.layer];
        if (f.props.contains("name:latin")) names[f.layer].insert(f.props.at("name:latin"));
      }
    }
  }
  EXPECT_GT(per_layer["transportation"], 1000);
  EXPECT_TRUE(names["transportation_name"].contains("駅前通り"));
  EXPECT_TRUE(names["transportation_name"].contains("西橋"));
  EXPECT_TRUE(names["waterway"].contains("つなぎ川"));
  EXPECT_GT(per_layer["water"], 0);
  EXPECT_TRUE(names["poi"].contains("つなぎ駅"));
  EXPECT_TRUE(names["place"].contains("駅前一丁目"));
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(BasemapExport, TheMbtilesExportCarriesTheBasemapWhenAskedTo) {
  REQUIRE_TILEMAKER();
  const TempDir dir;
  const auto db = dir / "demo.db";
  const auto osm = dir / "demo.osm.pbf";
  ASSERT_EQ(run_tsunagi({"demo", "--db", db.string(), "--as-of", "2026-04-01"}).exit_code, 0);
  {
    const auto none = run_tsunagi({"export", "--db", db.string(), "--format", "mbtiles", "--out",
                                   (dir / "x.mbtiles").string(), "--with-basemap"});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("--with-basemap: there is no basemap at"), std::string::npos)
        << none.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.mbtiles"));
  }
  ASSERT_EQ(run_tsunagi({"demo", "--osm", osm.string()}).exit_code, 0);
  ASSERT_EQ(run_tsunagi({"import", "--db", db.string(), "--basemap", osm.string()}).exit_code, 0);
  const auto out = dir / "town.mbtiles";
  const auto r = run_tsunagi({"export", "--db", db.string(), "--format", "mbtiles", "--out",
                              out.string(), "--max-zoom", "14", "--with-basemap"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Read back by GDAL's MBTiles driver at z14: the basemap's layers beside tsunagi's own.
  GDALAllRegister();
  const char* options[] = {"ZOOM_LEVEL=14", nullptr};
  GDALDatasetH ds = GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, options, nullptr);
  ASSERT_NE(ds, nullptr) << CPLGetLastErrorMsg();
  std::map<std::string, GIntBig> counts;
  for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
    OGRLayerH l = GDALDatasetGetLayer(ds, i);
    counts[OGR_L_GetName(l)] = OGR_L_GetFeatureCount(l, TRUE);
  }
  GDALClose(ds);
  EXPECT_GT(counts["transportation"], 100);
  EXPECT_GT(counts["waterway"], 0);
  EXPECT_GT(counts["resources"], 0);
  EXPECT_GT(counts["areas"], 0);
}

TEST(BasemapAbsent, NoBasemapMeans404AndNoneInMetaAndLocalRefusesToStart) {
  const TempDir dir;
  const auto db = dir / "town.db";
  { TinyTown town(db); }
  {
    ServerProcess server({"--db", db.string(), "--port", "0"});
    HttpClient c(server.host(), server.port());
    const auto t = c.get("/tiles/basemap/14/8625/5753.mvt");
    EXPECT_EQ(t.status, 404);
    EXPECT_NE(t.body.find("tsunagi import --db FILE --basemap"), std::string::npos) << t.body;
    EXPECT_EQ(c.get("/tiles/basemap.json").status, 404);
    EXPECT_TRUE(json::parse(c.get("/api/meta").body)["basemap"].is_null());
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
  const auto r = run_tsunagi({"serve", "--db", db.string(), "--port", "0", "--basemap", "local"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("basemap = local, but there is no basemap at"), std::string::npos) << r.err;
}

// Without an extract: the demo town's store holds its walking network and no basemap MBTiles,
// and the real binary serves the network's streets as the basemap (tiles/network_layer).
TEST(BasemapFromTheWalkingNetwork, AStoreWithANetworkAndNoExtractServesItsStreets) {
  const TempDir dir;
  const auto db = dir / "demo.db";
  ASSERT_EQ(run_tsunagi({"demo", "--db", db.string(), "--as-of", "2026-04-01"}).exit_code, 0);
  ASSERT_FALSE(std::filesystem::exists(dir / "demo.db.basemap.mbtiles"));
  ServerProcess server({"--db", db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  const json meta = json::parse(c.get("/api/meta").body);
  ASSERT_TRUE(meta["basemap"].is_object()) << meta.dump();
  EXPECT_EQ(meta["basemap"]["kind"], "network");
  EXPECT_EQ(meta["basemap"]["use"], "fallback");
  // The TileJSON says what it is and credits the network's source.
  const auto tj = c.get("/tiles/basemap.json");
  ASSERT_EQ(tj.status, 200) << tj.body;
  const json j = json::parse(tj.body);
  EXPECT_NE(j["description"].get<std::string>().find("walking network"), std::string::npos);
  EXPECT_NE(j["attribution"].get<std::string>().find("つなぎ町（架空）の生成した道路"),
            std::string::npos)
      << j["attribution"];
  EXPECT_EQ(j["vector_layers"][0]["id"], "transportation");
  EXPECT_EQ(j["maxzoom"], 14);
  // A tile over the town centre: street lines, as GDAL reads them.
  const auto t = tiles::tile_at(133.622, 35.097, 14);
  const auto r = c.get(tile_url(t));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/vnd.mapbox-vector-tile");
  int lines = 0;
  for (const auto& f : decode_tile(r.body, t.z, t.x, t.y)) {
    EXPECT_EQ(f.layer, "transportation");
    if (f.type == "Line String" || f.type == "Multi Line String") ++lines;
  }
  EXPECT_GT(lines, 100);
  const auto gz = c.get(tile_url(t), {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(gz.body), r.body);
  EXPECT_EQ(c.get(tile_url(t), {{"If-None-Match", r.header("etag")}}).status, 304);
  // Outside the town nothing; deeper than z14 left to the client.
  EXPECT_EQ(c.get(tile_url(tiles::tile_at(139.70, 35.69, 14))).status, 204);
  EXPECT_EQ(c.get(tile_url(tiles::tile_at(133.622, 35.097, 15))).status, 404);
  // The style draws the streets in grey, from this server only.
  const json style = json::parse(c.get("/tiles/basemap/style.json").body);
  EXPECT_FALSE(style.contains("glyphs"));
  bool grey_streets = false;
  for (const auto& l : style["layers"]) {
    if (l["id"] == "bm-road") {
      const std::string color = l["paint"]["line-color"];
      grey_streets = color.size() == 7 && color.substr(1, 2) == color.substr(3, 2) &&
                     color.substr(3, 2) == color.substr(5, 2);
    }
  }
  EXPECT_TRUE(grey_streets) << style.dump();
  EXPECT_EQ(server.stop(SIGTERM), 0);
  // `basemap = off`: none at all.
  ServerProcess off({"--db", db.string(), "--port", "0", "--basemap", "off"});
  HttpClient o(off.host(), off.port());
  EXPECT_EQ(o.get(tile_url(t)).status, 404);
  EXPECT_TRUE(json::parse(o.get("/api/meta").body)["basemap"].is_null());
  EXPECT_EQ(off.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tsunagi::test
