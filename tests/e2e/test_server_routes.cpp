// Every route × every role against the real server: the expected status of each is one row of
// the table below.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kRoles = {"public", "coordinator", "matcher", "planner", "admin"};

std::string new_resource_body(const std::string& name) {
  return json{{"name", name}, {"kind", "ibasho"}, {"lon", 133.643}, {"lat", 35.1015}}.dump();
}

class ServerRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    town_ = make_town(dir_);
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--db", town_.db.string(), "--port", "0"});
  }
  void TearDown() override {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
  }

  // A fresh resource (created by admin), so that each row's write acts on its own resource.
  std::string fresh_resource(HttpClient& c, const std::string& name) {
    auto h = bearer(town_, "admin");
    h.emplace_back("Content-Type", "application/json");
    const auto r = c.request("POST", "/api/resources", h, new_resource_body(name));
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<std::string>();
  }
  std::string etag_of(HttpClient& c, const std::string& id) {
    return c.get("/api/resources/" + id, bearer(town_, "admin")).header("etag");
  }

  TempDir dir_;
  Town town_;
  std::unique_ptr<ServerProcess> server_;
};

struct Row {
  std::string name;
  // Expected status for public, coordinator, matcher, planner, admin.
  std::array<int, 5> expected;
};

TEST_F(ServerRoutes, EveryRouteAnswersEveryRoleAsTheRoleTableSays) {
  // clang-format off
  const std::vector<Row> table = {
      //  route                                    public coord matcher planner admin
      {"GET /health",                               {200,  200,  200,    200,    200}},
      {"HEAD /health",                              {200,  200,  200,    200,    200}},
      {"OPTIONS /api/resources",                    {204,  204,  204,    204,    204}},
      {"GET /api/resources",                        {200,  200,  200,    200,    200}},
      {"GET /api/resources/{public}",               {200,  200,  200,    200,    200}},
      {"GET /api/resources/{closed}",               {404,  200,  200,    200,    200}},
      {"GET /api/resources/{partners}",             {404,  200,  200,    200,    200}},
      {"GET /api/resources/{internal}",             {404,  200,  404,    404,    200}},
      {"POST /api/resources",                       {401,  201,  201,    403,    201}},
      {"PUT /api/resources/{id}",                   {401,  200,  200,    403,    200}},
      {"POST /api/resources/{id}/close",            {401,  200,  200,    403,    200}},
      {"GET /api/resources/{public}/history",       {401,  200,  200,    200,    200}},
      {"GET /api/resources/{internal}/history",     {401,  200,  404,    404,    200}},
      {"DELETE /api/resources/{public}",            {405,  405,  405,    405,    405}},
      {"GET /api/me",                               {401,  200,  200,    200,    200}},
      {"GET /api/users",                            {401,  403,  403,    403,    200}},
      {"POST /api/login (wrong password)",          {401,  401,  401,    401,    401}},
      {"POST /api/logout",                          {401,  204,  204,    204,    204}},
      {"GET /",                                     {200,  200,  200,    200,    200}},
      {"GET /ogc/collections",                      {200,  200,  200,    200,    200}},
      {"GET /api/nothing-here",                     {404,  404,  404,    404,    404}},
  };
  // clang-format on
  HttpClient c(server_->host(), server_->port());
  int fresh = 0;
  for (const auto& row : table) {
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      const std::string& role = kRoles[i];
      auto h = bearer(town_, role);
      HttpResult r;
      const std::string& n = row.name;
      if (n == "GET /health") {
        r = c.get("/health", h);
      } else if (n == "HEAD /health") {
        r = c.request("HEAD", "/health", h);
      } else if (n == "OPTIONS /api/resources") {
        r = c.request("OPTIONS", "/api/resources", h);
      } else if (n == "GET /api/resources") {
        r = c.get("/api/resources", h);
      } else if (n == "GET /api/resources/{public}") {
        r = c.get("/api/resources/" + town_.ids.at("cafe"), h);
      } else if (n == "GET /api/resources/{closed}") {
        r = c.get("/api/resources/" + town_.ids.at("closed"), h);
      } else if (n == "GET /api/resources/{partners}") {
        r = c.get("/api/resources/" + town_.ids.at("partners"), h);
      } else if (n == "GET /api/resources/{internal}") {
        r = c.get("/api/resources/" + town_.ids.at("internal"), h);
      } else if (n == "POST /api/resources") {
        h.emplace_back("Content-Type", "application/json");
        r = c.request("POST", "/api/resources", h, new_resource_body("新しい居場所 " + role));
      } else if (n == "PUT /api/resources/{id}") {
        const std::string id = fresh_resource(c, "編集用 " + std::to_string(++fresh));
        h.emplace_back("Content-Type", "application/json");
        h.emplace_back("If-Match", etag_of(c, id));
        r = c.request("PUT", "/api/resources/" + id, h, new_resource_body("編集済み " + role));
      } else if (n == "POST /api/resources/{id}/close") {
        const std::string id = fresh_resource(c, "終了用 " + std::to_string(++fresh));
        h.emplace_back("If-Match", etag_of(c, id));
        r = c.request("POST", "/api/resources/" + id + "/close", h);
      } else if (n == "GET /api/resources/{public}/history") {
        r = c.get("/api/resources/" + town_.ids.at("cafe") + "/history", h);
      } else if (n == "GET /api/resources/{internal}/history") {
        r = c.get("/api/resources/" + town_.ids.at("internal") + "/history", h);
      } else if (n == "DELETE /api/resources/{public}") {
        r = c.request("DELETE", "/api/resources/" + town_.ids.at("cafe"), h);
      } else if (n == "GET /api/me") {
        r = c.get("/api/me", h);
      } else if (n == "GET /api/users") {
        r = c.get("/api/users", h);
      } else if (n == "POST /api/login (wrong password)") {
        h.emplace_back("Content-Type", "application/json");
        r = c.request(
            "POST", "/api/login", h,
            json{{"name", role == "public" ? "admin" : role}, {"password", "wrong!"}}.dump());
      } else if (n == "POST /api/logout") {
        r = c.request("POST", "/api/logout", h);
      } else if (n == "GET /") {
        r = c.get("/", h);
      } else if (n == "GET /ogc/collections") {
        r = c.get("/ogc/collections", h);
      } else if (n == "GET /api/nothing-here") {
        r = c.get("/api/nothing-here", h);
      } else {
        FAIL() << "row without a request: " << n;
      }
      EXPECT_EQ(r.status, row.expected[i]) << n << " as " << role << ": " << r.body;
      if (r.status >= 400 && n.rfind("HEAD", 0) != 0) {
        EXPECT_EQ(r.header("content-type"), "application/problem+json") << n << " as " << role;
        const auto problem = json::parse(r.body);
        EXPECT_EQ(problem["status"], r.status);
        EXPECT_FALSE(problem["code"].get<std::string>().empty());
        EXPECT_FALSE(problem["detail"].get<std::string>().empty());
      }
      EXPECT_NE(r.status, 500) << n << " as " << role;
    }
  }
  // Every one of these went over a few keep-alive connections, not one per request.
  EXPECT_LT(c.connections_opened(), 10);
}

TEST_F(ServerRoutes, UnauthenticatedAnswersSayHowToSignIn) {
  HttpClient c(server_->host(), server_->port());
  const auto r = c.get("/api/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.header("www-authenticate").find("Bearer"), std::string::npos);
  const auto bad = c.get("/api/resources", {{"Authorization", "Bearer tsu_not-a-real-token"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.body.find("token"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::test
