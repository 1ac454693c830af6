// The pages say every error the server can send in Japanese: each code of the one error table
// (server/errors.cpp) has a message in frontend/src/messages/ja.json (and en.json), and each
// field of a resource that a problem's detail may name has its Japanese label there.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "geo/core/resource_fields.hpp"
#include "geo/core/resource_json.hpp"
#include "server/errors.hpp"

namespace tsunagi::server {
namespace {

nlohmann::json messages(const std::string& lang) {
  const std::string path =
      std::string(TSUNAGI_SOURCE_DIR) + "/frontend/src/messages/" + lang + ".json";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

bool has_non_ascii(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string text_of(const nlohmann::json& table, const std::string& key) {
  const auto it = table.find(key);
  return it != table.end() && it->is_string() ? it->get<std::string>() : std::string();
}

TEST(ErrorMessages, EveryCodeOfTheErrorTableHasAJapaneseMessage) {
  const auto ja = messages("ja");
  const auto en = messages("en");
  ASSERT_EQ(error_table().size(), 31U) << "one row per ErrorCode";
  for (const auto& row : error_table()) {
    const std::string key = "problem." + std::string(row.id);
    EXPECT_TRUE(has_non_ascii(text_of(ja, key))) << key << " has no Japanese message in ja.json";
    EXPECT_FALSE(text_of(en, key).empty()) << key << " has no message in en.json";
  }
}

TEST(ErrorMessages, EveryFieldOfAResourceHasAJapaneseLabel) {
  const auto ja = messages("ja");
  // Bookkeeping the store writes (never typed, never named in an error to a person).
  const std::set<std::string> written_by_the_store = {"id",        "created_at", "updated_at",
                                                      "source_id", "source_key", "distance_m"};
  const auto props = geo::to_json(geo::Resource{});
  ASSERT_GT(props.size(), 30u);
  for (const auto& [key, value] : props.items()) {
    if (key.ends_with("_ja") || written_by_the_store.contains(key)) continue;
    // A field of the field table with its own Japanese label needs none in ja.json: the pages
    // learn it from GET /api/fields (frontend/src/problems.ts registerFieldLabels).
    const auto* f = geo::find_resource_field(key);
    EXPECT_TRUE(has_non_ascii(text_of(ja, "field." + key)) ||
                (f != nullptr && f->on_pages && has_non_ascii(std::string(f->label))))
        << "field." << key << " has no Japanese label in ja.json";
  }
}

}  // namespace
}  // namespace tsunagi::server
