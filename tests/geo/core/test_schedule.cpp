#include "geo/core/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "geo/core/error.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

using Rule = Schedule::Rule;
using W = Weekday;

constexpr std::uint8_t nth_bits(std::initializer_list<int> weeks) {
  unsigned bits = 0;
  for (int w : weeks) bits |= 1u << (w == -1 ? 0 : w);  // -1 = 最終
  return static_cast<std::uint8_t>(bits);
}

std::string describe(const Schedule& s) {
  std::string out =
      "rule=" + std::to_string(static_cast<int>(s.rule)) + " days=" + code_ids(s.weekdays) +
      " nth=" + std::to_string(s.nth) + " interval=" + std::to_string(s.interval_weeks) +
      " start=" + (s.start_minute ? std::to_string(*s.start_minute) : "-") +
      " end=" + (s.end_minute ? std::to_string(*s.end_minute) : "-") + " note=[" + s.note + "]";
  return out;
}

// ---- one schedule per text: the rule, the RRULE and the MHLW class it implies ----

struct ParseCase {
  const char* text;
  Rule rule;
  WeekdaySet days;
  std::uint8_t nth;
  int interval;
  std::optional<int> start;
  std::optional<int> end;
  const char* note;
  const char* rrule;
  FreqClass freq;
};

const WeekdaySet kWeekdays{W::mon, W::tue, W::wed, W::thu, W::fri};
const WeekdaySet kAll{W::mon, W::tue, W::wed, W::thu, W::fri, W::sat, W::sun};
constexpr auto none = std::nullopt;

