// geo/store/sqlite/accounts with server/credentials: users, tokens, sessions, failed-login
// counters.
#include "geo/store/accounts.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/store/store.hpp"
#include "server/credentials.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  Store store_ = Store::open(dir_ / "a.db", Store::Mode::create_if_missing);
  Accounts& accounts_ = store_.accounts();
};

TEST_F(AccountsTest, UsersHaveARoleAndAnArgon2idHashNeverThePassword) {
  const std::string hash =
      server::hash_password("correct horse battery", server::PasswordCost::minimum);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  const User u = accounts_.add_user("tanaka", Role::coordinator, hash);
  EXPECT_EQ(u.role, Role::coordinator);
  EXPECT_TRUE(server::verify_password(u.password_hash, "correct horse battery"));
  EXPECT_FALSE(server::verify_password(u.password_hash, "correct horse batterY"));
  EXPECT_FALSE(server::verify_password("", "x"));
  EXPECT_THROW(accounts_.add_user("tanaka", Role::planner, hash), Conflict);
  EXPECT_THROW(accounts_.add_user("田中", Role::planner, hash), InvalidArgument);
  EXPECT_THROW(accounts_.add_user("someone", Role::public_, hash), InvalidArgument);
  EXPECT_THROW(server::check_new_password("short"), InvalidArgument);
  accounts_.set_disabled("tanaka", true);
  EXPECT_TRUE(accounts_.user_by_name("tanaka")->disabled);
  EXPECT_THROW(accounts_.set_disabled("nobody", true), NotFound);
  EXPECT_EQ(parse_role("matcher"), Role::matcher);
  EXPECT_EQ(parse_role("root"), std::nullopt);
}

TEST_F(AccountsTest, TokensAreFoundByTheirHashOnly) {
  accounts_.add_user("script", Role::planner, "x");
  const std::string token = server::random_token("tsu_");
  EXPECT_EQ(token.rfind("tsu_", 0), 0u);
  EXPECT_GE(token.size(), 40u);
  EXPECT_NE(token, server::random_token("tsu_"));
  const std::string hash = server::sha256_hex(token);
  EXPECT_EQ(hash.size(), 64u);
  accounts_.add_token("script", hash, "nightly export");
  EXPECT_EQ(accounts_.user_by_token_hash(hash)->name, "script");
  EXPECT_EQ(accounts_.user_by_token_hash(server::sha256_hex(token + "x")), std::nullopt);
  // Nothing in the file holds the token itself.
  EXPECT_EQ(test::read_file(dir_ / "a.db").find(token), std::string::npos);
  EXPECT_THROW(accounts_.add_token("nobody", "h", ""), NotFound);
  EXPECT_EQ(server::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(AccountsTest, SessionsExpireAndFailedLoginsLock) {
  const User u = accounts_.add_user("sato", Role::matcher, "x");
  accounts_.add_session({"h1", u.id, "csrf", "2026-01-01T00:00:00Z", "2026-01-01T12:00:00Z"});
  accounts_.add_session({"h2", u.id, "csrf2", "2026-01-02T00:00:00Z", "2099-01-01T00:00:00Z"});
  EXPECT_EQ(accounts_.session("h1")->second.name, "sato");
  EXPECT_EQ(accounts_.delete_expired_sessions("2026-06-01T00:00:00Z"), 1);
  EXPECT_EQ(accounts_.session("h1"), std::nullopt);
  accounts_.delete_session("h2");
  EXPECT_EQ(accounts_.session("h2"), std::nullopt);

  EXPECT_EQ(accounts_.record_failed_login(u.id, 3, "2099-01-01T00:15:00Z"), 1);
  EXPECT_EQ(accounts_.record_failed_login(u.id, 3, "2099-01-01T00:15:00Z"), 2);
  EXPECT_TRUE(accounts_.user_by_name("sato")->locked_until.empty());
  EXPECT_EQ(accounts_.record_failed_login(u.id, 3, "2099-01-01T00:15:00Z"), 3);
  EXPECT_EQ(accounts_.user_by_name("sato")->locked_until, "2099-01-01T00:15:00Z");
  accounts_.clear_failed_logins(u.id);
  EXPECT_TRUE(accounts_.user_by_name("sato")->locked_until.empty());
  EXPECT_TRUE(server::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(server::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(server::constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace tsunagi::geo
