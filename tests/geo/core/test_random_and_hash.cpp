// geo/core/random (libsodium's CSPRNG behind every token) and geo/core/hash (FNV-1a 64).
#include <gtest/gtest.h>

#include <set>

#include "geo/core/hash.hpp"
#include "geo/core/random.hpp"

namespace tsunagi::geo {
namespace {

TEST(Random, TokensAreUrlSafeOfTheAskedLengthAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto t = random_token("tsu_", 32);
    ASSERT_EQ(t.size(), 4U + 43U) << "32 bytes are 43 base64url characters";
    EXPECT_EQ(t.substr(0, 4), "tsu_");
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4),
        std::string::npos)
        << t;
    EXPECT_TRUE(seen.insert(t).second) << "a token repeated";
  }
  EXPECT_EQ(random_bytes(10).size(), 10U);
  EXPECT_NE(random_bytes(16), random_bytes(16));
}

TEST(Hash, IsFnv1a64) {
  // The reference values of FNV-1a 64 (Fowler, Noll, Vo).
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar")) << "continues from a running hash";
}

}  // namespace
}  // namespace tsunagi::geo