const std::vector<ParseCase> kParseCases = {
    // the examples of the issue and of municipal listings
    {"毎週火曜日 10:00〜12:00",
     Rule::weekly,
     {W::tue},
     0,
     1,
     600,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"第1・第3水曜日 13:30〜15:00",
     Rule::monthly_nth,
     {W::wed},
     nth_bits({1, 3}),
     1,
     810,
     900,
     "",
     "FREQ=MONTHLY;BYDAY=1WE,3WE",
     FreqClass::m2to4},
    {"第2・4金曜 10時～11時30分",
     Rule::monthly_nth,
     {W::fri},
     nth_bits({2, 4}),
     1,
     600,
     690,
     "",
     "FREQ=MONTHLY;BYDAY=2FR,4FR",
     FreqClass::m2to4},
    {"毎月第3土曜日 10:00~13:00",
     Rule::monthly_nth,
     {W::sat},
     nth_bits({3}),
     1,
     600,
     780,
     "",
     "FREQ=MONTHLY;BYDAY=3SA",
     FreqClass::m1to2},
    {"隔週木曜日",
     Rule::weekly,
     {W::thu},
     0,
     2,
     none,
     none,
     "",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
     FreqClass::m2to4},
    {"月火水木金", Rule::weekly, kWeekdays, 0, 1, none, none, "",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"月～金 9:00-17:00", Rule::weekly, kWeekdays, 0, 1, 540, 1020, "",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"月～土曜日",
     Rule::weekly,
     {W::mon, W::tue, W::wed, W::thu, W::fri, W::sat},
     0,
     1,
     none,
     none,
     "",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA",
     FreqClass::weekly_plus},
    {"平日", Rule::weekly, kWeekdays, 0, 1, none, none, "", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
     FreqClass::weekly_plus},
    {"土日祝",
     Rule::weekly,
     {W::sat, W::sun},
     0,
     1,
     none,
     none,
     "祝日も開催",
     "FREQ=WEEKLY;BYDAY=SA,SU",
     FreqClass::weekly_plus},
    {"毎日", Rule::daily, kAll, 0, 1, none, none, "", "FREQ=DAILY", FreqClass::daily},
    {"不定期", Rule::irregular, {}, 0, 1, none, none, "不定期", "", FreqClass::irregular},
    {"要問合せ", Rule::irregular, {}, 0, 1, none, none, "要問合せ", "", FreqClass::irregular},
    {"最終日曜日",
     Rule::monthly_nth,
     {W::sun},
     nth_bits({-1}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=-1SU",
     FreqClass::m1to2},
    // full-width digits, colons, the many dashes; 時/分/半; 午後
    {"第１・第３火曜日　１０：００〜１２：００",
     Rule::monthly_nth,
     {W::tue},
     nth_bits({1, 3}),
     1,
     600,
     720,
     "",
     "FREQ=MONTHLY;BYDAY=1TU,3TU",
     FreqClass::m2to4},
    {"毎週水曜日　１３時半～１５時",
     Rule::weekly,
     {W::wed},
     0,
     1,
     810,
     900,
     "",
     "FREQ=WEEKLY;BYDAY=WE",
     FreqClass::weekly_plus},
    {"毎週火曜日 10:00ー12:00",
     Rule::weekly,
     {W::tue},
     0,
     1,
     600,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"毎週火曜日 10:00−12:00",
     Rule::weekly,
     {W::tue},
     0,
     1,
     600,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"毎週火曜日 10：00～12：00",
     Rule::weekly,
     {W::tue},
     0,
     1,
     600,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"毎週火曜日 午後1時から午後3時まで",
     Rule::weekly,
     {W::tue},
     0,
     1,
     780,
     900,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"月曜から金曜まで 9時から17時まで", Rule::weekly, kWeekdays, 0, 1, 540, 1020, "",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    // notes after the rule
    {"毎週火曜日 10:00〜12:00（8月は休み）",
     Rule::weekly,
     {W::tue},
     0,
     1,
     600,
     720,
     "8月は休み",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"月～金 9:00-17:00 祝日を除く", Rule::weekly, kWeekdays, 0, 1, 540, 1020, "祝日を除く",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"月～金（祝日を除く）", Rule::weekly, kWeekdays, 0, 1, none, none, "祝日を除く",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"月～金、祝日を除く", Rule::weekly, kWeekdays, 0, 1, none, none, "祝日を除く",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"月～金 9:00～17:00 祝日、年末年始を除く", Rule::weekly, kWeekdays, 0, 1, 540, 1020,
     "祝日、年末年始を除く", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", FreqClass::weekly_plus},
    {"毎週火曜日 ※雨天中止",
     Rule::weekly,
     {W::tue},
     0,
     1,
     none,
     none,
     "雨天中止",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"土日祝（8月は休み）",
     Rule::weekly,
     {W::sat, W::sun},
     0,
     1,
     none,
     none,
     "祝日も開催、8月は休み",
     "FREQ=WEEKLY;BYDAY=SA,SU",
     FreqClass::weekly_plus},
    {"月～土曜日\n土曜日については月１回施設の指定する日のみ",
     Rule::weekly,
     {W::mon, W::tue, W::wed, W::thu, W::fri, W::sat},
     0,
     1,
     none,
     none,
     "土曜日については月１回施設の指定する日のみ",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA",
     FreqClass::weekly_plus},
    {"土日は10:00～20:30",
     Rule::weekly,
     {W::sat, W::sun},
     0,
     1,
     600,
     1230,
     "",
     "FREQ=WEEKLY;BYDAY=SA,SU",
     FreqClass::weekly_plus},
    {"日曜日は9：00～17：00、8/13～8/15、12/29～1/3を除く",
     Rule::weekly,
     {W::sun},
     0,
     1,
     540,
     1020,
     "8/13～8/15、12/29～1/3を除く",
     "FREQ=WEEKLY;BYDAY=SU",
     FreqClass::weekly_plus},
    {"金・土・祝日前日は21:00まで。",
     Rule::weekly,
     {W::fri, W::sat},
     0,
     1,
     none,
     none,
     "祝日前日は21:00まで。",
     "FREQ=WEEKLY;BYDAY=FR,SA",
     FreqClass::weekly_plus},
    {"10:00〜12:00（火・木）",
     Rule::weekly,
     {W::tue, W::thu},
     0,
     1,
     600,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=TU,TH",
     FreqClass::weekly_plus},
    // lists and ranges of days
    {"毎週月・水・金 10:00〜11:30",
     Rule::weekly,
     {W::mon, W::wed, W::fri},
     0,
     1,
     600,
     690,
     "",
     "FREQ=WEEKLY;BYDAY=MO,WE,FR",
     FreqClass::weekly_plus},
    {"毎週月曜日と木曜日",
     Rule::weekly,
     {W::mon, W::thu},
     0,
     1,
     none,
     none,
     "",
     "FREQ=WEEKLY;BYDAY=MO,TH",
     FreqClass::weekly_plus},
    {"金～月",
     Rule::weekly,
     {W::fri, W::sat, W::sun, W::mon},
     0,
     1,
     none,
     none,
     "",
     "FREQ=WEEKLY;BYDAY=MO,FR,SA,SU",
     FreqClass::weekly_plus},
    {" 月～土曜日",
     Rule::weekly,
     {W::mon, W::tue, W::wed, W::thu, W::fri, W::sat},
     0,
     1,
     none,
     none,
     "",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA",
     FreqClass::weekly_plus},
    {"毎週（火）",
     Rule::weekly,
     {W::tue},
     0,
     1,
     none,
     none,
     "",
     "FREQ=WEEKLY;BYDAY=TU",
     FreqClass::weekly_plus},
    {"月火水木金土日", Rule::daily, kAll, 0, 1, none, none, "", "FREQ=DAILY", FreqClass::daily},
    // weeks of the month
    {"第一・第三水曜日",
     Rule::monthly_nth,
     {W::wed},
     nth_bits({1, 3}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=1WE,3WE",
     FreqClass::m2to4},
    {"第2・最終金曜日",
     Rule::monthly_nth,
     {W::fri},
     nth_bits({2, -1}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=2FR,-1FR",
     FreqClass::m2to4},
    {"第2（火） 10:00〜",
     Rule::monthly_nth,
     {W::tue},
     nth_bits({2}),
     1,
     600,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=2TU",
     FreqClass::m1to2},
    {"第1・第2・第3・第4水曜日",
     Rule::monthly_nth,
     {W::wed},
     nth_bits({1, 2, 3, 4}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=1WE,2WE,3WE,4WE",
     FreqClass::weekly_plus},
    {"第1・第3月・木曜日",
     Rule::monthly_nth,
     {W::mon, W::thu},
     nth_bits({1, 3}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=1MO,1TH,3MO,3TH",
     FreqClass::weekly_plus},
    {"第5水曜日",
     Rule::monthly_nth,
     {W::wed},
     nth_bits({5}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=5WE",
     FreqClass::lt_monthly},
    {"月1回 第3土曜日",
     Rule::monthly_nth,
     {W::sat},
     nth_bits({3}),
     1,
     none,
     none,
     "",
     "FREQ=MONTHLY;BYDAY=3SA",
     FreqClass::m1to2},
    // times alone at one end, all day
    {"土曜日 〜12:00",
     Rule::weekly,
     {W::sat},
     0,
     1,
     none,
     720,
     "",
     "FREQ=WEEKLY;BYDAY=SA",
     FreqClass::weekly_plus},
    {"毎日 24時間", Rule::daily, kAll, 0, 1, 0, 1440, "", "FREQ=DAILY", FreqClass::daily},
    {"2週に1回 木曜日",
     Rule::weekly,
     {W::thu},
     0,
     2,
     none,
     none,
     "",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
     FreqClass::m2to4},
    // a frequency but no fixed day: irregular, the whole text kept
    {"月1回 土曜日",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "月1回 土曜日",
     "",
     FreqClass::irregular},
    {"年6回 土曜日 10:00~13:00",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "年6回 土曜日 10:00~13:00",
     "",
     FreqClass::irregular},
    {"3か月に1回程度",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "3か月に1回程度",
     "",
     FreqClass::irregular},
    {"月1回 不定期",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "月1回 不定期",
     "",
     FreqClass::irregular},
    {"土曜日（不定期）",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "土曜日（不定期）",
     "",
     FreqClass::irregular},
    {"お問い合わせください",
     Rule::irregular,
     {},
     0,
     1,
     none,
     none,
     "お問い合わせください",
     "",
     FreqClass::irregular},
};

TEST(Schedule, ParsesTheTextOfMunicipalListings) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE(c.text);
    Schedule s;
    ASSERT_NO_THROW(s = parse_schedule(c.text));
    EXPECT_EQ(s.rule, c.rule) << describe(s);
    EXPECT_EQ(s.weekdays, c.days) << describe(s);
    EXPECT_EQ(s.nth, c.nth) << describe(s);
    EXPECT_EQ(s.interval_weeks, c.interval) << describe(s);
    EXPECT_EQ(s.start_minute, c.start) << describe(s);
    EXPECT_EQ(s.end_minute, c.end) << describe(s);
    EXPECT_EQ(s.note, c.note) << describe(s);
    EXPECT_EQ(s.rrule(), c.rrule) << describe(s);
    EXPECT_EQ(s.freq_class(), c.freq) << describe(s);
  }
}

// ---- several schedules in one text ----

TEST(Schedule, SeveralRulesGiveSeveralSchedules) {
  const auto two = parse_schedules("毎週火曜日 10:00〜12:00、第3土曜日 13:00〜15:00");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].rrule(), "FREQ=WEEKLY;BYDAY=TU");
  EXPECT_EQ(two[0].start_minute, 600);
  EXPECT_EQ(two[1].rrule(), "FREQ=MONTHLY;BYDAY=3SA");
  EXPECT_EQ(two[1].start_minute, 780);
  EXPECT_EQ(two[1].end_minute, 900);

  const auto lines = parse_schedules("月～金 9:00～17:00\n土曜日 9:00～12:00");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].weekdays, kWeekdays);
  EXPECT_EQ(lines[1].weekdays, WeekdaySet{W::sat});
  EXPECT_EQ(lines[1].end_minute, 720);

  const auto weeks = parse_schedules("第1水曜日・第3金曜日");
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0].rrule(), "FREQ=MONTHLY;BYDAY=1WE");
  EXPECT_EQ(weeks[1].rrule(), "FREQ=MONTHLY;BYDAY=3FR");
}

