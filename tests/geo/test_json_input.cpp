#include "geo/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

#include "geo/error.hpp"

namespace tsunagi::geo {
namespace {

std::string nested(std::size_t levels) {
  std::string s;
  for (std::size_t i = 0; i < levels; ++i) s += "{\"a\":";
  s += "1";
  for (std::size_t i = 0; i < levels; ++i) s += "}";
  return s;
}

std::string message_of(std::string_view text) {
  try {
    parse_untrusted_json(text, "the body");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(JsonInput, DepthIsCountedOutsideStringsOnly) {
  EXPECT_FALSE(json_too_deep_at(nested(64)));
  EXPECT_EQ(json_too_deep_at(nested(65)), 64U * 5U);
  EXPECT_FALSE(json_too_deep_at("[[[]]]", 3));
  EXPECT_EQ(json_too_deep_at("[[[[]]]]", 3), 3U);
  // Brackets inside strings, and escaped quotes inside strings, do not count.
  EXPECT_FALSE(json_too_deep_at(R"({"a":"[[[[{{{{","b":"\"[[[[["})", 1));
  EXPECT_FALSE(json_too_deep_at("[1],[2],[3],[4]", 1));
}

TEST(JsonInput, TooDeepADocumentIsRefusedBeforeParsing) {
  EXPECT_NO_THROW(parse_untrusted_json(nested(64), "the body"));
  const std::string m = message_of(nested(70000));
  EXPECT_NE(m.find("the body nests arrays and objects deeper than 64 levels"), std::string::npos)
      << m;
  const std::string arrays = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(message_of(arrays).find("deeper than 64"), std::string::npos);
}

TEST(JsonInput, SyntaxErrorsNameTheByte) {
  EXPECT_EQ(message_of("{\"a\":"), "the body is not valid UTF-8 JSON (problem at byte 6)");
  EXPECT_NE(message_of("{\"a\":\"\xff\"}").find("not valid UTF-8 JSON"), std::string::npos);
  EXPECT_EQ(parse_untrusted_json(R"({"a":[1,{"b":"}"}]})", "x")["a"][1]["b"], "}");
}

TEST(JsonInput, ADuplicateKeyIsRefusedNamingIt) {
  EXPECT_EQ(message_of(R"({"name":"a","lon":1,"name":"b"})"),
            "the body has the key \"name\" twice in one object: send each key once");
  // The same key in different objects is fine.
  EXPECT_NO_THROW(parse_untrusted_json(R"({"a":{"k":1},"b":{"k":2},"k":[{"k":3},{"k":4}]})", "x"));
  EXPECT_NE(message_of(R"({"o":{"k":1,"k":2}})").find("\"k\" twice"), std::string::npos);
}

TEST(JsonInput, ANumberTooLargeForADoubleNamesItsKey) {
  EXPECT_EQ(message_of(R"({"kind":"x","lon":1e400})"),
            "\"lon\" has a number too large for a double; send a finite number");
  EXPECT_NE(message_of("[1e400]").find("the body has a number too large"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::geo
