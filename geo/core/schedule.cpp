#include "geo/core/schedule.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/text_normalize.hpp"

namespace tsunagi::geo {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::u32string_view kWeekdayChars = U"月火水木金土日";  // in Weekday order
constexpr std::array<std::string_view, 7> kRruleDays{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
constexpr std::u32string_view kKanjiNumbers = U"一二三四五六七八九";
constexpr std::string_view kHolidayNote = "祝日も開催";
constexpr std::string_view kExpected =
    "expected days such as 毎週火曜日, 第1・第3水曜日, 隔週木曜日, 月～金, 平日, 土日祝, 毎日, or "
    "不定期 / 要問合せ";
// Words that make a text a valid irregular schedule (the whole text is then kept as the note).
constexpr std::array<std::u32string_view, 10> kIrregularWords{
    U"不定期", U"問合せ", U"問い合わせ", U"問合わせ", U"問い合せ",
    U"要相談", U"応相談", U"随時",       U"未定",     U"要確認"};

WeekdaySet all_weekdays() {
  return WeekdaySet::from_bits(0x7F);
}

// Folds the look-alikes found in real listings onto one character each, so the grammar below
// needs one spelling: full-width ASCII, the many dashes used for ranges, spaces, list dots.
char32_t fold_for_parsing(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII, incl. ～ → ~
  switch (c) {
    case U'\t':
    case U'\r':
    case U'\v':
    case U'\f':
    case 0x00A0:
    case 0x3000:
      return U' ';
    case U'-':
    case 0x301C:  // 〜 WAVE DASH
    case 0x30FC:  // ー (seen as a range dash: 10:00ー12:00)
    case 0xFF70:  // ｰ
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:  // − MINUS SIGN
    case 0xFE63:
    case 0x3030:  // 〰
      return U'~';
    case 0xFF65:  // ･
      return U'・';
    case 0xFF64:  // ､
      return U'、';
    case 0x3002:  // 。 stays; ｡ joins it
    case 0xFF61:
      return U'。';
    default:
      return c;
  }
}

struct CodePoint {
  char32_t c;             // folded
  std::size_t begin = 0;  // byte range in the original text
  std::size_t end = 0;
};

// The input as folded code points that remember where they came from, so notes and error
// messages quote the original text exactly as the municipality wrote it.
class Text {
 public:
  explicit Text(std::string_view src) : src_(src) {
    cps_.reserve(src.size());
    std::size_t pos = 0;
    while (pos < src.size()) {
      const std::size_t begin = pos;
      const auto cp = next_code_point(src, pos);
      if (!cp) {
        throw InvalidArgument("the schedule text is not valid UTF-8 (at byte " +
                              std::to_string(begin) + ")");
      }
      cps_.push_back({fold_for_parsing(*cp), begin, pos});
    }
  }

  [[nodiscard]] std::size_t size() const { return cps_.size(); }
  [[nodiscard]] char32_t at(std::size_t i) const { return i < cps_.size() ? cps_[i].c : U'\0'; }
  [[nodiscard]] bool match(std::size_t i, std::u32string_view lit) const {
    if (i + lit.size() > cps_.size()) return false;
    for (std::size_t k = 0; k < lit.size(); ++k) {
      if (cps_[i + k].c != lit[k]) return false;
    }
    return true;
  }
  [[nodiscard]] bool contains(std::u32string_view lit) const {
    for (std::size_t i = 0; i < cps_.size(); ++i) {
      if (match(i, lit)) return true;
    }
    return false;
  }
  [[nodiscard]] std::string_view original(std::size_t from, std::size_t to) const {
    to = std::min(to, cps_.size());
    if (from >= to) return {};
    return src_.substr(cps_[from].begin, cps_[to - 1].end - cps_[from].begin);
  }
  /// 「…」 around the original text of [from, to) on one line, cut at 30 characters.
  [[nodiscard]] std::string quote(std::size_t from, std::size_t to) const {
    to = std::min(to, cps_.size());
    const bool cut = to > from + 30;
    if (cut) to = from + 30;
    std::string q = "「";
    for (char ch : original(from, to)) q.push_back(ch == '\n' || ch == '\r' ? ' ' : ch);
    if (cut) q += "…";
    q += "」";
    return q;
  }

 private:
  std::string_view src_;
  std::vector<CodePoint> cps_;
};

bool is_digit(char32_t c) {
  return c >= U'0' && c <= U'9';
}
bool is_kanji_number(char32_t c) {
  return kKanjiNumbers.find(c) != std::u32string_view::npos;
}
bool is_blank(char32_t c) {
  return c == U' ' || c == U'\n';
}
int weekday_index(char32_t c) {
  const auto p = kWeekdayChars.find(c);
  return p == std::u32string_view::npos ? -1 : static_cast<int>(p);
}
// Separators inside a list of days or weeks: 月・水, 月、水, 第1,3, 月と木.
bool is_list_sep(char32_t c) {
  return c == U'・' || c == U'、' || c == U',' || c == U'/' || c == U'と';
}
// Places where one rule may end and the next begin.
bool is_rule_sep(char32_t c) {
  return c == U'、' || c == U',' || c == U';' || c == U'\n' || c == U'/' || c == U'・' ||
         c == U' ' || c == U'。';
}
// Characters that may follow a weekday character when it really is a weekday (and not the 月 of
// 8月 or the 日 of 15日).
bool may_follow_weekday(char32_t c) {
  static constexpr std::u32string_view kFollowers = U"曜祝平・、,/と及~かま()\n ;。はのも※";
  return c == U'\0' || weekday_index(c) >= 0 || kFollowers.find(c) != std::u32string_view::npos;
}

void add_range(WeekdaySet& set, Weekday from, Weekday to) {
  int d = static_cast<int>(from);
  const int last = static_cast<int>(to);
  for (;;) {
    set.insert(static_cast<Weekday>(d));
    if (d == last) break;
    d = (d + 1) % 7;
  }
}

struct TimeRange {
  std::optional<int> start;
  std::optional<int> end;
};

// One rule as read, before its note is attached.
struct Core {
  Schedule schedule;
  bool holiday = false;         // 祝 among the days
  bool frequency_only = false;  // 「月1回」「年6回 土曜日」: a frequency but no fixed day
  std::size_t begin = 0;
  std::size_t end = 0;
};

enum class Frequency : std::uint8_t { none, per_week, per_month_or_less };

class Parser {
 public:
  explicit Parser(const Text& text) : t_(text) {}

  std::vector<Schedule> schedules();
  WeekdaySet weekdays_only();
  int time_only();

 private:
  [[nodiscard]] char32_t at(std::size_t i) const { return t_.at(i); }
  [[nodiscard]] bool match(std::size_t i, std::u32string_view lit) const {
    return t_.match(i, lit);
  }
  void skip_spaces(std::size_t& i) const {
    while (at(i) == U' ') ++i;
  }
  void skip_blank(std::size_t& i) const {
    while (is_blank(at(i))) ++i;
  }
  [[nodiscard]] std::size_t segment_end(std::size_t i) const {
    while (i < t_.size() && at(i) != U'\n' && at(i) != U'、') ++i;
    return i;
  }

  std::optional<int> number(std::size_t& i) const;
  std::optional<int> time_of_day(std::size_t& i) const;
  std::optional<TimeRange> time_range(std::size_t& i) const;
  [[nodiscard]] std::optional<Weekday> weekday_at(std::size_t i) const;
  [[nodiscard]] bool holiday_at(std::size_t i) const;
  [[nodiscard]] bool starts_weekday_item(std::size_t i) const {
    return weekday_at(i) || match(i, U"平日") || holiday_at(i);
  }
  void skip_youbi(std::size_t& i) const;
  WeekdaySet weekday_list(std::size_t& i, bool& holiday) const;
  bool frequency(std::size_t& i, Frequency& freq, int& interval) const;
  std::optional<Core> core(std::size_t i, bool leading) const;
  void reject_reversed_meaning(const Core& c) const;
  std::optional<Core> probe(std::size_t i) const;
  [[nodiscard]] bool announces_rule(std::size_t i) const;
  std::string note(std::size_t from, std::size_t to) const;
  Schedule finish(const Core& c, const std::string& text_note, std::size_t boundary) const;
  [[nodiscard]] bool is_irregular_text() const;
  Schedule irregular_whole() const;

  const Text& t_;
};

std::optional<int> Parser::number(std::size_t& i) const {
  if (const auto k = kKanjiNumbers.find(at(i)); k != std::u32string_view::npos) {
    ++i;
    return static_cast<int>(k) + 1;
  }
  if (!is_digit(at(i))) return std::nullopt;
  int n = 0;
  while (is_digit(at(i))) {
    n = std::min(n * 10 + static_cast<int>(at(i) - U'0'), 100000);
    ++i;
  }
  return n;
}

// "9:00", "09:30", "13時", "13時半", "11時30分", "午後1時"; nullopt (i unchanged) when no time
// starts at i.
std::optional<int> Parser::time_of_day(std::size_t& i) const {
  std::size_t j = i;
  bool am = false;
  bool pm = false;
  if (match(j, U"午前") || match(j, U"AM") || match(j, U"am")) {
    am = true;
    j += 2;
    skip_spaces(j);
  } else if (match(j, U"午後") || match(j, U"PM") || match(j, U"pm")) {
    pm = true;
    j += 2;
    skip_spaces(j);
  }
  const std::size_t begin = j;
  if (!is_digit(at(j))) return std::nullopt;
  int h = *number(j);
  int m = 0;
  if (at(j) == U':' && is_digit(at(j + 1))) {
    ++j;
    const std::size_t mb = j;
    m = *number(j);
    if (j - mb != 2) {
      throw InvalidArgument(t_.quote(begin, j) +
                            " is not a time of day: write minutes with two "
                            "digits, e.g. 9:05");
    }
  } else if (at(j) == U'時' && at(j + 1) != U'間') {
    ++j;
    if (at(j) == U'半') {
      m = 30;
      ++j;
    } else if (is_digit(at(j))) {
      m = *number(j);
      if (at(j) == U'分') ++j;
    }
  } else {
    return std::nullopt;  // a bare number is a count or a date, not a time
  }
  if (pm && h < 12) h += 12;
  if (am && h == 12) h = 0;
  if (h > 24 || m > 59 || (h == 24 && m > 0)) {
    throw InvalidArgument(t_.quote(begin, j) + " is not a time of day (0:00 to 24:00)");
  }
  i = j;
  return h * 60 + m;
}

// "10:00〜12:00", "10時から12時まで", "10:00〜" (start only), "〜12:00" / "12:00まで" (end only),
// "24時間".
std::optional<TimeRange> Parser::time_range(std::size_t& i) const {
  std::size_t j = i;
  skip_spaces(j);
  const std::size_t begin = j;
  if (match(j, U"24時間")) {
    i = j + 4;
    return TimeRange{0, kMinutesPerDay};
  }
  TimeRange r;
  r.start = time_of_day(j);
  if (r.start) {
    std::size_t k = j;
    skip_spaces(k);
    if (at(k) == U'~' || match(k, U"から")) {
      k += at(k) == U'~' ? 1u : 2u;
      j = k;
      skip_spaces(k);
      r.end = time_of_day(k);
      if (r.end) j = k;
    } else if (match(k, U"まで")) {
      r.end = r.start;
      r.start.reset();
      j = k;
    }
  } else if (at(j) == U'~') {
    std::size_t k = j + 1;
    skip_spaces(k);
    r.end = time_of_day(k);
    if (!r.end) return std::nullopt;
    j = k;
  } else {
    return std::nullopt;
  }
  if (r.end && match(j, U"まで")) j += 2;
  if (r.start && r.end && *r.end <= *r.start) {
    throw InvalidArgument(t_.quote(begin, j) + ": the end time is not after the start time");
  }
  i = j;
  return r;
}

std::optional<Weekday> Parser::weekday_at(std::size_t i) const {
  const int w = weekday_index(at(i));
  if (w < 0) return std::nullopt;
  const char32_t next = at(i + 1);
  const bool month_or_date = w == 0 || w == 6;  // 月 and 日 also mean month and day
  if (may_follow_weekday(next) || (!month_or_date && is_digit(next))) {
    return static_cast<Weekday>(w);
  }
  return std::nullopt;
}

// 祝 / 祝日 / 祝祭日 as one of the days (土日祝), but not 「祝日を除く」「祝日は休み」.
bool Parser::holiday_at(std::size_t i) const {
  if (at(i) != U'祝') return false;
  std::size_t j = i + 1;
  if (match(j, U"祭日")) {
    j += 2;
  } else if (at(j) == U'日') {
    ++j;
  }
  for (std::u32string_view exception :
       {U"を除", U"除", U"以外", U"は", U"休", U"の", U"も", U"前", U"翌"}) {
    if (match(j, exception)) return false;
  }
  return true;
}

void Parser::skip_youbi(std::size_t& i) const {
  if (match(i, U"曜日")) {
    i += 2;
  } else if (at(i) == U'曜') {
    ++i;
  }
}

// 月火水木金, 月～金, 月曜から金曜まで, 月・水・金, (火), 平日, 土日祝. Empty (i unchanged) when no
// day starts at i.
WeekdaySet Parser::weekday_list(std::size_t& i, bool& holiday) const {
  WeekdaySet set;
  std::size_t j = i;
  bool paren = false;
  if (at(j) == U'(' && starts_weekday_item(j + 1)) {
    paren = true;
    ++j;
  }
  bool any = false;
  bool saw_holiday = false;
  for (;;) {
    if (match(j, U"平日")) {
      add_range(set, Weekday::mon, Weekday::fri);
      j += 2;
    } else if (holiday_at(j)) {
      saw_holiday = true;
      j += match(j, U"祝祭日") ? 3u : at(j + 1) == U'日' ? 2u : 1u;
    } else if (const auto d = weekday_at(j)) {
      ++j;
      skip_youbi(j);
      std::size_t k = j;
      skip_spaces(k);
      bool range = false;
      if (at(k) == U'~') {
        ++k;
        range = true;
      } else if (match(k, U"から")) {
        k += 2;
        range = true;
      }
      skip_spaces(k);
      const auto d2 = range ? weekday_at(k) : std::nullopt;
      if (d2) {
        ++k;
        skip_youbi(k);
        if (match(k, U"まで")) k += 2;
        add_range(set, *d, *d2);
        j = k;
      } else {
        set.insert(*d);
      }
    } else {
      break;
    }
    any = true;
    std::size_t k = j;
    skip_spaces(k);
    std::size_t after_sep = k;
    if (is_list_sep(at(k))) {
      after_sep = k + 1;
    } else if (match(k, U"及び")) {
      after_sep = k + 2;
    }
    skip_spaces(after_sep);
    if (starts_weekday_item(after_sep)) {
      j = after_sep;
      continue;
    }
    break;
  }
  if (!any) return {};
  if (paren) {
    skip_spaces(j);
    if (at(j) != U')') {
      throw InvalidArgument(t_.quote(i, j + 1) + ": the parenthesis around the days is not closed");
    }
    ++j;
  }
  if (match(j, U"のみ")) j += 2;
  holiday = holiday || saw_holiday;
  i = j;
  return set;
}

// 「月1回」「週2回」「年6回」「3か月に1回程度」「隔月」 set `freq`; 「2週に1回」「3週間ごと」 set
// `interval`. False (i unchanged) when none starts at i.
bool Parser::frequency(std::size_t& i, Frequency& freq, int& interval) const {
  std::size_t j = i;
  const char32_t unit = at(j);
  if (unit == U'月' || unit == U'週' || unit == U'年') {
    ++j;
    if (at(j) == U'に') ++j;
    if (!number(j) || at(j) != U'回') return false;
    ++j;
    for (std::u32string_view tail : {U"程度", U"ほど", U"くらい", U"位"}) {
      if (match(j, tail)) j += tail.size();
    }
    freq = unit == U'週' ? Frequency::per_week : Frequency::per_month_or_less;
    i = j;
    return true;
  }
  if (match(j, U"隔月")) {
    freq = Frequency::per_month_or_less;
    i = j + 2;
    return true;
  }
  const auto n = number(j);
  if (!n) return false;
  if (at(j) == U'週') {
    ++j;
    if (at(j) == U'間') ++j;
    for (std::u32string_view tail : {U"に1回", U"ごと", U"毎"}) {
      if (match(j, tail) && *n >= 1 && *n <= 52) {
        interval = *n;
        i = j + tail.size();
        return true;
      }
    }
    return false;
  }
  for (std::u32string_view months : {U"か月", U"ヶ月", U"ケ月", U"カ月", U"ヵ月", U"箇月"}) {
    if (!match(j, months)) continue;
    std::size_t k = j + months.size();
    if (at(k) == U'に') ++k;
    if (number(k) && at(k) == U'回') {
      ++k;
      if (match(k, U"程度")) k += 2;
      freq = Frequency::per_month_or_less;
      i = k;
      return true;
    }
  }
  return false;
}

// Reads one rule (prefixes, days, optional time) starting at i. nullopt when no rule starts there;
// throws when one clearly starts but is wrong (第6, 毎月15日, 25:00).
std::optional<Core> Parser::core(std::size_t i, bool leading) const {
  skip_spaces(i);
  Core c;
  c.begin = i;
  bool every_month = false;
  int interval = 1;
  Frequency freq = Frequency::none;
  for (;;) {
    if (match(i, U"毎週")) {  // confirms the default: every week
      i += 2;
    } else if (match(i, U"隔週")) {
      interval = 2;
      i += 2;
    } else if (match(i, U"毎月")) {
      every_month = true;
      i += 2;
    } else if (!frequency(i, freq, interval)) {
      break;
    }
    skip_spaces(i);
    if (at(i) == U'の' || at(i) == U'に') ++i;
    skip_spaces(i);
  }
  const bool prefixed = i > c.begin;
  Schedule& s = c.schedule;

  if (!prefixed) {  // 「7:00～18:00(平日)」: the time first, the days after it in parentheses
    std::size_t k = i;
    if (const auto r = time_range(k)) {
      skip_spaces(k);
      if (at(k) == U'(' && starts_weekday_item(k + 1)) {
        s.weekdays = weekday_list(k, c.holiday);
        s.rule = Schedule::Rule::weekly;
        s.start_minute = r->start;
        s.end_minute = r->end;
        c.end = k;
        return c;
      }
    }
  }

  if (match(i, U"毎日") || match(i, U"年中無休") || match(i, U"無休")) {
    i += match(i, U"年中無休") ? 4u : 2u;
    s.rule = Schedule::Rule::daily;
    s.weekdays = all_weekdays();
  } else if (at(i) == U'第' || match(i, U"最終") || match(i, U"最後")) {
    const std::size_t weeks_begin = i;
    std::uint8_t nth = 0;
    for (;;) {
      const std::size_t item = i;
      if (match(i, U"最終") || match(i, U"最後")) {
        i += 2;
        nth |= 1;
      } else {
        if (at(i) == U'第') ++i;
        skip_spaces(i);
        const auto n = number(i);
        if (!n) {
          throw InvalidArgument(t_.quote(item, i + 1) +
                                ": 第 must be followed by the week of the month, e.g. 第1水曜日");
        }
        if (*n < 1 || *n > 5) {
          throw InvalidArgument(t_.quote(item, i) +
                                ": the week of the month is 第1 to 第5 or 最終 (the last)");
        }
        nth = static_cast<std::uint8_t>(nth | (1u << static_cast<unsigned>(*n)));
      }
      if (at(i) == U'週') ++i;  // 第1週, 最終週
      std::size_t k = i;
      skip_spaces(k);
      if (is_list_sep(at(k))) {
        ++k;
        skip_spaces(k);
        if (at(k) == U'第' || is_digit(at(k)) || is_kanji_number(at(k)) || match(k, U"最終") ||
            match(k, U"最後")) {
          i = k;
          continue;
        }
      }
      break;
    }
    skip_spaces(i);
    if (at(i) == U'の') ++i;
    skip_spaces(i);
    s.weekdays = weekday_list(i, c.holiday);
    if (s.weekdays.empty()) {
      throw InvalidArgument(t_.quote(weeks_begin, std::max(i, segment_end(i))) +
                            " names weeks of the month but no weekday: write e.g. 第1・第3水曜日");
    }
    if (interval != 1) {
      throw InvalidArgument(t_.quote(c.begin, i) +
                            ": 隔週 (every other week) cannot be combined with 第n weeks");
    }
    s.rule = Schedule::Rule::monthly_nth;
    s.nth = nth;
  } else {
    s.weekdays = weekday_list(i, c.holiday);
    if (s.weekdays.empty()) {
      if (every_month && is_digit(at(i))) {
        std::size_t k = i;
        number(k);
        if (at(k) == U'日') {
          throw InvalidArgument(t_.quote(c.begin, k + 1) +
                                ": a date of the month cannot be stored as a rule; write the "
                                "weekday (第3土曜日) or 不定期 with the dates as a note");
        }
      }
      if (freq != Frequency::none) {
        c.frequency_only = true;
        c.end = i;
        return c;
      }
      if (prefixed) {
        throw InvalidArgument(
            t_.quote(c.begin, std::max(i + 1, segment_end(i))) +
            " is not followed by a weekday: write e.g. 毎週火曜日 or 毎月第3土曜日");
      }
      return std::nullopt;
    }
    if (every_month) {
      throw InvalidArgument(
          t_.quote(c.begin, i) +
          ": say which week of the month (毎月第3土曜日, 毎月最終金曜日) or write "
          "毎週");
    }
    if (freq == Frequency::per_month_or_less) c.frequency_only = true;
    s.rule = Schedule::Rule::weekly;
    s.interval_weeks = interval;
  }
  std::size_t k = i;
  skip_spaces(k);
  if (leading && at(k) == U'は') ++k;  // 「土日は10:00～20:30」
  if (const auto r = time_range(k)) {
    s.start_minute = r->start;
    s.end_minute = r->end;
    i = k;
  }
  c.end = i;
  return c;
}

// 「第3水曜を除く」「月曜休み」「月曜が祝日の場合…」 name days when nothing is held; reading them
// as the days it is held would invert their meaning.
void Parser::reject_reversed_meaning(const Core& c) const {
  std::size_t k = c.end;
  skip_spaces(k);
  for (std::u32string_view word :
       {U"を除", U"除", U"以外", U"休", U"定休", U"は休", U"が", U"は除"}) {
    if (match(k, word)) {
      throw InvalidArgument(t_.quote(c.begin, std::max(k + word.size() + 1, segment_end(k))) +
                            " does not say on which days it is held: write those days, with any "
                            "exception as a note, e.g. 月～金（第3水曜日を除く）");
    }
  }
}

// Text that plainly means to start a rule (「毎週…」「第2土曜日」): its errors are reported even
// where it follows another rule, instead of being swallowed into that rule's note.
bool Parser::announces_rule(std::size_t i) const {
  if (match(i, U"毎週") || match(i, U"隔週") || match(i, U"毎月")) return true;
  if (at(i) != U'第') return false;
  for (std::size_t k = i + 1; k < i + 10 && k < t_.size(); ++k) {
    if (at(k) == U'曜') return true;
  }
  return false;
}

// A rule after a separator counts only when it stands on its own (a separator, a note in
// parentheses or the end follows), so 「土曜日は17:00まで」 inside a note stays in the note.
std::optional<Core> Parser::probe(std::size_t i) const {
  const bool announced = announces_rule(i);
  try {
    auto c = core(i, false);
    if (!c || c->frequency_only) return std::nullopt;
    std::size_t k = c->end;
    skip_spaces(k);
    const char32_t next = at(k);
    if (next == U'\0' || is_rule_sep(next) || next == U'(' || next == U'※') return c;
    return std::nullopt;
  } catch (const InvalidArgument&) {
    if (announced) throw;
    return std::nullopt;
  }
}

// The original text of [a, b) as a note: trimmed, without leading separators, a leading ※ or one
// pair of enclosing parentheses.
std::string Parser::note(std::size_t a, std::size_t b) const {
  const auto trim = [&](bool separators) {
    while (a < b && (is_blank(at(a)) || (separators && is_rule_sep(at(a))))) ++a;
    while (b > a && is_blank(at(b - 1))) --b;
  };
  trim(true);
  if (a < b && at(a) == U'※') {
    ++a;
    trim(false);
  }
  if (a < b && at(a) == U'(') {
    int depth = 0;
    std::size_t close = b;
    for (std::size_t k = a; k < b; ++k) {
      if (at(k) == U'(') {
        ++depth;
      } else if (at(k) == U')' && --depth == 0) {
        close = k;
        break;
      }
    }
    if (close == b - 1) {
      ++a;
      --b;
      trim(false);
    }
  }
  return std::string(t_.original(a, b));
}

bool Parser::is_irregular_text() const {
  return std::any_of(kIrregularWords.begin(), kIrregularWords.end(),
                     [&](std::u32string_view w) { return t_.contains(w); });
}

Schedule Parser::irregular_whole() const {
  std::size_t a = 0;
  std::size_t b = t_.size();
  while (a < b && is_blank(at(a))) ++a;
  while (b > a && is_blank(at(b - 1))) --b;
  Schedule s;
  s.rule = Schedule::Rule::irregular;
  s.note = std::string(t_.original(a, b));
  return s;
}

Schedule Parser::finish(const Core& c, const std::string& text_note, std::size_t boundary) const {
  Schedule s = c.schedule;
  if (text_note.starts_with("不定期")) {  // 「土曜日（不定期）」: the day is only a hint
    std::size_t b = boundary;
    while (b > c.begin && is_blank(at(b - 1))) --b;
    Schedule irregular;
    irregular.rule = Schedule::Rule::irregular;
    irregular.note = std::string(t_.original(c.begin, b));
    return irregular;
  }
  std::string n = c.holiday ? std::string(kHolidayNote) : std::string();
  if (!text_note.empty()) {
    if (!n.empty()) n += "、";
    n += text_note;
  }
  s.note = std::move(n);
  if (s.rule == Schedule::Rule::weekly && s.interval_weeks == 1 && s.weekdays == all_weekdays()) {
    s.rule = Schedule::Rule::daily;
  }
  return s;
}

std::vector<Schedule> Parser::schedules() {
  std::size_t i = 0;
  skip_blank(i);
  if (i >= t_.size()) {
    throw InvalidArgument("the schedule text is empty: " + std::string(kExpected));
  }
  auto first = core(i, true);
  if (!first || first->frequency_only) {
    if (first || is_irregular_text()) return {irregular_whole()};
    std::size_t k = i;
    if (time_range(k)) {
      throw InvalidArgument(t_.quote(i, segment_end(i)) +
                            " gives a time but no day: put the days first, e.g. 毎週火曜日 "
                            "10:00〜12:00");
    }
    throw InvalidArgument("cannot read the schedule " + t_.quote(i, segment_end(i)) + ": " +
                          std::string(kExpected));
  }
  reject_reversed_meaning(*first);
  std::vector<Schedule> out;
  Core cur = *first;
  for (;;) {
    // 「10:00～12:00、13:00～16:00」: more time ranges on the same days
    std::vector<TimeRange> more;
    std::size_t p = cur.end;
    if (cur.schedule.start_minute || cur.schedule.end_minute) {
      for (;;) {
        std::size_t k = p;
        skip_spaces(k);
        if (is_list_sep(at(k)) && at(k) != U'と') ++k;
        const auto r = time_range(k);
        if (!r || !r->start) break;
        std::size_t after = k;
        skip_spaces(after);
        if (at(after) == U'(' && starts_weekday_item(after + 1)) break;  // 「、8:00～16:00(土)」
        more.push_back(*r);
        p = k;
      }
    }
    // This rule's note runs up to the next rule that stands on its own; a note in parentheses or
    // after ※ is never searched for rules.
    std::size_t boundary = t_.size();
    std::optional<Core> next;
    int depth = 0;
    for (std::size_t q = p; q < t_.size(); ++q) {
      const char32_t ch = at(q);
      if (ch == U'(') {
        ++depth;
      } else if (ch == U')') {
        depth = std::max(0, depth - 1);
      } else if (depth == 0 && ch == U'※') {
        break;
      } else if (depth == 0 && is_rule_sep(ch)) {
        std::size_t k = q + 1;
        skip_blank(k);
        if (k < t_.size() && (next = probe(k))) {
          boundary = q;
          break;
        }
      } else if (depth == 0 && q > p && is_digit(at(q - 1)) && starts_weekday_item(q)) {
        // 「放課後～18:00土曜日 9:00～17:00」: a rule glued to the time before it
        if ((next = probe(q))) {
          boundary = q;
          break;
        }
      }
    }
    const Schedule s = finish(cur, note(p, boundary), boundary);
    out.push_back(s);
    for (const TimeRange& r : more) {
      Schedule copy = s;
      copy.start_minute = r.start;
      copy.end_minute = r.end;
      out.push_back(std::move(copy));
    }
    if (!next) break;
    cur = *next;
  }
  return out;
}

WeekdaySet Parser::weekdays_only() {
  std::size_t i = 0;
  skip_blank(i);
  bool holiday = false;
  const WeekdaySet set = weekday_list(i, holiday);
  skip_blank(i);
  if (i < t_.size()) {
    std::size_t bad = i;  // 「月火x水」: point at the x, not at the 火 it made unreadable
    while (weekday_index(at(bad)) >= 0 || at(bad) == U'曜') ++bad;
    if (bad >= t_.size()) bad = i;
    throw InvalidArgument(
        "cannot read the days " + t_.quote(0, t_.size()) + ": " + t_.quote(bad, t_.size()) +
        " is not a weekday (write 月火水木金土日, 月～金, 月・水・金, 平日 or 土日祝)");
  }
  if (set.empty()) {
    throw InvalidArgument("no weekday in " + t_.quote(0, t_.size()) +
                          " (write 月火水木金土日, 月～金, 月・水・金, 平日 or 土日祝)");
  }
  return set;
}

int Parser::time_only() {
  std::size_t i = 0;
  skip_blank(i);
  auto minute = time_of_day(i);
  if (!minute && is_digit(at(i))) {
    // A time column alone may hold "1700" or "930" (seen in real open data): read it as HHMM.
    const std::size_t begin = i;
    const int hhmm = *number(i);
    if (i - begin >= 3 && i - begin <= 4) {
      if (hhmm / 100 > 24 || hhmm % 100 > 59 || (hhmm / 100 == 24 && hhmm % 100 > 0)) {
        throw InvalidArgument(t_.quote(begin, i) + " is not a time of day (0:00 to 24:00)");
      }
      minute = hhmm / 100 * 60 + hhmm % 100;
    }
  }
  skip_blank(i);
  if (!minute || i < t_.size()) {
    throw InvalidArgument(t_.quote(0, t_.size()) +
                          " is not a time of day: write e.g. 9:00, 13:30 or 13時半");
  }
  return *minute;
}

// 月・水・金, with runs of three or more days as ranges: 月〜金, 月〜水・金.
std::string weekday_text(WeekdaySet days) {
  std::string out;
  int d = 0;
  while (d < 7) {
    if (!days.contains(static_cast<Weekday>(d))) {
      ++d;
      continue;
    }
    int e = d;
    while (e + 1 < 7 && days.contains(static_cast<Weekday>(e + 1))) ++e;
    if (!out.empty()) out += "・";
    out += code_ja(static_cast<Weekday>(d));
    if (e - d >= 2) {
      out += "〜";
      out += code_ja(static_cast<Weekday>(e));
      d = e + 1;
    } else {
      d = d + 1;
    }
  }
  return out + "曜日";
}

// Notes go in parentheses, which the parser never searches for rules; a note whose own
// parentheses do not balance goes after ※ instead.
bool parentheses_balance(std::string_view text) {
  int depth = 0;
  std::size_t pos = 0;
  while (const auto cp = next_code_point(text, pos)) {
    const char32_t c = fold_for_parsing(*cp);
    if (c == U'(') ++depth;
    if (c == U')' && --depth < 0) return false;
  }
  return depth == 0;
}

std::string note_suffix(const std::string& note) {
  if (note.empty()) return {};
  if (parentheses_balance(note)) return "（" + note + "）";
  return " ※" + note;
}

void check_minute(std::optional<int> minute, const char* what) {
  if (minute && (*minute < 0 || *minute > kMinutesPerDay)) {
    throw InvalidArgument(std::string(what) + " must be between 0 and 1440 minutes, not " +
                          std::to_string(*minute));
  }
}

}  // namespace

FreqClass Schedule::freq_class() const {
  if (rule == Rule::daily) return FreqClass::daily;
  if (rule == Rule::irregular || weekdays.empty()) return FreqClass::irregular;
  const double days = weekdays.size();
  double per_month = 0;
  if (rule == Rule::weekly) {
    per_month = 365.25 / 7.0 / 12.0 * days / std::max(1, interval_weeks);
  } else {
    // 第1〜第4 and 最終 happen every month; a 第5 weekday only in about 4 months of 12.
    const double every_month = std::popcount(static_cast<unsigned>(nth & 0x1Fu));
    const double fifth = (nth & 0x20u) != 0 ? (365.25 / 7.0 - 48.0) / 12.0 : 0.0;
    per_month = (every_month + fifth) * days;
  }
  if (per_month >= 4.0) return FreqClass::weekly_plus;
  if (per_month >= 2.0) return FreqClass::m2to4;
  if (per_month >= 1.0) return FreqClass::m1to2;
  return FreqClass::lt_monthly;
}

std::string Schedule::rrule() const {
  std::string out;
  switch (rule) {
    case Rule::irregular:
      return {};
    case Rule::daily:
      return "FREQ=DAILY";
    case Rule::weekly: {
      out = "FREQ=WEEKLY";
      if (interval_weeks > 1) out += ";INTERVAL=" + std::to_string(interval_weeks);
      std::string days;
      weekdays.for_each([&](Weekday d) {
        if (!days.empty()) days += ',';
        days += kRruleDays[static_cast<std::size_t>(d)];
      });
      return out + ";BYDAY=" + days;
    }
    case Rule::monthly_nth: {
      std::string days;
      const auto add = [&](const std::string& prefix) {
        weekdays.for_each([&](Weekday d) {
          if (!days.empty()) days += ',';
          days += prefix;
          days += kRruleDays[static_cast<std::size_t>(d)];
        });
      };
      for (unsigned n = 1; n <= 5; ++n) {
        if ((nth >> n) & 1u) add(std::to_string(n));
      }
      if (nth & 1u) add("-1");
      return "FREQ=MONTHLY;BYDAY=" + days;
    }
  }
  return out;
}

std::string Schedule::to_japanese() const {
  std::string out;
  switch (rule) {
    case Rule::irregular: {
      if (note.empty()) return "不定期";
      try {  // a note that reads back as itself (「不定期」「月1回程度 要問合せ」) is the text
        const auto again = parse_schedules(note);
        if (again.size() == 1 && again.front() == *this) return note;
      } catch (const InvalidArgument&) {
      }
      return "不定期" + note_suffix(note);
    }
    case Rule::daily:
      out = "毎日";
      break;
    case Rule::weekly:
      if (weekdays.empty()) throw InvalidArgument("a weekly schedule needs at least one weekday");
      if (interval_weeks == 1) {
        out = "毎週";
      } else if (interval_weeks == 2) {
        out = "隔週";
      } else if (interval_weeks > 2) {
        out = std::to_string(interval_weeks) + "週ごとの";
      } else {
        throw InvalidArgument("interval_weeks must be 1 or more, not " +
                              std::to_string(interval_weeks));
      }
      out += weekday_text(weekdays);
      break;
    case Rule::monthly_nth: {
      if (weekdays.empty()) throw InvalidArgument("a 第n曜日 schedule needs at least one weekday");
      if ((nth & 0x3Fu) == 0 || nth > 0x3F) {
        throw InvalidArgument("a 第n曜日 schedule needs weeks 1-5 or the last (nth bits 0-5)");
      }
      for (unsigned n = 1; n <= 5; ++n) {
        if ((nth >> n) & 1u) {
          if (!out.empty()) out += "・";
          out += "第" + std::to_string(n);
        }
      }
      if (nth & 1u) out += out.empty() ? "最終" : "・最終";
      out += weekday_text(weekdays);
      break;
    }
  }
  check_minute(start_minute, "start_minute");
  check_minute(end_minute, "end_minute");
  if (start_minute || end_minute) {
    out += " ";
    if (start_minute) out += format_time_of_day(*start_minute);
    out += "〜";
    if (end_minute) out += format_time_of_day(*end_minute);
  }
  return out + note_suffix(note);
}

bool Schedule::meets_on(Weekday day, std::optional<int> from_minute,
                        std::optional<int> to_minute) const {
  check_minute(from_minute, "from");
  check_minute(to_minute, "to");
  if (from_minute && to_minute && *from_minute > *to_minute) {
    throw InvalidArgument("the time window ends (" + format_time_of_day(*to_minute) +
                          ") before it starts (" + format_time_of_day(*from_minute) + ")");
  }
  switch (rule) {
    case Rule::irregular:
      return false;
    case Rule::daily:
      break;
    case Rule::weekly:
    case Rule::monthly_nth:
      if (!weekdays.contains(day)) return false;
      break;
  }
  if (!start_minute && !end_minute) return true;  // days known, hours not: do not exclude
  const int open = start_minute.value_or(0);
  const int close = end_minute.value_or(kMinutesPerDay);
  const int from = from_minute.value_or(0);
  const int to = to_minute.value_or(kMinutesPerDay);
  if (from == to) return open <= from && from < close;  // one instant
  return open < to && from < close;
}

std::vector<Schedule> parse_schedules(std::string_view text) {
  const Text t(text);
  return Parser(t).schedules();
}

Schedule parse_schedule(std::string_view text) {
  auto all = parse_schedules(text);
  if (all.size() != 1) {
    std::string list;
    for (const Schedule& s : all) {
      if (!list.empty()) list += " / ";
      list += s.to_japanese();
    }
    throw InvalidArgument("「" + std::string(text.substr(0, 120)) + "」 holds " +
                          std::to_string(all.size()) + " schedules (" + list +
                          "); one was expected here");
  }
  return std::move(all.front());
}

std::vector<Schedule> schedules_from_fields(std::string_view days, std::string_view start_time,
                                            std::string_view end_time, std::string_view note) {
  const auto blank = [](std::string_view s) {
    const Text t(s);
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (!is_blank(t.at(k))) return false;
    }
    return true;
  };
  std::optional<int> start;
  std::optional<int> end;
  if (!blank(start_time)) start = parse_time_of_day(start_time);
  if (!blank(end_time)) end = parse_time_of_day(end_time);
  if (blank(days)) {
    if (start || end) {
      throw InvalidArgument("a start or end time is given but no days (利用可能曜日 is empty)");
    }
    return {};
  }
  if (start && end && *end <= *start) {
    throw InvalidArgument("the end time " + format_time_of_day(*end) +
                          " is not after the start time " + format_time_of_day(*start));
  }
  auto out = parse_schedules(days);
  std::string extra;
  if (!blank(note)) {
    const Text t(note);
    std::size_t a = 0;
    std::size_t b = t.size();
    while (a < b && is_blank(t.at(a))) ++a;
    while (b > a && is_blank(t.at(b - 1))) --b;
    extra = std::string(t.original(a, b));
  }
  for (Schedule& s : out) {
    if (s.rule != Schedule::Rule::irregular && !s.start_minute && !s.end_minute) {
      s.start_minute = start;
      s.end_minute = end;
    }
    if (!extra.empty()) {
      if (!s.note.empty() && !s.note.ends_with("。")) s.note += "。";
      s.note += extra;
    }
  }
  return out;
}

WeekdaySet parse_weekdays(std::string_view text) {
  const Text t(text);
  return Parser(t).weekdays_only();
}

int parse_time_of_day(std::string_view text) {
  const Text t(text);
  return Parser(t).time_only();
}

std::string format_time_of_day(int minute) {
  if (minute < 0 || minute > kMinutesPerDay) {
    throw InvalidArgument("a time of day is 0 to 1440 minutes, not " + std::to_string(minute));
  }
  const int m = minute % 60;
  return std::to_string(minute / 60) + (m < 10 ? ":0" : ":") + std::to_string(m);
}

}  // namespace tsunagi::geo
