// OGC API – Features end to end with GDAL's own client: a store of a few hundred resources at every
// publish level, the real `tsunagi serve` on port 0, and ogrinfo/ogr2ogr through the OAPIF driver
// (layers, counts, a whole collection copied across pages, -spat → bbox, -where → a property
// filter). The public must never receive a non-public or closed resource.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi {
namespace {

using nlohmann::json;

bool have_ogrinfo() {
  try {
    return test::run_program({"ogrinfo", "--version"}).exit_code == 0;
  } catch (const std::exception&) {
    return false;
  }
}

struct Expected {
  std::set<std::string> public_kayoi;  ///< public, not closed
  std::set<std::string> hidden;        ///< everything the public must never get
  std::vector<geo::Resource> public_resources;
  std::size_t staff_kayoi = 0;  ///< what a coordinator sees: every level, not closed
};

/// A town of 330 resources: 通いの場 at every publish level and status, 居場所 (some in private
/// homes), 子ども食堂, and 参加支援 placements that are never public; two 町丁 polygons.
Expected build_town(const std::filesystem::path& db) {
  auto store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  Expected ex;
  geo::Store::Transaction tx(store);
  auto add = [&](geo::ResourceKind kind, int i, geo::PublishLevel publish,
                 geo::ResourceStatus status) {
    // A 20 × n grid around 岡山市北区, 0.005° apart.
    geo::Resource r = test::resource_at(
        std::string(geo::code_ja(kind)) + " " + std::to_string(i), kind, 133.85 + (i % 20) * 0.005,
        34.62 + (i / 20) * 0.005 + static_cast<int>(kind) * 0.0007, publish, status);
    if (kind == geo::ResourceKind::ibasho && i % 6 == 0) {
      r.venue = geo::VenueKind::private_home;
      r.address = "岡山市北区某町" + std::to_string(i);
    }
    if (kind == geo::ResourceKind::placement_site) r.offer = geo::PlacementOffer{};
    store.create(r, "test");
    if (kind == geo::ResourceKind::kayoi_no_ba && status != geo::ResourceStatus::closed) {
      ++ex.staff_kayoi;
    }
    const bool is_public =
        publish == geo::PublishLevel::public_ && status != geo::ResourceStatus::closed;
    if (is_public) {
      ex.public_resources.push_back(r);
      if (kind == geo::ResourceKind::kayoi_no_ba) ex.public_kayoi.insert(r.id);
    } else {
      ex.hidden.insert(r.id);
    }
  };
  for (int i = 0; i < 180; ++i) {
    const auto publish = i % 10 == 3   ? geo::PublishLevel::partners
                         : i % 10 == 7 ? geo::PublishLevel::internal
                                       : geo::PublishLevel::public_;
    const auto status = i % 15 == 4   ? geo::ResourceStatus::closed
                        : i % 15 == 9 ? geo::ResourceStatus::paused
                                      : geo::ResourceStatus::active;
    add(geo::ResourceKind::kayoi_no_ba, i, publish, status);
  }
  for (int i = 0; i < 60; ++i) {
    add(geo::ResourceKind::ibasho, i, geo::PublishLevel::public_, geo::ResourceStatus::active);
  }
  for (int i = 0; i < 40; ++i) {
    add(geo::ResourceKind::kodomo_shokudo, i, geo::PublishLevel::public_,
        geo::ResourceStatus::active);
  }
  for (int i = 0; i < 50; ++i) {
    add(geo::ResourceKind::placement_site, i,
        i % 2 == 0 ? geo::PublishLevel::partners : geo::PublishLevel::internal,
        geo::ResourceStatus::active);
  }
  for (int k = 0; k < 2; ++k) {
    geo::Area a;
    a.id = "chome:33101000" + std::to_string(k + 1);
    a.kind = geo::AreaKind::chome;
    a.code = "33101000" + std::to_string(k + 1);
    a.name = k == 0 ? "丸の内一丁目" : "丸の内二丁目";
    a.lg_code = "331015";
    const double x = 133.90 + k * 0.01;
    a.wkb = geo::Geometry::from_wkt("MULTIPOLYGON(((" + std::to_string(x) + " 34.66," +
                                    std::to_string(x + 0.01) + " 34.66," +
                                    std::to_string(x + 0.01) + " 34.67," + std::to_string(x) +
                                    " 34.67," + std::to_string(x) + " 34.66)))")
                .wkb();
    a.label_lon = x + 0.005;
    a.label_lat = 34.665;
    store.put_area(a);
  }
  tx.commit();
  return ex;
}

class OgcGdal : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // GDAL must talk to our server directly, whatever proxy the environment names.
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    if (!have_ogrinfo()) return;
    dir_ = new test::TempDir();
    expected_ = new Expected(build_town(*dir_ / "town.sqlite"));
    // A coordinator with an API token, to see what staff get through GDAL.
    const std::map<std::string, std::string> env{{"TSUNAGI_PWHASH", "minimum"},
                                                 {"TSUNAGI_PASSWORD", "correct horse battery"}};
    const auto db = (*dir_ / "town.sqlite").string();
    const auto add = test::run_tsunagi_env(
        {"user", "add", "--db", db, "--name", "coordinator", "--role", "coordinator"}, env);
    const auto tok = test::run_tsunagi_env(
        {"user", "token", "--db", db, "--name", "coordinator", "--label", "gdal"}, env);
    if (add.exit_code == 0 && tok.exit_code == 0) {
      token_ = tok.out.substr(0, tok.out.find_first_of("\r\n"));
    }
    server_ = new test::ServerProcess(
        {"--db", (*dir_ / "town.sqlite").string(), "--host", "127.0.0.1", "--port", "0"});
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->warnings().empty()) << server_->output();
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    delete server_;
    delete expected_;
    delete dir_;
    server_ = nullptr;
    expected_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "ogrinfo (package gdal-bin) is not installed";
  }
  static std::string oapif() {
    return "OAPIF:http://" + server_->host() + ":" + std::to_string(server_->port()) + "/ogc";
  }
  /// Whether the access log has a request for `path` whose query names `parameter` (the log
  /// keeps parameter names, never values).
  static bool logged(const std::string& path, const std::string& parameter) {
    const std::regex line("GET " + path + "\\?[^ ]*\\b" + parameter + "\\b[^ ]* 200");
    return std::regex_search(server_->output(), line);
  }

  /// Runs a GDAL tool; fails the test with its output when it does not succeed.
  static test::CommandResult gdal(const std::vector<std::string>& argv) {
    auto r = test::run_program(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[0] << " failed:\n" << r.out << r.err;
    return r;
  }
  /// ogr2ogr a layer to GeoJSON and read it back.
  static json copy_layer(const std::string& name, const std::vector<std::string>& extra = {}) {
    const auto out = *dir_ / (name + std::to_string(++copies_) + ".geojson");
    std::vector<std::string> argv{"ogr2ogr", "-f", "GeoJSON", out.string(), oapif(), name};
    argv.insert(argv.end(), extra.begin(), extra.end());
    gdal(argv);
    return json::parse(test::read_file(out));
  }
  static std::vector<std::string> ids_of(const json& fc) {
    std::vector<std::string> ids;
    for (const auto& f : fc["features"]) ids.push_back(f["properties"]["id"]);
    return ids;
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline Expected* expected_ = nullptr;
  static inline test::ServerProcess* server_ = nullptr;
  static inline int copies_ = 0;
  static inline std::string token_;
};

TEST_F(OgcGdal, OgrinfoListsTheLayersThePublicMaySee) {
  const auto r = gdal({"ogrinfo", "-ro", "-so", oapif()});
  for (const char* layer : {"kayoi_no_ba", "ibasho", "kodomo_shokudo", "areas"}) {
    EXPECT_NE(r.out.find(std::string(": ") + layer), std::string::npos) << layer << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("placement_site"), std::string::npos)
      << "placements are partners/internal only:\n"
      << r.out;
}

TEST_F(OgcGdal, OgrinfoReportsTheFeatureCountAndExtent) {
  const auto r = gdal({"ogrinfo", "-ro", "-al", "-so", oapif(), "kayoi_no_ba"});
  EXPECT_NE(r.out.find("Feature Count: " + std::to_string(expected_->public_kayoi.size())),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Geometry: Point"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Extent: (133.85"), std::string::npos) << r.out;
}

