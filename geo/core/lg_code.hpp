// 全国地方公共団体コード: 2 digits prefecture + 3 digits municipality + 1 check digit.
// Check digit = (11 − (6d1+5d2+4d3+3d4+2d5) mod 11) mod 10 (domain.md §4.6).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo {

struct LgCode {
  std::string code;         ///< the 6-digit code, check digit included
  bool repaired = false;    ///< true when the input lost its leading zero or lacked the check digit
  std::string repair_note;  ///< what was repaired, in words, for the import report
};

/// The check digit of a 5-digit code. @throws InvalidArgument when not 5 ASCII digits.
char lg_check_digit(std::string_view five_digits);

/// Normalises a code as found in open data: "131016" (kept), "92011" (leading zero dropped →
/// "092011", repaired), "13101" (5-digit e-Stat form → "131016", repaired). Full-width digits and
/// surrounding spaces are accepted; the prefecture must be 01–47.
/// Five digits are ambiguous: a 6-digit code that lost its leading zero, or a 5-digit code without
/// check digit. When "0" + text has a valid check digit, the lost-zero reading wins (one 5-digit
/// code in ten starting 1–4 also passes that test by chance: the repair note then says so, and
/// callers that know the column holds 5-digit codes pass LgCodeForm::five_digits).
/// @throws InvalidArgument when the check digit is wrong or the text is not a code.
LgCode parse_lg_code(std::string_view text);

/// What a column of codes is known to hold, when the caller knows (e-Stat KEY_CODE and 国土数値情報
/// N03_007 are five digits; 自治体標準オープンデータセット columns are six).
enum class LgCodeForm : unsigned char { guess, five_digits, six_digits };

/// As parse_lg_code(text), but a 5-digit text is read only in the given form (six_digits: a lost
/// leading zero; five_digits: a code without check digit). @throws InvalidArgument as above.
LgCode parse_lg_code(std::string_view text, LgCodeForm form);

/// The 5-digit form (no check digit) used by e-Stat and 国土数値情報.
std::string lg_code5(const LgCode& c);

}  // namespace tsunagi::geo
