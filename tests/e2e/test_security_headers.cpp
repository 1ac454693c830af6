// The Content-Security-Policy and Referrer-Policy of every response of the real server: pages,
// the frontend's static files, the API, tiles and errors. Escaping holds everywhere, but one
// missed escape must still not run: no inline script, no eval, nothing from another site but the
// basemap's tiles, framed only by the configured sites.
#include <gtest/gtest.h>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

/// The directive `name` of a policy ("script-src 'self'"), or "".
std::string directive(const std::string& policy, const std::string& name) {
  std::size_t at = 0;
  while (at < policy.size()) {
    const auto end = policy.find(';', at);
    std::string d = policy.substr(at, end == std::string::npos ? std::string::npos : end - at);
    while (!d.empty() && d.front() == ' ') d.erase(0, 1);
    if (d.rfind(name + " ", 0) == 0 || d == name) return d;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

TEST(SecurityHeaders, EveryPageFileAndAnswerCarriesTheContentSecurityPolicy) {
  TempDir dir;
  const Town town = make_town(dir);
  write_file(dir / "site" / "index.html",
             "<!doctype html><title>map</title><script type=\"module\" "
             "src=\"/assets/app.js\"></script>");
  write_file(dir / "site" / "assets" / "app.js", "export const x = 1;\n");
  write_file(dir / "site" / "assets" / "app.css", "body { margin: 0 }\n");
  write_file(dir / "site" / "config.json", "{}\n");
  ServerProcess server(
      {"--db", town.db.string(), "--port", "0", "--frontend", (dir / "site").string()});
  HttpClient c(server.host(), server.port());
  const std::vector<std::pair<std::string, int>> targets = {
      {"/", 200},
      {"/index.html", 200},
      {"/assets/app.js", 200},
      {"/assets/app.css", 200},
      {"/config.json", 200},
      {"/health", 200},
      {"/api/resources?limit=1", 200},
      {"/tiles/resources.json", 200},
      {"/no/such/page", 404},
      {"/api/resources?limit=-1", 400},
      {"/api/me", 401},
  };
  for (const auto& [target, status] : targets) {
    const auto r = c.get(target);
    EXPECT_EQ(r.status, status) << target;
    const std::string csp = r.header("content-security-policy");
    ASSERT_FALSE(csp.empty()) << target << " has no Content-Security-Policy";
    EXPECT_EQ(directive(csp, "script-src"), "script-src 'self'") << target << ": " << csp;
    EXPECT_EQ(directive(csp, "object-src"), "object-src 'none'") << csp;
    EXPECT_EQ(directive(csp, "base-uri"), "base-uri 'none'") << csp;
    EXPECT_EQ(directive(csp, "frame-ancestors"), "frame-ancestors 'self'") << csp;
    EXPECT_EQ(directive(csp, "default-src"), "default-src 'self'") << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
    // The default basemap (地理院タイル) may be drawn.
    EXPECT_NE(directive(csp, "img-src").find("https://cyberjapandata.gsi.go.jp"), std::string::npos)
        << csp;
    EXPECT_EQ(r.header("referrer-policy"), "same-origin") << target;
  }
  // HEAD and OPTIONS too.
  EXPECT_FALSE(c.request("HEAD", "/").header("content-security-policy").empty());
  EXPECT_FALSE(c.request("OPTIONS", "/api/resources").header("content-security-policy").empty());
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(SecurityHeaders, TheSitesThatMayFrameTheMapAndTheBasemapAreSettings) {
  TempDir dir;
  const Town town = make_town(dir);
  ServerProcess server({"--db", town.db.string(), "--port", "0", "--frame-ancestors",
                        "'self' https://www.city.example.lg.jp", "--map-tile-origins",
                        "https://tiles.example.jp"});
  HttpClient c(server.host(), server.port());
  const std::string csp = c.get("/health").header("content-security-policy");
  EXPECT_EQ(directive(csp, "frame-ancestors"),
            "frame-ancestors 'self' https://www.city.example.lg.jp")
      << csp;
  EXPECT_EQ(directive(csp, "connect-src"), "connect-src 'self' https://tiles.example.jp") << csp;
  EXPECT_EQ(csp.find("cyberjapandata"), std::string::npos) << csp;
  EXPECT_EQ(server.stop(SIGTERM), 0);
  // A value that would end the directive and add another is refused, naming the setting.
  const auto bad = run_tsunagi({"serve", "--db", town.db.string(), "--port", "0",
                                "--frame-ancestors", "'self'; script-src *"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("frame_ancestors"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tsunagi::test
