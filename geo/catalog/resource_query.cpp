#include "geo/catalog/resource_query.hpp"

#include <algorithm>
#include <cctype>

#include "geo/core/error.hpp"
#include "geo/core/schedule.hpp"
#include "geo/core/text_normalize.hpp"

namespace tsunagi::geo {

namespace {

std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == ',' || s.front() == '\t')) {
      s.remove_prefix(1);
    } else if (s.substr(0, 3) == "\xE3\x80\x80" || s.substr(0, 3) == "\xE3\x80\x81") {
      s.remove_prefix(3);  // 全角スペース, 読点
    } else {
      break;
    }
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

constexpr std::string_view kAcceptedDays =
    "mon, tue, wed, thu, fri, sat, sun, or 月, 火, 水, 木, 金, 土, 日 (optionally with 曜 or 曜日)";

// Takes the weekday off the front of `s`.
Weekday take_day(std::string_view& s, std::string_view whole) {
  s = trim(s);
  std::size_t letters = 0;
  while (letters < s.size() && std::isalpha(static_cast<unsigned char>(s[letters])) != 0) ++letters;
  if (letters > 0) {
    std::string word(s.substr(0, letters));
    for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // "wed" or "wednesday"
    static constexpr std::string_view kFull[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                 "friday", "saturday", "sunday"};
    for (std::size_t i = 0; i < 7; ++i) {
      const auto day = static_cast<Weekday>(i);
      if (word == code_id(day) || word == kFull[i]) {
        s.remove_prefix(letters);
        return day;
      }
    }
    throw InvalidArgument("'" + std::string(whole) + "': '" + word + "' is not a weekday; use " +
                          std::string(kAcceptedDays));
  }
  std::size_t pos = 0;
  if (next_code_point(s, pos)) {
    if (const auto day = parse_code<Weekday>(s.substr(0, pos))) {
      s.remove_prefix(pos);
      if (!consume(s, "曜日")) consume(s, "曜");
      consume(s, "の");
      return *day;
    }
  }
  throw InvalidArgument("'" + std::string(whole) + "' does not start with a weekday; use " +
                        std::string(kAcceptedDays));
}

constexpr DayPart kDayParts[] = {
    {"午前", "morning", 9 * 60, 12 * 60},
    {"午後", "afternoon", 12 * 60, 18 * 60},
    {"夕方", "evening", 18 * 60, 22 * 60},
    {"夜", "night", 18 * 60, 22 * 60},
};

}  // namespace

std::span<const DayPart> day_parts() {
  return kDayParts;
}

namespace {

void set_range(OpenWindow& w, std::string_view from, std::string_view to, std::string_view whole) {
  try {
    w.from_minute = parse_time_of_day(trim(from));
    w.to_minute = parse_time_of_day(trim(to));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("'" + std::string(whole) + "': " + e.what() +
                          "; write the window as HH:MM-HH:MM, e.g. 13:00-15:00");
  }
  if (*w.from_minute >= *w.to_minute) {
    throw InvalidArgument("'" + std::string(whole) +
                          "': the window must end after it starts (e.g. 13:00-15:00)");
  }
}

// Splits "13:00-15:00" / "13:00〜15:00" / "13時~15時" at the range mark.
bool split_range(std::string_view s, std::string_view& from, std::string_view& to) {
  static constexpr std::string_view kMarks[] = {"〜", "～", "-", "~", "－", "ー"};
  for (const auto mark : kMarks) {
    const auto at = s.find(mark);
    if (at != std::string_view::npos && at > 0) {
      from = s.substr(0, at);
      to = s.substr(at + mark.size());
      return true;
    }
  }
  return false;
}

// Splits text into words at ASCII whitespace and U+3000.
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  std::size_t start = 0;
  auto flush = [&](std::size_t end) {
    if (end > start) out.push_back(text.substr(start, end - start));
  };
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
      flush(i);
      start = ++i;
    } else if (text.substr(i, 3) == "\xE3\x80\x80") {
      flush(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  flush(text.size());
  return out;
}

}  // namespace

bool has_vacancy(const Resource& r) {
  if (r.vacancy && *r.vacancy > 0) return true;
  return r.offer && r.offer->slots_open && *r.offer->slots_open > 0;
}

OpenWindow parse_open_window(std::string_view text) {
  OpenWindow w;
  std::string_view rest = trim(text);
  if (rest.empty()) throw InvalidArgument("the open window is empty; give a weekday, e.g. wed");
  w.day = take_day(rest, text);
  rest = trim(rest);
  if (rest.empty()) return w;
  for (const auto& part : kDayParts) {
    std::string lower(rest);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (rest == part.ja || lower == part.en) {
      w.from_minute = part.from;
      w.to_minute = part.to;
      return w;
    }
  }
  std::string_view from;
  std::string_view to;
  if (!split_range(rest, from, to)) {
    throw InvalidArgument("'" + std::string(text) + "': after the weekday give a time window " +
                          "(13:00-15:00) or a part of the day (午前, 午後, 夜 / morning, " +
                          "afternoon, evening)");
  }
  set_range(w, from, to, text);
  return w;
}

