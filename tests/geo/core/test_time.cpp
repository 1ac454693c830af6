// geo/core/time: the instants the store stamps and the calendar days and months of Japan.
#include "geo/core/time.hpp"

#include <gtest/gtest.h>

namespace tsunagi::geo {
namespace {

TEST(Time, InstantsAreWrittenAndReadAsIsoUtc) {
  const auto t = std::chrono::system_clock::from_time_t(1'795'446'038);  // 2026-11-23T15:00:38Z
  EXPECT_EQ(iso_utc(t), "2026-11-23T15:00:38Z");
  EXPECT_EQ(parse_iso_utc("2026-11-23T15:00:38Z"), 1'795'446'038);
  EXPECT_EQ(parse_iso_utc(utc_now_iso()).has_value(), true);
}

TEST(Time, MillisecondInstantsRoundTripAndSortAsText) {
  const auto t =
      std::chrono::system_clock::from_time_t(1'795'446'038) + std::chrono::milliseconds(42);
  EXPECT_EQ(iso_utc_ms(t), "2026-11-23T15:00:38.042Z");
  EXPECT_EQ(parse_iso_utc_ms("2026-11-23T15:00:38.042Z"), t);
  EXPECT_LT(iso_utc_ms(t), iso_utc_ms(t + std::chrono::milliseconds(1)));
  EXPECT_LT(iso_utc_ms(t + std::chrono::milliseconds(958)),
            iso_utc_ms(t + std::chrono::seconds(1)));
  for (const char* bad : {"2026-11-23T15:00:38Z", "2026-11-23T15:00:38.04Z",
                          "2026-11-23T15:00:38.0a2Z", "2026-11-23T15:00:38,042Z", ""}) {
    EXPECT_EQ(parse_iso_utc_ms(bad), std::nullopt) << bad;
  }
}

TEST(Time, OnlyTheStoresOwnFormIsRead) {
  for (const char* bad : {"2026-11-23T15:00:38", "2026-11-23 15:00:38Z", "2026-11-23T15:00:38Z!",
                          "2026-11-23", "", "2026-13-01T00:00:00Z", "yesterday"}) {
    EXPECT_EQ(parse_iso_utc(bad), std::nullopt) << bad;
  }
}

TEST(Time, MonthsAreJapansCalendarMonths) {
  // 2026-11-30T14:59:59Z is 23:59:59 on 30 November in Japan; a second later it is December.
  const std::time_t last_second = *parse_iso_utc("2026-11-30T14:59:59Z");
  EXPECT_EQ(jst_month(last_second), "2026-11");
  EXPECT_EQ(jst_month(last_second + 1), "2026-12");
  EXPECT_EQ(jst_date(std::chrono::system_clock::from_time_t(last_second)), "2026-11-30");
  EXPECT_EQ(jst_date(std::chrono::system_clock::from_time_t(last_second + 1)), "2026-12-01");
  EXPECT_EQ(today_jst().size(), 10U);
  EXPECT_EQ(today_jst()[4], '-');
}

}  // namespace
}  // namespace tsunagi::geo
