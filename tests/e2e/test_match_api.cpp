// POST /api/match on the real server over the demo town (its generated streets and river):
// matchers only, no personal field accepted, nothing of the request in the access log, and the
// same JSON as `tsunagi match --json`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class MatchApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town();
    town_->db = *dir_ / "demo.db";
    const auto demo = run_tsunagi({"demo", "--db", town_->db.string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    add_users(*town_, {"coordinator", "matcher", "planner", "admin"});
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }
  static HttpResult post(const json& body, const std::string& role = "matcher") {
    HttpClient c(server_->host(), server_->port());
    auto h = bearer(*town_, role);
    h.emplace_back("Content-Type", "application/json");
    return c.request("POST", "/api/match", h, body.dump());
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* MatchApi::dir_ = nullptr;
Town* MatchApi::town_ = nullptr;
ServerProcess* MatchApi::server_ = nullptr;

const json kRequest = {{"area", "chome:demo-15"}, {"availability", {"火曜の午前", "木曜の午前"}},
                       {"short_hours", true},     {"low_contact", true},
                       {"age_band", "50s"},       {"max_walk_min", 20}};

TEST_F(MatchApi, OnlyMatchersMatch) {
  EXPECT_EQ(post(kRequest, "public").status, 401);
  for (const std::string role : {"coordinator", "planner", "admin"}) {
    EXPECT_EQ(post(kRequest, role).status, 403) << role;
  }
  const auto r = post(kRequest);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("cache-control"), "no-store");
  const json j = json::parse(r.body);
  EXPECT_EQ(j["network"], "walking") << "the demo town has its streets";
  ASSERT_FALSE(j["candidates"].empty());
  for (const auto& c : j["candidates"]) {
    for (const char* k :
         {"id", "name", "kind", "walk_m", "walk_min", "straight_m", "score", "reasons"}) {
      EXPECT_TRUE(c.contains(k)) << k;
    }
    EXPECT_GE(c["walk_m"].get<double>(), c["straight_m"].get<double>() - 1);
    EXPECT_LE(c["walk_min"].get<int>(), 20);
  }
  EXPECT_FALSE(j["excluded"].empty());
  EXPECT_EQ(j["catchment"]["type"], "Polygon");
}

TEST_F(MatchApi, PersonalFieldsAreRefused) {
  for (const std::string key : {"name", "address", "birth_date", "diagnosis", "disability_grade"}) {
    json body = kRequest;
    body[key] = "山田 太郎";
    const auto r = post(body);
    EXPECT_EQ(r.status, 400) << key;
    EXPECT_NE(r.body.find("unknown key '" + key + "'"), std::string::npos) << r.body;
  }
  json at_and_area = kRequest;
  at_and_area["at"] = {133.62, 35.10};
  EXPECT_EQ(post(at_and_area).status, 400);
}

TEST_F(MatchApi, PersonalFieldsAreRefusedInsideNestedObjectsToo) {
  // An availability entry may be {day, from, to}: nothing else rides along inside it.
  for (const std::string key : {"name", "birth_date", "diagnosis"}) {
    json body = kRequest;
    body["availability"] = json::array({{{"day", "tue"}, {"from", "09:00"}, {"to", "12:00"}}});
    body["availability"][0][key] = "山田 太郎";
    const auto r = post(body);
    EXPECT_EQ(r.status, 400) << key << ": " << r.body;
    EXPECT_NE(r.body.find("availability[0]." + key + ": unknown key"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("山田"), std::string::npos) << "the value is echoed: " << r.body;
  }
  // Deeper: an object inside a list of codes, and inside [lon, lat].
  json kinds = kRequest;
  kinds["kinds"] = json::array({"ibasho", {{"diagnosis", "x"}}});
  auto r = post(kinds);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("kinds[1].diagnosis: unknown key"), std::string::npos) << r.body;
  json at = kRequest;
  at.erase("area");
  at["at"] = json::array({133.62, {{"birth_date", "1970-01-01"}}});
  r = post(at);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at[1].birth_date: unknown key"), std::string::npos) << r.body;
  // The well-formed object entry is still taken.
  json ok = kRequest;
  ok["availability"] = json::array({{{"day", "tue"}, {"from", "09:00"}, {"to", "12:00"}}});
  EXPECT_EQ(post(ok).status, 200);
}

TEST_F(MatchApi, TheCommandLineGivesTheSameAnswer) {
  const auto api = json::parse(post(kRequest).body);
  const auto cli =
      run_tsunagi({"match", "--db", town_->db.string(), "--area", "chome:demo-15", "--available",
                   "火曜の午前", "--available", "木曜の午前", "--short-hours", "--low-contact",
                   "--age-band", "50s", "--max-walk-min", "20", "--json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(json::parse(cli.out), api);
}

TEST_F(MatchApi, NothingOfTheRequestReachesTheLog) {
  json body = kRequest;
  body.erase("area");
  body["at"] = {133.6123457, 35.0987654};
  ASSERT_EQ(post(body).status, 200);
  // The access log is written by its own thread: wait for the line before reading the log.
  EXPECT_TRUE(server_->wait_for_output("/api/match")) << "the request is logged";
  const std::string log = server_->output();
  for (const std::string secret : {"133.6123457", "35.0987654", "50s", "火曜"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in the log";
  }
}

}  // namespace
}  // namespace tsunagi::test
