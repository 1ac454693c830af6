// geo/core/csv: the one CSV writer of every CSV tsunagi writes (RFC 4180 quoting, OWASP's guard
// against formula injection).
#include "geo/core/csv.hpp"

#include <gtest/gtest.h>

namespace tsunagi::geo::csv {
namespace {

TEST(Csv, FormulasGetALeadingQuote) {
  EXPECT_EQ(cell("=HYPERLINK(\"http://evil.example/\";\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/\"\";\"\"x\"\")\"");
  EXPECT_EQ(cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
  EXPECT_EQ(cell("-2+3"), "'-2+3");
  EXPECT_EQ(cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(cell("\t=1"), "'\t=1");
  EXPECT_EQ(cell("\r=1"), "\"'\r=1\"");
  EXPECT_EQ(cell("=1,2"), "\"'=1,2\"");
  EXPECT_EQ(cell("-"), "'-");
}

TEST(Csv, NumbersAndPlainTextAreWrittenAsTheyAre) {
  for (const char* v : {"-3", "134.05", "-0.5", "1.5e-07", "-2E+10", "0", "42"}) {
    EXPECT_EQ(cell(v), v) << v;
  }
  EXPECT_EQ(cell("つなぎ町1丁目"), "つなぎ町1丁目");
  EXPECT_EQ(cell("a=b"), "a=b");
  EXPECT_EQ(cell(""), "");
  EXPECT_TRUE(looks_like_formula("-1e5x"));
  EXPECT_TRUE(looks_like_formula("-.5"));
  EXPECT_FALSE(looks_like_formula("1e5"));
}

TEST(Csv, QuotesWhatWouldBreakTheRow) {
  EXPECT_EQ(cell("a,b"), "\"a,b\"");
  EXPECT_EQ(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(cell(" padded "), "\" padded \"");
}

TEST(Csv, RowsJoinGuardedCells) {
  std::string out;
  append_row(out, {"出典", "=cmd", "a,b"});
  append_row(out, {"x", "1"}, "\n");
  EXPECT_EQ(out, "出典,'=cmd,\"a,b\"\r\nx,1\n");
}

}  // namespace
}  // namespace tsunagi::geo::csv
