// The resources API against the real server: what the public may and may not see, Japanese
// search, filters, distance order, paging, optimistic concurrency, closing and history.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class ServerResources : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
    delete server_;
    delete town_;
    delete dir_;
  }
  static std::vector<std::string> names(const json& fc) {
    std::vector<std::string> out;
    for (const auto& f : fc["features"]) out.push_back(f["properties"]["name"].get<std::string>());
    return out;
  }
  json get_json(const std::string& target, const std::string& role = "public") {
    HttpClient c(server_->host(), server_->port());
    const auto r = c.get(target, bearer(*town_, role));
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* ServerResources::dir_ = nullptr;
Town* ServerResources::town_ = nullptr;
ServerProcess* ServerResources::server_ = nullptr;

TEST_F(ServerResources, ThePublicNeverSeesNonPublicResourcesOrStaffFields) {
  HttpClient c(server_->host(), server_->port());
  const std::vector<std::string> targets = {
      "/api/resources",
      "/api/resources?limit=1000",
      "/api/resources?status=active,paused,closed",
      "/api/resources?kind=placement_site,sodan_shien_other",
      "/api/resources?q=" + url_encode("SECRET"),
      "/api/resources?q=" + url_encode("受入れ先"),
      "/api/resources?near=133.646,35.103",
      "/api/resources?bbox=133.6,35.0,133.7,35.2",
      "/api/resources/" + town_->ids.at("partners"),
      "/api/resources/" + town_->ids.at("internal"),
      "/api/resources/" + town_->ids.at("internal") + "/history",
      "/api/resources/" + town_->ids.at("farm"),
      "/health",
  };
  for (const auto& t : targets) {
    const auto r = c.get(t);
    EXPECT_NE(r.status, 500) << t;
    for (const auto& secret : secret_markers()) {
      EXPECT_EQ(r.body.find(secret), std::string::npos) << t << " leaks " << secret;
    }
  }
  const json all = get_json("/api/resources?status=active,paused,closed&limit=1000");
  for (const auto& f : all["features"]) {
    EXPECT_FALSE(f["properties"].contains("publish")) << "the public's view has no levels";
    EXPECT_NE(f["properties"]["status"], "closed");
    EXPECT_FALSE(f["properties"].contains("offer") && !f["properties"]["offer"].is_null());
    EXPECT_FALSE(f["properties"].contains("note") && !f["properties"]["note"].is_null() &&
                 !f["properties"]["note"].get<std::string>().empty());
  }
  // The public count on /health counts only what the public may see: cafe, kominkan, farm.
  EXPECT_EQ(get_json("/health")["resources"], 3);
}

TEST_F(ServerResources, StaffSeeWhatTheirRoleAllows) {
  const auto planner = names(get_json("/api/resources?limit=1000", "planner"));
  EXPECT_NE(std::find(planner.begin(), planner.end(), "相談窓口 SECRET-PARTNERS"), planner.end());
  EXPECT_EQ(std::find(planner.begin(), planner.end(), "受入れ先 SECRET-INTERNAL"), planner.end());
  const auto coord = names(get_json("/api/resources?limit=1000", "coordinator"));
  EXPECT_NE(std::find(coord.begin(), coord.end(), "受入れ先 SECRET-INTERNAL"), coord.end());
  const json farm = get_json("/api/resources/" + town_->ids.at("farm"), "matcher");
  EXPECT_EQ(farm["properties"]["offer"]["slots_open"], 1);
}

TEST_F(ServerResources, KatakanaSearchFindsHiraganaNamesWithUrlEncodedInput) {
  // カフェ (katakana, URL-encoded UTF-8) finds まちのかふぇ (hiragana).
  const json r = get_json("/api/resources?q=" + url_encode("カフェ"));
  EXPECT_EQ(names(r), std::vector<std::string>{"まちのかふぇ"});
  // Half-width katakana too.
  EXPECT_EQ(names(get_json("/api/resources?q=" + url_encode("ｶﾌｪ"))),
            std::vector<std::string>{"まちのかふぇ"});
  // Two words must both match.
  EXPECT_EQ(get_json("/api/resources?q=" + url_encode("かふぇ 公民館"))["numberMatched"], 0);
}

TEST_F(ServerResources, FiltersOpenWindowKindsAndFlags) {
  EXPECT_EQ(names(get_json("/api/resources?open=" + url_encode("水曜の午後"))),
            std::vector<std::string>{"まちのかふぇ"});
  EXPECT_EQ(names(get_json("/api/resources?open=wed,13:00-14:00")),
            std::vector<std::string>{"まちのかふぇ"});
  EXPECT_EQ(get_json("/api/resources?open=wed,09:00-10:00")["numberMatched"], 0);
  EXPECT_EQ(names(get_json("/api/resources?open_day=mon&open_from=10:00&open_to=11:00")),
            std::vector<std::string>{"中央公民館"});
  EXPECT_EQ(names(get_json("/api/resources?kind=" + url_encode("公民館・集会所"))),
            std::vector<std::string>{"中央公民館"});
  EXPECT_EQ(names(get_json("/api/resources?barrier_free=true")),
            std::vector<std::string>{"まちのかふぇ"});
  // The farm's open placement slot is for 参加支援 staff: the public's vacancy filter cannot see
  // it.
  EXPECT_EQ(names(get_json("/api/resources?has_vacancy=true")),
            std::vector<std::string>{"まちのかふぇ"});
  EXPECT_EQ(names(get_json("/api/resources?has_vacancy=true", "matcher")).size(), 2u);
  // One policy for closed resources on every route: never to the public, to staff when asked.
  EXPECT_EQ(get_json("/api/resources?status=closed")["numberMatched"], 0);
  EXPECT_EQ(names(get_json("/api/resources?status=closed", "coordinator")),
            std::vector<std::string>{"閉じたサロン"});
}

TEST_F(ServerResources, NearSortsByDistanceAndPagingLinksTheNextPage) {
  const json r = get_json("/api/resources?near=133.6471,35.1041&limit=2");
  ASSERT_EQ(r["features"].size(), 2u);
  EXPECT_EQ(r["features"][0]["properties"]["name"], "ふれあい農園");
  const double d0 = r["features"][0]["properties"]["distance_m"];
  const double d1 = r["features"][1]["properties"]["distance_m"];
  EXPECT_LT(d0, d1);
  EXPECT_EQ(r["numberMatched"], 3);
  EXPECT_EQ(r["numberReturned"], 2);
  std::string next;
  for (const auto& l : r["links"]) {
    if (l["rel"] == "next") next = l["href"];
  }
  ASSERT_FALSE(next.empty());
  const std::string target = next.substr(next.find("/api/"));
  const json page2 = get_json(target);
  EXPECT_EQ(page2["numberReturned"], 1);
  for (const auto& l : page2["links"]) EXPECT_NE(l["rel"], "next");
}

TEST_F(ServerResources, LimitsAnswer400WithWhatToFix) {
  HttpClient c(server_->host(), server_->port());
  const auto big = c.get("/api/resources?limit=1001");
  EXPECT_EQ(big.status, 400);
  EXPECT_NE(big.body.find("limit must be a whole number from 0 to 1000"), std::string::npos);
  const auto area = c.get("/api/resources?bbox=120,20,150,46");
  EXPECT_EQ(area.status, 400);
  EXPECT_NE(area.body.find("square degrees"), std::string::npos);
  const auto order = c.get("/api/resources?bbox=134,35,133,36");
  EXPECT_EQ(order.status, 400);
  EXPECT_NE(order.body.find("bbox must be minLon,minLat,maxLon,maxLat with minLon < maxLon"),
            std::string::npos);
  const auto unknown = c.get("/api/resources?kinds=ibasho");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unknown query parameter 'kinds'"), std::string::npos);
  const auto kind = c.get("/api/resources?kind=cafe");
  EXPECT_EQ(kind.status, 400);
  EXPECT_NE(kind.body.find("kayoi_no_ba"), std::string::npos);  // lists the allowed ids
}

TEST_F(ServerResources, TwoEditsFromTheSameVersionConflictAndTheSecondGets412) {
  HttpClient c(server_->host(), server_->port());
  auto h = bearer(*town_, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  const auto created = c.request(
      "POST", "/api/resources", h,
      json{{"name", "競合テスト"}, {"kind", "ibasho"}, {"lon", 133.64}, {"lat", 35.1}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];
  EXPECT_EQ(created.header("location"), "/api/resources/" + id);
  const std::string etag = created.header("etag");
  ASSERT_FALSE(etag.empty());

  auto put = [&](const std::string& name, const std::string& if_match) {
    auto hh = h;
    if (!if_match.empty()) hh.emplace_back("If-Match", if_match);
    return c.request(
        "PUT", "/api/resources/" + id, hh,
        json{{"name", name}, {"kind", "ibasho"}, {"lon", 133.64}, {"lat", 35.1}}.dump());
  };
  const auto first = put("競合テスト（Aさんの編集）", etag);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.header("etag"), etag);
  const auto second = put("競合テスト（Bさんの編集）", etag);
  EXPECT_EQ(second.status, 412) << second.body;
  EXPECT_EQ(json::parse(second.body)["code"], "precondition_failed");
  EXPECT_EQ(put("If-Matchなし", "").status, 428);
  // The first edit stands.
  const json now = get_json("/api/resources/" + id, "coordinator");
  EXPECT_EQ(now["properties"]["name"], "競合テスト（Aさんの編集）");

  // Closing is never a hard delete: staff still see it, with status closed; the public do not.
  auto ch = bearer(*town_, "coordinator");
  ch.emplace_back("If-Match", first.header("etag"));
  const auto closed = c.request("POST", "/api/resources/" + id + "/close", ch);
  EXPECT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(get_json("/api/resources/" + id, "planner")["properties"]["status"], "closed");
  EXPECT_EQ(c.get("/api/resources/" + id).status, 404);

  // History: who, when, what changed.
  const json hist = get_json("/api/resources/" + id + "/history", "planner");
  ASSERT_GE(hist["entries"].size(), 3u);
  std::vector<std::string> actions;
  for (const auto& e : hist["entries"]) {
    actions.push_back(e["action"]);
    EXPECT_EQ(e["actor"], "coordinator");
    EXPECT_FALSE(e["at"].get<std::string>().empty());
  }
  EXPECT_NE(std::find(actions.begin(), actions.end(), "updated"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "closed"), actions.end());
  EXPECT_NE(hist.dump().find("Aさんの編集"), std::string::npos);
}

TEST_F(ServerResources, BadBodiesAreRejectedWithTheFieldToFix) {
  HttpClient c(server_->host(), server_->port());
  auto h = bearer(*town_, "admin");
  const auto no_type = c.request("POST", "/api/resources", h, "{}");
  EXPECT_EQ(no_type.status, 415);
  h.emplace_back("Content-Type", "application/json");
  const auto not_json = c.request("POST", "/api/resources", h, "{name:");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_NE(not_json.body.find("not valid UTF-8 JSON"), std::string::npos);
  const auto bad_lat =
      c.request("POST", "/api/resources", h,
                json{{"name", "x"}, {"kind", "ibasho"}, {"lon", 133.64}, {"lat", 135.1}}.dump());
  EXPECT_EQ(bad_lat.status, 400);
  EXPECT_NE(bad_lat.body.find("lat"), std::string::npos);
  // A matcher may not create an internal resource.
  auto m = bearer(*town_, "matcher");
  m.emplace_back("Content-Type", "application/json");
  const auto internal = c.request("POST", "/api/resources", m,
                                  json{{"name", "x"},
                                       {"kind", "ibasho"},
                                       {"lon", 133.64},
                                       {"lat", 35.1},
                                       {"publish", "internal"}}
                                      .dump());
  EXPECT_EQ(internal.status, 403);
}

}  // namespace
}  // namespace tsunagi::test
