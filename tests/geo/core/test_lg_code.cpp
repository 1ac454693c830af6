// 全国地方公共団体コード: check digits verified in domain.md §4.6, and the repairs open data needs.
#include "geo/core/lg_code.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"

namespace {

using ::testing::HasSubstr;
using tsunagi::geo::InvalidArgument;
using tsunagi::geo::lg_check_digit;
using tsunagi::geo::lg_code5;
using tsunagi::geo::LgCodeForm;
using tsunagi::geo::parse_lg_code;

std::string error_of(std::string_view text, LgCodeForm form = LgCodeForm::guess) {
  try {
    (void)parse_lg_code(text, form);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LgCode, VerifiedCheckDigits) {
  // 千代田区, 渋谷区 (remainder 1 → 0), 宇都宮市 (remainder 0 → 1), 札幌市, 北海道, 東京都, 大阪府,
  // 高松市.
  for (const char* code :
       {"131016", "131130", "092011", "011002", "010006", "130001", "270008", "372013"}) {
    const std::string s(code);
    EXPECT_EQ(lg_check_digit(s.substr(0, 5)), s[5]) << s;
    const auto parsed = parse_lg_code(s);
    EXPECT_EQ(parsed.code, s);
    EXPECT_FALSE(parsed.repaired);
    EXPECT_TRUE(parsed.repair_note.empty());
  }
}

TEST(LgCode, CheckDigitNeedsFiveAsciiDigits) {
  EXPECT_THROW((void)lg_check_digit("1310"), InvalidArgument);
  EXPECT_THROW((void)lg_check_digit("131016"), InvalidArgument);
  EXPECT_THROW((void)lg_check_digit("13a01"), InvalidArgument);
}

TEST(LgCode, LeadingZeroRestored) {
  const auto c = parse_lg_code("92011");
  EXPECT_EQ(c.code, "092011");
  EXPECT_TRUE(c.repaired);
  EXPECT_EQ(c.repair_note, "leading zero restored: 92011 → 092011");
}

TEST(LgCode, FiveDigitEstatCodeGetsItsCheckDigit) {
  const auto c = parse_lg_code("13101");
  EXPECT_EQ(c.code, "131016");
  EXPECT_TRUE(c.repaired);
  EXPECT_EQ(c.repair_note, "check digit added: 13101 → 131016");
  EXPECT_EQ(parse_lg_code("37201").code, "372013");
  // A 5-digit code of prefectures 01–09 keeps its zero: it cannot have lost one.
  EXPECT_EQ(parse_lg_code("01100").code, "011002");
  EXPECT_EQ(parse_lg_code("09201").code, "092011");
}

TEST(LgCode, AmbiguousFiveDigitsPreferTheLostZeroAndSaySo) {
  // "13102" (e-Stat 中央区) also reads as 013102 with a valid check digit.
  const auto c = parse_lg_code("13102");
  EXPECT_EQ(c.code, "013102");
  EXPECT_THAT(c.repair_note, HasSubstr("leading zero restored: 13102 → 013102"));
  EXPECT_THAT(c.repair_note, HasSubstr("131024"));
  // A caller that knows the column holds 5-digit codes reads it right.
  EXPECT_EQ(parse_lg_code("13102", LgCodeForm::five_digits).code, "131024");
  EXPECT_EQ(parse_lg_code("92011", LgCodeForm::six_digits).code, "092011");
  EXPECT_THAT(error_of("92011", LgCodeForm::five_digits), HasSubstr("prefecture 92"));
  EXPECT_THAT(error_of("13101", LgCodeForm::six_digits), HasSubstr("needs 2"));
}

TEST(LgCode, FullWidthDigitsAndSpaces) {
  EXPECT_EQ(parse_lg_code("１３１０１６").code, "131016");
  EXPECT_EQ(parse_lg_code(" 131016\t").code, "131016");
  EXPECT_EQ(parse_lg_code("\xE3\x80\x80"
                          "372013"
                          "\xE3\x80\x80")
                .code,
            "372013");
  const auto c = parse_lg_code("９２０１１");
  EXPECT_EQ(c.code, "092011");
  EXPECT_TRUE(c.repaired);
}

TEST(LgCode, WrongCheckDigitNamesTheExpectedOne) {
  EXPECT_THAT(error_of("131015"), HasSubstr("the check digit is 5 but 13101 needs 6 (131016)"));
  EXPECT_THAT(error_of("092012"), HasSubstr("needs 1"));
}

TEST(LgCode, NotACode) {
  EXPECT_THAT(error_of("1310"), HasSubstr("has 4 digits"));
  EXPECT_THAT(error_of("1310167"), HasSubstr("has 7 digits"));
  EXPECT_THAT(error_of(""), HasSubstr("has 0 digits"));
  EXPECT_THAT(error_of("13-101"), HasSubstr("'-' is not a digit"));
  EXPECT_THAT(error_of("千代田区"), HasSubstr("'千' is not a digit"));
  EXPECT_THAT(error_of("481003"), HasSubstr("prefecture 48 does not exist"));
  EXPECT_THAT(error_of("001007"), HasSubstr("prefecture 00 does not exist"));
  // Five digits that fit neither reading.
  EXPECT_THAT(error_of("92012"), HasSubstr("neither a 6-digit code"));
}

TEST(LgCode, FiveDigitForm) {
  EXPECT_EQ(lg_code5(parse_lg_code("131016")), "13101");
  EXPECT_EQ(lg_code5(parse_lg_code("92011")), "09201");
}

TEST(LgCode, EveryFiveDigitCodeRoundTrips) {
  // Every code made from a 5-digit prefix and its check digit parses back unchanged.
  for (int pref = 1; pref <= 47; ++pref) {
    for (int muni = 0; muni < 1000; muni += 7) {
      std::string five(pref < 10 ? 1 : 0, '0');
      five += std::to_string(pref * 1000 + muni);
      const std::string six = five + lg_check_digit(five);
      ASSERT_EQ(parse_lg_code(six).code, six);
      ASSERT_EQ(parse_lg_code(five, LgCodeForm::five_digits).code, six);
    }
  }
}

}  // namespace
