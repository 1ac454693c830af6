// Two `tsunagi serve` on one PostgreSQL store, as an operator runs them behind a load balancer:
// an edit through A is in B's next answers — record, list, ETag and tile — without B's periodic
// look (set to a minute here, so only the store's notification can bring it); two matchers on A
// and B race for the last slot and exactly one wins, 20 rounds; a login on A is valid on B and a
// logout on B ends it on A (with a long login cache, so only the notification can end it); a job
// queued on A runs once and both answer for it; an import killed midway leaves nothing of itself
// and the servers serve on. Skipped where PostgreSQL with PostGIS is not installed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"
#include "support/mvt_reader.hpp"
#include "support/postgres_cluster.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// Long enough that nothing found within the tests' deadlines was found by looking.
const std::vector<std::string> kServeFlags = {"--port",         "0",  "--store-poll-ms", "60000",
                                              "--auth-cache-s", "300"};

class TwoServers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!postgres_unavailable().empty()) return;
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    {
      TinyTown town(town_->db);
      town.add_area("chome:two-naka", geo::AreaKind::chome, "中町",
                    "POLYGON((133.63 35.09,133.64 35.09,133.64 35.10,133.63 35.10,133.63 35.09))",
                    133.635, 35.095);
      geo::StatDef aged;
      aged.key = "aged_75";
      aged.label = "75歳以上人口";
      geo::StatValue v;
      v.area_id = "chome:two-naka";
      v.key = "aged_75";
      v.ref_date = "2020-10-01";
      v.value = 120;
      town.store().put_stats({aged}, {v});
    }
    uri_ = new std::string(new_postgres_database("two_servers"));
    const auto m = run_tsunagi({"migrate", "--from", town_->db.string(), "--to", *uri_});
    ASSERT_EQ(m.exit_code, 0) << m.err;
    auto args = kServeFlags;
    args.insert(args.begin(), {"--db", *uri_});
    a_ = new ServerProcess(args);
    b_ = new ServerProcess(args);
  }
  static void TearDownTestSuite() {
    for (auto* s : {a_, b_}) {
      if (s == nullptr) continue;
      EXPECT_EQ(s->stop(SIGTERM), 0);
      EXPECT_TRUE(s->warnings().empty()) << s->output();
      delete s;
    }
    delete uri_;
    delete town_;
    delete dir_;
  }
  void SetUp() override {
    if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_NE(a_, nullptr);
  }

  static HttpResult call(const ServerProcess& s, const std::string& method,
                         const std::string& target, const std::string& role,
                         const json& body = nullptr,
                         std::vector<std::pair<std::string, std::string>> extra = {}) {
    HttpClient c(s.host(), s.port());
    auto headers = bearer(*town_, role);
    if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
    headers.insert(headers.end(), extra.begin(), extra.end());
    return c.request(method, target, headers, body.is_null() ? std::string() : body.dump());
  }
  /// Asks until `done` says yes (every 10 ms, at most `within`); the time it took, or nullopt.
  template <typename F>
  static std::optional<std::chrono::milliseconds> until(F done, std::chrono::milliseconds within) {
    const auto start = Clock::now();
    while (Clock::now() - start < within) {
      if (done()) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  static TempDir* dir_;
  static Town* town_;
  static std::string* uri_;
  static ServerProcess* a_;
  static ServerProcess* b_;
};

TempDir* TwoServers::dir_ = nullptr;
Town* TwoServers::town_ = nullptr;
std::string* TwoServers::uri_ = nullptr;
ServerProcess* TwoServers::a_ = nullptr;
ServerProcess* TwoServers::b_ = nullptr;

/// B's periodic look is a minute away: what B shows within these seconds it was told.
constexpr std::chrono::milliseconds kTold{10000};

TEST_F(TwoServers, AnEditThroughAIsInBsRecordListEtagAndTile) {
  const std::string id = town_->ids.at("cafe");
  const auto tile = tiles::tile_at(133.640, 35.100, 16);
  const auto b_tile_before = call(*b_, "GET", tile_path("resources", tile), "public");
  ASSERT_EQ(b_tile_before.status, 200);

  const auto cur = call(*a_, "GET", "/api/resources/" + id, "coordinator");
  ASSERT_EQ(cur.status, 200);
  json props = json::parse(cur.body)["properties"];
  props["name"] = "まちのかふぇ（Aで改称）";
  const auto put = call(*a_, "PUT", "/api/resources/" + id, "coordinator", props,
                        {{"If-Match", cur.header("etag")}});
  ASSERT_EQ(put.status, 200) << put.body;

  const auto seen = until(
      [&] {
        const auto r = call(*b_, "GET", "/api/resources/" + id, "public");
        return r.status == 200 && r.body.find("Aで改称") != std::string::npos;
      },
      kTold);
  ASSERT_TRUE(seen.has_value()) << "B did not show A's edit: the notification did not reach it";
  std::printf("[ measured ] A's edit in B's answer after %lld ms\n",
              static_cast<long long>(seen->count()));
  // Everything else B serves moved with it: the list, the tile (a new ETag, the new name).
  const auto list = call(*b_, "GET", "/api/resources?limit=1000", "public");
  EXPECT_NE(list.body.find("Aで改称"), std::string::npos);
  const auto b_tile = call(*b_, "GET", tile_path("resources", tile), "public");
  ASSERT_EQ(b_tile.status, 200);
  EXPECT_NE(b_tile.header("etag"), b_tile_before.header("etag"));
  bool named = false;
  for (const auto& f : decode_tile(b_tile.body, tile.z, tile.x, tile.y)) {
    named = named || (f.props.contains("name") && f.props.at("name") == "まちのかふぇ（Aで改称）");
  }
  EXPECT_TRUE(named) << "B's tile does not carry the new name";
  // And B's answer is A's, byte for byte, with the same ETag.
  const auto on_a = call(*a_, "GET", "/api/resources/" + id, "public");
  const auto on_b = call(*b_, "GET", "/api/resources/" + id, "public");
  EXPECT_EQ(on_a.body, on_b.body);
  EXPECT_EQ(on_a.header("etag"), on_b.header("etag"));
}

TEST_F(TwoServers, AHiddenEditThroughAReachesBsStaffAndNeverBsPublic) {
  // An attacker reads B as the public while staff edit a hidden listing through A: B rebuilds
  // from the notification through the one visibility rule, so the public sees none of it.
  const std::string id = town_->ids.at("internal");
  const auto cur = call(*a_, "GET", "/api/resources/" + id, "coordinator");
  ASSERT_EQ(cur.status, 200);
  json props = json::parse(cur.body)["properties"];
  props["name"] = "受入れ先 SECRET-INTERNAL 改";
  ASSERT_EQ(call(*a_, "PUT", "/api/resources/" + id, "coordinator", props,
                 {{"If-Match", cur.header("etag")}})
                .status,
            200);
  ASSERT_TRUE(until(
      [&] {
        return call(*b_, "GET", "/api/resources/" + id, "coordinator").body.find("改") !=
               std::string::npos;
      },
      kTold));
  const auto tile = tiles::tile_at(133.646, 35.103, 14);
  const std::vector<std::string> paths = {"/api/resources?limit=1000",
                                          "/api/resources?q=SECRET",
                                          "/api/resources/" + id,
                                          "/api/resources?limit=1&lon=133.646&lat=35.103",
                                          "/ogc/collections/placement_site/items",
                                          tile_path("resources", tile),
                                          "/health"};
  for (const auto& path : paths) {
    const auto r = call(*b_, "GET", path, "public");
    for (const auto& marker : secret_markers()) {
      EXPECT_EQ(r.body.find(marker), std::string::npos) << path << " shows " << marker;
    }
  }
  EXPECT_EQ(call(*b_, "GET", "/api/resources/" + id, "public").status, 404);
}

TEST_F(TwoServers, TwoMatchersOnAAndBRaceForTheLastSlotAndExactlyOneWins) {
  const auto create_case = [&](const ServerProcess& s) {
    const json body = {{"resource_id", town_->ids.at("farm")},
                       {"legal_basis", "consent"},
                       {"consent_scope", {"share_with_host"}},
                       {"consent_date", "2026-01-15"},
                       {"home_area", "two-naka"},
                       {"age_band", "50s"},
                       {"needs", {"short_hours"}}};
    const auto r = call(s, "POST", "/api/referrals", "matcher", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).value("case_id", std::string());
  };
  const auto step = [&](const ServerProcess& s, const std::string& id, const std::string& to,
                        const std::string& reason = {}) {
    json b = {{"to", to}};
    if (!reason.empty()) b["reason"] = reason;
    return call(s, "POST", "/api/referrals/" + id + "/transitions", "matcher", b);
  };
  const auto slots_open = [&](const ServerProcess& s) {
    const auto r = call(s, "GET", "/api/resources/" + town_->ids.at("farm"), "matcher");
    return json::parse(r.body)["properties"]["offer"]["slots_open"].get<int>();
  };
  ASSERT_EQ(slots_open(*a_), 1);
  for (int round = 0; round < 20; ++round) {
    const std::array<const ServerProcess*, 2> servers = {a_, b_};
    std::array<std::string, 2> ids;
    for (std::size_t i = 0; i < 2; ++i) {
      ids[i] = create_case(*servers[i]);
      ASSERT_EQ(step(*servers[i], ids[i], "consented").status, 200);
      ASSERT_EQ(step(*servers[i], ids[i], "host_asked").status, 200);
    }
    std::array<HttpResult, 2> results;
    std::latch go(2);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        HttpClient c(servers[i]->host(), servers[i]->port());
        c.get("/health");  // connected before the start
        auto headers = bearer(*town_, "matcher");
        headers.emplace_back("Content-Type", "application/json");
        go.arrive_and_wait();
        results[i] = c.request("POST", "/api/referrals/" + ids[i] + "/transitions", headers,
                               json{{"to", "started"}}.dump());
      });
    }
    for (auto& t : threads) t.join();
    const int ok = (results[0].status == 200 ? 1 : 0) + (results[1].status == 200 ? 1 : 0);
    const int refused = (results[0].status == 409 ? 1 : 0) + (results[1].status == 409 ? 1 : 0);
    ASSERT_EQ(ok, 1) << "round " << round << ": " << results[0].body << " / " << results[1].body;
    ASSERT_EQ(refused, 1) << results[0].body << " / " << results[1].body;
    const std::size_t winner = results[0].status == 200 ? 0 : 1;
    EXPECT_NE(results[1 - winner].body.find("no open slot left"), std::string::npos)
        << results[1 - winner].body;
    // Both maps show the slot gone (the loser's server was told, not asked).
    EXPECT_TRUE(until([&] { return slots_open(*a_) == 0 && slots_open(*b_) == 0; }, kTold))
        << "round " << round;
    ASSERT_EQ(step(*servers[winner], ids[winner], "ended").status, 200);
    ASSERT_EQ(step(*servers[1 - winner], ids[1 - winner], "declined_by_host", "full").status, 200);
    EXPECT_TRUE(until([&] { return slots_open(*a_) == 1 && slots_open(*b_) == 1; }, kTold))
        << "round " << round;
  }
}