OpenWindow make_open_window(std::string_view day, std::string_view from, std::string_view to) {
  OpenWindow w;
  std::string_view d = day;
  w.day = take_day(d, day);
  if (!trim(d).empty()) {
    throw InvalidArgument("open_day '" + std::string(day) + "' must be only a weekday; give the " +
                          "times in open_from and open_to");
  }
  if (from.empty() != to.empty()) {
    throw InvalidArgument("give both open_from and open_to (e.g. 13:00 and 15:00), or neither");
  }
  if (!from.empty()) set_range(w, from, to, std::string(from) + "-" + std::string(to));
  return w;
}

bool matches_attributes(const Resource& r, const ResourceQuery& q) {
  if (!q.publish_levels.contains(r.publish)) return false;
  if (!q.statuses.contains(r.status)) return false;
  if (!q.lg_code.empty() && r.lg_code != q.lg_code) return false;
  if (!q.kinds.empty() && !q.kinds.contains(r.kind)) return false;
  if (!q.activities.empty() && !q.activities.intersects(r.activities)) return false;
  if (!q.targets.empty() && !q.targets.intersects(r.targets)) return false;
  if (q.barrier_free && !r.barrier_free.any_yes()) return false;
  if (q.has_vacancy && !has_vacancy(r)) return false;
  if (q.open) {
    const bool meets = std::any_of(r.schedules.begin(), r.schedules.end(), [&](const Schedule& s) {
      return s.meets_on(q.open->day, q.open->from_minute, q.open->to_minute);
    });
    if (!meets) return false;
  }
  return true;
}

ResourceMatcher::ResourceMatcher(const ResourceQuery& q) : q_(&q) {
  for (const auto word : words(q.text)) {
    std::string n = normalize_for_search(word);
    if (!n.empty()) needles_.push_back(std::move(n));
  }
  const ResourceQuery defaults;
  only_open_ = needles_.empty() && q.kinds.empty() && q.activities.empty() && q.targets.empty() &&
               !q.open && !q.barrier_free && !q.has_vacancy && q.lg_code.empty() &&
               q.publish_levels == defaults.publish_levels && q.statuses == defaults.statuses;
}

bool ResourceMatcher::operator()(const ServedResource& item) const {
  if (!matches_attributes(item.resource(), *q_)) return false;
  for (const auto& n : needles_) {
    if (item.search_key().find(n) == std::string::npos) return false;
  }
  return true;
}

ResourcePage query(const AudienceView& view, const ResourceQuery& q) {
  const ResourceMatcher matches(q);
  auto accept = [&](std::uint32_t i) { return matches(view.item(i)); };

  std::vector<std::uint32_t> matched;
  if (q.bbox) {
    for (const auto i : view.within(*q.bbox)) {
      if (accept(i)) matched.push_back(i);
    }
  } else {
    for (std::uint32_t i = 0; i < view.size(); ++i) {
      if (accept(i)) matched.push_back(i);
    }
  }

  if (q.by_name && !q.near) {
    // Each key once; ties (and names without a reading) stay in id order.
    std::vector<std::pair<std::string, std::uint32_t>> keyed;
    keyed.reserve(matched.size());
    for (const auto i : matched) {
      const Resource& r = view.item(i).resource();
      keyed.emplace_back(normalize_for_search(r.name_kana.empty() ? r.name : r.name_kana), i);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 0; k < keyed.size(); ++k) matched[k] = keyed[k].second;
  }

  ResourcePage page;
  page.number_matched = matched.size();
  if (q.offset >= matched.size() || q.limit == 0) return page;
  const std::size_t end = std::min(matched.size(), q.offset + q.limit);
  page.hits.reserve(end - q.offset);
  const auto hit = [&](std::uint32_t i, std::optional<double> d) {
    const ServedResource& item = view.item(i);
    page.hits.push_back({&item, &item.resource(), d});
  };
  if (q.near) {
    // The R-tree walks outward from the point; only the first offset+limit matches are measured.
    std::vector<bool> is_match(view.size(), false);
    for (const auto i : matched) is_match[i] = true;
    const auto nearest =
        view.nearest(q.near->lon, q.near->lat, end, [&](std::uint32_t i) { return is_match[i]; });
    for (std::size_t k = q.offset; k < nearest.size(); ++k) {
      hit(nearest[k].first, nearest[k].second);
    }
  } else {
    for (std::size_t k = q.offset; k < end; ++k) hit(matched[k], std::nullopt);
  }
  return page;
}

}  // namespace tsunagi::geo
