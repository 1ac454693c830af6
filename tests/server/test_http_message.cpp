#include "server/http_message.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tsunagi::server {
namespace {

TEST(HttpMessage, ARequestArrivingInPiecesIsParsedOnceComplete) {
  RequestParser p;
  HttpRequest req;
  ParseError err;
  p.feed("POST /api/login?x=1 HTTP/1.1\r\nHost: a\r\nContent-Len");
  EXPECT_EQ(p.next(req, err), RequestParser::Status::need_more);
  p.feed("gth: 4\r\nX-Thing:  spaced value  \r\n\r\n{}");
  EXPECT_EQ(p.next(req, err), RequestParser::Status::need_more);
  p.feed("[]");
  ASSERT_EQ(p.next(req, err), RequestParser::Status::complete);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.raw_path(), "/api/login");
  EXPECT_EQ(req.raw_query(), "x=1");
  EXPECT_EQ(req.body, "{}[]");
  EXPECT_EQ(*req.header("x-thing"), "spaced value");
  EXPECT_TRUE(req.keep_alive());
  EXPECT_FALSE(p.has_partial());
}

TEST(HttpMessage, PipelinedRequestsComeOutOneByOne) {
  RequestParser p;
  p.feed(
      "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /c HTTP/1.1\r\n"
      "Connection: close\r\n\r\n");
  HttpRequest r;
  ParseError e;
  ASSERT_EQ(p.next(r, e), RequestParser::Status::complete);
  EXPECT_EQ(r.target, "/a");
  ASSERT_EQ(p.next(r, e), RequestParser::Status::complete);
  EXPECT_EQ(r.target, "/b");
  EXPECT_TRUE(r.keep_alive());
  ASSERT_EQ(p.next(r, e), RequestParser::Status::complete);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(p.next(r, e), RequestParser::Status::need_more);
}

struct Bad {
  std::string bytes;
  ErrorCode code;
};

TEST(HttpMessage, HostileInputBecomesAPreciseErrorNotAnAllocation) {
  ParseLimits limits;
  limits.max_body_bytes = 1000;
  limits.max_header_bytes = 2000;
  const std::vector<Bad> cases = {
      {"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n", ErrorCode::malformed_request},
      {"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
       ErrorCode::payload_too_large},
      {"POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", ErrorCode::payload_too_large},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       ErrorCode::malformed_request},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", ErrorCode::not_implemented},
      {"GET / HTTP/1.1\r\nX: " + std::string(3000, 'x') + "\r\n\r\n",
       ErrorCode::header_fields_too_large},
      {"GET / HTTP/1.1\r\nX: " + std::string(3000, 'x'), ErrorCode::header_fields_too_large},
      {"GET / HTTP/2\r\n\r\n", ErrorCode::http_version_not_supported},
      {"GET / FTP/1.0\r\n\r\n", ErrorCode::malformed_request},
      {"GET  / HTTP/1.1\r\n\r\n", ErrorCode::malformed_request},
      {"\x16\x03\x01", ErrorCode::malformed_request},
      {"GET /\x01 HTTP/1.1\r\n\r\n", ErrorCode::malformed_request},
      {"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", ErrorCode::malformed_request},
      {"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", ErrorCode::malformed_request},
  };
  for (const auto& c : cases) {
    RequestParser p(limits);
    p.feed(c.bytes);
    HttpRequest r;
    ParseError e;
    EXPECT_EQ(p.next(r, e), RequestParser::Status::error) << c.bytes.substr(0, 60);
    EXPECT_EQ(e.code, c.code) << c.bytes.substr(0, 60) << ": " << e.detail;
    EXPECT_FALSE(e.detail.empty());
    // A failed connection stays failed.
    p.feed("GET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(p.next(r, e), RequestParser::Status::error);
  }
}

TEST(HttpMessage, ResponsesKeepAliveAndHeadHasNoBody) {
  HttpResponse r;
  r.set_header("Content-Type", "application/json");
  r.body = "{\"a\":1}";
  const std::string get = serialize_response(r, false, true);
  EXPECT_EQ(get,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
            "Connection: keep-alive\r\n\r\n{\"a\":1}");
  const std::string head = serialize_response(r, true, false);
  EXPECT_NE(head.find("Content-Length: 7\r\n"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
  HttpResponse none;
  none.status = 204;
  EXPECT_EQ(serialize_response(none, false, true).find("Content-Length"), std::string::npos);
  r.set_header("content-type", "text/plain");
  EXPECT_EQ(*r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.headers.size(), 1u);
}

// A cached tile goes out as the cache holds it: no copy, and the cache entry lives as long as
// the response that sends it, even when the cache lets go of it first.
TEST(HttpMessage, ASharedBodyIsSentAsItsOwnerHoldsItAndKeepsItsOwnerAlive) {
  struct Cached {
    std::string etag = "\"t1\"";
    std::string bytes = std::string("\x1f\x8b", 2) + "tile";
  };
  auto owner = std::make_shared<const Cached>();
  HttpResponse r;
  r.body = "stale";
  r.share_body(owner, owner->bytes);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.payload().data(), owner->bytes.data()) << "the body was copied";
  const std::weak_ptr<const Cached> weak = owner;
  owner.reset();  // the cache evicts the tile
  ASSERT_FALSE(weak.expired());
  const std::string out = serialize_response(r, false, true);
  EXPECT_NE(out.find("Content-Length: 6\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 6), std::string("\x1f\x8b", 2) + "tile");
  r = HttpResponse();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace tsunagi::server

namespace tsunagi::server {
namespace {

TEST(MediaType, ParsedPerRfc9110) {
  const auto m = parse_media_type("APPLICATION/JSON ;charset=UTF-8; q=\"a \\\"b\\\"\"");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->essence(), "application/json");
  EXPECT_EQ(m->parameter("charset"), "utf-8");
  EXPECT_EQ(m->parameter("q"), "a \"b\"");
  EXPECT_EQ(parse_media_type("application/geo+json")->essence(), "application/geo+json");
  EXPECT_TRUE(parse_media_type("application/json;"));
  for (const char* bad :
       {"", "application", "application/", "/json", "application/json x",
        "application/json; charset", "application/json; a=\"open", "application json"}) {
    EXPECT_FALSE(parse_media_type(bad)) << bad;
  }
}

}  // namespace
}  // namespace tsunagi::server
