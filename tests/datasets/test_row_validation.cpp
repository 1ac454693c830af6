#include "datasets/row_validation.hpp"

#include <gtest/gtest.h>

#include "datasets/text_encoding.hpp"
#include "geo/core/error.hpp"

namespace ds = tsunagi::datasets;

TEST(ParseDecimal, AcceptsPlainAndFullWidthNumbers) {
  EXPECT_DOUBLE_EQ(*ds::parse_decimal("134.0452297").value, 134.0452297);
  EXPECT_DOUBLE_EQ(*ds::parse_decimal(" 34.5 ").value, 34.5);
  EXPECT_DOUBLE_EQ(*ds::parse_decimal("１３４．５").value, 134.5);
  EXPECT_DOUBLE_EQ(*ds::parse_decimal("－12").value, -12);
  EXPECT_DOUBLE_EQ(*ds::parse_decimal("+7").value, 7);
}

TEST(ParseDecimal, RejectsWhatIsNotADecimalNumberWithAReason) {
  for (const char* bad : {"NaN", "nan", "inf", "abc", "139.7.1", "1e5", ".", "-", "12,5", "35度"}) {
    const auto r = ds::parse_decimal(bad);
    EXPECT_FALSE(r.value) << bad;
    EXPECT_NE(r.error.find("is not a number"), std::string::npos) << bad << ": " << r.error;
  }
  EXPECT_EQ(ds::parse_decimal("").error, "is empty");
  EXPECT_EQ(ds::parse_decimal("　").error, "is empty");
}

TEST(ParseWktPoint, ReadsPointsOnly) {
  std::string err;
  auto p = ds::parse_wkt_point("POINT(139.7000000 35.6900000)", err);
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->first, 139.7);
  EXPECT_DOUBLE_EQ(p->second, 35.69);
  EXPECT_TRUE(ds::parse_wkt_point("point z (1 2 3)", err));
  EXPECT_FALSE(ds::parse_wkt_point("LINESTRING(1 2, 3 4)", err));
  EXPECT_NE(err.find("is not a WKT POINT"), std::string::npos);
  EXPECT_FALSE(ds::parse_wkt_point("POINT(NaN 35)", err));
  EXPECT_FALSE(ds::parse_wkt_point("POINT(139)", err));
}

TEST(ParseCapacity, ReadsCountsWithUnits) {
  EXPECT_EQ(ds::parse_capacity("40"), 40);
  EXPECT_EQ(ds::parse_capacity("40人"), 40);
  EXPECT_EQ(ds::parse_capacity("３８人"), 38);
  EXPECT_EQ(ds::parse_capacity("3５人"), 35);
  EXPECT_EQ(ds::parse_capacity(" 33名"), 33);
  EXPECT_FALSE(ds::parse_capacity("大会議室：120名、第１会議室：各24名"));
  EXPECT_FALSE(ds::parse_capacity("-3"));
}

TEST(CheckLonLat, SaysWhatIsWrong) {
  EXPECT_EQ(ds::check_lon_lat(134.05, 34.34), "");
  EXPECT_EQ(ds::check_lon_lat(34.7, 135.2),
            "latitude and longitude look swapped (lat=135.2, lon=34.7); fix the columns in the "
            "file (they are not swapped automatically)");
  EXPECT_NE(ds::check_lon_lat(2.35, 48.85).find("outside Japan (lon 122–154, lat 20–46)"),
            std::string::npos);
  EXPECT_NE(ds::check_lon_lat(200, 35).find("longitude is out of range"), std::string::npos);
  EXPECT_NE(ds::check_lon_lat(135, 95).find("latitude is out of range"), std::string::npos);
  EXPECT_NE(ds::check_lon_lat(0, 0).find("0,0"), std::string::npos);
}

TEST(TextEncoding, Utf8CheckFindsBrokenSequences) {
  EXPECT_TRUE(ds::is_valid_utf8("髙松①"));
  EXPECT_FALSE(ds::is_valid_utf8("\x82\xA0"));      // Shift_JIS あ
  EXPECT_FALSE(ds::is_valid_utf8("\xE3\x81"));      // cut short
  EXPECT_FALSE(ds::is_valid_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(ds::is_valid_utf8("\xED\xA0\x80"));  // surrogate
  ds::Utf8Checker split;                            // a character split across two chunks is fine
  EXPECT_TRUE(split.feed("\xE3\x81"));
  EXPECT_TRUE(split.feed("\x82"));
  EXPECT_TRUE(split.finish());
}

TEST(TextEncoding, Cp932RoundTripKeepsNecExtensions) {
  const std::string text = "髙橋①番地　ｶﾅ";
  const std::string sjis = ds::utf8_to_cp932(text);
  EXPECT_FALSE(ds::is_valid_utf8(sjis));
  EXPECT_EQ(ds::cp932_to_utf8(sjis), text);
  EXPECT_THROW((void)ds::cp932_to_utf8("\x82"), tsunagi::geo::InvalidArgument);
}

TEST(TextEncoding, HeaderKeysIgnoreLineBreaksAndWidth) {
  EXPECT_EQ(ds::header_key("都道府県コード又は\n市区町村コード"),
            "都道府県コード又は市区町村コード");
  EXPECT_EQ(ds::header_key("\xEF\xBB\xBF"
                           "FAX番号"),
            "fax番号");
  EXPECT_EQ(ds::header_key("方書（ビル名等）"), "方書(ビル名等)");
}

TEST(TextEncoding, Cp932DecodesInChunksSplitAnywhere) {
  const std::string text = "名称,髙橋①サロン\n住所,高松市番町一丁目\n";
  const std::string sjis = ds::utf8_to_cp932(text);
  for (std::size_t chunk = 1; chunk <= sjis.size(); ++chunk) {
    ds::Cp932Decoder d;
    std::string out;
    for (std::size_t at = 0; at < sjis.size(); at += chunk) {
      d.feed(std::string_view(sjis).substr(at, chunk), at + chunk >= sjis.size(), out);
    }
    EXPECT_EQ(out, text) << "chunks of " << chunk;
  }
  // The offset of a bad byte counts from the start of all input; a character cut off at the end
  // is an error too.
  ds::Cp932Decoder bad;
  std::string out;
  bad.feed(sjis.substr(0, 4), false, out);
  try {
    bad.feed("\x82\xa0\xff\xff", true, out);
    ADD_FAILURE() << "no error";
  } catch (const tsunagi::geo::InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "byte 6 is not valid CP932");
  }
  ds::Cp932Decoder cut;
  EXPECT_THROW(cut.feed("\x82", true, out), tsunagi::geo::InvalidArgument);
}