TEST(Schedule, TimesFirstWithTheDaysInParentheses) {
  const auto s = parse_schedules("7:00～18:00(平日)、8:00～16:00(土曜日)");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].weekdays, kWeekdays);
  EXPECT_EQ(s[0].start_minute, 420);
  EXPECT_EQ(s[1].weekdays, WeekdaySet{W::sat});
  EXPECT_EQ(s[1].end_minute, 960);
}

TEST(Schedule, ARuleGluedToTheTimeBeforeItStartsANewSchedule) {
  const auto s = parse_schedules("月～土曜日 放課後～18:00土曜日　9:00～18:00");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].note, "放課後～18:00");
  EXPECT_EQ(s[1].weekdays, WeekdaySet{W::sat});
  EXPECT_EQ(s[1].start_minute, 540);
}

TEST(Schedule, SeveralTimeRangesOnTheSameDays) {
  const auto s = parse_schedules("月～金 10:00～12:00、13:00～16:00（12時から13時は休み）");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].weekdays, kWeekdays);
  EXPECT_EQ(s[1].weekdays, kWeekdays);
  EXPECT_EQ(s[0].start_minute, 600);
  EXPECT_EQ(s[0].end_minute, 720);
  EXPECT_EQ(s[1].start_minute, 780);
  EXPECT_EQ(s[1].end_minute, 960);
  EXPECT_EQ(s[1].note, "12時から13時は休み");
}

