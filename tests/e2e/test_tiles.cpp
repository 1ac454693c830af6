// Vector tiles from the real server, decoded with GDAL's MVT reader: the same resources as the
// features API for the same area, fresh after an edit (new content, new ETag, without waiting),
// filters and cluster counts that agree with numberMatched, gzip and 304, 204 for empty tiles,
// clear 4xx for bad paths, and the MBTiles export read back by GDAL.
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/server_town.hpp"
#include "support/mvt_reader.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class Tiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    {
      TinyTown town(town_->db);
      town.add_area("municipality:000001", geo::AreaKind::municipality, "つなぎ町（架空）",
                    "POLYGON((133.60 35.08,133.70 35.08,133.70 35.13,133.60 35.13,133.60 35.08))",
                    133.65, 35.10);
      town.add_area(
          "chome:demo-1", geo::AreaKind::chome, "本町一丁目",
          "POLYGON((133.63 35.095,133.66 35.095,133.66 35.11,133.63 35.11,133.63 35.095))", 133.645,
          35.10);
      // Census figures (public) and a municipality's own count (planners and up, small-cell
      // rule: 6 < 10 is suppressed).
      geo::StatDef pop;
      pop.key = "population";
      pop.label = "人口総数";
      geo::StatDef old = pop;
      old.key = "aged_65";
      old.label = "65歳以上人口";
      geo::StatDef own = pop;
      own.key = "care_certified";
      own.label = "要介護認定者数";
      own.own_data = true;
      own.publish = geo::PublishLevel::partners;
      auto value = [](const std::string& key, double v) {
        geo::StatValue s;
        s.area_id = "chome:demo-1";
        s.key = key;
        s.ref_date = "2020-10-01";
        s.value = v;
        return s;
      };
      town.store().put_stats({pop, old, own}, {value("population", 1200), value("aged_65", 400),
                                               value("care_certified", 6)});
      // A crowd of サロン so that filters and clusters have something to count.
      for (int i = 0; i < 60; ++i) {
        town.add("サロン" + std::to_string(i), geo::ResourceKind::kayoi_no_ba, 133.60 + 0.0016 * i,
                 35.09 + 0.0006 * (i % 40), [&](geo::Resource& r) {
                   r.barrier_free.step_free = i % 3 == 0;
                   r.schedules.push_back(geo::parse_schedule(
                       i % 2 == 0 ? "毎週水曜日 13:30〜15:00" : "毎週金曜日 10:00〜11:30"));
                 });
      }
    }
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }

  static HttpResult get(const std::string& target, const std::string& role = "public",
                        std::vector<std::pair<std::string, std::string>> extra = {}) {
    HttpClient c(server_->host(), server_->port());
    auto h = bearer(*town_, role);
    h.insert(h.end(), extra.begin(), extra.end());
    return c.get(target, h);
  }
  /// The features of one tile as GDAL reads them (it clips to the tile: buffer features drop).
  static std::vector<DecodedFeature> features(const std::string& layer, const tiles::TileId& t,
                                              const std::string& query = "",
                                              const std::string& role = "public") {
    const auto r = get(tile_path(layer, t, query), role);
    if (r.status == 204) return {};
    EXPECT_EQ(r.status, 200) << r.body;
    return decode_tile(r.body, t.z, t.x, t.y);
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* Tiles::dir_ = nullptr;
Town* Tiles::town_ = nullptr;
ServerProcess* Tiles::server_ = nullptr;

// EPSG:3857 "POINT (x y)" → lon/lat.
std::pair<double, double> lonlat_of(const std::string& wkt) {
  double x = 0;
  double y = 0;
  EXPECT_EQ(std::sscanf(wkt.c_str(), "POINT (%lf %lf)", &x, &y), 2) << wkt;
  const auto ll = tiles::mercator_to_lonlat(x, y);
  return {ll.x, ll.y};
}

// One tile unit at zoom z, in EPSG:3857 metres.
double unit_m(std::uint32_t z) {
  return 2 * tiles::kOriginShift / std::ldexp(1.0, static_cast<int>(z)) / 4096;
}

TEST_F(Tiles, ATileHoldsWhatTheFeaturesApiListsForItsArea) {
  for (const std::string role : {"public", "coordinator"}) {
    for (std::uint32_t z : {13U, 15U, 17U}) {
      const auto t = tiles::tile_at(133.6401, 35.1001, z);  // the cafe's tile, and around it
      const auto b = tiles::tile_bounds(t);
      const json api = json::parse(get("/api/resources?limit=1000&bbox=" + std::to_string(b.west) +
                                           "," + std::to_string(b.south) + "," +
                                           std::to_string(b.east) + "," + std::to_string(b.north),
                                       role)
                                       .body);
      std::map<std::string, std::pair<double, double>> expected;
      for (const auto& f : api["features"]) {
        expected[f["id"].get<std::string>()] = {f["geometry"]["coordinates"][0].get<double>(),
                                                f["geometry"]["coordinates"][1].get<double>()};
      }
      std::map<std::string, std::pair<double, double>> drawn;
      for (const auto& f : features("resources", t, "", role))
        drawn[f.props.at("id")] = lonlat_of(f.wkt);
      std::set<std::string> a;
      std::set<std::string> d;
      for (const auto& [id, p] : expected) a.insert(id);
      for (const auto& [id, p] : drawn) d.insert(id);
      // Points exactly on the tile's edge may round into the neighbour's side: allow those.
      for (const auto& id : a) {
        if (d.count(id) == 0) {
          const auto [lon, lat] = expected[id];
          const auto m = tiles::lonlat_to_mercator(lon, lat);
          const auto mb = tiles::tile_bounds_3857(t);
          const double edge =
              std::min({m.x - mb.min_x, mb.max_x - m.x, m.y - mb.min_y, mb.max_y - m.y});
          EXPECT_LT(edge, unit_m(z)) << role << " z" << z << ": " << id << " is missing";
        }
      }
      for (const auto& id : d) EXPECT_EQ(a.count(id), 1U) << role << " z" << z << " " << id;
      ASSERT_FALSE(d.empty()) << role << " z" << z;
      for (const auto& [id, p] : drawn) {
        if (expected.count(id) == 0) continue;
        const auto m1 = tiles::lonlat_to_mercator(p.first, p.second);
        const auto m2 = tiles::lonlat_to_mercator(expected[id].first, expected[id].second);
        EXPECT_LE(std::hypot(m1.x - m2.x, m1.y - m2.y), unit_m(z))
            << id << " is drawn more than a tile unit away at z" << z;
      }
    }
  }
}

TEST_F(Tiles, AnEditShowsOnTheNextTileWithANewTag) {
  const auto id = town_->ids.at("cafe");
  const auto t = tiles::tile_at(133.640, 35.100, 16);
  const auto before = get(tile_path("resources", t), "coordinator");
  ASSERT_EQ(before.status, 200);
  const std::string tag = before.header("etag");
  ASSERT_FALSE(tag.empty());
  EXPECT_EQ(get(tile_path("resources", t), "coordinator", {{"If-None-Match", tag}}).status, 304);
  const auto area_tile = tiles::tile_at(133.645, 35.10, 14);
  const auto area_before = get(tile_path("areas", area_tile));
  ASSERT_EQ(area_before.status, 200);
  const json health_before = json::parse(get("/health", "coordinator").body)["tile_cache"];

  HttpClient c(server_->host(), server_->port());
  const auto cur = c.get("/api/resources/" + id, bearer(*town_, "coordinator"));
  json props = json::parse(cur.body)["properties"];
  props["name"] = "まちのかふぇ（改称）";
  auto h = bearer(*town_, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("If-Match", cur.header("etag"));
  ASSERT_EQ(c.request("PUT", "/api/resources/" + id, h, props.dump()).status, 200);

  // No waiting: the very next request.
  const auto after = get(tile_path("resources", t), "coordinator", {{"If-None-Match", tag}});
  EXPECT_EQ(after.status, 200) << "the old tag no longer matches";
  EXPECT_NE(after.header("etag"), tag);
  bool renamed = false;
  for (const auto& f : decode_tile(after.body, t.z, t.x, t.y)) {
    if (f.props.at("id") == id) renamed = f.props.at("name") == "まちのかふぇ（改称）";
  }
  EXPECT_TRUE(renamed);
  // The public sees it too (its view changed), and the area tile was not thrown away.
  bool public_renamed = false;
  for (const auto& f : features("resources", t)) {
    if (f.props.at("id") == id) public_renamed = f.props.at("name") == "まちのかふぇ（改称）";
  }
  EXPECT_TRUE(public_renamed);
  const auto area_after = get(tile_path("areas", area_tile));
  EXPECT_EQ(area_after.header("etag"), area_before.header("etag"));
  const json health_after = json::parse(get("/health", "coordinator").body)["tile_cache"];
  EXPECT_FALSE(json::parse(get("/health").body).contains("tile_cache"))
      << "the cache's figures move with what staff look at: not the public's";
  EXPECT_GT(health_after["hits"].get<int>(), health_before["hits"].get<int>())
      << "the area tile came from the cache";
}

TEST_F(Tiles, FilteredTilesAndClustersAgreeWithNumberMatched) {
  for (const std::string filter : {"kind=kayoi_no_ba", "kind=kayoi_no_ba&barrier_free=true",
                                   "open=%E6%B0%B4%E6%9B%9C%E3%81%AE%E5%8D%88%E5%BE%8C",
                                   "q=%E3%82%B5%E3%83%AD%E3%83%B31", "has_vacancy=true"}) {
    const auto matched =
        json::parse(get("/api/resources?limit=0&" + filter).body)["numberMatched"].get<int>();
    ASSERT_GT(matched, 0) << filter;
    for (std::uint32_t z : {6U, 9U, 11U, 14U}) {
      const auto r = tiles::tiles_covering({133.59, 35.08, 133.71, 35.13}, z);
      int counted = 0;
      std::set<std::string> points;
      for (auto x = r.min_x; x <= r.max_x; ++x) {
        for (auto y = r.min_y; y <= r.max_y; ++y) {
          for (const auto& f : features("resources", tiles::make_tile(z, x, y), filter)) {
            if (f.props.count("cluster") != 0) {
              counted += std::stoi(f.props.at("count"));
            } else {
              points.insert(f.props.at("id"));
            }
          }
        }
      }
      EXPECT_EQ(counted + static_cast<int>(points.size()), matched) << filter << " z" << z;
    }
  }
  // The TileJSON carries the filter into its tile URL, canonically ordered.
  const json tj = json::parse(get("/tiles/resources.json?kind=kayoi_no_ba&barrier_free=true").body);
  EXPECT_EQ(tj["tilejson"], "3.0.0");
  const std::string url = tj["tiles"][0];
  EXPECT_NE(url.find("/tiles/resources/{z}/{x}/{y}.mvt?barrier_free=true&kind=kayoi_no_ba"),
            std::string::npos)
      << url;
  EXPECT_EQ(tj["vector_layers"][0]["id"], "resources");
}

TEST_F(Tiles, AreaTilesCarryTheMunicipalityAndPopulationFields) {
  const auto t = tiles::tile_at(133.645, 35.10, 13);
  std::set<std::string> kinds;
  for (const auto& f : features("areas", t)) {
    kinds.insert(f.props.at("kind"));
    EXPECT_TRUE(geo::Geometry::from_wkt(f.wkt).is_valid()) << f.wkt;
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"chome", "municipality"}));
  const json tj = json::parse(get("/tiles/areas.json").body);
  EXPECT_TRUE(tj["vector_layers"][0]["fields"].contains("population"));
  EXPECT_TRUE(tj["vector_layers"][0]["fields"].contains("aging_rate"));
  EXPECT_FALSE(tj["vector_layers"][0]["fields"].contains("care_certified"))
      << "the public is not told that an internal figure exists";
  EXPECT_TRUE(
      json::parse(get("/tiles/areas.json", "planner").body)["vector_layers"][0]["fields"].contains(
          "care_certified"));
}