TEST_F(OgcGdal, Ogr2ogrCopiesAWholeCollectionAcrossPages) {
  // GDAL's default page is 10 features, so this follows a dozen next links.
  const json fc = copy_layer("kayoi_no_ba");
  const auto ids = ids_of(fc);
  EXPECT_GT(ids.size(), 100u);
  EXPECT_EQ(ids.size(), expected_->public_kayoi.size()) << "no duplicates, nothing missing";
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected_->public_kayoi);

  // Larger pages give the same set (numberMatched, limit and offset agree).
  const json big = copy_layer("kayoi_no_ba", {"-oo", "PAGE_SIZE=64"});
  const auto big_ids = ids_of(big);
  EXPECT_EQ(std::set<std::string>(big_ids.begin(), big_ids.end()), expected_->public_kayoi);
}

TEST_F(OgcGdal, NoNonPublicItemReachesThePublicThroughGdal) {
  std::set<std::string> seen;
  for (const char* layer : {"kayoi_no_ba", "ibasho", "kodomo_shokudo"}) {
    const json fc = copy_layer(layer);
    for (const auto& f : fc["features"]) {
      const auto& p = f["properties"];
      seen.insert(p["id"].get<std::string>());
      EXPECT_FALSE(p.contains("publish"))
          << "the public's view has no publish levels: " << p.dump();
      EXPECT_NE(p["status"], "closed") << p.dump();
      EXPECT_FALSE(p.contains("offer")) << "staff-only field: " << p.dump();
      EXPECT_FALSE(p.contains("note")) << "staff-only field: " << p.dump();
    }
  }
  for (const auto& id : expected_->hidden) EXPECT_EQ(seen.count(id), 0u) << id;
  EXPECT_EQ(seen.size(), expected_->public_resources.size());

  // Asking for a placement site by name gets nothing either.
  const auto r = test::run_program({"ogrinfo", "-ro", "-so", oapif(), "placement_site"});
  EXPECT_NE(r.exit_code, 0) << r.out;
}

