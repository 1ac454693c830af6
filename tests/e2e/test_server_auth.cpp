// Signing in against the real server: session cookie and CSRF, API tokens, logout, the
// slow-down after failed logins and the lock-out.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

std::string cookie_from(const HttpResult& r) {
  const std::string set = r.header("set-cookie");
  return set.substr(0, set.find(';'));
}

HttpResult login(HttpClient& c, const std::string& name, const std::string& password) {
  return c.request("POST", "/api/login", {{"Content-Type", "application/json"}},
                   json{{"name", name}, {"password", password}}.dump());
}

class ServerAuth : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    town_ = make_town(dir_);
    std::vector<std::string> args = {"--db", town_.db.string(), "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args);
  }
  void TearDown() override {
    if (!server_) return;
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
  }
  TempDir dir_;
  Town town_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ServerAuth, SessionCookieNeedsTheCsrfTokenForWrites) {
  start();
  HttpClient c(server_->host(), server_->port());
  const auto in = login(c, "coordinator", kPassword);
  ASSERT_EQ(in.status, 200) << in.body;
  const std::string set = in.header("set-cookie");
  EXPECT_NE(set.find("tsunagi_session="), std::string::npos);
  EXPECT_NE(set.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("Path=/"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);  // cookie_secure is off by default
  const json body = json::parse(in.body);
  EXPECT_EQ(body["role"], "coordinator");
  const std::string csrf = body["csrf_token"];
  ASSERT_FALSE(csrf.empty());
  const std::string cookie = cookie_from(in);

  const auto me = c.get("/api/me", {{"Cookie", cookie}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body)["via"], "session");

  const std::string resource =
      json{{"name", "クッキーで作成"}, {"kind", "ibasho"}, {"lon", 133.64}, {"lat", 35.1}}.dump();
  const auto no_csrf =
      c.request("POST", "/api/resources",
                {{"Cookie", cookie}, {"Content-Type", "application/json"}}, resource);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(json::parse(no_csrf.body)["code"], "csrf_failed");
  const auto wrong_csrf = c.request(
      "POST", "/api/resources",
      {{"Cookie", cookie}, {"Content-Type", "application/json"}, {"X-CSRF-Token", csrf + "x"}},
      resource);
  EXPECT_EQ(wrong_csrf.status, 403);
  const auto ok = c.request(
      "POST", "/api/resources",
      {{"Cookie", cookie}, {"Content-Type", "application/json"}, {"X-CSRF-Token", csrf}}, resource);
  EXPECT_EQ(ok.status, 201) << ok.body;

  // A token needs no CSRF header.
  auto h = bearer(town_, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  EXPECT_EQ(c.request("POST", "/api/resources", h, resource).status, 201);

  // Logout needs the CSRF token too, then the cookie is worthless.
  EXPECT_EQ(c.request("POST", "/api/logout", {{"Cookie", cookie}}).status, 403);
  const auto out = c.request("POST", "/api/logout", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(c.get("/api/me", {{"Cookie", cookie}}).status, 401);
}

TEST_F(ServerAuth, WrongPasswordsSlowDownWith429AndRetryAfter) {
  start({"--login-free-attempts", "2", "--login-delay-ms", "600000"});
  HttpClient c(server_->host(), server_->port());
  EXPECT_EQ(login(c, "planner", "wrong password 1").status, 401);
  EXPECT_EQ(login(c, "planner", "wrong password 2").status, 401);
  // The next attempt comes too soon: refused without even checking the password.
  const auto early = login(c, "planner", kPassword);
  EXPECT_EQ(early.status, 429) << early.body;
  EXPECT_EQ(json::parse(early.body)["code"], "login_throttled");
  EXPECT_GE(std::stoi(early.header("retry-after")), 1);
  // Unknown names are slowed down the same way (nothing tells them apart).
  EXPECT_EQ(login(c, "nobody", "x1234567890").status, 401);
  EXPECT_EQ(login(c, "nobody", "x1234567890").status, 401);
  EXPECT_EQ(login(c, "nobody", "x1234567890").status, 429);
  // Another user is not affected.
  EXPECT_EQ(login(c, "matcher", kPassword).status, 200);
}

TEST_F(ServerAuth, AnAttackersFailedLoginsDoNotStopTheRealUserFromAnotherClient) {
  start({"--login-delay-ms", "0", "--login-lock-after", "3", "--login-lock-minutes", "15"});
  HttpClient attacker(server_->host(), server_->port());  // from 127.0.0.1
  for (int i = 0; i < 20; ++i) {
    const auto r = login(attacker, "admin", "wrong password " + std::to_string(i));
    EXPECT_EQ(r.status, i < 3 ? 401 : 429) << i << ": " << r.body;
    // The answer never says that the name exists or is locked.
    EXPECT_EQ(r.body.find("lock"), std::string::npos) << r.body;
  }
  // The attacker's address is refused even with the right password...
  const auto refused = login(attacker, "admin", kPassword);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(json::parse(refused.body)["code"], "login_throttled");
  EXPECT_GE(std::stoi(refused.header("retry-after")), 60);
  // ...while the real user, from another address, signs in.
  HttpClient real_user(server_->host(), server_->port(), "127.0.0.2");
  const auto in = login(real_user, "admin", kPassword);
  EXPECT_EQ(in.status, 200) << in.body;
  // The admin's token works throughout: throttling is on password logins.
  EXPECT_EQ(attacker.get("/api/me", bearer(town_, "admin")).status, 200);
}

TEST_F(ServerAuth, ExistingAndUnknownNamesGetTheSameAnswers) {
  town_ = make_town(dir_);
  // The server hashes its dummy password at the cost the users were made with (minimum here).
  server_ = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--db", town_.db.string(), "--port", "0", "--login-delay-ms", "0",
                               "--login-lock-after", "3"},
      town_.env);
  struct Seen {
    std::vector<std::string> answers;
    std::vector<double> ms;
  };
  const auto attempts = [&](const std::string& name, const std::string& source) {
    Seen seen;
    HttpClient c(server_->host(), server_->port(), source);
    for (int i = 0; i < 6; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = login(c, name, i == 5 ? kPassword : "wrong password");
      seen.ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      const json p = json::parse(r.body);
      // Waits may differ by a second (whole seconds of a stored lock): compare without numbers.
      std::string detail = p.value("detail", "");
      std::replace_if(
          detail.begin(), detail.end(), [](char ch) { return ch >= '0' && ch <= '9'; }, 'N');
      seen.answers.push_back(std::to_string(r.status) + " " + p.value("code", "") + " " + detail +
                             " retry-after:" + (r.header("retry-after").empty() ? "" : "set"));
    }
    return seen;
  };
  const Seen existing = attempts("planner", "127.0.0.3");
  const Seen unknown = attempts("no-such-user", "127.0.0.4");
  EXPECT_EQ(existing.answers, unknown.answers);
  // The same work: an argon2id check of the same cost. Compare the fastest of the first three
  // (checked) attempts, generously: the machine is shared.
  const double e = *std::min_element(existing.ms.begin(), existing.ms.begin() + 3);
  const double u = *std::min_element(unknown.ms.begin(), unknown.ms.begin() + 3);
  EXPECT_LT(std::max(e, u), 5 * std::min(e, u) + 20) << "existing " << e << " ms, unknown " << u;
}

TEST_F(ServerAuth, DisabledUsersAndUnknownTokensAreRefused) {
  town_ = make_town(dir_);
  const auto dis =
      run_tsunagi_env({"user", "disable", "--db", town_.db.string(), "--name", "planner"}, {});
  ASSERT_EQ(dis.exit_code, 0) << dis.err;
  server_ = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--db", town_.db.string(), "--port", "0"});
  HttpClient c(server_->host(), server_->port());
  EXPECT_EQ(c.get("/api/me", bearer(town_, "planner")).status, 401);
  EXPECT_EQ(login(c, "planner", kPassword).status, 401);
  EXPECT_EQ(c.get("/api/me", {{"Authorization", "Basic dXNlcjpwYXNz"}}).status, 401);
  EXPECT_EQ(c.get("/api/me", bearer(town_, "matcher")).status, 200);
}

TEST_F(ServerAuth, ANewPasswordOrDisablingEndsSessionsAndTokensWithinTheCachePeriod) {
  start({"--auth-cache-s", "2"});
  const std::string db = town_.db.string();
  HttpClient c(server_->host(), server_->port());
  std::map<std::string, std::string> cookies;
  for (const std::string name : {"coordinator", "matcher"}) {
    const auto in = login(c, name, kPassword);
    ASSERT_EQ(in.status, 200) << in.body;
    cookies[name] = cookie_from(in);
    EXPECT_EQ(c.get("/api/me", {{"Cookie", cookies[name]}}).status, 200);
    EXPECT_EQ(c.get("/api/me", bearer(town_, name)).status, 200);
  }
  // The remedy for a stolen account: a new password. The thief's session and tokens end.
  const std::string fresh = "a brand new passphrase";
  const auto reset = run_tsunagi_env({"user", "password", "--db", db, "--name", "coordinator"},
                                     {{"TSUNAGI_PASSWORD", fresh}, {"TSUNAGI_PWHASH", "minimum"}});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  const auto disable = run_tsunagi_env({"user", "disable", "--db", db, "--name", "matcher"}, {});
  ASSERT_EQ(disable.exit_code, 0) << disable.err;
  // A role change ends what was granted under the old role too.
  EXPECT_EQ(c.get("/api/me", bearer(town_, "admin")).status, 200);
  const auto demote =
      run_tsunagi_env({"user", "role", "--db", db, "--name", "admin", "--role", "planner"}, {});
  ASSERT_EQ(demote.exit_code, 0) << demote.err;
  EXPECT_NE(demote.out.find("now has the role planner"), std::string::npos) << demote.out;
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // auth_cache_s 2 + margin
  for (const std::string name : {"coordinator", "matcher"}) {
    EXPECT_EQ(c.get("/api/me", {{"Cookie", cookies[name]}}).status, 401) << name;
    EXPECT_EQ(c.get("/api/me", bearer(town_, name)).status, 401) << name;
  }
  EXPECT_EQ(c.get("/api/me", bearer(town_, "admin")).status, 401);
  // Others are untouched, and the new password signs in.
  EXPECT_EQ(c.get("/api/me", bearer(town_, "planner")).status, 200);
  EXPECT_EQ(login(c, "coordinator", fresh).status, 200);
  EXPECT_EQ(login(c, "coordinator", kPassword).status, 401);
}

TEST_F(ServerAuth, TokensShowTheirLastUseAndARevokedTokenIsRefused) {
  town_ = make_town(dir_);
  const auto db = town_.db.string();
  // A second token for the matcher, revoked before it is ever used.
  const auto made = run_tsunagi_env(
      {"user", "token", "--db", db, "--name", "matcher", "--label", "old-script"}, town_.env);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string old_token = made.out.substr(0, made.out.find('\n'));
  auto list = [&] {
    const auto r = run_tsunagi_env({"user", "tokens", "--db", db, "--name", "matcher"}, {});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string before = list();
  ASSERT_NE(before.find("old-script"), std::string::npos) << before;
  // The listing's last line is the new token: "2  old-script  <created>  never  -".
  const auto line_of = [](const std::string& out, const std::string& label) {
    const auto at = out.find(label);
    const auto start = out.rfind('\n', at) + 1;
    return out.substr(start, out.find('\n', at) - start);
  };
  const std::string old_line = line_of(before, "old-script");
  EXPECT_NE(old_line.find("never"), std::string::npos) << old_line;
  const std::string old_id = old_line.substr(0, old_line.find(' '));
  const auto revoke = run_tsunagi_env(
      {"user", "revoke", "--db", db, "--name", "matcher", "--token-id", old_id}, {});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
  const auto again = run_tsunagi_env(
      {"user", "revoke", "--db", db, "--name", "matcher", "--token-id", old_id}, {});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already revoked"), std::string::npos) << again.err;
  const auto nonsense =
      run_tsunagi_env({"user", "revoke", "--db", db, "--name", "matcher", "--token-id", "x1"}, {});
  EXPECT_EQ(nonsense.exit_code, 2);
  EXPECT_NE(nonsense.err.find("--token-id must be"), std::string::npos) << nonsense.err;
  const auto missing =
      run_tsunagi_env({"user", "revoke", "--db", db, "--name", "matcher", "--token-id", "999"}, {});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("has no token 999"), std::string::npos) << missing.err;

  server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--db", db, "--port", "0"});
  HttpClient c(server_->host(), server_->port());
  EXPECT_EQ(c.get("/api/me", {{"Authorization", "Bearer " + old_token}}).status, 401);
  EXPECT_EQ(c.get("/api/me", bearer(town_, "matcher")).status, 200);
  // The server stamps the working token's use (label "e2e", made by make_town) in the background.
  std::string after;
  for (int i = 0; i < 50; ++i) {
    after = list();
    if (line_of(after, "e2e").find("never") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string used = line_of(after, "e2e");
  EXPECT_EQ(used.find("never"), std::string::npos) << after;
  EXPECT_NE(used.find("T"), std::string::npos) << after;  // an ISO 8601 time
  EXPECT_NE(line_of(after, "old-script").find("never"), std::string::npos) << after;
}

TEST_F(ServerAuth, TheUserCommandNeverTakesThePasswordAsAnArgumentAndChecksIt) {
  town_ = make_town(dir_);
  const auto weak = run_tsunagi_env(
      {"user", "add", "--db", town_.db.string(), "--name", "tanaka", "--role", "coordinator"},
      {{"TSUNAGI_PASSWORD", "short"}, {"TSUNAGI_PWHASH", "minimum"}});
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("at least 10 characters"), std::string::npos) << weak.err;
  const auto no_password = run_tsunagi_env(
      {"user", "add", "--db", town_.db.string(), "--name", "tanaka", "--role", "coordinator"},
      {{"TSUNAGI_PASSWORD", ""}});
  EXPECT_EQ(no_password.exit_code, 2);
  EXPECT_NE(no_password.err.find("TSUNAGI_PASSWORD"), std::string::npos) << no_password.err;
  const auto bad_role = run_tsunagi_env(
      {"user", "add", "--db", town_.db.string(), "--name", "tanaka", "--role", "public"},
      town_.env);
  EXPECT_EQ(bad_role.exit_code, 2);
  EXPECT_NE(bad_role.err.find("coordinator, matcher, planner, admin"), std::string::npos);
  const auto dup = run_tsunagi_env(
      {"user", "add", "--db", town_.db.string(), "--name", "admin", "--role", "admin"}, town_.env);
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos);
  const auto arg = run_tsunagi_env({"user", "add", "--db", town_.db.string(), "--name", "x",
                                    "--role", "admin", "--password", "secret12345"},
                                   town_.env);
  EXPECT_EQ(arg.exit_code, 2);
}

}  // namespace
}  // namespace tsunagi::test