TEST_F(Tiles, AreaTilesCarryIndicatorsAndTheSmallCellRuleHolds) {
  const auto t = tiles::tile_at(133.645, 35.10, 14);
  auto chome_of = [&](const std::string& role) {
    for (auto& f : features("areas", t, "fields=all", role)) {
      if (f.props.at("id") == "chome:demo-1") return f.props;
    }
    ADD_FAILURE() << "no chome in the tile for " << role;
    return std::map<std::string, std::string>{};
  };
  const auto pub = chome_of("public");
  EXPECT_EQ(pub.at("population"), "1200");
  EXPECT_NEAR(std::stod(pub.at("aging_rate")), 400.0 / 1200, 1e-9);
  EXPECT_FALSE(pub.contains("care_certified"));
  EXPECT_FALSE(pub.contains("care_certified_status"));
  for (const std::string role : {"planner", "coordinator"}) {
    const auto staff = chome_of(role);
    EXPECT_FALSE(staff.contains("care_certified")) << role << ": 6 is below the threshold";
    EXPECT_EQ(staff.at("care_certified_status"), "suppressed") << role;
  }
  // The same rule in the API: the area's feature in the OGC API.
  const json pub_api =
      json::parse(get("/ogc/collections/areas/items/chome:demo-1?f=json").body)["properties"];
  EXPECT_EQ(pub_api["population"], 1200);
  EXPECT_FALSE(pub_api.contains("care_certified"));
  EXPECT_FALSE(pub_api.contains("care_certified_status"));
  const json staff_api = json::parse(
      get("/ogc/collections/areas/items/chome:demo-1?f=json", "planner").body)["properties"];
  EXPECT_TRUE(staff_api["care_certified"].is_null()) << staff_api.dump();
  EXPECT_EQ(staff_api["care_certified_status"], "suppressed");
}