TEST_F(OgcGdal, SpatialFilterBecomesBBoxAndReturnsTheRightSubset) {
  const double min_lon = 133.87, min_lat = 34.63, max_lon = 133.90, max_lat = 34.66;
  const json fc = copy_layer("ibasho", {"-spat", "133.87", "34.63", "133.90", "34.66"});
  std::set<std::string> expected;
  for (const auto& r : expected_->public_resources) {
    if (r.kind != geo::ResourceKind::ibasho) continue;
    double lon = r.lon, lat = r.lat;
    if (r.venue == geo::VenueKind::private_home) {  // served rounded to 0.001°
      lon = std::round(lon * 1000) / 1000;
      lat = std::round(lat * 1000) / 1000;
    }
    if (lon >= min_lon && lon <= max_lon && lat >= min_lat && lat <= max_lat) expected.insert(r.id);
  }
  const auto ids = ids_of(fc);
  EXPECT_GT(expected.size(), 5u) << "the box must select a real subset";
  EXPECT_LT(expected.size(), 60u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected);
  EXPECT_TRUE(logged("/ogc/collections/ibasho/items", "bbox"))
      << "GDAL must have sent bbox= (filtered by the server, not only client-side):\n"
      << server_->output();
}

TEST_F(OgcGdal, WhereOnAQueryableIsFilteredByTheServer) {
  const json fc = copy_layer("kayoi_no_ba", {"-where", "status = 'paused'"});
  std::set<std::string> expected;
  for (const auto& r : expected_->public_resources) {
    if (r.kind == geo::ResourceKind::kayoi_no_ba && r.status == geo::ResourceStatus::paused) {
      expected.insert(r.id);
    }
  }
  const auto ids = ids_of(fc);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), expected);
  EXPECT_TRUE(logged("/ogc/collections/kayoi_no_ba/items", "status"))
      << "GDAL should push status= down, as the OpenAPI document declares it:\n"
      << server_->output();
}

TEST_F(OgcGdal, StaffWithATokenSeeTheirLevelsThroughGdal) {
  ASSERT_FALSE(token_.empty()) << "tsunagi user add/token failed";
  const std::vector<std::string> auth{"--config", "GDAL_HTTP_HEADERS",
                                      "Authorization: Bearer " + token_};
  std::vector<std::string> argv{"ogrinfo", "-ro", "-so", oapif()};
  argv.insert(argv.end(), auth.begin(), auth.end());
  auto r = gdal(argv);
  EXPECT_NE(r.out.find(": placement_site"), std::string::npos) << r.out;
  argv = {"ogrinfo", "-ro", "-al", "-so", oapif(), "kayoi_no_ba"};
  argv.insert(argv.end(), auth.begin(), auth.end());
  r = gdal(argv);
  EXPECT_NE(r.out.find("Feature Count: " + std::to_string(expected_->staff_kayoi)),
            std::string::npos)
      << r.out;
  EXPECT_GT(expected_->staff_kayoi, expected_->public_kayoi.size());
}

TEST_F(OgcGdal, AreasComeAsMultiPolygons) {
  const auto r = gdal({"ogrinfo", "-ro", "-al", "-so", oapif(), "areas"});
  EXPECT_NE(r.out.find("Feature Count: 2"), std::string::npos) << r.out;
  const json fc = copy_layer("areas");
  ASSERT_EQ(fc["features"].size(), 2u);
  EXPECT_EQ(fc["features"][0]["geometry"]["type"], "MultiPolygon");
  EXPECT_EQ(fc["features"][0]["properties"]["name"], "丸の内一丁目");
}

}  // namespace
}  // namespace tsunagi