TEST(Schedule, TextThatOnlyLooksLikeARuleStaysInTheNote) {
  // 「土曜日は…」 starts with a day but does not stand on its own: it is part of the note
  const auto s = parse_schedules("月～金 9:00～17:00、土曜日は17:00まで。12/29～1/3を除く");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].note, "土曜日は17:00まで。12/29～1/3を除く");
  const auto paren = parse_schedules("毎週火曜日（第3週は土曜日 10:00〜12:00）");
  ASSERT_EQ(paren.size(), 1u);
  EXPECT_EQ(paren[0].note, "第3週は土曜日 10:00〜12:00");
}

TEST(Schedule, ChildrenClubHoursOfTwoFieldsTogether) {
  // children_club.csv: availableDate + normalTime, as an importer would join them
  const auto s = parse_schedules("月～土曜日 放課後～19:00\n土曜日\u3000８:０0～19:00");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].note, "放課後～19:00");
  EXPECT_EQ(s[1].weekdays, WeekdaySet{W::sat});
  EXPECT_EQ(s[1].start_minute, 480);
  EXPECT_EQ(s[1].end_minute, 1140);
}

TEST(Schedule, ParseScheduleWantsExactlyOne) {
  try {
    (void)parse_schedule("毎週火曜日、第3土曜日");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("holds 2 schedules"), std::string::npos) << m;
    EXPECT_NE(m.find("第3土曜日"), std::string::npos) << m;
  }
}

// ---- errors: what could not be read is quoted ----

struct ErrorCase {
  std::string text;
  std::vector<std::string> says;
};

