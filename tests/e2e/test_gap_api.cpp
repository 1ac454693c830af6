// Gap analyses as background jobs on the real server over the demo town (its streets, 町丁 and
// their populations): who may run and read them, the answer agreeing with the areas the OGC API
// serves, CSV for Excel and the GeoJSON layer of who is left out, and answers kept across a
// restart.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class GapApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town();
    town_->db = *dir_ / "demo.db";
    const auto demo = run_tsunagi({"demo", "--db", town_->db.string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    add_users(*town_, {"coordinator", "matcher", "planner", "admin"});
    start();
  }
  static void start() { server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"}); }
  static void stop() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    server_ = nullptr;
  }
  static void TearDownTestSuite() {
    stop();
    delete town_;
    delete dir_;
  }
  static HttpResult call(const std::string& method, const std::string& target,
                         const std::string& role, const std::string& body = "") {
    HttpClient c(server_->host(), server_->port());
    auto h = bearer(*town_, role);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(method, target, h, body);
  }
  /// Submits and waits for the end (a bounded number of polls, no timing asserted).
  static json run(const json& request, const std::string& role = "planner") {
    const auto r = call("POST", "/api/gap/jobs", role, request.dump());
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return json::object();
    const std::string id = json::parse(r.body)["id"];
    EXPECT_EQ(r.header("location"), "/api/gap/jobs/" + id);
    for (int i = 0; i < 600; ++i) {
      const json j = json::parse(call("GET", "/api/gap/jobs/" + id, role).body);
      if (j["status"] != "queued" && j["status"] != "running") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the job did not end";
    return json::object();
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* GapApi::dir_ = nullptr;
Town* GapApi::town_ = nullptr;
ServerProcess* GapApi::server_ = nullptr;

const json kCoverage = {{"analysis", "coverage"},
                        {"kinds", {"kayoi_no_ba"}},
                        {"target", "aged_75"},
                        {"max_walk_min", 15}};

TEST_F(GapApi, PlannersAndStaffRunAnalysesOthersDoNot) {
  EXPECT_EQ(call("POST", "/api/gap/jobs", "public", kCoverage.dump()).status, 401);
  EXPECT_EQ(call("GET", "/api/gap/jobs", "public").status, 401);
  EXPECT_EQ(call("POST", "/api/gap/jobs", "matcher", kCoverage.dump()).status, 403);
  for (const std::string role : {"planner", "coordinator", "admin"}) {
    EXPECT_EQ(run(kCoverage, role)["status"], "done") << role;
  }
  json bad = kCoverage;
  bad["person"] = "山田";
  const auto r = call("POST", "/api/gap/jobs", "planner", bad.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown key 'person'"), std::string::npos) << r.body;
  EXPECT_EQ(call("GET", "/api/gap/jobs/no-such-job", "planner").status, 404);
}

TEST_F(GapApi, CoverageAddsUpToTheAreasTheOgcApiServes) {
  const json j = run(kCoverage);
  ASSERT_EQ(j["status"], "done") << j.dump();
  const json& a = j["result"];
  EXPECT_EQ(a["network"], "walking") << "the demo town has its streets";
  // The same 75歳以上 counts as the areas' features carry.
  const json areas = json::parse(
      call("GET", "/ogc/collections/areas/items?f=json&limit=1000&kind=chome", "planner").body);
  double sum = 0;
  std::size_t n = 0;
  for (const auto& f : areas["features"]) {
    if (f["properties"]["kind"] != "chome") continue;
    sum += f["properties"].value("aged_75", 0.0);
    ++n;
  }
  ASSERT_GT(n, 0U);
  EXPECT_EQ(a["totals"]["target"].get<double>(), sum);
  EXPECT_EQ(a["areas"].size(), n);
  double covered = 0;
  for (const auto& row : a["areas"]) {
    EXPECT_LE(row["covered"].get<double>(), row["target"].get<double>());
    covered += row["covered"].get<double>();
  }
  EXPECT_EQ(a["totals"]["covered"].get<double>(), covered);
  EXPECT_GT(covered, 0);
  EXPECT_LT(covered, sum) << "the demo town has outlying 町丁 far from any 通いの場";
  ASSERT_FALSE(a["sources"].empty());
  EXPECT_FALSE(a["sources"][0]["attribution"].get<std::string>().empty());

  const std::string id = j["id"];
  const auto csv = call("GET", "/api/gap/jobs/" + id + "?format=csv", "planner");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("出典,"), std::string::npos);
  const auto gj = call("GET", "/api/gap/jobs/" + id + "?format=geojson&layer=uncovered", "planner");
  ASSERT_EQ(gj.status, 200);
  const json fc = json::parse(gj.body);
  ASSERT_FALSE(fc["features"].empty());
  for (const auto& f : fc["features"]) {
    EXPECT_GT(f["properties"]["uncovered"].get<double>(), 0);
    EXPECT_FALSE(f["geometry"].is_null());
  }
  EXPECT_EQ(call("GET", "/api/gap/jobs/" + id + "?format=xlsx", "planner").status, 400);
  EXPECT_EQ(call("DELETE", "/api/gap/jobs/" + id, "planner").status, 409) << "it has ended";
}

TEST_F(GapApi, TheCommandLineGivesTheSameAnswer) {
  const json api = run(kCoverage);
  ASSERT_EQ(api["status"], "done");
  const auto cli = run_tsunagi({"gap", "coverage", "--db", town_->db.string(), "--kinds",
                                "kayoi_no_ba", "--target", "aged_75", "--max-walk-min", "15"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out), api["result"]);
  const auto csv = run_tsunagi(
      {"gap", "rank", "--db", town_->db.string(), "--kinds", "kayoi_no_ba", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.find("\xEF\xBB\xBFrank,id,code,name"), 0U);
  const auto bad = run_tsunagi({"gap", "coverage", "--db", town_->db.string(), "--kinds",
                                "kayoi_no_ba", "--target", "no_such_figure"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no_such_figure"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

TEST_F(GapApi, AnAnswerForStaffIsNotReadByAPlanner) {
  const json j = run(kCoverage, "coordinator");
  ASSERT_EQ(j["status"], "done");
  const std::string id = j["id"];
  EXPECT_EQ(call("GET", "/api/gap/jobs/" + id, "planner").status, 404);
  EXPECT_EQ(call("DELETE", "/api/gap/jobs/" + id, "planner").status, 404);
  EXPECT_EQ(call("GET", "/api/gap/jobs/" + id, "admin").status, 200);
  for (const auto& listed : json::parse(call("GET", "/api/gap/jobs", "planner").body)["jobs"]) {
    EXPECT_NE(listed["id"], id);
  }
}

TEST_F(GapApi, SitingAndRankingAnswersAreKeptAcrossARestart) {
  const json site = run({{"analysis", "site"},
                         {"kinds", {"kayoi_no_ba"}},
                         {"candidate_kinds", {"kominkan"}},
                         {"k", 2},
                         {"target", "aged_75"},
                         {"max_walk_min", 15}});
  ASSERT_EQ(site["status"], "done") << site.dump();
  EXPECT_EQ(site["result"]["chosen"].size(), 2U);
  EXPECT_GE(site["result"]["totals"]["covered_after"].get<double>(),
            site["result"]["totals"]["covered_before"].get<double>());
  const json rank = run({{"analysis", "rank"},
                         {"kinds", {"kayoi_no_ba"}},
                         {"target", "aged_75"},
                         {"max_walk_min", 15},
                         {"method", "e2sfca"}});
  ASSERT_EQ(rank["status"], "done");
  EXPECT_EQ(rank["result"]["areas"][0]["rank"], 1);

  stop();
  start();
  const auto again = call("GET", "/api/gap/jobs/" + site["id"].get<std::string>(), "planner");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["result"], site["result"]);
}

TEST_F(GapApi, OldAnswersAreDeletedAfterTheRetentionPeriod) {
  const json recent = run(kCoverage);
  ASSERT_EQ(recent["status"], "done");
  stop();
  {
    auto store = geo::Store::open(town_->db, geo::Store::Mode::open_existing);
    geo::AnalysisJob old;
    old.id = "old-job";
    old.analysis = "coverage";
    old.request_json = kCoverage.dump();
    old.audience = "partners";
    old.owner = "planner";
    old.status = "done";
    old.created_at = "2020-01-01T00:00:00Z";
    old.finished_at = "2020-01-01T00:00:01Z";
    old.result_json = "{}";
    store.put_job(old);
  }
  start();  // job_keep_days = 180 by default
  EXPECT_EQ(call("GET", "/api/gap/jobs/old-job", "planner").status, 404);
  EXPECT_EQ(call("GET", "/api/gap/jobs/" + recent["id"].get<std::string>(), "planner").status, 200);
  auto store = geo::Store::open(town_->db, geo::Store::Mode::read_only);
  for (const auto& j : store.jobs()) EXPECT_NE(j.id, "old-job") << "deleted from the store too";
}

}  // namespace
}  // namespace tsunagi::test
