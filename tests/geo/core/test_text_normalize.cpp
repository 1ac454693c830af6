#include "geo/core/text_normalize.hpp"

#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

TEST(TextNormalize, HalfWidthKatakanaAndHiraganaFindTheSameCafe) {
  const std::string key = normalize_for_search("かふぇ");
  EXPECT_EQ(normalize_for_search("ｶﾌｪ"), key);
  EXPECT_EQ(normalize_for_search("カフェ"), key);
  EXPECT_EQ(key, "かふぇ");
}

TEST(TextNormalize, FullWidthAsciiIsHalfWidthLowerCase) {
  EXPECT_EQ(normalize_for_search("ＡＢＣ"), "abc");
  EXPECT_EQ(normalize_for_search("AbC"), "abc");
  EXPECT_EQ(normalize_for_search("ＮＰＯ法人１２３"), "npo法人123");
  EXPECT_EQ(normalize_for_search("（火）"), "(火)");
}

TEST(TextNormalize, VoicingMarksJoinTheirKana) {
  EXPECT_EQ(normalize_for_search("ｶﾞｯｺｳ"), "がっこう");
  EXPECT_EQ(normalize_for_search("ﾊﾟﾝ ﾋﾞｽｹｯﾄ"), "ぱんびすけっと");
  EXPECT_EQ(normalize_for_search("ｳﾞｨﾗ"), "ゔぃら");
  // decomposed (NFD) text as macOS writes file names
  EXPECT_EQ(normalize_for_search("カ\u3099ス"), "がす");
  EXPECT_EQ(normalize_for_search("は\u309Aん"), "ぱん");
  // a mark after a kana that has no voiced form stays a mark
  EXPECT_EQ(normalize_for_search("ｱﾞ"), "あ゛");
}

TEST(TextNormalize, LongVowelMarkIsKept) {
  EXPECT_EQ(normalize_for_search("ｺｰﾋｰ"), "こーひー");
  EXPECT_EQ(normalize_for_search("コーヒー"), normalize_for_search("ｺｰﾋｰ"));
}

TEST(TextNormalize, SpacesOfEveryWidthAreRemoved) {
  EXPECT_EQ(normalize_for_search("高松　市 役所\t"), "高松市役所");
  EXPECT_EQ(normalize_for_search(" \n\u3000 "), "");
  EXPECT_EQ(normalize_for_search(""), "");
}

TEST(TextNormalize, KanjiAndOtherScriptsAreUnchanged) {
  EXPECT_EQ(normalize_for_search("地域包括支援センター"), "地域包括支援せんたー");
  EXPECT_EQ(normalize_for_search("子ども食堂"), "子ども食堂");
  EXPECT_EQ(normalize_for_search("霞ヶ関"), normalize_for_search("霞ケ関"));
  EXPECT_EQ(normalize_for_search("星ｹ丘"), "星け丘");
}

TEST(TextNormalize, ASearchTermFindsAMixedWidthName) {
  const std::string name = normalize_for_search("ふらっとｶﾌｪ・ｽﾍﾟｰｽ　高松");
  EXPECT_NE(name.find(normalize_for_search("カフェ")), std::string::npos);
  EXPECT_NE(name.find(normalize_for_search("スペース")), std::string::npos);
  EXPECT_NE(name.find(normalize_for_search("カフェ・スペース 高松")), std::string::npos);
  EXPECT_EQ(name.find(normalize_for_search("食堂")), std::string::npos);
}

TEST(TextNormalize, ValidUtf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("abc"));
  EXPECT_TRUE(is_valid_utf8("日本語ｶﾅ"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600
}

TEST(TextNormalize, InvalidUtf8IsRecognised) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xE6\x97"));          // truncated 日
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(
      is_valid_utf8("a\x80"
                    "b"));                          // stray continuation byte
  EXPECT_FALSE(is_valid_utf8("\x93\xFA\x96\x7B"));  // 日本 in Shift_JIS
}

TEST(TextNormalize, InvalidUtf8IsRejectedWithItsOffset) {
  try {
    (void)normalize_for_search("かふぇ\x93\xFA");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("not valid UTF-8"), std::string::npos) << message;
    EXPECT_NE(message.find("0x93"), std::string::npos) << message;
    EXPECT_NE(message.find("offset 9"), std::string::npos) << message;
  }
}

TEST(TextNormalize, EncodeDecodeRoundTripsEveryPlane) {
  for (char32_t cp : {U'\0', U'A', U'\u00E9', U'\u3042', U'\uFFFD', U'\U0001F600', U'\U0010FFFF'}) {
    std::string s;
    append_utf8(s, cp);
    std::size_t pos = 0;
    const auto back = next_code_point(s, pos);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, cp);
    EXPECT_EQ(pos, s.size());
  }
  std::size_t pos = 0;
  EXPECT_FALSE(next_code_point("\xE6\x97", pos).has_value());
  EXPECT_EQ(pos, 0u);
}

}  // namespace
}  // namespace tsunagi::geo
