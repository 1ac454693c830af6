#include "geo/core/time.hpp"

#include <cstdio>

namespace tsunagi::geo {

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string utc_now_iso() {
  return iso_utc(std::chrono::system_clock::now());
}

std::optional<std::time_t> parse_iso_utc(std::string_view text) {
  const std::string s(text);  // NUL-terminated, as strptime wants
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0' || s.size() != 20) return std::nullopt;
  return timegm(&tm);
}

std::string iso_utc_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
  std::string out = iso_utc(t);  // "…:38Z"
  out.pop_back();
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03dZ", static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return out + buf;
}

std::optional<std::chrono::system_clock::time_point> parse_iso_utc_ms(std::string_view text) {
  if (text.size() != 24 || text[19] != '.' || text[23] != 'Z') return std::nullopt;
  const auto seconds = parse_iso_utc(std::string(text.substr(0, 19)) + "Z");
  if (!seconds) return std::nullopt;
  int ms = 0;
  for (const char c : text.substr(20, 3)) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  return std::chrono::system_clock::from_time_t(*seconds) + std::chrono::milliseconds(ms);
}

std::string today_jst() {
  return jst_date(std::chrono::system_clock::now());
}

std::string jst_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto jst = floor<days>(t + hours(9));
  const year_month_day ymd(jst);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string jst_month(std::time_t t) {
  const std::time_t jst = t + 9 * 3600;
  std::tm tm{};
  gmtime_r(&jst, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buf;
}

}  // namespace tsunagi::geo
