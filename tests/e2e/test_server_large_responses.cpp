// Large responses on one keep-alive connection to a client that reads slowly: the server writes
// what the socket takes and queues the rest, and pipelined responses still arrive whole and in
// request order.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

struct Parsed {
  int status = 0;
  std::string body;
};

// Splits a byte stream of HTTP/1.1 responses that all carry Content-Length.
std::vector<Parsed> split_responses(const std::string& bytes) {
  std::vector<Parsed> out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const auto end = bytes.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    const std::string head = bytes.substr(at, end - at);
    Parsed p;
    p.status = std::stoi(head.substr(9, 3));
    const auto cl = head.find("Content-Length: ");
    if (cl == std::string::npos) break;
    const auto length = std::stoul(head.substr(cl + 16));
    p.body = bytes.substr(end + 4, length);
    at = end + 4 + length;
    out.push_back(std::move(p));
  }
  return out;
}

TEST(ServerLargeResponses, PipelinedPagesReachASlowReaderWholeAndInOrder) {
  TempDir dir;
  const auto db = dir / "town.db";
  {
    auto store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
    geo::Store::Transaction tx(store);
    for (int i = 0; i < 900; ++i) {
      auto r = town_resource("ひろば " + std::to_string(i), geo::ResourceKind::kayoi_no_ba,
                             133.60 + (i % 30) * 0.001, 35.08 + (i / 30) * 0.001);
      r.description = std::string(2000, 'x');  // ~2.5 MB per page of 900
      store.create(r, "test");
    }
    tx.commit();
  }
  ServerProcess server({"--db", db.string(), "--port", "0", "--threads", "1"});

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int small = 8 * 1024;  // a small receive window: the server's writes come back partial
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  ::inet_pton(AF_INET, server.host().c_str(), &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string page = "GET /api/resources?limit=1000 HTTP/1.1\r\nHost: x\r\n";
  const std::string requests = page + "\r\n" + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" +
                               "GET /ogc/collections/kayoi_no_ba/items?limit=1000 HTTP/1.1\r\n"
                               "Host: x\r\n\r\n" +
                               page + "Connection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, requests.data(), requests.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(requests.size()));
  // Read slowly at first, so the server finds the socket full.
  std::string bytes;
  char buf[4096];
  for (int i = 0;; ++i) {
    if (i < 20) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);

  const auto responses = split_responses(bytes);
  ASSERT_EQ(responses.size(), 4u) << bytes.size() << " bytes received";
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_GT(responses[0].body.size(), 500'000u);
  const auto first = json::parse(responses[0].body);
  EXPECT_EQ(first["features"].size(), 900u);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(json::parse(responses[1].body)["status"], "ok");
  const auto ogc = json::parse(responses[2].body);
  EXPECT_EQ(ogc["numberReturned"], 900);
  EXPECT_EQ(responses[3].status, 200);
  EXPECT_EQ(responses[3].body, responses[0].body);
  // Nothing after the last response: the server closed as asked.
  std::size_t total = 0;
  for (const auto& r : responses) total += r.body.size();
  EXPECT_LT(bytes.size() - total, 4u * 1024) << "only the four heads besides the bodies";
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tsunagi::test