const std::vector<ErrorCase> kErrorCases = {
    {"", {"empty"}},
    {" \n　", {"empty"}},
    {"ほげほげ", {"「ほげほげ」", "毎週火曜日"}},
    {"要予約", {"「要予約」"}},
    {"10:00〜12:00", {"「10:00〜12:00」", "no day"}},
    {"第6水曜日", {"「第6」", "第1 to 第5"}},
    {"第1・第3 13:30〜15:00", {"「第1・第3", "no weekday"}},
    {"毎週", {"「毎週」", "not followed by a weekday"}},
    {"毎週 10:00〜12:00", {"not followed by a weekday"}},
    {"毎月15日", {"「毎月15日」", "date of the month"}},
    {"毎月土曜日", {"「毎月土曜日」", "which week"}},
    {"毎週火曜日 10:00〜25:00", {"「25:00」", "not a time of day"}},
    {"毎週火曜日 10:60〜11:00", {"「10:60」", "not a time of day"}},
    {"毎週火曜日 12:00〜10:00", {"「12:00〜10:00」", "end time is not after"}},
    {"毎週火曜日 9:5〜10:00", {"「9:5」", "two digits"}},
    {"隔週第1水曜日", {"隔週", "cannot be combined"}},
    {"(火・木", {"「(火・木", "not closed"}},
    {"毎週火曜日 10:00〜12:00、第6土曜日", {"「第6」"}},
    {"毎週火曜日、毎週", {"「毎週」"}},
    {"毎週火曜日\xFF", {"not valid UTF-8", "byte 15"}},
    // days when nothing is held must not be read as the days it is held
    {"第３水曜を除く", {"「第３水曜を除く」", "does not say on which days it is held"}},
    {"第１・第３火曜日除く、12/31は9:00～15:00", {"「第１・第３火曜日除く」"}},
    {"月曜休み", {"「月曜休み」", "does not say on which days"}},
    {"月曜が祝日の場合は翌平日が休館", {"「月曜が祝日の場合は翌平日が休館」"}},
    {"祝日、12/29～1/3を除く", {"「祝日」"}},
};

TEST(Schedule, UnreadableTextIsRejectedWithTheUnreadablePartQuoted) {
  for (const ErrorCase& c : kErrorCases) {
    SCOPED_TRACE(c.text);
    try {
      const auto s = parse_schedules(c.text);
      ADD_FAILURE() << "expected InvalidArgument, got " << s.size()
                    << " schedule(s): " << describe(s.front());
    } catch (const InvalidArgument& e) {
      const std::string m = e.what();
      for (const std::string& part : c.says) {
        EXPECT_NE(m.find(part), std::string::npos) << "message: " << m << "\nmissing: " << part;
      }
    }
  }
}

// ---- rendering ----

TEST(Schedule, RendersCanonicalJapanese) {
  Schedule s;
  s.rule = Rule::monthly_nth;
  s.weekdays = {W::wed};
  s.nth = nth_bits({1, 3});
  s.start_minute = 810;
  s.end_minute = 900;
  EXPECT_EQ(s.to_japanese(), "第1・第3水曜日 13:30〜15:00");
  s.note = "8月は休み";
  EXPECT_EQ(s.to_japanese(), "第1・第3水曜日 13:30〜15:00（8月は休み）");
  s.note = "8月は休み）";  // unbalanced: after ※ so that it reads back unchanged
  EXPECT_EQ(s.to_japanese(), "第1・第3水曜日 13:30〜15:00 ※8月は休み）");

  Schedule weekdays;
  weekdays.rule = Rule::weekly;
  weekdays.weekdays = {W::mon, W::tue, W::wed, W::fri};
  weekdays.start_minute = 540;
  EXPECT_EQ(weekdays.to_japanese(), "毎週月〜水・金曜日 9:00〜");
  weekdays.interval_weeks = 2;
  weekdays.start_minute.reset();
  weekdays.end_minute = 1440;
  EXPECT_EQ(weekdays.to_japanese(), "隔週月〜水・金曜日 〜24:00");

  Schedule last;
  last.rule = Rule::monthly_nth;
  last.weekdays = {W::sun};
  last.nth = nth_bits({-1});
  EXPECT_EQ(last.to_japanese(), "最終日曜日");
  last.nth = nth_bits({2, -1});
  EXPECT_EQ(last.to_japanese(), "第2・最終日曜日");

  Schedule irregular;
  EXPECT_EQ(irregular.to_japanese(), "不定期");
  irregular.note = "要問合せ";
  EXPECT_EQ(irregular.to_japanese(), "要問合せ");
  irregular.note = "雨の日以外";
  EXPECT_EQ(irregular.to_japanese(), "不定期（雨の日以外）");
}

TEST(Schedule, RenderingRejectsSchedulesWithoutDays) {
  Schedule s;
  s.rule = Rule::weekly;
  EXPECT_THROW((void)s.to_japanese(), InvalidArgument);
  s.rule = Rule::monthly_nth;
  s.weekdays = {W::mon};
  EXPECT_THROW((void)s.to_japanese(), InvalidArgument);  // no week of the month
}

