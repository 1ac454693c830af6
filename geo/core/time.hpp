// Time as tsunagi writes and reads it: instants as ISO 8601 UTC ("2026-11-23T15:20:38Z", what the
// store stamps and compares as text), and the calendar in Japan (UTC+9, no daylight saving) for
// dates people see: a consent date, a month of figures.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo {

/// "2026-11-23T15:20:38Z".
std::string iso_utc(std::chrono::system_clock::time_point t);
/// The current instant, as iso_utc().
std::string utc_now_iso();
/// "2026-11-23T15:20:38.042Z": with milliseconds, for what is compared within a second (the
/// login slow-down). Compares as text with others of this form only.
std::string iso_utc_ms(std::chrono::system_clock::time_point t);
/// The instant of exactly "YYYY-MM-DDTHH:MM:SS.mmmZ"; nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso_utc_ms(std::string_view text);
/// Seconds since the epoch of exactly "YYYY-MM-DDTHH:MM:SSZ"; nullopt for anything else.
std::optional<std::time_t> parse_iso_utc(std::string_view text);
/// The date in Japan at an instant: "2026-12-03".
std::string jst_date(std::chrono::system_clock::time_point t);
/// Today's date in Japan: "2026-12-03".
std::string today_jst();
/// The calendar month in Japan of an instant: "2026-12".
std::string jst_month(std::time_t t);

}  // namespace tsunagi::geo
