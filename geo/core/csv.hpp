// The one CSV writer of tsunagi: every CSV the product writes (resource export, area export, gap
// answers over the API and the CLI, gap access) builds its cells here, so that every cell is
// quoted per RFC 4180 and guarded against formula injection the same way.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

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

}  // namespace tsunagi::geo::csv