// Every canonical schedule survives to_japanese() → parse_schedule().
TEST(Schedule, JapaneseRoundTripsOverManyGeneratedSchedules) {
  const std::vector<std::string> notes = {"",
                                          "",
                                          "",
                                          "8月は休み",
                                          "祝日を除く",
                                          "祝日、年末年始を除く",
                                          "雨天中止（小雨決行）",
                                          "要予約 ※先着20名",
                                          "土曜日は17:00まで",
                                          "第3週は公民館2階",
                                          "(A)(B)",
                                          "8月は休み）",
                                          "（第2週は休み",
                                          "毎週火曜日も",
                                          "10:00〜12:00は体操",
                                          "参加費100円\n持ち物：タオル",
                                          "祝日も開催",
                                          "、から始まる",
                                          "※要申込"};
  const std::vector<std::string> irregular_notes = {
      "不定期", "要問合せ",        "月1回 不定期", "3か月に1回程度", "不定期（夏休み中のみ）",
      "随時",   "土曜日（不定期）"};
  std::mt19937 rng(20240601);
  const auto pick = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  int checked = 0;
  for (int n = 0; n < 3000; ++n) {
    Schedule s;
    const int kind = pick(0, 9);
    if (kind <= 3) {
      s.rule = Rule::weekly;
      s.interval_weeks = pick(0, 4) == 0 ? pick(2, 4) : 1;
    } else if (kind <= 7) {
      s.rule = Rule::monthly_nth;
      do {
        s.nth = static_cast<std::uint8_t>(pick(1, 63));
      } while (s.nth == 0);
    } else if (kind == 8) {
      s.rule = Rule::daily;
    } else {
      s.rule = Rule::irregular;
      s.note = irregular_notes[static_cast<std::size_t>(pick(0, 6))];
    }
    if (s.rule == Rule::daily) {
      s.weekdays = kAll;
    } else if (s.rule != Rule::irregular) {
      do {
        s.weekdays = WeekdaySet::from_bits(static_cast<std::uint64_t>(pick(1, 127)));
      } while (s.rule == Rule::weekly && s.interval_weeks == 1 && s.weekdays == kAll);
    }
    if (s.rule != Rule::irregular) {
      const int times = pick(0, 3);
      const int start = pick(0, 280) * 5;
      const int end = start + pick(1, (1440 - start) / 5) * 5;
      if (times == 1 || times == 3) s.start_minute = start;
      if (times == 2 || times == 3) s.end_minute = end;
      s.note = notes[static_cast<std::size_t>(pick(0, static_cast<int>(notes.size()) - 1))];
    }
    const std::string text = s.to_japanese();
    SCOPED_TRACE(text);
    Schedule back;
    ASSERT_NO_THROW(back = parse_schedule(text)) << describe(s);
    ASSERT_EQ(back, s) << "generated: " << describe(s) << "\nparsed:    " << describe(back);
    ++checked;
  }
  EXPECT_EQ(checked, 3000);
}

// ---- meets_on: "open on Wednesday afternoon?" ----

TEST(Schedule, MeetsOnTheDayAndOverlappingHours) {
  const Schedule s = parse_schedule("第1・第3水曜日 13:30〜15:00");
  EXPECT_TRUE(s.meets_on(W::wed));
  EXPECT_FALSE(s.meets_on(W::tue));
  EXPECT_TRUE(s.meets_on(W::wed, 12 * 60, 18 * 60));  // 水曜の午後
  EXPECT_TRUE(s.meets_on(W::wed, 14 * 60, 16 * 60));
  EXPECT_FALSE(s.meets_on(W::wed, 9 * 60, 12 * 60));   // 午前
  EXPECT_FALSE(s.meets_on(W::wed, 15 * 60, 17 * 60));  // ends as the window starts
  EXPECT_FALSE(s.meets_on(W::wed, 12 * 60, 13 * 60 + 30));
  EXPECT_TRUE(s.meets_on(W::wed, 14 * 60));                     // from 14:00 on
  EXPECT_TRUE(s.meets_on(W::wed, std::nullopt, 14 * 60));       // until 14:00
  EXPECT_TRUE(s.meets_on(W::wed, 13 * 60 + 30, 13 * 60 + 30));  // the instant it opens
  EXPECT_FALSE(s.meets_on(W::wed, 15 * 60, 15 * 60));           // the instant it closes
}

