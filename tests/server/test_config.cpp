#include "server/config.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace tsunagi::server {
namespace {

TEST(Config, DefaultsAreSafeAndNeedOnlyTheStore) {
  Config c;
  EXPECT_THROW(c.validate(), std::invalid_argument);  // no db
  c.db = "town.db";
  EXPECT_NO_THROW(c.validate());
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.max_request_bytes, 1024 * 1024);
  EXPECT_LE(c.request_timeout_s, 30);
  EXPECT_LE(c.keepalive_timeout_s, 60);
  EXPECT_EQ(c.max_page_size, 1000);
}

TEST(Config, FileThenEnvironmentThenFlags) {
  test::TempDir dir;
  test::write_file(dir / "t.conf",
                   "# comment\n\nport = 9000   # trailing comment\nthreads=3\nworkers = 3\n"
                   "colour = blue\n");
  Config c;
  const auto warnings = apply_config_file(c, dir / "t.conf");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("t.conf:6: unknown key 'colour'"), std::string::npos);
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.threads, 3);
  apply_environment(c, {{"TSUNAGI_THREADS", "4"},
                        {"TSUNAGI_WORKERS", "5"},
                        {"TSUNAGI_PASSWORD", "not a config key"},
                        {"PORT", "1"}});
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.workers, 5);
  set_config_value(c, "workers", "6");  // what a --workers flag does
  EXPECT_EQ(c.workers, 6);
  const std::string text = c.to_text();
  EXPECT_NE(text.find("port = 9000\n"), std::string::npos);
  EXPECT_NE(text.find("workers = 6\n"), std::string::npos);
}

TEST(Config, BadValuesSayWhichKeyAndWhatIsAllowed) {
  Config c;
  try {
    set_config_value(c, "port", "80a");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "port must be a whole number, not '80a'");
  }
  EXPECT_THROW(set_config_value(c, "port", "65536"), std::invalid_argument);
  EXPECT_THROW(set_config_value(c, "cookie_secure", "maybe"), std::invalid_argument);
  EXPECT_THROW(set_config_value(c, "prot", "1"), std::invalid_argument);
  try {
    apply_environment(c, {{"TSUNAGI_PORT", "-1"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("TSUNAGI_PORT"), std::string::npos);
  }
  test::TempDir dir;
  test::write_file(dir / "bad.conf", "port 8080\n");
  EXPECT_THROW(apply_config_file(c, dir / "bad.conf"), std::invalid_argument);
  c.db = "x.db";
  c.default_page_size = 2000;
  EXPECT_THROW(c.validate(), std::invalid_argument);
}

TEST(Config, EveryKeyRoundTripsThroughItsTextForm) {
  Config c;
  c.db = "a.db";
  Config d;
  for (const auto key : config_keys()) {
    const std::string text = c.to_text();
    const auto at = text.find(std::string(key) + " = ");
    ASSERT_NE(at, std::string::npos) << key;
    const auto start = at + key.size() + 3;
    set_config_value(d, key, text.substr(start, text.find('\n', start) - start));
  }
  EXPECT_EQ(c.to_text(), d.to_text());
}

}  // namespace
}  // namespace tsunagi::server
