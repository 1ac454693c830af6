// Attacks from issue 7 against the real server: each is refused with a clear 4xx, and the server
// keeps serving everyone else.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class ServerHardening : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"}, town_->env);
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
    delete server_;
    delete town_;
    delete dir_;
  }
  static void expect_healthy(const std::string& after) {
    HttpClient c(server_->host(), server_->port());
    EXPECT_EQ(c.get("/health").status, 200) << "after " << after;
  }
  static std::vector<std::pair<std::string, std::string>> json_headers(
      const std::string& role, const std::string& content_type = "application/json") {
    auto h = bearer(*town_, role);
    h.emplace_back("Content-Type", content_type);
    return h;
  }
  static std::string detail(const HttpResult& r) {
    try {
      return json::parse(r.body).value("detail", "");
    } catch (const json::exception&) {
      return "(not JSON) " + r.body;
    }
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* ServerHardening::dir_ = nullptr;
Town* ServerHardening::town_ = nullptr;
ServerProcess* ServerHardening::server_ = nullptr;

TEST_F(ServerHardening, DeeplyNestedJsonGets400AndTheServerLives) {
  std::string body;
  for (int i = 0; i < 70000; ++i) body += "{\"a\":";
  body += "1";
  body += std::string(70000, '}');
  for (const std::string method : {"POST", "PUT"}) {
    HttpClient c(server_->host(), server_->port());
    const std::string target =
        method == "POST" ? "/api/resources" : "/api/resources/" + town_->ids.at("cafe");
    auto headers = json_headers("matcher");
    headers.emplace_back("If-Match", "\"1\"");
    const auto r = c.request(method, target, headers, body);
    EXPECT_EQ(r.status, 400) << method << ": " << r.body;
    EXPECT_NE(detail(r).find("deeper than 64 levels"), std::string::npos) << detail(r);
    expect_healthy(method + " of deeply nested JSON");
  }
  // A login body too.
  HttpClient c(server_->host(), server_->port());
  const auto login =
      c.request("POST", "/api/login", {{"Content-Type", "application/json"}}, "[" + body + "]");
  EXPECT_EQ(login.status, 400) << login.body;
  expect_healthy("a deeply nested login body");
}

}  // namespace
}  // namespace tsunagi::test