TEST_F(TwoServers, ALoginOnAIsValidOnBAndALogoutOnBEndsItOnA) {
  HttpClient a(a_->host(), a_->port());
  const auto in = a.request("POST", "/api/login", {{"Content-Type", "application/json"}},
                            json{{"name", "coordinator"}, {"password", kPassword}}.dump());
  ASSERT_EQ(in.status, 200) << in.body;
  const std::string set = in.header("set-cookie");
  const std::string cookie = set.substr(0, set.find(';'));
  const std::string csrf = json::parse(in.body)["csrf_token"];

  const auto me = [&](const ServerProcess& s) {
    HttpClient c(s.host(), s.port());
    const auto r = c.get("/api/me", {{"Cookie", cookie}});
    return json::parse(r.body).value("role", std::string("public"));
  };
  EXPECT_EQ(me(*a_), "coordinator");  // cached on A now, for up to auth_cache_s (300 s)
  EXPECT_EQ(me(*b_), "coordinator") << "the session is the store's, not A's";
  // The CSRF token is the session's: B takes it for a write.
  HttpClient b(b_->host(), b_->port());
  const auto out = b.request("POST", "/api/logout", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(me(*b_), "public");
  const auto ended = until([&] { return me(*a_) == "public"; }, kTold);
  EXPECT_TRUE(ended.has_value()) << "A still took the session B ended";
}

TEST_F(TwoServers, AJobQueuedOnARunsOnceAndBothAnswerForIt) {
  const json request = {
      {"analysis", "coverage"}, {"kinds", {"ibasho"}}, {"target", "aged_75"}, {"max_m", 1000}};
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    const auto r = call(*a_, "POST", "/api/gap/jobs", "planner", request);
    ASSERT_EQ(r.status, 202) << r.body;
    ids.push_back(json::parse(r.body)["id"]);
  }
  for (const auto& id : ids) {
    json on_a;
    ASSERT_TRUE(until(
        [&] {
          on_a = json::parse(call(*a_, "GET", "/api/gap/jobs/" + id, "planner").body);
          return on_a["status"] != "queued" && on_a["status"] != "running";
        },
        std::chrono::milliseconds(60000)));
    EXPECT_EQ(on_a["status"], "done") << on_a.dump();
    const json on_b = json::parse(call(*b_, "GET", "/api/gap/jobs/" + id, "planner").body);
    EXPECT_EQ(on_b["status"], "done");
    EXPECT_EQ(on_b["result"], on_a["result"]);
  }
  // Each ran once: one row each, ended once, whichever server claimed it.
  const json list = json::parse(call(*b_, "GET", "/api/gap/jobs?limit=100", "planner").body);
  std::size_t listed = 0;
  for (const auto& j : list["jobs"]) {
    listed +=
        static_cast<std::size_t>(std::count(ids.begin(), ids.end(), j["id"].get<std::string>()));
  }
  EXPECT_EQ(listed, ids.size());
}

