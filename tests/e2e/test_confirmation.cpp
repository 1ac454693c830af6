// Listings that stay true, against the real server: a coordinator's confirmation request gives a
// link (and a short code) that shows the host only their listing; "unchanged" moves verified_at
// and nothing else; a change stays off the public API and the tiles until a reviewer accepts it,
// and then appears with a history entry naming the proposal; a link cannot reach another
// listing; used, expired and replaced links are refused alike; guessing is throttled; reports of
// mistakes refuse personal contact details and floods.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"
#include "geo/core/time.hpp"
#include "support/mvt_reader.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class Confirmation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }
  static HttpResult call(const std::string& method, const std::string& target,
                         const std::string& role = "public", const std::string& body = "",
                         const std::string& from = "127.0.0.1",
                         std::vector<std::pair<std::string, std::string>> extra = {}) {
    HttpClient c(server_->host(), server_->port(), from);
    auto h = bearer(*town_, role);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    for (auto& e : extra) h.push_back(std::move(e));
    return c.request(method, target, h, body);
  }
  /// A coordinator's request for the listing `name`: {url, code, expires_at}.
  static json request_for(const std::string& name) {
    const auto r = call("POST", "/api/resources/" + town_->ids.at(name) + "/confirmation-requests",
                        "coordinator");
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body);
  }
  static std::string token_of(const json& req) {
    const std::string url = req["url"];
    return url.substr(url.rfind('/') + 1);
  }
  static json resource(const std::string& name, const std::string& role) {
    const auto r = call("GET", "/api/resources/" + town_->ids.at(name), role);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
  static std::map<std::string, std::string> tile_props(const std::string& name) {
    const auto t = tiles::tile_at(133.640, 35.100, 14);
    const auto r = call("GET", tile_path("resources", t));
    EXPECT_EQ(r.status, 200);
    const std::string body = r.header("content-encoding") == "gzip" ? gunzip(r.body) : r.body;
    for (const auto& f : decode_tile(body, t.z, t.x, t.y)) {
      if (f.props.count("name") > 0 && f.props.at("name") == name) return f.props;
    }
    ADD_FAILURE() << name << " is not in the tile";
    return {};
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* Confirmation::dir_ = nullptr;
Town* Confirmation::town_ = nullptr;
ServerProcess* Confirmation::server_ = nullptr;

TEST_F(Confirmation, ACoordinatorsLinkShowsTheHostOnlyThatListing) {
  const json req = request_for("cafe");
  const std::string base = "http://" + server_->host() + ":" + std::to_string(server_->port());
  EXPECT_EQ(req["url"].get<std::string>().rfind(base + "/c/", 0), 0U) << req;
  const std::string token = token_of(req);
  EXPECT_GE(token.size(), 22U) << "at least 128 random bits";
  const std::string code = req["code"];
  EXPECT_EQ(code.size(), 11U) << code;  // XXXXX-XXXXX
  EXPECT_GT(req["expires_at"].get<std::string>(), geo::today_jst());

  const auto r = call("GET", "/api/confirm/" + token);  // anonymous
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("cache-control"), "no-store");
  const json page = json::parse(r.body);
  EXPECT_EQ(page["listing"]["name"], "まちのかふぇ");
  EXPECT_EQ(page["listing"]["id"], town_->ids.at("cafe"));
  for (const auto& [name, id] : town_->ids) {
    if (name == "cafe") continue;
    EXPECT_EQ(r.body.find(id), std::string::npos) << "shows " << name;
  }
  for (const auto& secret : secret_markers()) {
    EXPECT_EQ(r.body.find(secret), std::string::npos) << secret;
  }
  EXPECT_FALSE(page["listing"].contains("note"));
  EXPECT_FALSE(page["listing"].contains("publish"));

  // The short code, typed the way people type it: lower case, full-width, with spaces.
  std::string typed;
  for (const char ch : code) {
    if (ch == '-') {
      typed += " ー ";
    } else if (ch >= '0' && ch <= '9') {
      typed += "\xEF\xBC";
      typed += static_cast<char>(0x90 + (ch - '0'));  // full-width digit
    } else {
      typed += static_cast<char>(ch - 'A' + 'a');
    }
  }
  const auto by_code = call("GET", "/api/confirm/" + url_encode(typed));
  ASSERT_EQ(by_code.status, 200) << typed << ": " << by_code.body;
  EXPECT_EQ(json::parse(by_code.body)["listing"]["id"], town_->ids.at("cafe"));

  // Only coordinators and admins ask.
  const std::string target = "/api/resources/" + town_->ids.at("cafe") + "/confirmation-requests";
  EXPECT_EQ(call("POST", target).status, 401);
  EXPECT_EQ(call("POST", target, "planner").status, 403);
  EXPECT_EQ(call("POST", target, "matcher").status, 403);
  EXPECT_EQ(call("POST", target, "admin").status, 201);
  // The token, a credential, never reaches the log.
  EXPECT_EQ(server_->output().find(token), std::string::npos);
}

TEST_F(Confirmation, UnchangedMovesVerifiedAtAndNothingElse) {
  const json before = resource("kominkan", "coordinator");
  const std::string token = token_of(request_for("kominkan"));
  const auto r = call("POST", "/api/confirm/" + token, "public", R"({"answer":"unchanged"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["verified_at"], geo::today_jst());
  json after = resource("kominkan", "coordinator");
  EXPECT_EQ(after["properties"]["verified_at"], geo::today_jst());
  EXPECT_EQ(after["geometry"], before["geometry"]);
  for (const auto& [key, value] : before["properties"].items()) {
    if (key == "verified_at" || key == "version" || key == "updated_at") continue;
    EXPECT_EQ(after["properties"][key], value) << key;
  }
  for (const auto& [key, value] : after["properties"].items()) {
    EXPECT_TRUE(before["properties"].contains(key) || key == "verified_at") << key << " appeared";
  }
  // Used: the same link is refused.
  EXPECT_EQ(call("GET", "/api/confirm/" + token).status, 404);
  EXPECT_EQ(call("POST", "/api/confirm/" + token, "public", R"({"answer":"unchanged"})").status,
            404);
  // The freshness figures count it as confirmed within 12 months.
  const auto f = call("GET", "/api/stats/freshness");
  ASSERT_EQ(f.status, 200) << f.body;
  const json stats = json::parse(f.body);
  bool found = false;
  for (const auto& k : stats["by_kind"]) {
    if (k["kind"] != "kominkan") continue;
    found = true;
    EXPECT_EQ(k["confirmed"], 1);
    EXPECT_EQ(k["total"], 1);
    EXPECT_EQ(k["share"], 1.0);
  }
  EXPECT_TRUE(found) << stats;
}

TEST_F(Confirmation, AChangeStaysOffTheMapUntilAcceptedThenHasItsHistory) {
  const std::string token = token_of(request_for("cafe"));
  EXPECT_EQ(tile_props("まちのかふぇ").at("has_vacancy"), "1");
  // A host may not change what is not theirs to change; validation as in the resource API.
  EXPECT_EQ(call("POST", "/api/confirm/" + token, "public",
                 R"({"answer":"changed","changes":{"name":"別の名前"}})")
                .status,
            400);
  const auto bad = call("POST", "/api/confirm/" + token, "public",
                        R"({"answer":"changed","changes":{"vacancy":99}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("vacancy"), std::string::npos) << bad.body;
  const auto r =
      call("POST", "/api/confirm/" + token, "public",
           R"({"answer":"changed","changes":{"vacancy":0,"description":"木曜日に変わりました"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "under_review");

  // Not on the public API, not in the tiles, not even for staff's view of the listing.
  EXPECT_EQ(resource("cafe", "public")["properties"]["vacancy"], 5);
  EXPECT_NE(resource("cafe", "coordinator")["properties"].value("description", ""),
            "木曜日に変わりました");
  EXPECT_EQ(tile_props("まちのかふぇ").at("has_vacancy"), "1");

  // The review queue, with the diff against the current version.
  EXPECT_EQ(call("GET", "/api/review").status, 401);
  EXPECT_EQ(call("GET", "/api/review", "planner").status, 403);
  const auto q = call("GET", "/api/review?limit=1000", "coordinator");
  ASSERT_EQ(q.status, 200) << q.body;
  json proposal;
  const json queue = json::parse(q.body);
  for (const auto& p : queue["proposals"]) {
    if (p["resource_id"] == town_->ids.at("cafe") && p["answer"] == "changed") proposal = p;
  }
  ASSERT_FALSE(proposal.is_null()) << q.body;
  EXPECT_EQ(proposal["diff"]["vacancy"]["from"], 5);
  EXPECT_EQ(proposal["diff"]["vacancy"]["to"], 0);
  EXPECT_EQ(proposal["diff"]["description"]["to"], "木曜日に変わりました");

  // Accepted through the ordinary edit: If-Match with the listing's ETag.
  const std::string target = "/api/review/" + std::to_string(proposal["id"].get<int>());
  EXPECT_EQ(call("POST", target, "coordinator", R"({"decision":"accept"})").status, 428);
  EXPECT_EQ(call("POST", target, "coordinator", R"({"decision":"accept"})", "127.0.0.1",
                 {{"If-Match", "\"999\""}})
                .status,
            412);
  const auto ok = call("POST", target, "coordinator", R"({"decision":"accept"})", "127.0.0.1",
                       {{"If-Match", proposal["etag"].get<std::string>()}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(resource("cafe", "public")["properties"]["vacancy"], 0);
  EXPECT_EQ(resource("cafe", "public")["properties"]["description"], "木曜日に変わりました");
  EXPECT_EQ(tile_props("まちのかふぇ").at("has_vacancy"), "0");
  const auto h = call("GET", "/api/resources/" + town_->ids.at("cafe") + "/history", "coordinator");
  ASSERT_EQ(h.status, 200);
  const json last = json::parse(h.body)["entries"].back();
  const std::string actor = last["actor"];
  EXPECT_NE(actor.find("coordinator"), std::string::npos) << actor;
  EXPECT_NE(actor.find("proposal " + std::to_string(proposal["id"].get<int>())), std::string::npos)
      << actor;
  EXPECT_NE(actor.find("host"), std::string::npos) << actor;
  EXPECT_EQ(last["changes"]["vacancy"]["to"], 0);
  // Decided once; the audit log names the request, the answer and the decision.
  EXPECT_EQ(call("POST", target, "coordinator", R"({"decision":"accept"})", "127.0.0.1",
                 {{"If-Match", "*"}})
                .status,
            404);
  const auto audit = call("GET", "/api/audit", "admin");
  ASSERT_EQ(audit.status, 200) << audit.body;
  for (const std::string action :
       {"confirmation.request", "confirmation.answer", "review.decision"}) {
    EXPECT_NE(audit.body.find(action), std::string::npos) << action;
  }
}

TEST_F(Confirmation, ALinkCannotReadOrChangeAnotherListing) {
  const std::string token = token_of(request_for("kominkan"));
  const json farm_before = resource("farm", "coordinator");
  // Nothing in an answer can name another listing.
  for (const std::string body :
       {R"({"answer":"changed","changes":{"id":"FARM","description":"x"}})",
        R"({"answer":"changed","resource_id":"FARM","changes":{"description":"x"}})",
        R"({"answer":"changed","changes":{"properties":{"id":"FARM"}}})"}) {
    std::string b = body;
    b.replace(b.find("FARM"), 4, town_->ids.at("farm"));
    const auto r = call("POST", "/api/confirm/" + token, "public", b);
    EXPECT_EQ(r.status, 400) << b << ": " << r.body;
  }
  // Another listing's id in the path is just a wrong link.
  EXPECT_EQ(call("GET", "/api/confirm/" + town_->ids.at("farm")).status, 404);
  const auto ok = call("POST", "/api/confirm/" + token, "public",
                       R"({"answer":"changed","changes":{"description":"公民館の説明"}})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  const json farm_after = resource("farm", "coordinator");
  EXPECT_EQ(farm_after, farm_before);
  const auto q = json::parse(call("GET", "/api/review?limit=1000", "coordinator").body);
  for (const auto& p : q["proposals"]) {
    EXPECT_NE(p["resource_id"], town_->ids.at("farm")) << p;
    if (p.contains("diff") && p["diff"].contains("description") &&
        p["diff"]["description"]["to"] == "公民館の説明") {
      EXPECT_EQ(p["resource_id"], town_->ids.at("kominkan"));
    }
  }
}

TEST_F(Confirmation, UsedExpiredAndReplacedLinksAreRefusedAlike) {
  const std::string used = token_of(request_for("farm"));
  ASSERT_EQ(call("POST", "/api/confirm/" + used, "public", R"({"answer":"unchanged"})").status,
            200);
  const std::string replaced = token_of(request_for("cafe"));
  const std::string current = token_of(request_for("cafe"));
  const std::string expired = token_of(request_for("kominkan"));
  {
    auto store = geo::Store::open(town_->db);
    store.exec(
        "UPDATE confirmation_request SET expires_at = '2020-01-01T00:00:00Z' WHERE "
        "request_id = (SELECT max(request_id) FROM confirmation_request)");
  }
  const auto unknown = call("GET", "/api/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                            "public", "", "127.0.0.3");
  ASSERT_EQ(unknown.status, 404);
  for (const auto& t : {used, replaced, expired}) {
    const auto r = call("GET", "/api/confirm/" + t, "public", "", "127.0.0.3");
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body, unknown.body) << "the same answer whichever it is";
    for (const auto& [name, id] : town_->ids) EXPECT_EQ(r.body.find(id), std::string::npos);
    const auto p =
        call("POST", "/api/confirm/" + t, "public", R"({"answer":"unchanged"})", "127.0.0.3");
    EXPECT_EQ(p.status, 404) << p.body;
  }
  EXPECT_EQ(call("GET", "/api/confirm/" + current, "public", "", "127.0.0.3").status, 200);
}

TEST_F(Confirmation, AThousandGuessesAreThrottledAndFindNothing) {
  HttpClient c(server_->host(), server_->port(), "127.0.0.4");
  int found = 0;
  int refused = 0;
  int throttled = 0;
  for (int i = 0; i < 1000; ++i) {
    // Half guessed codes (the short ones), half guessed tokens.
    char guess[64];
    if (i % 2 == 0) {
      std::snprintf(guess, sizeof guess, "ACDEF%05d", i);
    } else {
      std::snprintf(guess, sizeof guess, "guess-%037d", i);
    }
    const auto r = c.get(std::string("/api/confirm/") + guess);
    if (r.status == 200) ++found;
    if (r.status == 404) ++refused;
    if (r.status == 429) {
      ++throttled;
      EXPECT_FALSE(r.header("retry-after").empty());
    }
  }
  EXPECT_EQ(found, 0);
  EXPECT_LE(refused, 20) << "only the first few guesses are even looked up";
  EXPECT_GE(throttled, 980);
  // Another address with the real link is not held up.
  const std::string token = token_of(request_for("kominkan"));
  EXPECT_EQ(call("GET", "/api/confirm/" + token, "public", "", "127.0.0.5").status, 200);
}

TEST_F(Confirmation, ReportsRefusePersonalFieldsAndFloods) {
  const std::string target = "/api/resources/" + town_->ids.at("cafe") + "/reports";
  struct Case {
    std::string body;
    std::string says;
  };
  const std::vector<Case> refused = {
      {R"({"text":"曜日が違います","email":"a@example.jp"})", "unknown key 'email'"},
      {R"({"text":"曜日が違います","name":"山田"})", "unknown key 'name'"},
      {R"({"text":"連絡は yamada@example.jp まで"})", "e-mail"},
      {R"({"text":"連絡は yamada＠example.jp まで"})", "e-mail"},
      {R"({"text":"電話 090-1234-5678 です"})", "phone"},
      {R"({"text":"電話 ０９０－１２３４－５６７８ です"})", "phone"},
      {R"({"text":"   "})", "empty"},
      {json{{"text", std::string(501, 'a')}}.dump(), "at most 500"},
  };
  int from = 10;
  for (const auto& c : refused) {
    const auto r = call("POST", target, "public", c.body, "127.0.0." + std::to_string(from++));
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    EXPECT_NE(r.body.find(c.says), std::string::npos) << c.body << ": " << r.body;
  }
  const auto ok =
      call("POST", target, "public", R"({"text":"今は木曜日の開催です"})", "127.0.0.30");
  ASSERT_EQ(ok.status, 202) << ok.body;
  const auto q = call("GET", "/api/review?limit=1000", "coordinator");
  EXPECT_NE(q.body.find("今は木曜日の開催です"), std::string::npos);
  // Not for a listing the public cannot see.
  EXPECT_EQ(call("POST", "/api/resources/" + town_->ids.at("internal") + "/reports", "public",
                 R"({"text":"x"})", "127.0.0.31")
                .status,
            404);
  // A flood from one address: the first few are taken, the rest wait.
  int accepted = 0;
  int throttled = 0;
  for (int i = 0; i < 30; ++i) {
    const auto r = call("POST", target, "public", R"({"text":"間違っています"})", "127.0.0.32");
    accepted += r.status == 202 ? 1 : 0;
    throttled += r.status == 429 ? 1 : 0;
  }
  EXPECT_LE(accepted, 6);
  EXPECT_GE(throttled, 24);
}

// An attacker without an account probes the two public doors of the confirmation loop. A report
// on a hidden listing and on an id that never existed answer alike (nothing says the hidden one
// exists), and the freshness figures count only what the public may see: its totals are the
// public list's, and a partner's count is larger.
TEST_F(Confirmation, ThePublicLearnsNothingOfHiddenListingsFromReportsOrFreshness) {
  const std::string hidden_id = town_->ids.at("internal");
  const std::string made_up = "0190c0de-0000-7000-8000-000000000000";
  const auto hidden = call("POST", "/api/resources/" + hidden_id + "/reports", "public",
                           R"({"text":"曜日が違います"})", "127.0.0.41");
  const auto none = call("POST", "/api/resources/" + made_up + "/reports", "public",
                         R"({"text":"曜日が違います"})", "127.0.0.42");
  EXPECT_EQ(hidden.status, 404) << hidden.body;
  EXPECT_EQ(none.status, hidden.status);
  std::string hidden_body = hidden.body;
  hidden_body.replace(hidden_body.find(hidden_id), hidden_id.size(), made_up);
  EXPECT_EQ(hidden_body, none.body) << "the answer for a hidden listing differs from no listing";
  const auto queue = json::parse(call("GET", "/api/review?limit=1000", "coordinator").body);
  for (const auto& item : queue["proposals"]) {
    EXPECT_NE(item["resource_id"], hidden_id) << "a refused report reached the queue";
  }

  const auto pub = json::parse(call("GET", "/api/stats/freshness").body);
  const auto listed = json::parse(call("GET", "/api/resources?limit=1000").body);
  ASSERT_GT(listed["numberMatched"].get<int>(), 0);
  EXPECT_EQ(pub["total"], listed["numberMatched"]) << "freshness counts what the list shows";
  std::int64_t by_kind = 0;
  for (const auto& k : pub["by_kind"]) by_kind += k["total"].get<std::int64_t>();
  EXPECT_EQ(by_kind, pub["total"].get<std::int64_t>());
  const auto partners = json::parse(call("GET", "/api/stats/freshness", "planner").body);
  EXPECT_GT(partners["total"].get<std::int64_t>(), pub["total"].get<std::int64_t>())
      << "the partners' listing is counted for partners only";
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

// The hosts' page is the frontend's confirm.html, served at /c (type the code) and at /c/{token}
// (the link), under the same security headers as every page; the token is not logged.
TEST(ConfirmationPage, IsServedAtCAndAtTheLinkWithTheSecurityHeaders) {
  TempDir dir;
  const Town town = make_town(dir);
  const auto site = dir / "site";
  std::filesystem::create_directories(site);
  write_file(site / "index.html", "<!doctype html><title>MAP-PAGE</title>");
  write_file(site / "confirm.html", "<!doctype html><title>CONFIRM-PAGE</title>");
  ServerProcess server({"--db", town.db.string(), "--port", "0", "--frontend", site.string()});
  HttpClient c(server.host(), server.port());
  const std::string token = "0123456789abcdefghijABCDEFGHIJ-_0123456789";
  for (const std::string& target :
       std::vector<std::string>{"/c", "/c/" + token, "/c/ABCDE-FGHJK"}) {
    const auto r = c.get(target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_NE(r.body.find("CONFIRM-PAGE"), std::string::npos) << target;
    EXPECT_NE(r.header("content-security-policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(r.header("cache-control"), "no-store") << target;
  }
  EXPECT_EQ(c.get("/c/a/b").status, 404);
  EXPECT_NE(c.get("/").body.find("MAP-PAGE"), std::string::npos);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(server.output().find(token), std::string::npos) << "the token is not logged";
  EXPECT_NE(server.output().find("GET /c/*"), std::string::npos) << server.output();
}

// `tsunagi confirm request`: a request for every listing not confirmed for N days, written to a
// mail-merge CSV (the one CSV writer, with its formula guard) whose links work.
TEST(ConfirmationCli, WritesAMailMergeOfWorkingLinksForOldListings) {
  TempDir dir;
  Town town = make_town(dir);
  {
    auto store = geo::Store::open(town.db);
    for (const auto& [name, id] : town.ids) {
      auto r = *store.resource(id);
      r.verified_at = name == "kominkan" ? "2020-04-01" : "2099-01-01";
      if (name == "kominkan") r.name = "=HYPERLINK(\"x\")公民館";
      store.update(r, r.version, "test");
    }
  }
  const auto csv = dir / "merge.csv";
  EXPECT_EQ(run_tsunagi({"confirm", "request", "--db", town.db.string(), "--csv", csv.string()})
                .exit_code,
            2)
      << "--base-url is required";
  EXPECT_EQ(run_tsunagi({"confirm", "request", "--db", town.db.string(), "--base-url", "http://x",
                         "--csv", csv.string(), "--kind", "no-such-kind"})
                .exit_code,
            2);
  EXPECT_FALSE(std::filesystem::exists(csv));
  const auto r =
      run_tsunagi({"confirm", "request", "--db", town.db.string(), "--base-url",
                   "https://map.example.jp/", "--csv", csv.string(), "--older-than-days", "365"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_file(csv);
  EXPECT_EQ(text.rfind("\xEF\xBB\xBF", 0), 0U) << "with a BOM for Excel";
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    lines.push_back(text.substr(start, end - start));
    start = end == std::string::npos ? text.size() : end + 2;
  }
  ASSERT_EQ(lines.size(), 2U) << text;  // the header and the one old listing
  EXPECT_NE(lines[1].find(town.ids.at("kominkan")), std::string::npos);
  EXPECT_NE(lines[1].find("'=HYPERLINK"), std::string::npos) << "formula guard: " << lines[1];
  const auto at = lines[1].find("https://map.example.jp/c/");
  ASSERT_NE(at, std::string::npos) << lines[1];
  const std::string token = lines[1].substr(at + 25, lines[1].find(',', at) - at - 25);
  ServerProcess server({"--db", town.db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  const auto page = c.get("/api/confirm/" + token);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(nlohmann::json::parse(page.body)["listing"]["id"], town.ids.at("kominkan"));
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

// The letters: one A4 page per listing of the mail merge, each with a QR code that decodes to
// that listing's link (read back with poppler's pdftoppm and zbar's zbarimg when installed).
TEST(ConfirmationCli, LettersHaveOnePagePerListingWithAQrCodeOfItsLink) {
  TempDir dir;
  const Town town = make_town(dir);
  const auto pdf = dir / "letters.pdf";
  const auto csv = dir / "merge.csv";
  const auto r = run_tsunagi({"confirm", "request", "--db", town.db.string(), "--base-url",
                              "https://map.example.jp", "--older-than-days", "0", "--out",
                              pdf.string(), "--csv", csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_file(csv);
  std::vector<std::string> urls;
  for (std::size_t at = text.find("https://map.example.jp/c/"); at != std::string::npos;
       at = text.find("https://map.example.jp/c/", at + 1)) {
    urls.push_back(text.substr(at, text.find(',', at) - at));
  }
  ASSERT_EQ(urls.size(), 5U) << "every listing but the closed one";
  const std::string bytes = read_file(pdf);
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0U);
  std::size_t pages = 0;
  for (std::size_t at = bytes.find("/Type /Page"); at != std::string::npos;
       at = bytes.find("/Type /Page", at + 1)) {
    if (bytes.compare(at, 12, "/Type /Pages") != 0) ++pages;
  }
  EXPECT_EQ(pages, urls.size());
  const auto png = dir / "page";
  const auto raster = run_program({"pdftoppm", "-f", "2", "-l", "2", "-r", "200", "-png",
                                   "-singlefile", pdf.string(), png.string()});
  if (raster.exit_code != 0) GTEST_SKIP() << "pdftoppm (poppler-utils) is not installed";
  const auto qr = run_program({"zbarimg", "-q", "--raw", png.string() + ".png"});
  if (qr.exit_code != 0 && qr.out.empty()) GTEST_SKIP() << "zbarimg (zbar-tools) is not installed";
  std::string decoded = qr.out;
  while (!decoded.empty() && (decoded.back() == '\n' || decoded.back() == '\r')) decoded.pop_back();
  EXPECT_EQ(decoded, urls[1]) << "page 2's QR code is the second listing's link";
}

}  // namespace
}  // namespace tsunagi::test
