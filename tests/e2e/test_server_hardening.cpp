// Attacks from issue 7 against the real server: each is refused with a clear 4xx, and the server
// keeps serving everyone else.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

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

namespace tsunagi::test {
namespace {

std::string next_link(const std::string& body) {
  const json doc = json::parse(body);
  for (const auto& l : doc["links"]) {
    if (l["rel"] == "next") return l["href"].get<std::string>();
  }
  return "(no next link)";
}

json valid_resource() {
  return {{"kind", "ibasho"}, {"name", "検証のサロン"}, {"lon", 133.64}, {"lat", 35.1}};
}

TEST_F(ServerHardening, MediaTypesFollowRfc9110) {
  HttpClient c(server_->host(), server_->port());
  for (const std::string type :
       {"application/json", "APPLICATION/JSON", "application/json ;charset=utf-8",
        "Application/Json; Charset=\"UTF-8\"", "application/geo+json"}) {
    const auto r = c.request("POST", "/api/resources", json_headers("coordinator", type),
                             valid_resource().dump());
    EXPECT_EQ(r.status, 201) << type << ": " << r.body;
  }
  for (const std::string type : {"text/plain", "application/json; charset=latin1",
                                 "application/jsonx", "application/", "application/json;;x"}) {
    const auto r = c.request("POST", "/api/resources", json_headers("coordinator", type),
                             valid_resource().dump());
    EXPECT_EQ(r.status, 415) << type << ": " << r.body;
  }
}

struct BadField {
  std::string name;
  std::string body;  ///< the JSON text sent
  std::string detail_contains;
};

TEST_F(ServerHardening, EachInvalidFieldGets400NamingIt) {
  const auto with = [](const std::string& key, const json& value) {
    json j = valid_resource();
    j[key] = value;
    return j.dump();
  };
  json offer = {{"kind", "shuro_taiken"}, {"max_hours_per_day", 30}};
  json late_start = {
      {"rule", "weekly"}, {"weekdays", {"wed"}}, {"start", "15:00"}, {"end", "13:00"}};
  json bad_time = {{"rule", "weekly"}, {"weekdays", {"wed"}}, {"start", "25:00"}};
  const std::vector<BadField> cases = {
      {"a number too large for a double", R"({"kind":"ibasho","name":"x","lon":1e400,"lat":35.1})",
       "\"lon\""},
      {"a duplicate key", R"({"kind":"ibasho","name":"x","name":"y","lon":133.6,"lat":35.1})",
       "the key \"name\" twice"},
      {"the point (0,0)", with("lon", 0) + "", "lon and lat must be a point in Japan"},
      {"a point in New York", with("lon", -74.0), "lon and lat must be a point in Japan"},
      {"a schedule ending before it starts", with("schedules", json::array({late_start})),
       "schedules[0].end (13:00) must be after its start (15:00)"},
      {"a schedule at 25:00", with("schedules", json::array({bad_time})), "schedules[0].start"},
      {"absurd hours", with("offer", offer), "offer.max_hours_per_day"},
      {"negative hours", with("offer", {{"min_hours_per_day", -1}}), "offer.min_hours_per_day"},
      {"any text as a date", with("verified_at", "yesterday"), "verified_at"},
      {"an impossible date", with("vacancy_as_of", "2025-02-30"), "vacancy_as_of"},
      {"NUL in a name", with("name", std::string("a\0b", 3)), "name contains the control"},
      {"a bell in an address", with("address", "a\x07"), "address contains the control"},
      {"an escape in a phone number", with("phone", "087\x1b[2J"), "phone contains the control"},
      {"DEL in a building", with("building", "a\x7f"), "building contains the control"},
      {"a bidi override in a description", with("description", "abc\u202Etxt.exe"),
       "description contains the bidirectional"},
      {"a bidi isolate in a note", with("note", "x\u2066y"), "note contains the bidirectional"},
      {"a name of 201 characters", with("name", std::string(201, 'a')), "name is too long"},
      {"a note of 4001 characters", with("note", std::string(4001, 'a')), "note is too long"},
      {"a javascript: URL", with("url", "javascript:alert(1)"), "url must be an http"},
      {"a data: URL", with("url", "data:text/html,<script>alert(1)</script>"),
       "url must be an http"},
      {"an upper-case JAVASCRIPT: URL", with("url", "JAVASCRIPT:alert(1)"), "url must be"},
      {"a javascript: URL with a tab and leading spaces", with("url", "  java\tscript:alert(1)"),
       "url must be"},
      {"a vbscript: URL", with("url", "vbscript:msgbox"), "url must be"},
  };
  HttpClient c(server_->host(), server_->port());
  for (const auto& bad : cases) {
    const auto r = c.request("POST", "/api/resources", json_headers("coordinator"), bad.body);
    EXPECT_EQ(r.status, 400) << bad.name << ": " << r.body;
    EXPECT_NE(detail(r).find(bad.detail_contains), std::string::npos)
        << bad.name << ": " << detail(r);
  }
  // What is allowed: line breaks in a note, an https URL, a full ISO 8601 date and time.
  json fine = valid_resource();
  fine["note"] = "一行目\n二行目";
  fine["url"] = "（地域福祉課）https://www.city.example.lg.jp/salon";  // as public data has it
  fine["verified_at"] = "2025-04-01T10:00:00+09:00";
  fine["vacancy_as_of"] = "2024-02-29";
  const auto ok = c.request("POST", "/api/resources", json_headers("coordinator"), fine.dump());
  EXPECT_EQ(ok.status, 201) << ok.body;
  expect_healthy("invalid fields");
}

TEST_F(ServerHardening, LinksNeverComeFromTheHostHeader) {
  HttpClient c(server_->host(), server_->port());
  const auto r = c.get("/api/resources?limit=1", {{"Host", "evil.example"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string next = next_link(r.body);
  EXPECT_EQ(next.find("evil.example"), std::string::npos) << next;
  // --port 0: the link names the port really bound, not 0.
  const std::string base = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
  EXPECT_TRUE(next.starts_with(base)) << next << " vs " << base;
  const auto ogc = c.get("/ogc", {{"Host", "evil.example:666"}});
  EXPECT_EQ(ogc.body.find("evil.example"), std::string::npos);
  EXPECT_NE(ogc.body.find(base + "ogc"), std::string::npos) << ogc.body;
}

TEST(ServerPublicBaseUrl, LinksUseTheConfiguredBase) {
  TempDir dir;
  {
    auto store = geo::Store::open(dir / "t.db", geo::Store::Mode::create_if_missing);
    auto r = town_resource("まちのかふぇ", geo::ResourceKind::ibasho, 133.64, 35.1);
    store.create(r, "test");
    auto r2 = town_resource("もう一つ", geo::ResourceKind::ibasho, 133.65, 35.1);
    store.create(r2, "test");
  }
  ServerProcess server({"--db", (dir / "t.db").string(), "--port", "0", "--public-base-url",
                        "https://map.example.lg.jp/tsunagi/"});
  HttpClient c(server.host(), server.port());
  const auto r = c.get("/api/resources?limit=1", {{"Host", "evil.example"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(next_link(r.body).starts_with("https://map.example.lg.jp/tsunagi/api/resources?"))
      << r.body;
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const auto bad = run_tsunagi({"serve", "--db", (dir / "t.db").string(), "--port", "0",
                                "--public-base-url", "javascript:alert(1)"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE((bad.out + bad.err).find("public_base_url must be an http"), std::string::npos)
      << bad.out << bad.err;
}

// Item 5: logins (argon2id at the real cost) on their own pool; a flood of anonymous ones must
// leave writes answering.
TEST(ServerLoginFlood, SeventyConcurrentLoginsLeaveWritesAnswering) {
  TempDir dir;
  const Town town = make_town(dir);
  for (const bool per_client_limit : {true, false}) {
    SCOPED_TRACE(per_client_limit ? "default limits" : "no per-client limit");
    std::vector<std::string> args = {"--db", town.db.string(), "--port", "0"};
    if (!per_client_limit) args.insert(args.end(), {"--login-per-client", "1000"});
    // No TSUNAGI_PWHASH=minimum: unknown names are checked against an interactive-cost hash.
    ServerProcess server(args);
    std::atomic<int> logins_answered{0};
    std::vector<std::thread> flood;
    for (int i = 0; i < 70; ++i) {
      flood.emplace_back([&, i] {
        HttpClient c(server.host(), server.port());
        const auto r = c.request(
            "POST", "/api/login", {{"Content-Type", "application/json"}},
            json{{"name", "nobody" + std::to_string(i)}, {"password", "wrong password"}}.dump());
        if (r.status == 401 || r.status == 429 || r.status == 503) ++logins_answered;
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<int> statuses(35, 0);
    std::vector<std::thread> writers;
    for (int i = 0; i < 35; ++i) {
      writers.emplace_back([&, i] {
        HttpClient c(server.host(), server.port());
        auto h = bearer(town, "coordinator");
        h.emplace_back("Content-Type", "application/json");
        json body = {{"kind", "ibasho"},
                     {"name", "書き込み" + std::to_string(i)},
                     {"lon", 133.6},
                     {"lat", 35.1}};
        statuses[static_cast<std::size_t>(i)] =
            c.request("POST", "/api/resources", h, body.dump()).status;
      });
    }
    for (auto& t : writers) t.join();
    for (auto& t : flood) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 35)
        << "writes answered 201: " << std::count(statuses.begin(), statuses.end(), 201)
        << ", 503: " << std::count(statuses.begin(), statuses.end(), 503);
    EXPECT_EQ(logins_answered.load(), 70);
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

// Item 9: a store the server cannot write is refused at start-up with the reason; a store whose
// write-ahead log disappears while serving refuses writes instead of acknowledging them.
TEST(ServerStoreChecks, AReadOnlyStoreIsRefusedAndAMissingWalRefusesWrites) {
  TempDir dir;
  const Town town = make_town(dir);
  const std::string db = town.db.string();
  std::filesystem::permissions(town.db, std::filesystem::perms::owner_read |
                                            std::filesystem::perms::group_read |
                                            std::filesystem::perms::others_read);
  const auto refused =
      run_program({"timeout", "20", TSUNAGI_BINARY, "serve", "--db", db, "--port", "0"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("is read-only"), std::string::npos) << refused.err;
  std::filesystem::permissions(town.db, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);

  ServerProcess server({"--db", db, "--port", "0"});
  HttpClient c(server.host(), server.port());
  auto h = bearer(town, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  const std::string body = valid_resource().dump();
  EXPECT_EQ(c.request("POST", "/api/resources", h, body).status, 201);
  ASSERT_TRUE(std::filesystem::remove(db + "-wal"));
  const auto lost = c.request("POST", "/api/resources", h, body);
  EXPECT_EQ(lost.status, 503) << lost.body;
  EXPECT_NE(lost.body.find("write-ahead log"), std::string::npos) << lost.body;
  EXPECT_EQ(c.get("/api/resources?limit=1").status, 200);  // reads go on
  const auto health = c.get("/health");                    // and monitoring sees it
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find(R"("store_wal":"missing")"), std::string::npos) << health.body;
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_NE(server.output().find("error: the store's write-ahead log"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::test