TEST_F(TwoServers, AnImportKilledMidwayLeavesNothingOfItselfAndTheServersServeOn) {
  const auto count = [&](const ServerProcess& s) {
    const auto r = call(s, "GET", "/api/resources?limit=1", "coordinator");
    return json::parse(r.body)["numberMatched"].get<long long>();
  };
  const long long before = count(*a_);
  // Enough rows that the import is still writing when it is killed.
  std::string csv = "id,name,lat,lon\n";
  for (int i = 0; i < 40000; ++i) {
    csv += std::to_string(i) + ",集いの場" + std::to_string(i) + "," +
           std::to_string(35.09 + (i % 100) * 1e-4) + "," +
           std::to_string(133.63 + (i / 100) * 1e-4) + "\n";
  }
  const auto file = *dir_ / "many.csv";
  write_file(file, csv);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string bin = TSUNAGI_BINARY;
    execl(bin.c_str(), bin.c_str(), "import", "--db", uri_->c_str(), "--kind", "ibasho",
          "--source-key", "e2e-many", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the import ended before it was killed: make it bigger";
  EXPECT_EQ(count(*a_), before);
  EXPECT_EQ(count(*b_), before);
  // Whole again: the same import run to its end brings every row, once.
  const auto again = run_tsunagi(
      {"import", "--db", *uri_, "--kind", "ibasho", "--source-key", "e2e-many", file.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(
      until([&] { return count(*a_) == before + 40000 && count(*b_) == before + 40000; }, kTold));
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

// `tsunagi migrate` of the demo store: a server on the copy answers every read as the server on
// the SQLite original, byte for byte (ETags aside: they name the store).
TEST(MigratedDemo, AServerOnTheCopyAnswersAsOnTheOriginal) {
  if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
  TempDir dir;
  const auto db = dir / "demo.db";
  ASSERT_EQ(run_tsunagi({"demo", "--db", db.string()}).exit_code, 0);
  const std::string uri = new_postgres_database("migrated_demo");
  const auto m = run_tsunagi({"migrate", "--from", db.string(), "--to", uri});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  ServerProcess sqlite({"--db", db.string(), "--port", "0"});
  ServerProcess pg({"--db", uri, "--port", "0"});
  const std::vector<std::string> paths = {"/api/resources?limit=1000",
                                          "/api/resources?limit=50&kind=kayoi_no_ba",
                                          "/api/resources?q=%E3%82%B5%E3%83%AD%E3%83%B3",
                                          "/ogc/collections",
                                          "/ogc/collections/areas/items?limit=1000&f=json",
                                          "/api/stats/freshness",
                                          "/api/sources",
                                          "/api/meta"};
  for (const auto& path : paths) {
    HttpClient a(sqlite.host(), sqlite.port());
    HttpClient b(pg.host(), pg.port());
    // Links name the server that answered: its address aside, the answers are the same.
    const auto without = [](std::string body, const ServerProcess& s) {
      const std::string self = s.host() + ":" + std::to_string(s.port());
      for (auto at = body.find(self); at != std::string::npos; at = body.find(self, at)) {
        body.replace(at, self.size(), "SERVER");
      }
      return body;
    };
    const auto ra = a.get(path);
    const auto rb = b.get(path);
    EXPECT_EQ(ra.status, 200) << path;
    EXPECT_EQ(ra.status, rb.status) << path;
    const std::string body_a = without(ra.body, sqlite);
    const std::string body_b = without(rb.body, pg);
    EXPECT_TRUE(body_a == body_b) << path << ": the answers differ (" << body_a.size() << " and "
                                  << body_b.size() << " bytes)";
  }
  EXPECT_EQ(sqlite.stop(SIGTERM), 0);
  EXPECT_EQ(pg.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tsunagi::test
