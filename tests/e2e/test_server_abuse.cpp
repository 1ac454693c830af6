// Malformed and hostile requests against the real server: each gets a 4xx (never a 500, never
// an exception text), and the server keeps serving everyone else.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class ServerAbuse : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto db = dir_ / "town.db";
    {
      auto store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
      auto r = town_resource("まちのかふぇ", geo::ResourceKind::ibasho, 133.64, 35.1);
      store.create(r, "test");
    }
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--db", db.string(), "--port", "0", "--request-timeout-s", "2",
                                 "--keepalive-timeout-s", "3"});
  }
  void TearDown() override {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
  }
  void expect_healthy(const std::string& after) {
    HttpClient c(server_->host(), server_->port());
    const auto r = c.get("/health");
    EXPECT_EQ(r.status, 200) << "after " << after;
  }
  HttpResult raw(const std::string& bytes) {
    return HttpClient::raw(server_->host(), server_->port(), bytes);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

struct Abuse {
  std::string name;
  std::string bytes;
  int status;
  std::string detail_contains;
};

TEST_F(ServerAbuse, MalformedRequestsGet4xxAndTheServerKeepsServing) {
  const std::string big_header(20000, 'a');
  std::string many_headers = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many_headers += "X-H" + std::to_string(i) + ": 1\r\n";
  many_headers += "\r\n";
  const std::vector<Abuse> cases = {
      {"bad percent-encoding in a query value",
       "GET /api/resources?q=%E3%8 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "two hex digits"},
      {"bad percent-encoding in a path segment",
       "GET /api/resources/%G1 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "path segment 3"},
      {"invalid UTF-8 (Shift_JIS) in a query value",
       "GET /api/resources?q=%83J%83t%83F HTTP/1.1\r\nHost: x\r\n\r\n", 400, "not valid UTF-8"},
      {"overlong UTF-8 in a path", "GET /api/resources/%C0%AF HTTP/1.1\r\nHost: x\r\n\r\n", 400,
       "not valid UTF-8"},
      {"control character in a query value",
       "GET /api/resources?q=a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "control character"},
      {"negative Content-Length",
       "POST /api/resources HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400,
       "non-negative"},
      {"huge Content-Length",
       "POST /api/resources HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413,
       "at most"},
      {"Content-Length that is not a number",
       "POST /api/resources HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", 400,
       "Content-Length"},
      {"two different Content-Lengths",
       "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
       400, "Content-Length"},
      {"oversized header", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + big_header + "\r\n\r\n",
       431, "headers"},
      {"too many headers", many_headers, 431, "headers"},
      {"request line garbage", "HELLO THERE\r\n\r\n", 400, "request line"},
      {"binary garbage (a TLS hello)", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03", 10),
       400, "TLS"},
      {"raw space in the URL", "GET /api/res ources HTTP/1.1\r\nHost: x\r\n\r\n", 400,
       "request line"},
      {"raw non-ASCII bytes in the URL", "GET /api/resources?q=\xe3\x81\x8b HTTP/1.1\r\n\r\n", 400,
       "percent-encode"},
      {"absolute-form target", "GET http://x/health HTTP/1.1\r\n\r\n", 400, "path"},
      {"header without a colon", "GET /health HTTP/1.1\r\nHost x\r\n\r\n", 400, "Name: value"},
      {"folded header", "GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "folded"},
      {"URL longer than the limit", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n", 414,
       "longer"},
      {"a repeated query parameter", "GET /api/resources?q=a&q=b HTTP/1.1\r\nHost: x\r\n\r\n", 400,
       "more than once"},
      {"a body that is not JSON",
       "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 5\r\n\r\n{name",
       400, "not valid UTF-8 JSON"},
      {"a body with invalid UTF-8",
       "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       "Content-Length: 17\r\n\r\n{\"name\":\"\xff\xfe\xfd\"}   ",
       400, "JSON"},
  };
  for (const auto& a : cases) {
    const HttpResult r = raw(a.bytes);
    EXPECT_EQ(r.status, a.status) << a.name << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << a.name;
    if (r.status != 0) {
      const auto problem = json::parse(r.body);
      EXPECT_NE(problem["detail"].get<std::string>().find(a.detail_contains), std::string::npos)
          << a.name << ": " << problem["detail"];
      // No library's exception text reaches the client.
      EXPECT_EQ(r.body.find("json.exception"), std::string::npos) << a.name;
      EXPECT_EQ(r.body.find("basic_string"), std::string::npos) << a.name;
    }
    expect_healthy(a.name);
  }
}

TEST_F(ServerAbuse, UnknownMethodsAndChunkedBodiesAreRefusedClearly) {
  const auto m = raw("BREW /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(m.status, 501);
  EXPECT_NE(m.body.find("not supported"), std::string::npos);
  const auto te =
      raw("POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
          "chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
  EXPECT_EQ(te.status, 501);
  EXPECT_NE(te.body.find("Content-Length"), std::string::npos);
  expect_healthy("unknown method and chunked body");
}

TEST_F(ServerAbuse, ASlowClientIsCutOffWhileOthersAreServed) {
  // Slowloris: half a request, then nothing. Others are served meanwhile; the slow one gets 408.
  HttpResult slow;
  std::thread t([&] {
    slow = HttpClient::raw(server_->host(), server_->port(), "GET /health HTTP/1.1\r\nHo", 30000);
  });
  for (int i = 0; i < 5; ++i) expect_healthy("a slow client is connected");
  t.join();
  EXPECT_EQ(slow.status, 408);
  expect_healthy("the slow client was cut off");
}

TEST_F(ServerAbuse, ConnectionsStayOpenUnlessTheClientAsksToClose) {
  HttpClient c(server_->host(), server_->port());
  for (int i = 0; i < 5; ++i) {
    const auto r = c.get("/health");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("connection"), "keep-alive");
  }
  EXPECT_EQ(c.connections_opened(), 1);
  const auto closing = c.get("/health", {{"Connection", "close"}});
  EXPECT_EQ(closing.header("connection"), "close");
  EXPECT_TRUE(closing.connection_closed);
  const auto http10 = raw("GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(http10.status, 200);
  EXPECT_TRUE(http10.connection_closed);
  // HEAD: the headers of GET, with its Content-Length, and no body.
  const auto get = c.get("/api/resources");
  const auto head = c.request("HEAD", "/api/resources");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), get.header("content-length"));
  EXPECT_TRUE(head.body.empty());
  // Pipelined requests are answered in order on the same connection.
  const auto two =
      raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nothing HTTP/1.1\r\nHost: x\r\n"
          "Connection: close\r\n\r\n");
  EXPECT_EQ(two.status, 200);
}

}  // namespace
}  // namespace tsunagi::test
