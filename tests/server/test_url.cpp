#include "server/url.hpp"

#include <gtest/gtest.h>

#include "server/errors.hpp"

namespace tsunagi::server {
namespace {

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e.code();
  }
  return ErrorCode::internal;
}

TEST(Url, PercentDecodingOfJapaneseText) {
  EXPECT_EQ(percent_decode("%E3%82%AB%E3%83%95%E3%82%A7", true, "q"), "カフェ");
  EXPECT_EQ(percent_decode("a+b%20c", true, "q"), "a b c");
  EXPECT_EQ(percent_decode("a+b", false, "path"), "a+b");   // '+' is literal in paths
  EXPECT_EQ(percent_decode("%e6%b0%b4", true, "q"), "水");  // lower-case hex
}

TEST(Url, BadEncodingIsRejectedWithThePosition) {
  try {
    percent_decode("ab%E3%8", true, "query parameter 'q'");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_encoding);
    EXPECT_EQ(e.detail(),
              "query parameter 'q' has a '%' at position 6 that is not followed by two hex "
              "digits; encode a literal '%' as %25");
  }
  // Shift_JIS カ (0x83 0x4A) is not UTF-8.
  EXPECT_EQ(code_of([] { percent_decode("%83J", true, "q"); }), ErrorCode::invalid_encoding);
  EXPECT_EQ(code_of([] { percent_decode("%C0%AF", true, "q"); }), ErrorCode::invalid_encoding);
  EXPECT_EQ(code_of([] { percent_decode("%ED%A0%80", true, "q"); }), ErrorCode::invalid_encoding);
  EXPECT_EQ(code_of([] { percent_decode("a%00", true, "q"); }), ErrorCode::invalid_encoding);
  EXPECT_EQ(code_of([] { percent_decode("%", true, "q"); }), ErrorCode::invalid_encoding);
}

TEST(Url, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("つなぎ町 abc"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x97\xBE"));   // 🗾
  EXPECT_FALSE(is_valid_utf8("\xE3\x81"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
}

TEST(Url, PathSegmentsAreDecodedOneByOne) {
  EXPECT_EQ(split_path("/"), std::vector<std::string>{});
  EXPECT_EQ(split_path("/api/resources/"), (std::vector<std::string>{"api", "resources"}));
  EXPECT_EQ(split_path("/api/resources/a%2Fb"),
            (std::vector<std::string>{"api", "resources", "a/b"}));
  EXPECT_EQ(split_path("/api//x"), (std::vector<std::string>{"api", "", "x"}));
  EXPECT_EQ(code_of([] { split_path("api"); }), ErrorCode::malformed_request);
}

TEST(Url, QueryParametersInOrderWithoutDuplicates) {
  const auto q = QueryParams::parse("q=%E3%81%8B&limit=10&flag&&bbox=1,2,3,4");
  ASSERT_EQ(q.items().size(), 4u);
  EXPECT_EQ(*q.get("q"), "か");
  EXPECT_EQ(*q.get("flag"), "");
  EXPECT_EQ(q.items()[3].first, "bbox");
  EXPECT_EQ(q.get("nope"), nullptr);
  EXPECT_EQ(code_of([] { QueryParams::parse("a=1&a=2"); }), ErrorCode::invalid_parameter);
  EXPECT_EQ(code_of([&] {
              q.require_known({"q", "limit", "flag"});
            }),
            ErrorCode::unknown_parameter);
  EXPECT_NO_THROW(q.require_known({"q", "limit", "flag", "bbox"}));
}

// Plain printable ASCII is taken as it is; anything else (a '%', a '+' in a query, raw UTF-8, a
// control byte) still goes through the decoding and its checks, with the part named.
TEST(Url, PlainTextIsTakenAsItIsAndEverythingElseStillChecked) {
  EXPECT_EQ(split_path("/tiles/resources/12/3640/1612.mvt"),
            (std::vector<std::string>{"tiles", "resources", "12", "3640", "1612.mvt"}));
  EXPECT_EQ(split_path("/a+b/x%20y/~._-"), (std::vector<std::string>{"a+b", "x y", "~._-"}));
  EXPECT_EQ(split_path("/\xE7\x94\xBA"), std::vector<std::string>{"町"});
  const auto q = QueryParams::parse("fields=&q=a+b&kind=ibasho,kayoi&x%5B%5D=1");
  EXPECT_EQ(*q.get("fields"), "");
  EXPECT_EQ(*q.get("q"), "a b");
  EXPECT_EQ(*q.get("kind"), "ibasho,kayoi");
  EXPECT_EQ(*q.get("x[]"), "1");
  const auto detail = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_encoding);
      return e.detail();
    }
    return std::string("no error");
  };
  EXPECT_EQ(detail([] { split_path("/ok/a\x01"); }),
            "path segment 2 contains a control character (byte 2)");
  EXPECT_EQ(detail([] { QueryParams::parse("q=\x7F"); }),
            "query parameter 'q' contains a control character (byte 1)");
  EXPECT_EQ(detail([] { QueryParams::parse("a\x1F=1"); }),
            "a query parameter name contains a control character (byte 2)");
  EXPECT_NE(detail([] { QueryParams::parse("q=\x83J"); }).find("not valid UTF-8"),
            std::string::npos);
}

TEST(Url, AccessLogKeepsQueryKeysButNeverValues) {
  EXPECT_EQ(query_keys_for_log("q=%E5%B1%B1%E7%94%B0&near=133.6,35.1&limit=5"), "?q&near&limit");
  EXPECT_EQ(query_keys_for_log(""), "");
}

TEST(Url, EncodingForLinks) {
  EXPECT_EQ(percent_encode("水曜の午後"), "%E6%B0%B4%E6%9B%9C%E3%81%AE%E5%8D%88%E5%BE%8C");
  EXPECT_EQ(percent_encode("a b,c"), "a%20b%2Cc");
  EXPECT_EQ(percent_decode(percent_encode("a+b &c=d"), true, "q"), "a+b &c=d");
}

}  // namespace
}  // namespace tsunagi::server
