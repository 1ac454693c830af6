// GET /api/geocode and GET /api/sources on the real server: the demo town's own address table,
// a Geolonia file imported with `tsunagi import --addresses` while the server runs, and the data
// credits each audience may see.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class GeocodeApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town();
    town_->db = *dir_ / "demo.db";
    const auto demo = run_tsunagi({"demo", "--db", town_->db.string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    add_users(*town_, {"coordinator"});
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }
  static HttpResult get(const std::string& target, const std::string& role = "public") {
    HttpClient c(server_->host(), server_->port());
    return c.get(target, bearer(*town_, role));
  }
  static json geocode(const std::string& q) {
    const auto r = get("/api/geocode?q=" + url_encode(q));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* GeocodeApi::dir_ = nullptr;
Town* GeocodeApi::town_ = nullptr;
ServerProcess* GeocodeApi::server_ = nullptr;

TEST_F(GeocodeApi, TheDemoTownGeocodesItsOwnAddresses) {
  const json exact = geocode("つなぎ町栄町3-5（架空）");
  ASSERT_FALSE(exact["matches"].empty());
  EXPECT_EQ(exact["matches"][0]["town"], "栄町");
  EXPECT_EQ(exact["matches"][0]["level"], "town");
  EXPECT_FALSE(exact["matches"][0]["approximate"].get<bool>());
  const json rough = geocode("つなぎ町栄町九丁目");
  ASSERT_FALSE(rough["matches"].empty());
  EXPECT_TRUE(rough["matches"][0]["approximate"].get<bool>());
  EXPECT_TRUE(geocode("どこにもない町")["matches"].empty());
}

TEST_F(GeocodeApi, RefusesWhatItCannotRead) {
  EXPECT_EQ(get("/api/geocode").status, 400);
  EXPECT_EQ(get("/api/geocode?q=").status, 400);
  EXPECT_EQ(get("/api/geocode?q=a&limit=99").status, 400);
  EXPECT_EQ(get("/api/geocode?q=a&bbox=1,2,3,4").status, 400);
  EXPECT_EQ(get("/api/geocode?q=%FF").status, 400);
}

TEST_F(GeocodeApi, AnImportedTableIsServedWithoutARestart) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "geolonia-addresses");
  const auto imported = run_tsunagi({"import", "--db", town_->db.string(), "--addresses",
                                     (dir / "鳥取県_八頭郡智頭町.json").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("42 address points imported"), std::string::npos) << imported.out;
  const json j = geocode("鳥取県八頭郡智頭町智頭");
  ASSERT_FALSE(j["matches"].empty()) << j.dump();
  EXPECT_EQ(j["matches"][0]["city"], "八頭郡智頭町");
  EXPECT_EQ(j["table_size"], 39 + 42);
  // The credits now name Geolonia, for everyone.
  const auto sources = get("/api/sources");
  ASSERT_EQ(sources.status, 200);
  EXPECT_NE(sources.body.find("Geolonia"), std::string::npos);
}

TEST_F(GeocodeApi, SourcesShowIdsToStaffOnly) {
  const json pub = json::parse(get("/api/sources").body);
  ASSERT_FALSE(pub["sources"].empty());
  for (const auto& s : pub["sources"]) EXPECT_FALSE(s.contains("id")) << s.dump();
  const json staff = json::parse(get("/api/sources", "coordinator").body);
  ASSERT_FALSE(staff["sources"].empty());
  EXPECT_TRUE(staff["sources"][0].contains("id"));
}

}  // namespace
}  // namespace tsunagi::test
