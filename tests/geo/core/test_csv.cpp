// geo/core/csv: the one CSV writer of every CSV tsunagi writes (RFC 4180 quoting, OWASP's guard
// against formula injection), and the one reader.
#include "geo/core/csv.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

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

// ---- reading ----

namespace tsunagi::geo::csv {
namespace {

using Cells = std::vector<std::string>;

std::vector<Cells> cells_of(std::string_view text, ReadOptions options = {}) {
  std::vector<Cells> out;
  for (auto& r : read_all(text, options)) out.push_back(std::move(r.cells));
  return out;
}

TEST(CsvRead, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  const auto rows = read_all(
      "id,name,note\n"
      "1,\"つなぎ町1丁目, 東\",\"he said \"\"hi\"\"\"\n"
      "2,\"two\nlines\",\"\"\n"
      "3,plain,\n");
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].cells, (Cells{"id", "name", "note"}));
  EXPECT_EQ(rows[1].cells, (Cells{"1", "つなぎ町1丁目, 東", "he said \"hi\""}));
  EXPECT_EQ(rows[2].cells, (Cells{"2", "two\nlines", ""}));
  EXPECT_EQ(rows[3].cells, (Cells{"3", "plain", ""}));
  // Each record names the line it begins on; the embedded line break moves the next one down.
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[3].line, 5);
}

TEST(CsvRead, CrlfBomAndBlankLines) {
  const auto rows = read_all("\xEF\xBB\xBFid,value\r\n\r\na,\"x\r\ny\"\r\n\r\nb,2");
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].cells, (Cells{"id", "value"})) << "the BOM is not part of the first cell";
  EXPECT_EQ(rows[1].cells, (Cells{"a", "x\r\ny"})) << "a quoted CRLF is kept as written";
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[2].cells, (Cells{"b", "2"})) << "the last record needs no line break";
  EXPECT_EQ(rows[2].line, 6);
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF\r\n\n").empty());
}

TEST(CsvRead, ATextStartingLikeABomIsReadWhole) {
  // 「Ｎ」 is EF BC AE: its first byte is the BOM's, its second is not.
  EXPECT_EQ(cells_of("Ｎ,1\n"), (std::vector<Cells>{{"Ｎ", "1"}}));
  EXPECT_EQ(cells_of("\xEF\xBB"), (std::vector<Cells>{{"\xEF\xBB"}}));
}

TEST(CsvRead, AnUnclosedQuoteNamesTheLineItOpensOn) {
  try {
    read_all("id,name\n1,ok\n2,\"never closed\n3,x\n");
    ADD_FAILURE() << "an unclosed quote was accepted";
  } catch (const ReadError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(std::string(e.what()).rfind("line 3: a quoted cell is never closed", 0), 0U)
        << e.what();
    EXPECT_NE(e.reason().find("line 3"), std::string::npos) << e.reason();
  }
  EXPECT_THROW(read_all("\""), ReadError);
}

TEST(CsvRead, TrimAndTheCellLimit) {
  EXPECT_EQ(cells_of(" a ,\tb\t, \" c \" \n \t \nd\n", {.trim = true}),
            (std::vector<Cells>{{"a", "b", "c"}, {"d"}}));
  EXPECT_EQ(cells_of("a\"b\"c,d\n"), (std::vector<Cells>{{"abc", "d"}}))
      << "text around quotes joins the cell";
  EXPECT_EQ(cells_of("1,2,3\n", {.max_cells = 3}), (std::vector<Cells>{{"1", "2", "3"}}));
  try {
    read_all("1,2\n1,2,3,4\n", {.max_cells = 3});
    ADD_FAILURE() << "a record of 4 cells passed a limit of 3";
  } catch (const TooManyCells& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_NE(std::string(e.what()).find("more than 3 cells"), std::string::npos) << e.what();
  }
}

TEST(CsvRead, AStreamIsReadAsItsText) {
  std::istringstream in(
      "\xEF\xBB\xBF"
      "a,\"b\nc\"\r\nd,e\n");
  Reader reader(in);
  Cells cells;
  ASSERT_TRUE(reader.next(cells));
  EXPECT_EQ(cells, (Cells{"a", "b\nc"}));
  EXPECT_EQ(reader.line(), 1);
  ASSERT_TRUE(reader.next(cells));
  EXPECT_EQ(cells, (Cells{"d", "e"}));
  EXPECT_EQ(reader.line(), 3);
  EXPECT_FALSE(reader.next(cells));
}

TEST(CsvRead, WhatTheWriterWritesIsReadBack) {
  const std::vector<std::string> values = {"plain",  "a,b",  "say \"x\"", "two\r\nlines",
                                           " edge ", "=1+1", ""};
  std::string text;
  for (const auto& v : values) append_row(text, {v, "end"});
  const auto rows = read_all(text);
  ASSERT_EQ(rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string want = values[i] == "=1+1" ? "'=1+1" : values[i];  // the formula guard
    EXPECT_EQ(rows[i].cells, (Cells{want, "end"})) << i;
  }
}

}  // namespace
}  // namespace tsunagi::geo::csv
