#include "geo/core/address.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "geo/core/text_normalize.hpp"

namespace tsunagi::geo {

namespace {

constexpr std::string_view kChome = "丁目";

std::string kanji_number(int n) {
  static constexpr std::array<std::string_view, 10> kDigits = {"",   "一", "二", "三", "四",
                                                               "五", "六", "七", "八", "九"};
  if (n <= 0 || n >= 100) return std::to_string(n);
  std::string out;
  const int tens = n / 10;
  const int ones = n % 10;
  if (tens > 1) out += kDigits[static_cast<std::size_t>(tens)];
  if (tens > 0) out += "十";
  out += kDigits[static_cast<std::size_t>(ones)];
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return !prefix.empty() && s.substr(0, prefix.size()) == prefix;
}

/// Strips `prefix` from the front of `s` when it is there.
bool strip(std::string_view& s, std::string_view prefix) {
  if (!starts_with(s, prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

/// Whether what is left after a 町丁目 is only a 番地・号 (digits, hyphens, 番地/番/号) or
/// nothing: then the table's point is as good as the table can be.
bool only_house_number(std::string_view rest) {
  if (rest.empty()) return true;
  const char c = rest.front();
  return (c >= '0' && c <= '9') || c == '-' || starts_with(rest, "番") || starts_with(rest, "の");
}

/// Whether `text` holds a 都道府県/郡/市区町村 suffix: then it names some other municipality.
bool names_a_municipality(std::string_view text) {
  for (const std::string_view suffix : {"都", "道", "府", "県", "郡", "市", "区", "町", "村"}) {
    if (text.find(suffix) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::string_view address_level_id(AddressLevel level) {
  switch (level) {
    case AddressLevel::city:
      return "city";
    case AddressLevel::town:
      return "town";
    case AddressLevel::koaza:
      return "koaza";
  }
  return "town";
}

std::string AddressMatch::label() const {
  std::string s = point.pref + point.city;
  if (level != AddressLevel::city) s += point.town;
  if (level == AddressLevel::koaza) s += point.koaza;
  return s;
}

std::string normalize_address(std::string_view utf8) {
  const std::string folded = normalize_for_search(utf8);
  std::string out;
  out.reserve(folded.size());
  std::size_t i = 0;
  while (i < folded.size()) {
    const char c = folded[i];
    if (c >= '0' && c <= '9') {
      std::size_t j = i;
      while (j < folded.size() && folded[j] >= '0' && folded[j] <= '9') ++j;
      const std::string_view digits = std::string_view(folded).substr(i, j - i);
      if (std::string_view(folded).substr(j, kChome.size()) == kChome && digits.size() <= 2) {
        out += kanji_number(std::stoi(std::string(digits)));
      } else {
        out += digits;
      }
      i = j;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

AddressIndex::AddressIndex(std::vector<AddressPoint> points) : points_(std::move(points)) {
  keys_.reserve(points_.size());
  for (const auto& p : points_) {
    Keys k{normalize_address(p.pref),
           normalize_address(p.city),
           {},
           normalize_address(p.town),
           normalize_address(p.koaza)};
    // 「東津軽郡外ケ浜町」 is written 「外ケ浜町」 too: the city without its 郡.
    if (const auto gun = k.city.find("郡"); gun != std::string::npos) {
      k.city_short = k.city.substr(gun + std::string_view("郡").size());
    }
    keys_.push_back(std::move(k));
  }
}

std::vector<AddressMatch> AddressIndex::geocode(std::string_view query, std::size_t limit) const {
  const std::string q = normalize_address(query);
  if (q.empty() || limit == 0) return {};
  struct Candidate {
    bool approximate;
    std::size_t matched;  // bytes of the query explained
    std::size_t index;
    AddressMatch match;
  };
  std::vector<Candidate> found;
  std::map<std::string, std::pair<std::size_t, std::size_t>> city_hits;  // key → (first, count)
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Keys& k = keys_[i];
    std::string_view rest = q;
    const bool pref = strip(rest, k.pref);
    const bool city = strip(rest, k.city) || strip(rest, k.city_short);
    // A query that names another prefecture or city never matches here.
    if (!city && (pref || rest.size() < q.size())) continue;
    if (city) city_hits.try_emplace(k.pref + k.city, i, 0).first->second.second++;
    std::size_t explained = q.size() - rest.size();
    AddressMatch m;
    m.point = points_[i];
    if (strip(rest, k.town)) {
      explained += k.town.size();
      m.level = AddressLevel::town;
      if (!k.koaza.empty()) {
        if (!strip(rest, k.koaza)) continue;  // a 小字 entry needs its 小字
        explained += k.koaza.size();
        m.level = AddressLevel::koaza;
      }
      m.approximate = !only_house_number(rest);
      m.rest = std::string(rest);
      found.push_back({m.approximate, explained, i, std::move(m)});
    } else if (k.koaza.empty() && rest.size() >= 6 && starts_with(k.town, rest)) {
      // What was typed is the start of a longer 町名 (本町 → 本町一丁目).
      m.approximate = true;
      found.push_back({true, rest.size(), i, std::move(m)});
    } else if (k.koaza.empty() && k.town.size() >= 6 && rest.find(k.town) != std::string::npos &&
               !names_a_municipality(rest.substr(0, rest.find(k.town)))) {
      // The 町名 appears later in the text (a typo or an unknown word before it, but not another
      // municipality's name).
      m.approximate = true;
      m.rest = std::string(rest);
      found.push_back({true, k.town.size(), i, std::move(m)});
    }
  }
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.approximate, b.matched, a.index) <
           std::tie(b.approximate, a.matched, b.index);
  });
  std::vector<AddressMatch> out;
  std::set<std::string> seen;
  for (auto& c : found) {
    if (out.size() >= limit) break;
    if (!seen.insert(c.match.label()).second) continue;
    out.push_back(std::move(c.match));
  }
  // Only the city: its points' mean, said to be approximate.
  if (out.empty()) {
    for (const auto& [key, hit] : city_hits) {
      if (out.size() >= limit) break;
      AddressMatch m;
      m.level = AddressLevel::city;
      m.approximate = true;
      m.point = points_[hit.first];
      double lon = 0;
      double lat = 0;
      std::size_t n = 0;
      for (std::size_t i = 0; i < points_.size(); ++i) {
        if (keys_[i].pref + keys_[i].city != key) continue;
        lon += points_[i].lon;
        lat += points_[i].lat;
        ++n;
      }
      m.point.town.clear();
      m.point.koaza.clear();
      m.point.lon = lon / static_cast<double>(n);
      m.point.lat = lat / static_cast<double>(n);
      std::string_view rest = q;
      strip(rest, keys_[hit.first].pref);
      if (!strip(rest, keys_[hit.first].city)) strip(rest, keys_[hit.first].city_short);
      m.rest = std::string(rest);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace tsunagi::geo
