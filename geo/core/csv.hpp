// The one CSV writer of tsunagi: every CSV the product writes (resource export, area export, gap
// answers over the API and the CLI, gap access) builds its cells here, so that every cell is
// quoted per RFC 4180 and guarded against formula injection the same way.
// And the one CSV reader: every CSV tsunagi reads itself (statistics tables, name maps, the gap
// CLI's files) is split into records here. (Resource files go through GDAL's reader.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/error.hpp"

namespace tsunagi::geo::csv {

/// A plain decimal number ("-3", "134.05", "1.5e-07"): a spreadsheet reads it as a number,
/// never as a formula, so it is written as it is.
bool is_plain_number(std::string_view v);

/// True when a spreadsheet would run `v` as a formula: it starts with = + - @ TAB or CR and is
/// not a plain number (OWASP's rule against CSV injection).
bool looks_like_formula(std::string_view v);

/// Appends one cell: a formula-like text gets a leading ' (Excel and LibreOffice then show it as
/// text instead of running =HYPERLINK(…) or +cmd|…), and a cell holding , " CR LF or edge spaces
/// is quoted with its " doubled. Every CSV tsunagi writes goes through this function.
void append_cell(std::string& out, std::string_view v);

/// One cell, as append_cell writes it.
std::string cell(std::string_view v);

/// Appends the cells separated by commas, then `eol`.
void append_row(std::string& out, std::initializer_list<std::string_view> cells,
                std::string_view eol = "\r\n");

/// The UTF-8 byte order mark: Excel then reads the file as UTF-8.
inline constexpr std::string_view kBom = "\xEF\xBB\xBF";

// ---- reading ----

/// A CSV text that cannot be read. what() is "line N: reason"; line() and reason() give the parts
/// so that a caller can put its file name in front ("costs.csv:3: ...").
class ReadError : public InvalidArgument {
 public:
  ReadError(std::int64_t line, std::string reason);
  [[nodiscard]] std::int64_t line() const { return line_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  std::int64_t line_;
  std::string reason_;
};

/// A record with more cells than ReadOptions::max_cells; line() is the line it begins on.
class TooManyCells : public ReadError {
 public:
  using ReadError::ReadError;
};

struct ReadOptions {
  /// More cells than this in one record throws TooManyCells before the record is built (0: no
  /// limit). Guards the memory of a reader fed a line of a million commas.
  std::size_t max_cells = 0;
  /// Spaces and tabs around each cell are cut, and a line of only those is blank.
  bool trim = false;
};

/// The records of an RFC 4180 text, one at a time: cells separated by commas, a cell in double
/// quotes may hold commas, line breaks and "" for one quote; records end with LF or CRLF (a CR
/// outside quotes is dropped); a UTF-8 BOM at the start is dropped; blank lines are skipped.
/// Text after a closing quote joins the cell (a"b"c reads as abc), as spreadsheets read it.
class Reader {
 public:
  /// Reads `in` as it goes (the stream must outlive the reader).
  explicit Reader(std::istream& in, ReadOptions options = {});
  /// Reads `text` (which must outlive the reader).
  explicit Reader(std::string_view text, ReadOptions options = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// The next record that is not blank into `cells`, or false at the end of the text.
  /// @throws ReadError a quote never closed (naming the line it opens on), TooManyCells.
  bool next(std::vector<std::string>& cells);

  /// The line (from 1) on which the record last returned by next() begins.
  [[nodiscard]] std::int64_t line() const { return record_line_; }

 private:
  int get();
  int peek();

  struct View;
  std::unique_ptr<View> view_;
  std::streambuf* buf_;
  ReadOptions options_;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  bool started_ = false;
  std::array<char, 3> held_bytes_{};  // the start of a text that began like a BOM but was not one
  std::size_t held_size_ = 0;
  std::size_t held_ = 0;
};

/// One record of a CSV text and the line it begins on.
struct Record {
  std::int64_t line = 0;
  std::vector<std::string> cells;
};

/// Every record of `text` (Reader's rules). @throws ReadError
std::vector<Record> read_all(std::string_view text, ReadOptions options = {});

}  // namespace tsunagi::geo::csv
