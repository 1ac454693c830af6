#include "geo/core/resource.hpp"

#include <cmath>
#include <cstdio>
#include <string_view>

#include "geo/core/error.hpp"
#include "geo/core/japan_extent.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/core/resource_fields.hpp"

namespace tsunagi::geo {

namespace {

// Limits on text, in characters (code points). Generous for real data: the longest 名称 in the
// 介護サービス情報公表 open data is under 100 characters, and a note is a few paragraphs.
constexpr std::size_t kMaxLineChars = 200;    ///< names, codes, phone numbers, addresses
constexpr std::size_t kMaxUrlChars = 2000;    ///< url
constexpr std::size_t kMaxTextChars = 4000;   ///< descriptions, notes (may hold line breaks)
constexpr std::size_t kMaxListEntries = 100;  ///< schedules, fees

void check_non_negative(const std::optional<int>& v, const char* field) {
  if (v && *v < 0) {
    throw InvalidArgument(std::string(field) + " must be 0 or more, got " + std::to_string(*v));
  }
}

// The next code point of valid UTF-8 at `i` (advancing i), or -1 when the bytes are not UTF-8.
long next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  long cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (i + static_cast<std::size_t>(len) > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return -1;
  }
  i += static_cast<std::size_t>(len);
  return cp;
}

std::string code_point_name(long cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04lX", static_cast<unsigned long>(cp));
  return buf;
}

// Valid UTF-8, at most `max_chars` characters, no NUL or other control character but line
// breaks and tabs (public data has them even inside names: cells written with Alt+Enter), no
// bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069: they make text display
// differently from what it says).
void check_text(std::string_view v, const std::string& field, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < v.size();) {
    const long cp = next_code_point(v, i);
    if (cp < 0) throw InvalidArgument(field + " is not valid UTF-8");
    ++chars;
    const bool line_break = cp == '\n' || cp == '\r' || cp == '\t';
    if ((cp < 0x20 && !line_break) || (cp >= 0x7F && cp <= 0x9F)) {
      throw InvalidArgument(field + " contains the control character " + code_point_name(cp));
    }
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
      throw InvalidArgument(field + " contains the bidirectional control character " +
                            code_point_name(cp) + "; remove it");
    }
  }
  if (chars > max_chars) {
    throw InvalidArgument(field + " is too long: " + std::to_string(chars) +
                          " characters, at most " + std::to_string(max_chars));
  }
}

bool digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t k = at; k < at + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
  }
  return true;
}

int number(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t k = at; k < at + n; ++k) v = v * 10 + (s[k] - '0');
  return v;
}

// ISO 8601 calendar date YYYY-MM-DD, optionally followed by THH:MM[:SS[.fff]] and Z or ±HH:MM.
bool is_iso8601(std::string_view s) {
  if (s.size() < 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2)) {
    return false;
  }
  const int y = number(s, 0, 4), m = number(s, 5, 2), d = number(s, 8, 2);
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) return false;
  if (s.size() == 10) return true;
  std::size_t i = 10;
  if (s[i] != 'T' || !digits(s, i + 1, 2) || s[i + 3] != ':' || !digits(s, i + 4, 2)) {
    return false;
  }
  if (number(s, i + 1, 2) > 23 || number(s, i + 4, 2) > 59) return false;
  i += 6;
  if (i < s.size() && s[i] == ':') {
    if (!digits(s, i + 1, 2) || number(s, i + 1, 2) > 60) return false;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      ++i;
      const std::size_t from = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == from) return false;
    }
  }
  if (i == s.size()) return true;
  if (s[i] == 'Z') return i + 1 == s.size();
  if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && digits(s, i + 1, 2) && s[i + 3] == ':' &&
      digits(s, i + 4, 2)) {
    return number(s, i + 1, 2) <= 14 && number(s, i + 4, 2) <= 59;
  }
  return false;
}

void check_date(const std::string& v, const char* field) {
  if (!v.empty() && !is_iso8601(v)) {
    throw InvalidArgument(std::string(field) +
                          " must be an ISO 8601 date such as 2025-04-01 (or "
                          "2025-04-01T10:00:00+09:00), got \"" +
                          v.substr(0, 40) + "\"");
  }
}

// A URL field may hold text around addresses (public data has 「（健康づくり推進課）https://…」),
// but never a scheme other than http or https: a javascript: or data: address is script when a
// page links it. Browsers drop leading spaces and any tab or line break inside an href
// ("java\tscript:"), so the scheme is read the same way.
void check_url(const std::string& v, const char* field) {
  check_text(v, field, kMaxUrlChars);
  std::string squeezed;
  for (const char c : v) {
    if (c == '\t' || c == '\r' || c == '\n') continue;
    if (squeezed.empty() && static_cast<unsigned char>(c) <= 0x20) continue;
    squeezed += c;
  }
  const auto end = squeezed.find_first_of(":/?#");
  if (end == std::string::npos || end == 0 || squeezed[end] != ':') return;  // no scheme
  std::string scheme;
  for (const char c : squeezed.substr(0, end)) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(other && !scheme.empty())) return;  // not a scheme: text before a colon
    scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (scheme != "http" && scheme != "https") {
    throw InvalidArgument(std::string(field) + " must be an http:// or https:// address such as " +
                          "https://www.city.example.lg.jp/ (" + scheme +
                          ": and other schemes are not accepted)");
  }
}

void check_hours(const std::optional<double>& h, const char* field) {
  if (h && (!std::isfinite(*h) || *h < 0 || *h > 24)) {
    throw InvalidArgument(std::string(field) + " must be within 0..24 hours, got " +
                          std::to_string(*h));
  }
}

}  // namespace

