// Starting and stopping the real server: clean exit on SIGTERM/SIGINT, a clear message and exit
// code 2 when the port is taken or the store is missing, and the effective configuration.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "e2e/server_town.hpp"
#include "support/mvt_reader.hpp"  // gunzip

namespace tsunagi::test {
namespace {

std::filesystem::path empty_store(const TempDir& dir) {
  const auto db = dir / "empty.db";
  geo::Store::open(db, geo::Store::Mode::create_if_missing);
  return db;
}

TEST(ServerLifecycle, SigtermAndSigintStopCleanlyWithExitZero) {
  TempDir dir;
  const auto db = empty_store(dir);
  for (const int sig : {SIGTERM, SIGINT}) {
    ServerProcess server({"--db", db.string(), "--port", "0"});
    HttpClient c(server.host(), server.port());
    EXPECT_EQ(c.get("/health").status, 200);
    EXPECT_EQ(server.stop(sig), 0) << server.output();
    EXPECT_NE(server.output().find("stopped"), std::string::npos);
    EXPECT_TRUE(server.warnings().empty()) << server.output();
  }
}

TEST(ServerLifecycle, ATakenPortIsReportedClearlyWithExitTwo) {
  TempDir dir;
  const auto db = empty_store(dir);
  // Hold a port ourselves.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  const auto r =
      run_tsunagi_env({"serve", "--db", db.string(), "--port", std::to_string(port)}, {});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("already in use"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(port)), std::string::npos) << r.err;
}

TEST(ServerLifecycle, BadStartsSayWhatToFix) {
  TempDir dir;
  const auto missing = run_tsunagi_env({"serve", "--port", "0"}, {});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--db"), std::string::npos) << missing.err;
  const auto no_store =
      run_tsunagi_env({"serve", "--db", (dir / "nope.db").string(), "--port", "0"}, {});
  EXPECT_EQ(no_store.exit_code, 2);
  EXPECT_NE(no_store.err.find("does not exist"), std::string::npos) << no_store.err;
  const auto bad_port = run_tsunagi_env({"serve", "--db", "x.db", "--port", "70000"}, {});
  EXPECT_EQ(bad_port.exit_code, 2);
  EXPECT_NE(bad_port.err.find("between 0 and 65535"), std::string::npos) << bad_port.err;
  const auto unknown = run_tsunagi_env({"serve", "--db", "x.db", "--prot", "1"}, {});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown configuration key 'prot'"), std::string::npos);
}

TEST(ServerLifecycle, PrintConfigShowsFileThenEnvironmentThenFlagsAndWarnsOnUnknownKeys) {
  TempDir dir;
  write_file(dir / "tsunagi.conf",
             "# test configuration\n"
             "port = 9001\n"
             "threads = 3\n"
             "workers = 3\n"
             "prot = 1   # a typo\n");
  const auto r = run_tsunagi_env({"serve", "--config", (dir / "tsunagi.conf").string(), "--db",
                                  "x.db", "--workers", "5", "--print-config"},
                                 {{"TSUNAGI_THREADS", "4"}, {"TSUNAGI_WORKERS", "6"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("port = 9001\n"), std::string::npos) << r.out;  // file
  EXPECT_NE(r.out.find("threads = 4\n"), std::string::npos) << r.out;  // env over file
  EXPECT_NE(r.out.find("workers = 5\n"), std::string::npos) << r.out;  // flag over env
  EXPECT_NE(r.out.find("db = x.db\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("warning:"), std::string::npos);
  EXPECT_NE(r.err.find("unknown key 'prot'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tsunagi.conf:5"), std::string::npos) << r.err;
}

TEST(ServerLifecycle, TheBuiltInPageIsServedWhenThereIsNoFrontendBuild) {
  TempDir dir;
  const auto db = empty_store(dir);
  ServerProcess server({"--db", db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  const auto index = c.get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("/api/resources"), std::string::npos);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(ServerLifecycle, FrontendFilesAreServedWithoutEscapingTheirFolder) {
  TempDir dir;
  const auto db = empty_store(dir);
  write_file(dir / "site" / "index.html", "<!doctype html><title>map</title>");
  write_file(dir / "site" / "assets" / "app.mjs", "export const x = 1;\n");
  write_file(dir / "site" / ".env", "SECRET=1\n");
  write_file(dir / "outside.txt", "outside");
  std::filesystem::create_directory_symlink(dir.path(), dir / "site" / "up");
  ServerProcess server({"--db", db.string(), "--port", "0", "--frontend", (dir / "site").string()});
  HttpClient c(server.host(), server.port());
  EXPECT_EQ(c.get("/").body, "<!doctype html><title>map</title>");
  const auto mjs = c.get("/assets/app.mjs");
  EXPECT_EQ(mjs.status, 200);
  EXPECT_EQ(mjs.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(c.get("/.env").status, 404);
  EXPECT_EQ(c.get("/../outside.txt").status, 404);
  EXPECT_EQ(c.get("/assets/%2E%2E/%2E%2E/outside.txt").status, 404);
  EXPECT_EQ(c.get("/assets%2F..%2F..%2Foutside.txt").status, 404);
  EXPECT_EQ(c.get("/up/outside.txt").status, 404);  // a symlink out of the folder
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_TRUE(server.warnings().empty()) << server.output();
}

TEST(ServerLifecycle, FrontendFilesGoOutGzippedWhenTheClientAcceptsIt) {
  TempDir dir;
  const auto db = empty_store(dir);
  std::string script;
  for (int i = 0; i < 400; ++i)
    script += "export const v" + std::to_string(i) + " = " + std::to_string(i) + ";\n";
  write_file(dir / "site" / "assets" / "app.js", script);
  write_file(dir / "site" / "logo.png", std::string(2000, 'x'));
  ServerProcess server({"--db", db.string(), "--port", "0", "--frontend", (dir / "site").string()});
  HttpClient c(server.host(), server.port());
  const auto plain = c.get("/assets/app.js");
  EXPECT_EQ(plain.body, script);
  EXPECT_EQ(plain.header("content-encoding"), "");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
  for (int round = 0; round < 2; ++round) {  // compressed once, then from memory
    const auto gz = c.get("/assets/app.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    EXPECT_EQ(gz.header("content-encoding"), "gzip");
    EXPECT_LT(gz.body.size(), script.size() / 3);
    EXPECT_EQ(gunzip(gz.body), script);
  }
  // A new build of the file is compressed again.
  write_file(dir / "site" / "assets" / "app.js", script + "export const w = 1;\n");
  EXPECT_EQ(gunzip(c.get("/assets/app.js", {{"Accept-Encoding", "gzip"}}).body),
            script + "export const w = 1;\n");
  // Images are already compressed: sent as they are.
  EXPECT_EQ(c.get("/logo.png", {{"Accept-Encoding", "gzip"}}).header("content-encoding"), "");
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(ServerLifecycle, AnImportRunWhileServingIsServedWithoutARestartAndEditsGoOn) {
  TempDir dir;
  const Town town = make_town(dir);
  const auto db = town.db.string();
  ServerProcess server({"--db", db, "--port", "0", "--store-poll-ms", "200"}, town.env);
  HttpClient c(server.host(), server.port());
  const std::string query = "/api/resources?q=" + url_encode("よりみち");
  EXPECT_NE(c.get(query).body.find("\"numberMatched\":0"), std::string::npos);
  // A coordinator edits (the server reads the store), then imports the 居場所 list with the CLI
  // while the map is being served.
  auto h = bearer(town, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  const auto before =
      c.request("POST", "/api/resources", h,
                R"({"name":"まえのサロン","kind":"ibasho","lon":133.64,"lat":35.1})");
  ASSERT_EQ(before.status, 201) << before.body;
  const auto csv = dir / "ibasho.csv";
  write_file(csv, "名称,住所,緯度,経度\nよりみちカフェ,高松市番町1-8-15,34.3428,134.0466\n");
  const auto imported =
      run_tsunagi_env({"import", "--db", db, "--kind", "ibasho", csv.string()}, {});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;

  std::string body;
  for (int i = 0; i < 100; ++i) {
    body = c.get(query).body;
    if (body.find("よりみちカフェ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(body.find("よりみちカフェ"), std::string::npos) << body;
  // The server's own writes go on after another program's commit.
  const auto after =
      c.request("POST", "/api/resources", h,
                R"({"name":"あとのサロン","kind":"ibasho","lon":133.64,"lat":35.1})");
  EXPECT_EQ(after.status, 201) << after.body;
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_TRUE(server.warnings().empty()) << server.output();
}

}  // namespace
}  // namespace tsunagi::test
