#include "geo/core/lg_code.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

constexpr int kPrefectureCount = 47;

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&& at -O2.
std::string quoted(std::string_view s) {
  std::string q(1, '"');
  q.append(s);
  q += '"';
  return q;
}

std::string with_leading_zero(std::string_view s) {
  std::string z(1, '0');
  z.append(s);
  return z;
}

std::size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

bool is_space_at(std::string_view s, std::size_t i) {
  if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') return true;
  return s.substr(i, 3) == "\xE3\x80\x80";  // U+3000 IDEOGRAPHIC SPACE
}

std::size_t space_length(std::string_view s, std::size_t i) {
  return s[i] == '\xE3' ? 3 : 1;
}

// ASCII digits of `text`, with full-width digits (U+FF10–FF19) folded and surrounding spaces
// trimmed. @throws InvalidArgument naming the first character that is not a digit.
std::string ascii_digits(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space_at(text, begin)) begin += space_length(text, begin);
  while (end > begin) {
    if (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r' ||
        text[end - 1] == '\n') {
      --end;
    } else if (end - begin >= 3 && text.substr(end - 3, 3) == "\xE3\x80\x80") {
      end -= 3;
    } else {
      break;
    }
  }
  std::string digits;
  for (std::size_t i = begin; i < end;) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      ++i;
      continue;
    }
    if (c == '\xEF' && i + 2 < end && text[i + 1] == '\xBC' &&
        static_cast<unsigned char>(text[i + 2]) >= 0x90 &&
        static_cast<unsigned char>(text[i + 2]) <= 0x99) {
      digits += static_cast<char>('0' + (static_cast<unsigned char>(text[i + 2]) - 0x90));
      i += 3;
      continue;
    }
    const std::size_t n = std::min(utf8_length(static_cast<unsigned char>(c)), end - i);
    throw InvalidArgument("local government code (全国地方公共団体コード) " + quoted(text) + ": '" +
                          std::string(text.substr(i, n)) +
                          "' is not a digit; the code is 6 digits (or 5 without check digit)");
  }
  return digits;
}

char check_digit_of(std::string_view five) {
  int sum = 0;
  for (std::size_t i = 0; i < 5; ++i) sum += (6 - static_cast<int>(i)) * (five[i] - '0');
  return static_cast<char>('0' + (11 - sum % 11) % 10);
}

int prefecture_of(std::string_view digits) {
  return (digits[0] - '0') * 10 + (digits[1] - '0');
}

bool prefecture_exists(std::string_view digits) {
  const int p = prefecture_of(digits);
  return p >= 1 && p <= kPrefectureCount;
}

// A 6-digit code read as-is. @throws InvalidArgument for a wrong check digit or prefecture.
std::string checked_six(std::string_view six, std::string_view text) {
  if (!prefecture_exists(six)) {
    throw InvalidArgument("local government code " + quoted(text) + ": prefecture " +
                          std::string(six.substr(0, 2)) + " does not exist (01–47)");
  }
  const char expected = check_digit_of(six.substr(0, 5));
  if (six[5] != expected) {
    throw InvalidArgument("local government code " + quoted(text) + ": the check digit is " +
                          std::string(1, six[5]) + " but " + std::string(six.substr(0, 5)) +
                          " needs " + std::string(1, expected) + " (" +
                          std::string(six.substr(0, 5)) + expected + "); check for a typing error");
  }
  return std::string(six);
}

LgCode lost_zero(const std::string& five, std::string_view text) {
  LgCode c;
  c.code = checked_six(with_leading_zero(five), text);
  c.repaired = true;
  c.repair_note = "leading zero restored: " + five + " → " + c.code;
  return c;
}

LgCode without_check_digit(const std::string& five, std::string_view text) {
  if (!prefecture_exists(five)) {
    throw InvalidArgument("local government code " + quoted(text) +
                          ": as a 5-digit code, prefecture " + five.substr(0, 2) +
                          " does not exist (01–47)");
  }
  LgCode c;
  c.code = five + check_digit_of(five);
  c.repaired = true;
  c.repair_note = "check digit added: " + five + " → " + c.code;
  return c;
}

}  // namespace

char lg_check_digit(std::string_view five_digits) {
  if (five_digits.size() != 5 ||
      five_digits.find_first_not_of("0123456789") != std::string_view::npos) {
    throw InvalidArgument("check digit: " + quoted(five_digits) + " is not 5 ASCII digits");
  }
  return check_digit_of(five_digits);
}

LgCode parse_lg_code(std::string_view text) {
  return parse_lg_code(text, LgCodeForm::guess);
}

LgCode parse_lg_code(std::string_view text, LgCodeForm form) {
  const std::string digits = ascii_digits(text);
  if (digits.size() == 6) {
    LgCode c;
    c.code = checked_six(digits, text);
    return c;
  }
  if (digits.size() != 5) {
    throw InvalidArgument("local government code (全国地方公共団体コード) " + quoted(text) +
                          " has " + std::to_string(digits.size()) +
                          " digits; it must have 6 (e.g. 131016) or 5 without check digit (13101)");
  }
  switch (form) {
    case LgCodeForm::six_digits:
      return lost_zero(digits, text);
    case LgCodeForm::five_digits:
      return without_check_digit(digits, text);
    case LgCodeForm::guess:
      break;
  }
  // A lost leading zero needs a non-zero first digit (prefectures 01–09) and a matching check
  // digit; otherwise the text is a 5-digit code without its check digit.
  const bool zero_reading =
      digits[0] != '0' && check_digit_of(with_leading_zero(digits.substr(0, 4))) == digits[4];
  if (zero_reading) {
    LgCode c = lost_zero(digits, text);
    if (prefecture_exists(digits)) {
      c.repair_note += " (it could also be the 5-digit code of " + digits + check_digit_of(digits) +
                       "; if the column holds 5-digit codes, read it as such)";
    }
    return c;
  }
  if (!prefecture_exists(digits)) {
    const std::string six = with_leading_zero(digits);
    throw InvalidArgument("local government code " + quoted(text) +
                          " is neither a 6-digit code that lost its leading " + "zero (" + six +
                          " would need check digit " + check_digit_of(six.substr(0, 5)) +
                          ") nor a 5-digit code (prefecture " + digits.substr(0, 2) +
                          " does not exist)");
  }
  return without_check_digit(digits, text);
}

std::string lg_code5(const LgCode& c) {
  return c.code.substr(0, 5);
}

}  // namespace tsunagi::geo
