// Gap analysis jobs under attack, on the real server over the demo town: a planner flooding
// submissions keeps memory and the store bounded and leaves a share of the queue to others; only
// the submitter or an admin cancels a job; the list is paged; walks are capped as for matching.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const json kCoverage = {{"analysis", "coverage"},
                        {"kinds", {"kayoi_no_ba"}},
                        {"target", "aged_75"},
                        {"max_walk_min", 15}};

// The defaults the server runs with (README, server/config.hpp).
constexpr std::size_t kQueuePerUser = 4;
constexpr std::size_t kKeepPerUser = 50;

/// Resident memory of a process in KiB (VmRSS), 0 when unreadable.
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

/// The store's bytes on disk: the file and its write-ahead log.
std::uintmax_t store_bytes(const std::filesystem::path& db) {
  std::uintmax_t n = 0;
  for (const auto& p : {db, std::filesystem::path(db.string() + "-wal")}) {
    std::error_code ec;
    const auto s = std::filesystem::file_size(p, ec);
    if (!ec) n += s;
  }
  return n;
}

class GapLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town();
    town_->db = *dir_ / "demo.db";
    const auto demo = run_tsunagi({"demo", "--db", town_->db.string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    add_users(*town_, {"coordinator", "planner", "admin"});
    // A second planner, with a token of their own.
    const auto add = run_tsunagi_env(
        {"user", "add", "--db", town_->db.string(), "--name", "planner2", "--role", "planner"},
        town_->env);
    ASSERT_EQ(add.exit_code, 0) << add.err;
    const auto tok = run_tsunagi_env(
        {"user", "token", "--db", town_->db.string(), "--name", "planner2", "--label", "e2e"},
        town_->env);
    ASSERT_EQ(tok.exit_code, 0) << tok.err;
    std::string token = tok.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    town_->tokens["planner2"] = token;
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0", "--host", "127.0.0.1"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }
  static HttpResult call(HttpClient& c, const std::string& method, const std::string& target,
                         const std::string& who, const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> h = {
        {"Authorization", "Bearer " + town_->tokens.at(who)}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(method, target, h, body);
  }
  static HttpResult call(const std::string& method, const std::string& target,
                         const std::string& who, const std::string& body = "") {
    HttpClient c(server_->host(), server_->port());
    return call(c, method, target, who, body);
  }
  /// Waits until the job has ended (a bounded number of polls; no timing asserted).
  static json wait_end(const std::string& id, const std::string& who) {
    for (int i = 0; i < 600; ++i) {
      const json j = json::parse(call("GET", "/api/gap/jobs/" + id, who).body);
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
TempDir* GapLimits::dir_ = nullptr;
Town* GapLimits::town_ = nullptr;
ServerProcess* GapLimits::server_ = nullptr;

TEST_F(GapLimits, AFloodOfJobsKeepsMemoryAndStoreBoundedAndOthersStillGetTheirTurn) {
  const long rss_before = rss_kib(server_->pid());
  const auto bytes_before = store_bytes(town_->db);
  ASSERT_GT(rss_before, 0);
  HttpClient flood(server_->host(), server_->port());
  std::size_t accepted = 0;
  std::size_t refused_per_user = 0;
  bool other_checked = false;
  for (int i = 0; i < 1000; ++i) {  // bounded in count; each request answered before the next
    const auto r = call(flood, "POST", "/api/gap/jobs", "planner", kCoverage.dump());
    if (r.status == 202) {
      ++accepted;
      continue;
    }
    // Refused: the planner's share is full. Another user is still let in meanwhile.
    if (r.status == 429) {
      ++refused_per_user;
      EXPECT_FALSE(r.header("retry-after").empty());
      EXPECT_NE(r.body.find("job_queue_per_user"), std::string::npos) << r.body;
    }
    if (!other_checked) {
      other_checked = true;
      const auto other = call("POST", "/api/gap/jobs", "coordinator", kCoverage.dump());
      EXPECT_EQ(other.status, 202)
          << "a second user's job, while the planner floods: " << other.body;
    }
  }
  EXPECT_GT(accepted, 0U);
  EXPECT_TRUE(other_checked) << "the planner was never refused in 1000 submissions";
  EXPECT_GT(refused_per_user, 0U) << "the planner's share of " << kQueuePerUser
                                  << " was never full";
  // Let the queue drain, then count what is kept.
  const json page = json::parse(call("GET", "/api/gap/jobs?limit=1", "planner").body);
  ASSERT_FALSE(page["jobs"].empty());
  wait_end(page["jobs"][0]["id"], "planner");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const long rss_after = rss_kib(server_->pid());
  const auto bytes_after = store_bytes(town_->db);
  std::size_t planner_kept = 0;
  {
    auto store = geo::Store::open(town_->db, geo::Store::Mode::read_only);
    for (const auto& j : store.jobs()) planner_kept += j.owner == "planner" ? 1U : 0U;
  }
  EXPECT_LE(planner_kept, kKeepPerUser + kQueuePerUser)
      << accepted << " accepted; the oldest answers beyond job_keep_per_user are deleted";
  EXPECT_LE(static_cast<std::size_t>(json::parse(call("GET", "/api/gap/jobs", "planner").body)
                                         .at("numberMatched")
                                         .get<std::int64_t>()),
            kKeepPerUser + kQueuePerUser);
  // Stated bounds: 50 demo answers are ~0.5 MB; the write-ahead log may hold a few MB more.
  EXPECT_LT(bytes_after - std::min(bytes_after, bytes_before), 8U << 20)
      << "store grew from " << bytes_before << " to " << bytes_after << " bytes";
  EXPECT_LT(rss_after - rss_before, 32L * 1024)
      << "RSS grew from " << rss_before << " to " << rss_after << " KiB";
}

TEST_F(GapLimits, OnlyTheSubmitterOrAnAdminCancelsAJob) {
  const auto r = call("POST", "/api/gap/jobs", "planner", kCoverage.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = json::parse(r.body)["id"];
  // Another planner reads it (same audience) but may not cancel it, whether it is still waiting,
  // running or already done.
  const auto other = call("DELETE", "/api/gap/jobs/" + id, "planner2");
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_NE(other.body.find("submitted"), std::string::npos) << other.body;
  const json ended = wait_end(id, "planner");
  EXPECT_EQ(ended["status"], "done") << "planner2's DELETE must not have cancelled it";
  // Its owner gets 409 now that it has ended (it is theirs).
  EXPECT_EQ(call("DELETE", "/api/gap/jobs/" + id, "planner").status, 409);
  // An admin may cancel anyone's job: never 403.
  const auto again = call("POST", "/api/gap/jobs", "planner", kCoverage.dump());
  ASSERT_EQ(again.status, 202);
  const std::string id2 = json::parse(again.body)["id"];
  const auto by_admin = call("DELETE", "/api/gap/jobs/" + id2, "admin");
  EXPECT_TRUE(by_admin.status == 202 || by_admin.status == 409) << by_admin.status;
  // A job its reader may not see stays unseen: a planner gets 404 for a coordinator's.
  const auto staff = call("POST", "/api/gap/jobs", "coordinator", kCoverage.dump());
  ASSERT_EQ(staff.status, 202);
  const std::string sid = json::parse(staff.body)["id"];
  EXPECT_EQ(call("DELETE", "/api/gap/jobs/" + sid, "planner2").status, 404);
  EXPECT_EQ(call("DELETE", "/api/gap/jobs/no-such-job", "planner2").status, 404);
}

TEST_F(GapLimits, TheListIsPagedNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto r = call("POST", "/api/gap/jobs", "planner2", kCoverage.dump());
    ASSERT_EQ(r.status, 202) << r.body;
    ids.push_back(json::parse(r.body)["id"]);
    wait_end(ids.back(), "planner2");
  }
  const json first = json::parse(call("GET", "/api/gap/jobs?limit=2", "planner2").body);
  ASSERT_EQ(first["jobs"].size(), 2U);
  EXPECT_EQ(first["jobs"][0]["id"], ids[2]);
  EXPECT_EQ(first["jobs"][1]["id"], ids[1]);
  EXPECT_GE(first["numberMatched"].get<int>(), 3);
  EXPECT_FALSE(first["jobs"][0].contains("result")) << "lists carry no answers";
  std::string next;
  for (const auto& l : first["links"]) {
    if (l["rel"] == "next") next = l["href"];
  }
  ASSERT_NE(next.find("offset=2"), std::string::npos) << first["links"].dump();
  const json second = json::parse(call("GET", next.substr(next.find("/api/")), "planner2").body);
  ASSERT_FALSE(second["jobs"].empty());
  EXPECT_EQ(second["jobs"][0]["id"], ids[0]);
  EXPECT_EQ(call("GET", "/api/gap/jobs?limit=0", "planner2").status, 400);
  EXPECT_EQ(call("GET", "/api/gap/jobs?limit=100000", "planner2").status, 400);
}

TEST_F(GapLimits, WalksLongerThanMatchingAllowsAreRefusedNamingTheLimit) {
  json far = kCoverage;
  far["max_walk_min"] = 121;
  const auto r = call("POST", "/api/gap/jobs", "planner2", far.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("max_walk_min: at most 120 minutes"), std::string::npos) << r.body;
  json metres = kCoverage;
  metres.erase("max_walk_min");
  metres["max_m"] = 50000;
  const auto m = call("POST", "/api/gap/jobs", "planner2", metres.dump());
  EXPECT_EQ(m.status, 400);
  EXPECT_NE(m.body.find("max_m: at most 10000 metres"), std::string::npos) << m.body;
  far["max_walk_min"] = 120;
  EXPECT_EQ(call("POST", "/api/gap/jobs", "planner2", far.dump()).status, 202);
}

}  // namespace
}  // namespace tsunagi::test
