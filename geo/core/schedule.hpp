// Recurring schedules of resources: 「毎週火曜日 10:00〜12:00」, 「第1・第3水曜日 13:30〜15:00」,
// 「月火水木金 9:00-17:00」, 「隔週金曜日」, 「毎日」, 「不定期」. A schedule is a rule that can be
// rendered as an RFC 5545 RRULE and asked "is it open on this weekday at this time?".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"

namespace tsunagi::geo {

using WeekdaySet = EnumSet<Weekday>;

struct Schedule {
  enum class Rule : std::uint8_t {
    weekly,       ///< every week (or every `interval_weeks` weeks) on `weekdays`
    monthly_nth,  ///< on the n-th weekday(s) of each month: `nth` × `weekdays`
    daily,        ///< every day
    irregular,    ///< 不定期 / 要問合せ: no rule, only the note
  };

  Rule rule = Rule::irregular;
  WeekdaySet weekdays;
  /// For monthly_nth: bit n (1..5) set for 第n; bit 0 means 最終 (the last such weekday).
  std::uint8_t nth = 0;
  /// For weekly: 1 = every week, 2 = 隔週.
  int interval_weeks = 1;
  /// Minutes since midnight; both absent when the time is not known.
  std::optional<int> start_minute;
  std::optional<int> end_minute;
  /// Free text kept alongside the rule: exceptions (祝日休み, 8月休み) or the whole text if
  /// irregular.
  std::string note;

  /// The MHLW frequency class implied by the rule, from its expected sessions per month: 4 or more
  /// → weekly_plus (毎週, 第1〜第4), 2–3 → m2to4 (隔週, 第1・第3), 1 → m1to2 (第2), fewer →
  /// lt_monthly (第5 alone); daily and irregular map to themselves. 第5 counts ~0.35 a month.
  [[nodiscard]] FreqClass freq_class() const;
  /// RFC 5545 RRULE, e.g. "FREQ=MONTHLY;BYDAY=1WE,3WE"; empty for irregular.
  [[nodiscard]] std::string rrule() const;
  /// Japanese rendering, e.g. "第1・第3水曜日 13:30〜15:00（8月は休み）", that parse_schedule()
  /// reads back to an equal Schedule when this one is canonical (as parse_schedules makes them).
  /// @throws InvalidArgument when a weekly or monthly rule has no weekday or a monthly rule no
  /// week.
  [[nodiscard]] std::string to_japanese() const;
  /// True if the rule can meet on `day` (for monthly_nth: on some week of the month) and, when a
  /// time window [from, to) in minutes is given and the schedule has times, the windows overlap
  /// (from == to asks about one instant). An irregular schedule never promises a day.
  /// @throws InvalidArgument when from > to or a bound is outside 0..1440.
  [[nodiscard]] bool meets_on(Weekday day, std::optional<int> from_minute = std::nullopt,
                              std::optional<int> to_minute = std::nullopt) const;

  bool operator==(const Schedule&) const = default;
};

/// Parses Japanese schedule text holding one or more rules. A new rule starts after 「、」, 「・」,
/// a space, a newline, 「；」 or 「／」 where a rule stands on its own: "毎週火曜日 10:00〜12:00、
/// 第3土曜日 13:00〜15:00" gives two schedules, and so do "月～金 10:00～12:00、13:00～16:00" (one
/// per time range) and "7:00～18:00(平日)、8:00～16:00(土曜日)". Full-width digits, colons and
/// dashes (〜 ～ ~ - ー −), 「13時半」, 「10時～11時30分」, 「午後1時」, 「土日は10:00～20:30」 are
/// read. Text after a rule that is not itself a rule is that rule's `note`
/// (「（8月は休み）」「祝日を除く」, the next line of a cell...); one pair of enclosing
/// parentheses, or a leading ※, is dropped. 「祝」 among the days (土日祝) goes to the note as
/// 「祝日も開催」. 「不定期」「要問合せ」「随時」 and a frequency without a fixed day
/// (「月1回」「年6回 土曜日」) give one Rule::irregular schedule whose note is the whole text.
/// Canonical forms: a weekly rule on all seven days every week is Rule::daily; a daily rule has all
/// seven weekdays; notes are trimmed.
/// @throws InvalidArgument quoting the part that could not be read: empty text, no day at all
/// (「10:00〜12:00」), 「第6水曜日」, 「毎月15日」 (dates of the month), 「25:00」, an end before
/// its start, days when nothing is held (「第3水曜を除く」「月曜休み」), invalid UTF-8.
std::vector<Schedule> parse_schedules(std::string_view text);

/// Parses text that must hold exactly one schedule (see parse_schedules).
/// @throws InvalidArgument as parse_schedules, and when the text holds several schedules.
Schedule parse_schedule(std::string_view text);

/// The schedules of a 自治体標準オープンデータセット row: 利用可能曜日 ("月火水木金",
/// "月～土曜日\n土曜日は 要相談"), 開始時間, 終了時間 ("9:00", "０９：３０") and
/// 利用可能日時特記事項 (appended to each note). Times fill the rules that have none. Empty days
/// and times give no schedule.
/// @throws InvalidArgument when a part cannot be read, or a time is given without days.
std::vector<Schedule> schedules_from_fields(std::string_view days, std::string_view start_time,
                                            std::string_view end_time, std::string_view note);

/// Parses a 利用可能曜日 list such as "月火水木金", "月～土", "月・水・金", "平日", "土日祝".
/// @throws InvalidArgument when a character is not a weekday.
WeekdaySet parse_weekdays(std::string_view text);

/// Parses "9:00", "９：３０", "13時30分" into minutes since midnight.
/// @throws InvalidArgument when not a time of day (24:00 is accepted as 1440).
int parse_time_of_day(std::string_view text);

/// "13:30" for 810.
std::string format_time_of_day(int minute);

}  // namespace tsunagi::geo