// A boundary map gets boundaries, a choropleth the one figure it colours by: area tiles carry
// the figures named in fields= and none without it, so their size does not grow with the
// statistics table.
TEST_F(Tiles, AreaTilesCarryOnlyTheFiguresAskedFor) {
  const auto t = tiles::tile_at(133.645, 35.10, 14);
  const auto chome = [&](const std::string& query) {
    for (auto& f : features("areas", t, query)) {
      if (f.props.at("id") == "chome:demo-1") return f.props;
    }
    ADD_FAILURE() << "no chome in the tile for " << query;
    return std::map<std::string, std::string>{};
  };
  const auto plain = chome("");
  EXPECT_EQ(plain.at("kind"), "chome");
  EXPECT_EQ(plain.at("name").empty(), false);
  EXPECT_FALSE(plain.contains("population"));
  EXPECT_FALSE(plain.contains("aging_rate"));
  const auto one = chome("fields=aging_rate");
  EXPECT_NEAR(std::stod(one.at("aging_rate")), 400.0 / 1200, 1e-9);
  EXPECT_FALSE(one.contains("population"));
  const auto two = chome("fields=population,aging_rate");
  EXPECT_EQ(two.at("population"), "1200");
  EXPECT_TRUE(two.contains("aging_rate"));
  EXPECT_EQ(chome("fields=all").at("population"), "1200");

  // The TileJSON hands the choice on to its tiles and still lists every figure one may ask for.
  const json tj = json::parse(get("/tiles/areas.json?fields=aging_rate").body);
  EXPECT_NE(tj["tiles"][0].get<std::string>().find("fields=aging_rate"), std::string::npos);
  EXPECT_TRUE(tj["vector_layers"][0]["fields"].contains("population"));

  const auto unknown = get(tile_path("areas", t, "fields=aging_rate,nosuch"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("nosuch"), std::string::npos) << unknown.body;
  EXPECT_NE(unknown.body.find("aging_rate"), std::string::npos) << "the keys one may ask for";
  EXPECT_EQ(get("/tiles/areas.json?fields=nosuch").status, 400);
}

// The map asks for points with their id and kind alone (fields=); a GIS labelling by name asks for
// name; without fields= a point carries every property its audience may see. The cache keeps each
// apart, whichever was asked first.
TEST_F(Tiles, ResourcePointsCarryOnlyThePropertiesAskedFor) {
  const auto t = tiles::tile_at(133.645, 35.102, 14);
  const auto points = [&](const std::string& query, const std::string& role = "public") {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (auto& f : features("resources", t, query, role)) {
      std::erase_if(f.props, [](const auto& kv) { return kv.second.empty(); });
      out[f.props.at("id")] = f.props;
    }
    return out;
  };
  const auto every = points("");
  const auto lean = points("fields=");
  const auto named = points("fields=name");
  ASSERT_GT(every.size(), 5U);
  ASSERT_EQ(lean.size(), every.size());
  ASSERT_EQ(named.size(), every.size());
  for (const auto& [id, p] : every) {
    EXPECT_TRUE(p.contains("name") && p.contains("barrier_free")) << id;
    EXPECT_EQ(lean.at(id),
              (std::map<std::string, std::string>{{"id", id}, {"kind", p.at("kind")}}));
    EXPECT_EQ(named.at(id), (std::map<std::string, std::string>{
                                {"id", id}, {"kind", p.at("kind")}, {"name", p.at("name")}}));
  }
  EXPECT_EQ(points(""), every) << "the lean tile did not take the full one's place in the cache";
  EXPECT_NE(get(tile_path("resources", t, "fields=")).header("etag"),
            get(tile_path("resources", t)).header("etag"));
  // Filters and fields together, in any order.
  const auto filtered = points("fields=name&kind=kayoi_no_ba");
  EXPECT_FALSE(filtered.empty());
  for (const auto& [id, p] : filtered) {
    EXPECT_EQ(p.at("kind"), "kayoi_no_ba");
    EXPECT_FALSE(p.contains("barrier_free")) << id;
  }

  // The TileJSON hands the choice on to its tiles and lists only what they carry.
  const json tj = json::parse(get("/tiles/resources.json?fields=&kind=ibasho").body);
  const std::string url = tj["tiles"][0].get<std::string>();
  EXPECT_NE(url.find("?fields=&kind=ibasho"), std::string::npos) << url;
  const json& listed = tj["vector_layers"][0]["fields"];
  EXPECT_TRUE(listed.contains("id") && listed.contains("kind") && listed.contains("count"));
  EXPECT_FALSE(listed.contains("name") || listed.contains("barrier_free")) << listed.dump();
  const std::string says = tj["vector_layers"][0]["description"].get<std::string>();
  EXPECT_NE(says.find("more than 1000 points"), std::string::npos) << "the budget: " << says;
  EXPECT_NE(says.find("fields="), std::string::npos) << says;
  EXPECT_TRUE(json::parse(get("/tiles/resources.json").body)["vector_layers"][0]["fields"].contains(
      "name"));

  // Staff's properties: the public cannot ask for them (told which it can), staff can.
  for (const std::string q : {"fields=publish", "fields=name,status", "fields=nosuch"}) {
    const auto r = get(tile_path("resources", t, q));
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_NE(r.body.find("name, activity, barrier_free, has_vacancy, unconfirmed"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(r.body.find("unconfirmed, publish"), std::string::npos) << r.body;
    EXPECT_EQ(get("/tiles/resources.json?" + q).status, 400) << q;
  }
  const auto staff = points("fields=publish", "coordinator");
  ASSERT_FALSE(staff.empty());
  for (const auto& [id, p] : staff) {
    EXPECT_TRUE(p.contains("publish")) << id;
    EXPECT_FALSE(p.contains("status") || p.contains("name")) << id;
  }
  for (const auto& [id, p] : points("fields=", "coordinator")) EXPECT_FALSE(p.contains("publish"));
}

TEST_F(Tiles, GzipWhenAcceptedAndTheSameTileEitherWay) {
  const auto path = tile_path("resources", tiles::tile_at(133.645, 35.102, 14));
  const auto plain = get(path);
  const auto gz = get(path, "public", {{"Accept-Encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gunzip(gz.body), plain.body);
  EXPECT_EQ(get(path, "public", {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding"), "");
  EXPECT_EQ(plain.header("content-type"), "application/vnd.mapbox-vector-tile");
  EXPECT_NE(plain.header("vary").find("Accept-Encoding"), std::string::npos);
  EXPECT_EQ(plain.header("cache-control"), "public, max-age=60");
  EXPECT_EQ(get(path, "coordinator").header("cache-control"), "private, no-cache");
  EXPECT_EQ(plain.header("access-control-allow-origin"), "*") << "a municipality's site embeds it";
  EXPECT_EQ(get(path, "coordinator").header("access-control-allow-origin"), "");
  EXPECT_EQ(get(path, "public", {{"If-None-Match", plain.header("etag")}}).status, 304);
}

TEST_F(Tiles, EmptyTilesAnswer204) {
  const auto ocean = get(tile_path("resources", tiles::tile_at(150.0, 30.0, 10)));
  EXPECT_EQ(ocean.status, 204);
  EXPECT_EQ(ocean.body, "");
  EXPECT_EQ(get(tile_path("areas", tiles::tile_at(150.0, 30.0, 10))).status, 204);
}

TEST_F(Tiles, BadPathsAndParametersGetClearErrors) {
  struct Case {
    std::string path;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"/tiles/resources/25/0/0.mvt", 400, "zoom"},
      {"/tiles/resources/99999999999/0/0.mvt", 400, "zoom"},
      {"/tiles/resources/3/8/0.mvt", 400, "x"},
      {"/tiles/resources/3/0/-1.mvt", 400, "y"},
      {"/tiles/resources/a/0/0.mvt", 400, "z"},
      {"/tiles/shelters/3/0/0.mvt", 404, "resources"},
      {"/tiles/resources/3/0/0.png", 404, ".mvt"},
      {"/tiles/resources.xml", 404, "TileJSON"},
      {"/tiles/nope.json", 404, "areas"},
      {"/tiles/resources/3/0/0.mvt?near=133,35", 400, "near"},
      {"/tiles/resources/3/0/0.mvt?kind=spaceship", 400, "kind"},
      {"/tiles/areas/3/0/0.mvt?kind=ibasho", 400, "kind"},
      {"/tiles/resources/3/0/0.mvt?q=%FF", 400, "UTF-8"},
  };
  for (const auto& c : cases) {
    const auto r = get(c.path);
    EXPECT_EQ(r.status, c.status) << c.path << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << c.path;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << c.path << ": " << r.body;
  }
}

TEST_F(Tiles, TheMbtilesExportHoldsThePublicLayersOnly) {
  const auto out = *dir_ / "town.mbtiles";
  const auto r = run_tsunagi({"export", "--db", town_->db.string(), "--format", "mbtiles", "--out",
                              out.string(), "--max-zoom", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tiles"), std::string::npos) << r.out;
  GDALAllRegister();
  const char* const options[] = {"ZOOM_LEVEL=16", nullptr};
  GDALDatasetUniquePtr ds(
      GDALDataset::Open(out.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options));
  ASSERT_TRUE(ds);
  std::set<std::string> ids;
  OGRLayer* layer = ds->GetLayerByName("resources");
  ASSERT_NE(layer, nullptr);
  for (const auto& f : *layer) ids.insert(f->GetFieldAsString("id"));
  const json pub = json::parse(get("/api/resources?limit=1000").body);
  std::set<std::string> expected;
  for (const auto& f : pub["features"]) expected.insert(f["id"].get<std::string>());
  EXPECT_EQ(ids, expected) << "every public resource, and nothing else";
  EXPECT_NE(ds->GetLayerByName("areas"), nullptr);
  const std::string bytes = read_file(out);
  for (const auto& s : secret_markers()) EXPECT_EQ(bytes.find(s), std::string::npos) << s;

  const auto bad = run_tsunagi({"export", "--db", town_->db.string(), "--format", "mbtiles",
                                "--out", out.string(), "--view", "internal"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("public view"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tsunagi::test
