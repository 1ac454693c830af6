#include "geo/core/json_input.hpp"

#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"

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

std::string shape_message(const JsonShape& shape, const nlohmann::json& doc) {
  try {
    shape.check(doc);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(JsonShape, UnknownKeysAreFoundAtEveryDepthAndNamedByTheirPath) {
  // Arrays inside objects inside arrays inside an object: groups[].members[].tags[].code
  const JsonShape shape{
      {"title", {}},
      {"groups",
       JsonShape::array_of(
           {{"label", {}},
            {"members", JsonShape::array_of({{"tags", JsonShape::array_of({{"code", {}}})}})}})}};
  const auto doc = nlohmann::json::parse(R"({"title": "t", "groups": [
      {"label": "a", "members": [{"tags": [{"code": "x"}, "plain", {"code": "y"}]}]},
      {"members": [{"tags": []}, {"tags": [{"code": "z"}]}]}]})");
  EXPECT_EQ(shape_message(shape, doc), "");
  auto deep = doc;
  deep["groups"][1]["members"][1]["tags"][0]["name"] = "山田";
  EXPECT_EQ(shape_message(shape, deep).substr(0, 48),
            "groups[1].members[1].tags[0].name: unknown key '");
  EXPECT_NE(shape_message(shape, deep).find("known here: code"), std::string::npos);
  // A key inside a value that takes none (a code, a list of scalars) is unknown too.
  auto in_leaf = doc;
  in_leaf["title"] = {{"birth_date", "1970-01-01"}};
  EXPECT_EQ(shape_message(shape, in_leaf),
            "title.birth_date: unknown key 'birth_date'; this value takes no keys");
  auto in_leaf_list = doc;
  in_leaf_list["groups"][0]["label"] = nlohmann::json::array({1, {{"diagnosis", "x"}}});
  EXPECT_EQ(shape_message(shape, in_leaf_list).substr(0, 40),
            "groups[0].label[1].diagnosis: unknown ke");
  // At the top, and the note of the shape follows.
  auto top = doc;
  top["name"] = "x";
  EXPECT_EQ(shape_message(JsonShape(shape).with_note("no personal data"), top),
            "name: unknown key 'name'; known here: groups, title (no personal data)");
  // Scalars and empty objects match any shape: their types are the parser's business.
  EXPECT_EQ(
      shape_message(shape, nlohmann::json{{"groups", 3}, {"title", nlohmann::json::object()}}), "");
}

TEST(JsonShape, MergedShapesTakeTheKeysOfBoth) {
  const JsonShape a{{"x", {}}};
  const JsonShape both = a.merged_with(JsonShape{{"y", JsonShape{{"z", {}}}}});
  EXPECT_EQ(shape_message(both, nlohmann::json::parse(R"({"x": 1, "y": {"z": 2}})")), "");
  EXPECT_EQ(shape_message(both, nlohmann::json::parse(R"({"y": {"w": 2}})")),
            "y.w: unknown key 'w'; known here: z");
}

}  // namespace
}  // namespace tsunagi::geo