TEST(Schedule, MeetsOnWithUnknownHoursOrIrregularRules) {
  const Schedule no_hours = parse_schedule("毎週火曜日");
  EXPECT_TRUE(no_hours.meets_on(W::tue, 600, 660));
  EXPECT_FALSE(no_hours.meets_on(W::wed, 600, 660));
  const Schedule open_end = parse_schedule("毎週火曜日 10:00〜");
  EXPECT_TRUE(open_end.meets_on(W::tue, 20 * 60, 21 * 60));
  EXPECT_FALSE(open_end.meets_on(W::tue, 8 * 60, 9 * 60));
  const Schedule daily = parse_schedule("毎日 9:00〜17:00");
  for (W d : {W::mon, W::tue, W::wed, W::thu, W::fri, W::sat, W::sun}) {
    EXPECT_TRUE(daily.meets_on(d, 600, 700));
    EXPECT_FALSE(daily.meets_on(d, 1100, 1200));
  }
  const Schedule irregular = parse_schedule("不定期");
  EXPECT_FALSE(irregular.meets_on(W::sat));
  EXPECT_THROW((void)daily.meets_on(W::mon, 700, 600), InvalidArgument);
  EXPECT_THROW((void)daily.meets_on(W::mon, -5, 600), InvalidArgument);
}

// ---- the smaller parsers ----