void validate(const Resource& r) {
  if (r.name.empty()) throw InvalidArgument("name is required");
  if (!std::isfinite(r.lon) || !std::isfinite(r.lat)) {
    throw InvalidArgument("lon and lat must be finite numbers");
  }
  if (r.lon < -180 || r.lon > 180) {
    throw InvalidArgument("lon must be within -180..180, got " + std::to_string(r.lon));
  }
  if (r.lat < -90 || r.lat > 90) {
    throw InvalidArgument("lat must be within -90..90, got " + std::to_string(r.lat));
  }
  if (!lon_in_japan(r.lon) || !lat_in_japan(r.lat)) {
    throw InvalidArgument("lon and lat must be a point in Japan (" + std::string(kJapanExtentText) +
                          "), got lon " + std::to_string(r.lon) + ", lat " + std::to_string(r.lat));
  }
  // Text: one line or several, with limits (see kMax* above).
  check_text(r.id, "id", kMaxLineChars);
  check_text(r.source_key, "source_key", kMaxLineChars);
  // The plain text fields, each with its limit from its row of geo/core/resource_fields.
  for (const auto& f : resource_fields()) {
    if (f.kind == FieldKind::text && f.text != nullptr && f.max_chars > 0) {
      check_text(r.*f.text, std::string(f.key), f.max_chars);
    }
  }
  check_url(r.url, "url");
  check_date(r.vacancy_as_of, "vacancy_as_of");
  check_date(r.verified_at, "verified_at");

  check_non_negative(r.age_min, "age_min");
  check_non_negative(r.age_max, "age_max");
  if (r.age_min && r.age_max && *r.age_min > *r.age_max) {
    throw InvalidArgument("age_min (" + std::to_string(*r.age_min) + ") is greater than age_max (" +
                          std::to_string(*r.age_max) + ")");
  }
  check_non_negative(r.capacity, "capacity");
  check_non_negative(r.vacancy, "vacancy");
  if (r.capacity && r.vacancy && *r.vacancy > *r.capacity) {
    throw InvalidArgument("vacancy (" + std::to_string(*r.vacancy) + ") exceeds capacity (" +
                          std::to_string(*r.capacity) + ")");
  }
  if (!r.lg_code.empty()) {
    const LgCode c = parse_lg_code(r.lg_code);
    if (c.repaired || c.code != r.lg_code) {
      throw InvalidArgument("lg_code must be the 6-digit 全国地方公共団体コード, e.g. " + c.code);
    }
  }
  if (r.fees.size() > kMaxListEntries) {
    throw InvalidArgument("fees has more than " + std::to_string(kMaxListEntries) + " entries");
  }
  for (std::size_t i = 0; i < r.fees.size(); ++i) {
    const std::string field = "fees[" + std::to_string(i) + "]";
    check_non_negative(r.fees[i].amount_yen, "fee amount_yen");
    check_text(r.fees[i].note, field + ".note", kMaxTextChars);
  }
  if (r.offer) {
    const PlacementOffer& o = *r.offer;
    check_non_negative(o.slots_total, "offer.slots_total");
    check_non_negative(o.slots_open, "offer.slots_open");
    if (o.slots_total && o.slots_open && *o.slots_open > *o.slots_total) {
      throw InvalidArgument("offer.slots_open exceeds offer.slots_total");
    }
    check_hours(o.min_hours_per_day, "offer.min_hours_per_day");
    check_hours(o.max_hours_per_day, "offer.max_hours_per_day");
    if (o.min_hours_per_day && o.max_hours_per_day && *o.min_hours_per_day > *o.max_hours_per_day) {
      throw InvalidArgument("offer.min_hours_per_day is greater than offer.max_hours_per_day");
    }
    check_non_negative(o.walk_min_from_stop, "offer.walk_min_from_stop");
    check_text(o.task_description, "offer.task_description", kMaxTextChars);
    check_text(o.eligibility_note, "offer.eligibility_note", kMaxTextChars);
    check_text(o.reward_note, "offer.reward_note", kMaxTextChars);
    check_text(o.nearest_stop, "offer.nearest_stop", kMaxLineChars);
    check_text(o.contact_role, "offer.contact_role", kMaxLineChars);
  }
  if (r.schedules.size() > kMaxListEntries) {
    throw InvalidArgument("schedules has more than " + std::to_string(kMaxListEntries) +
                          " entries");
  }
  for (std::size_t i = 0; i < r.schedules.size(); ++i) {
    const Schedule& s = r.schedules[i];
    const std::string field = "schedules[" + std::to_string(i) + "]";
    if ((s.start_minute && (*s.start_minute < 0 || *s.start_minute > 1440)) ||
        (s.end_minute && (*s.end_minute < 0 || *s.end_minute > 1440))) {
      throw InvalidArgument(field + ": schedule times must be within 00:00..24:00");
    }
    if (s.start_minute && s.end_minute && *s.end_minute <= *s.start_minute) {
      throw InvalidArgument(field + ".end (" + format_time_of_day(*s.end_minute) +
                            ") must be after its start (" + format_time_of_day(*s.start_minute) +
                            ")");
    }
    if (s.interval_weeks < 1 || s.interval_weeks > 4) {
      throw InvalidArgument(field + ".interval_weeks must be within 1..4");
    }
    if (s.rule != Schedule::Rule::irregular && s.rule != Schedule::Rule::daily &&
        s.weekdays.empty()) {
      throw InvalidArgument(field + ": a weekly or monthly schedule needs at least one weekday");
    }
    check_text(s.note, field + ".note", kMaxTextChars);
  }
}

}  // namespace tsunagi::geo
