// The route table (which roles may call what) and the router's matching, in process.
#include "server/router.hpp"

#include <gtest/gtest.h>

#include <map>

#include "geo/store/store.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/dispatcher.hpp"
#include "server/routes.hpp"
#include "support/test_support.hpp"

namespace tsunagi::server {
namespace {

using geo::Role;

std::string roles_text(RoleSet s) {
  std::string out;
  s.for_each([&](Role r) {
    if (!out.empty()) out += ",";
    out += geo::role_id(r);
  });
  return out;
}

class RouteTable : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.db = dir_ / "t.db";
    geo::Store::open(config_.db, geo::Store::Mode::create_if_missing);
    context_ = std::make_unique<ServerContext>(config_);
    auth_ = std::make_unique<Auth>(*context_);
  }
  test::TempDir dir_;
  Config config_;
  std::unique_ptr<ServerContext> context_;
  std::unique_ptr<Auth> auth_;
};

TEST_F(RouteTable, EveryCoreRouteAllowsExactlyTheDocumentedRoles) {
  // The policy, written out: any change to server/routes.cpp must change this table too.
  const std::map<std::string, std::pair<std::string, Runs>> expected = {
      {"GET /health", {"public,coordinator,matcher,planner,admin", Runs::reactor}},
      {"GET /api/resources", {"public,coordinator,matcher,planner,admin", Runs::reactor}},
      {"POST /api/resources", {"coordinator,matcher,admin", Runs::worker}},
      {"GET /api/resources/{id}", {"public,coordinator,matcher,planner,admin", Runs::reactor}},
      {"PUT /api/resources/{id}", {"coordinator,matcher,admin", Runs::worker}},
      {"POST /api/resources/{id}/close", {"coordinator,matcher,admin", Runs::worker}},
      {"GET /api/resources/{id}/history", {"coordinator,matcher,planner,admin", Runs::worker}},
      // Listings that stay true: coordinators ask hosts and review; hosts answer by their link;
      // anyone reports a mistake and sees how fresh the listings are.
      {"POST /api/resources/{id}/confirmation-requests", {"coordinator,admin", Runs::worker}},
      {"POST /api/resources/{id}/reports",
       {"public,coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/confirm/{token}", {"public,coordinator,matcher,planner,admin", Runs::worker}},
      {"POST /api/confirm/{token}", {"public,coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/review", {"coordinator,admin", Runs::worker}},
      {"GET /api/confirmation/overdue", {"coordinator,admin", Runs::worker}},
      {"POST /api/review/{id}", {"coordinator,admin", Runs::worker}},
      {"GET /api/stats/freshness", {"public,coordinator,matcher,planner,admin", Runs::reactor}},
      {"POST /api/login", {"public,coordinator,matcher,planner,admin", Runs::login}},
      {"POST /api/logout", {"coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/me", {"coordinator,matcher,planner,admin", Runs::reactor}},
      {"GET /api/users", {"admin", Runs::worker}},
      // The map's address search and data credits (public data, per audience).
      {"GET /api/geocode", {"public,coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/sources", {"public,coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/meta", {"public,coordinator,matcher,planner,admin", Runs::worker}},
      // The field table: what each role may see of a resource and edit (per role, inside).
      {"GET /api/fields", {"public,coordinator,matcher,planner,admin", Runs::reactor}},
      {"POST /api/match", {"matcher", Runs::worker}},
      // 参加支援 referrals: cases for matchers only; aggregates for staff; the audit log for
      // admins.
      {"POST /api/referrals", {"matcher", Runs::worker}},
      {"GET /api/referrals", {"matcher", Runs::worker}},
      {"GET /api/referrals/overdue", {"matcher", Runs::worker}},
      {"GET /api/referrals/stats", {"coordinator,matcher,planner,admin", Runs::worker}},
      {"GET /api/referrals/{id}", {"matcher", Runs::worker}},
      {"POST /api/referrals/{id}/transitions", {"matcher", Runs::worker}},
      {"PUT /api/referrals/{id}/follow-up", {"matcher", Runs::worker}},
      {"GET /api/audit", {"admin", Runs::worker}},
      // Gap analyses: planners and the staff who work with them; not matchers, not the public.
      {"POST /api/gap/jobs", {"coordinator,planner,admin", Runs::worker}},
      {"GET /api/gap/jobs", {"coordinator,planner,admin", Runs::worker}},
      {"GET /api/gap/jobs/{id}", {"coordinator,planner,admin", Runs::worker}},
      {"DELETE /api/gap/jobs/{id}", {"coordinator,planner,admin", Runs::worker}},
      // A commissioning town's 事業報告: counts only, small cells suppressed.
      {"GET /api/reports/annual", {"coordinator,planner,admin", Runs::worker}},
  };
  const auto routes = core_routes(*context_, *auth_);
  EXPECT_EQ(routes.size(), expected.size());
  for (const auto& r : routes) {
    const std::string key = std::string(method_name(r.method)) + " " + r.pattern;
    const auto it = expected.find(key);
    ASSERT_NE(it, expected.end()) << "route not in the test's table: " << key;
    EXPECT_EQ(roles_text(r.roles), it->second.first) << key;
    EXPECT_EQ(r.runs, it->second.second) << key;
    // Only login may skip the CSRF check.
    EXPECT_EQ(r.csrf, key != "POST /api/login") << key;
  }
}

TEST(Router, MatchesParametersHeadAndReportsAllowedMethods) {
  Router router;
  router.add_module({
      {Method::get, "/api/things/{id}", kEveryone, Runs::reactor, {}},
      {Method::put, "/api/things/{id}", kEditors, Runs::worker, {}},
      {Method::get, "/api/things/{id}/parts/{part}", kEveryone, Runs::reactor, {}},
  });
  auto m = router.match(Method::head, {"api", "things", "水曜"});
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::get);
  EXPECT_EQ(m.params, std::vector<std::string>{"水曜"});
  m = router.match(Method::get, {"api", "things", "a", "parts", "b"});
  EXPECT_EQ(m.params, (std::vector<std::string>{"a", "b"}));
  m = router.match(Method::post, {"api", "things", "a"});
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed,
            (std::vector<Method>{Method::get, Method::head, Method::put, Method::options}));
  m = router.match(Method::get, {"api", "nothing"});
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_EQ(router.match(Method::get, {"api", "things", ""}).route, nullptr);
  EXPECT_THROW(router.add({Method::get, "/api/things/{id}", kEveryone, Runs::reactor, {}}),
               std::logic_error);
  EXPECT_THROW(router.add({Method::head, "/x", kEveryone, Runs::reactor, {}}), std::logic_error);
}

TEST_F(RouteTable, InProcessDispatchAppliesRolesAndNeverThrows) {
  const Router router = build_router(*context_, *auth_);
  Dispatcher d(*context_, *auth_, router, StaticFiles{});
  std::vector<std::string> logged;
  d.log_error = [&](const std::string& s) { logged.push_back(s); };
  auto call = [&](const std::string& method, const std::string& target) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    return d.handle(r);
  };
  EXPECT_EQ(call("GET", "/health").status, 200);
  EXPECT_EQ(call("GET", "/api/users").status, 401);
  EXPECT_EQ(call("POST", "/api/resources").status, 401);
  EXPECT_EQ(call("GET", "/api/resources?q=%FF").status, 400);
  EXPECT_EQ(call("GET", "/api/resources/no-such-id").status, 404);
  EXPECT_EQ(call("PATCH", "/api/resources").status, 405);
  EXPECT_EQ(call("OPTIONS", "*").status, 204);
  EXPECT_EQ(call("GET", "/").status, 200);  // the built-in page
  EXPECT_EQ(call("GET", "/api/").status, 404);
  EXPECT_TRUE(logged.empty());
}

}  // namespace
}  // namespace tsunagi::server