TEST(Schedule, ParsesWeekdayLists) {
  EXPECT_EQ(parse_weekdays("月火水木金"), kWeekdays);
  EXPECT_EQ(parse_weekdays("月～土"), (WeekdaySet{W::mon, W::tue, W::wed, W::thu, W::fri, W::sat}));
  EXPECT_EQ(parse_weekdays("月・水・金"), (WeekdaySet{W::mon, W::wed, W::fri}));
  EXPECT_EQ(parse_weekdays("平日"), kWeekdays);
  EXPECT_EQ(parse_weekdays("土日祝"), (WeekdaySet{W::sat, W::sun}));
  EXPECT_EQ(parse_weekdays("日曜日"), WeekdaySet{W::sun});
  EXPECT_EQ(parse_weekdays(" 火曜・木曜 "), (WeekdaySet{W::tue, W::thu}));
  try {
    (void)parse_weekdays("月火x水");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("「x水」 is not a weekday"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW((void)parse_weekdays(""), InvalidArgument);
  EXPECT_THROW((void)parse_weekdays("祝"), InvalidArgument);
}

TEST(Schedule, ParsesAndFormatsTimesOfDay) {
  EXPECT_EQ(parse_time_of_day("9:00"), 540);
  EXPECT_EQ(parse_time_of_day("09:30"), 570);
  EXPECT_EQ(parse_time_of_day("９：３０"), 570);
  EXPECT_EQ(parse_time_of_day("13時30分"), 810);
  EXPECT_EQ(parse_time_of_day("13時半"), 810);
  EXPECT_EQ(parse_time_of_day("午後1時"), 780);
  EXPECT_EQ(parse_time_of_day("0:00"), 0);
  EXPECT_EQ(parse_time_of_day("24:00"), 1440);
  EXPECT_EQ(parse_time_of_day("1700"), 1020);
  EXPECT_EQ(parse_time_of_day("930"), 570);
  for (const char* bad :
       {"25:00", "24:30", "9", "abc", "", "9:00 10:00", "12/29", "2500", "1760", "12345"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW((void)parse_time_of_day(bad), InvalidArgument);
  }
  EXPECT_EQ(format_time_of_day(810), "13:30");
  EXPECT_EQ(format_time_of_day(540), "9:00");
  EXPECT_EQ(format_time_of_day(5), "0:05");
  EXPECT_EQ(format_time_of_day(1440), "24:00");
  EXPECT_THROW((void)format_time_of_day(-1), InvalidArgument);
  EXPECT_THROW((void)format_time_of_day(1441), InvalidArgument);
}

TEST(Schedule, SchedulesFromStandardDatasetFields) {
  const auto office = schedules_from_fields("月火水木金", "8:30", "17:00", "祝日を除く");
  ASSERT_EQ(office.size(), 1u);
  EXPECT_EQ(office[0].weekdays, kWeekdays);
  EXPECT_EQ(office[0].start_minute, 510);
  EXPECT_EQ(office[0].end_minute, 1020);
  EXPECT_EQ(office[0].note, "祝日を除く");

  const auto hall = schedules_from_fields("月火水木金土日", "09:00", "22:00", "");
  ASSERT_EQ(hall.size(), 1u);
  EXPECT_EQ(hall[0].rule, Rule::daily);

  const auto club = schedules_from_fields("月～土曜日\n土曜日は要相談", "", "", "　");
  ASSERT_EQ(club.size(), 1u);
  EXPECT_EQ(club[0].note, "土曜日は要相談");

  const auto joined =
      schedules_from_fields("月～金（祝日を除く）", "１０：００", "１５：３０", "12/29～1/3は休み");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0].end_minute, 930);
  EXPECT_EQ(joined[0].note, "祝日を除く。12/29～1/3は休み");

  EXPECT_TRUE(schedules_from_fields("", "", "", "24時間対応").empty());
  EXPECT_THROW((void)schedules_from_fields("", "9:00", "", ""), InvalidArgument);
  EXPECT_THROW((void)schedules_from_fields("月火", "17:00", "9:00", ""), InvalidArgument);
  EXPECT_THROW((void)schedules_from_fields("月火", "朝", "", ""), InvalidArgument);
  // a time column may hold HHMM without a colon (aed_location.csv has "1700")
  EXPECT_EQ(schedules_from_fields("月火", "7:00", "1700", "")[0].end_minute, 1020);
}

// ---- real text: the Takamatsu open-data CSVs ----

// RFC 4180 with quoted fields that hold newlines; a UTF-8 BOM is dropped.
std::vector<std::vector<std::string>> read_csv(const std::string& content) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  std::size_t i = content.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  for (; i < content.size(); ++i) {
    const char c = content[i];
    if (quoted) {
      if (c == '"' && i + 1 < content.size() && content[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) rows.back().push_back(std::move(field));
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

std::optional<std::size_t> column(const std::vector<std::string>& header,
                                  std::initializer_list<std::string_view> names) {
  for (std::size_t k = 0; k < header.size(); ++k) {
    for (std::string_view n : names) {
      if (header[k] == n) return k;
    }
  }
  return std::nullopt;
}

struct Tally {
  int total = 0;
  int parsed = 0;
  std::vector<std::string> unparsed;

  void check(const std::string& label, const std::string& text,
             const std::function<std::vector<Schedule>()>& parse) {
    ++total;
    try {
      const auto s = parse();
      EXPECT_FALSE(s.empty()) << label << ": " << text;
      ++parsed;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("「"), std::string::npos)
          << "a rejection must quote the text: " << e.what();
      unparsed.push_back(label + ": [" + text + "] → " + e.what());
    }
  }
  void print(const std::string& what) const {
    std::cout << what << ": " << parsed << " of " << total << " read\n";
    for (const auto& u : unparsed) std::cout << "  unparsed " << u << "\n";
  }
};

TEST(Schedule, ReadsTheTakamatsuOpenDataSchedules) {
  TSUNAGI_REQUIRE_SHARED_DATA(folder, "takamatsu-opendata/facilities");
  Tally days;  // availableDate / 利用可能曜日 alone
  Tally rows;  // + startTime, endTime, availableDateNote as an importer combines them
  Tally club;  // children_club: availableDate + normalTime
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".csv") continue;
    const auto table = read_csv(test::read_file(entry.path()));
    if (table.empty()) continue;
    const auto& header = table.front();
    const auto day_col = column(header, {"availableDate", "利用可能曜日"});
    if (!day_col) continue;
    ++files;
    const auto start_col = column(header, {"startTime", "開始時間"});
    const auto end_col = column(header, {"endTime", "終了時間"});
    const auto note_col =
        column(header, {"availableDateNote", "利用可能日時特記事項", "利用可能時間特記事項"});
    const auto normal_col = column(header, {"normalTime"});
    const auto cell = [](const std::vector<std::string>& row, std::optional<std::size_t> k) {
      return k && *k < row.size() ? row[*k] : std::string();
    };
    for (std::size_t r = 1; r < table.size(); ++r) {
      const auto& row = table[r];
      const std::string d = cell(row, day_col);
      if (d.find_first_not_of(" \n") == std::string::npos) continue;
      const std::string label = entry.path().filename().string() + " row " + std::to_string(r);
      days.check(label, d, [&] { return parse_schedules(d); });
      rows.check(label, d, [&] {
        return schedules_from_fields(d, cell(row, start_col), cell(row, end_col),
                                     cell(row, note_col));
      });
      if (normal_col) {
        const std::string t = d + " " + cell(row, normal_col);
        club.check(label, t, [&] { return parse_schedules(t); });
      }
    }
  }
  days.print("availableDate");
  rows.print("availableDate+startTime+endTime+note");
  club.print("children_club availableDate+normalTime");
  EXPECT_GE(files, 15);
  EXPECT_GE(days.total, 300);
  // These columns hold weekday lists; every one must be readable.
  EXPECT_EQ(days.parsed, days.total);
  EXPECT_EQ(rows.parsed, rows.total);
  EXPECT_EQ(club.total, 35);
  EXPECT_GE(club.parsed * 100, club.total * 90);
}

}  // namespace
}  // namespace tsunagi::geo
