// The OGC API's query parameters: CRS, limit, offset, datetime, and the paging links.
#include <algorithm>
#include <charconv>

#include "server/ogc/tables.hpp"

namespace tsunagi::server::ogc {

// ---- pure pieces ----

void require_crs84(std::string_view parameter, std::string_view value) {
  if (value == kCrs84 || value == "OGC:CRS84" || value == "[OGC:CRS84]") return;
  invalid(std::string(parameter) + ": only CRS84 (" + std::string(kCrs84) + ") is offered; got \"" +
          std::string(value) + "\"");
}

std::size_t parse_limit(const std::string* text, const Limits& limits) {
  if (text == nullptr) return limits.default_limit;
  if (!all_digits(*text)) {
    invalid("limit must be a whole number from 1 to " + std::to_string(limits.max_limit) +
            " (got \"" + *text + "\")");
  }
  // Digits beyond the maximum (however many) mean "as many as allowed".
  const std::string_view digits =
      std::string_view(*text).substr(std::min(text->find_first_not_of('0'), text->size()));
  if (digits.size() > 9) return limits.max_limit;
  std::size_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (v < 1) invalid("limit must be at least 1");
  return std::min(v, limits.max_limit);
}

std::size_t parse_offset(const std::string* text) {
  if (text == nullptr) return 0;
  std::size_t v = 0;
  const char* first = text->data();
  const char* last = first + text->size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (!all_digits(*text) || ec != std::errc() || ptr != last ||
      v > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    invalid("offset must be a whole number from 0 to 2147483647 (got \"" + *text + "\")");
  }
  return v;
}

namespace {

/// Reads `n` digits at `pos`; false if they are not all digits.
bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

/// YYYY-MM-DD, optionally followed by T and HH[:MM[:SS[.fff]]] and a zone (Z or ±HH:MM).
/// Lenient on the time part because GDAL sends "2024-01-02T" for a date.
bool is_instant(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (!digits_at(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits_at(s, 5, 2, mo) ||
      s[7] != '-' || !digits_at(s, 8, 2, d)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  std::size_t p = 11;
  if (p == s.size()) return true;
  int h = 0, mi = 0, sec = 0;
  if (!digits_at(s, p, 2, h) || h > 23) return false;
  p += 2;
  if (p < s.size() && s[p] == ':') {
    if (!digits_at(s, p + 1, 2, mi) || mi > 59) return false;
    p += 3;
    if (p < s.size() && s[p] == ':') {
      if (!digits_at(s, p + 1, 2, sec) || sec > 60) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        const std::size_t frac = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
        if (p == frac) return false;
      }
    }
  }
  if (p == s.size()) return true;
  if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) return true;
  if (s[p] == '+' || s[p] == '-') {
    int zh = 0, zm = 0;
    return s.size() == p + 6 && digits_at(s, p + 1, 2, zh) && s[p + 3] == ':' &&
           digits_at(s, p + 4, 2, zm) && zh <= 23 && zm <= 59;
  }
  return false;
}

}  // namespace

void validate_datetime(std::string_view text) {
  static constexpr std::string_view kHelp =
      "datetime must be an RFC 3339 date-time (2024-04-01T09:00:00Z), a date (2024-04-01) or an "
      "interval of them separated by '/', with '..' for an open end";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    if (!is_instant(text)) invalid(std::string(kHelp) + " (got \"" + std::string(text) + "\")");
    return;
  }
  const std::string_view a = text.substr(0, slash);
  const std::string_view b = text.substr(slash + 1);
  const bool a_open = a.empty() || a == "..";
  const bool b_open = b.empty() || b == "..";
  if ((a_open && b_open) || (!a_open && !is_instant(a)) || (!b_open && !is_instant(b))) {
    invalid(std::string(kHelp) + " (got \"" + std::string(text) + "\")");
  }
  if (!a_open && !b_open && a.substr(0, 10) > b.substr(0, 10)) {
    invalid("datetime interval must not end before it starts (got \"" + std::string(text) + "\")");
  }
}

std::string page_query(const QueryParams& query, std::size_t limit, std::size_t offset) {
  std::string q;
  for (const auto& [k, v] : query.items()) {
    if (k == "limit" || k == "offset") continue;
    q += percent_encode(k);
    q += '=';
    q += percent_encode(v);
    q += '&';
  }
  q += "limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  return q;
}

json items_links(std::string_view items_url, std::string_view collection_url,
                 const QueryParams& query, std::size_t limit, std::size_t offset,
                 std::size_t matched, std::size_t returned) {
  const auto page = [&](std::size_t off) {
    return std::string(items_url) + "?" + page_query(query, limit, off);
  };
  json links = json::array();
  links.push_back(link(page(offset), "self", kGeoJson, "this page"));
  if (offset + returned < matched) {
    links.push_back(link(page(offset + limit), "next", kGeoJson, "next page"));
  }
  if (offset > 0) {
    links.push_back(
        link(page(offset > limit ? offset - limit : 0), "prev", kGeoJson, "previous page"));
  }
  links.push_back(link(std::string(collection_url), "collection", kJson, "the collection"));
  return links;
}

}  // namespace tsunagi::server::ogc
