// Text, the shared immutable string of a Resource's text fields: copies share one buffer, a write
// replaces the value of one copy only, it reads and compares as a std::string does, and copies
// made and dropped on several threads at once keep the count right.
#include "geo/core/text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unordered_set>
#include <vector>

namespace tsunagi::geo {
namespace {

TEST(Text, CopiesShareOneBufferAndAWriteReplacesOnlyItsOwnValue) {
  const Text a = std::string("いきいき百歳体操 上ノ山会場");
  Text b = a;
  EXPECT_TRUE(b.shares(a));
  EXPECT_EQ(b.data(), a.data()) << "a copy is the same bytes, not a copy of them";
  b += "（第2）";
  EXPECT_FALSE(b.shares(a));
  EXPECT_EQ(a, "いきいき百歳体操 上ノ山会場") << "the other copy is untouched";
  EXPECT_EQ(b, "いきいき百歳体操 上ノ山会場（第2）");
  b = a;
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(a.size(), std::string("いきいき百歳体操 上ノ山会場").size());
}

TEST(Text, EmptyHoldsNothingAndEveryEmptyIsTheSame) {
  const Text none;
  const Text blank = std::string();
  const Text literal = "";
  EXPECT_TRUE(none.empty() && blank.empty() && literal.empty());
  EXPECT_TRUE(none.shares(blank) && blank.shares(literal));
  EXPECT_EQ(none.str(), "");
  EXPECT_STREQ(none.c_str(), "");
  EXPECT_EQ(none.size(), 0U);
  EXPECT_EQ(sizeof(Text), sizeof(void*));
}

TEST(Text, ReadsAndComparesAsAString) {
  const Text t = "上ノ山町1-2";
  const std::string& s = t;
  const std::string_view v = t;
  EXPECT_EQ(s, "上ノ山町1-2");
  EXPECT_EQ(v, "上ノ山町1-2");
  EXPECT_TRUE(t == std::string("上ノ山町1-2"));
  EXPECT_TRUE(t != "上ノ山町1-3");
  EXPECT_LT(t, Text("上ノ山町1-3"));
  EXPECT_GT(Text("b"), "a");
  EXPECT_EQ(t.substr(0, 3), "上");
  EXPECT_TRUE(t.starts_with("上ノ山"));
  EXPECT_TRUE(t.ends_with("1-2"));
  EXPECT_NE(t.find("町"), std::string::npos);
  EXPECT_EQ(t.find('#'), std::string::npos);
  EXPECT_EQ("〒" + t, "〒上ノ山町1-2");
  EXPECT_EQ(t + "番地", "上ノ山町1-2番地");
  EXPECT_EQ(t + Text(" 2階"), "上ノ山町1-2 2階");
  std::ostringstream out;
  out << t;
  EXPECT_EQ(out.str(), "上ノ山町1-2");
  // As keys, and as JSON strings both ways.
  std::map<Text, int> ordered{{Text("b"), 2}, {Text("a"), 1}};
  EXPECT_EQ(ordered.begin()->first, "a");
  const std::unordered_set<Text> hashed{Text("x"), Text(std::string("x"))};
  EXPECT_EQ(hashed.size(), 1U);
  nlohmann::json j = t;
  EXPECT_EQ(j, "上ノ山町1-2");
  EXPECT_EQ(j.get<Text>(), t);
}

TEST(Text, CopiesMadeAndDroppedOnSeveralThreadsKeepTheBufferAlive) {
  const Text shared = std::string(64, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared] {
      for (int i = 0; i < 20000; ++i) {
        Text copy = shared;
        Text moved = std::move(copy);
        if (moved.size() != 64) std::abort();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared, std::string(64, 'x'));
}

}  // namespace
}  // namespace tsunagi::geo
