#include "geo/core/text_normalize.hpp"

#include <array>
#include <cstdint>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

// U+FF61..U+FF9F (half-width punctuation and katakana) → their full-width forms, in code order.
constexpr std::array<char32_t, 63> kHalfwidthKana{
    U'。', U'「', U'」', U'、', U'・', U'ヲ', U'ァ', U'ィ', U'ゥ', U'ェ', U'ォ', U'ャ', U'ュ',
    U'ョ', U'ッ', U'ー', U'ア', U'イ', U'ウ', U'エ', U'オ', U'カ', U'キ', U'ク', U'ケ', U'コ',
    U'サ', U'シ', U'ス', U'セ', U'ソ', U'タ', U'チ', U'ツ', U'テ', U'ト', U'ナ', U'ニ', U'ヌ',
    U'ネ', U'ノ', U'ハ', U'ヒ', U'フ', U'ヘ', U'ホ', U'マ', U'ミ', U'ム', U'メ', U'モ', U'ヤ',
    U'ユ', U'ヨ', U'ラ', U'リ', U'ル', U'レ', U'ロ', U'ワ', U'ン', U'゛', U'゜'};

constexpr bool is_halfwidth_kana(char32_t c) {
  return c >= 0xFF61 && c <= 0xFF9F;
}
constexpr bool is_voicing_mark(char32_t c) {
  return c == 0xFF9E || c == 0x3099 || c == 0x309B;  // ﾞ, combining and spacing ゛
}
constexpr bool is_semi_voicing_mark(char32_t c) {
  return c == 0xFF9F || c == 0x309A || c == 0x309C;  // ﾟ, combining and spacing ゜
}

// The voiced form of a full-width katakana (カ → ガ), or 0 when it has none.
constexpr char32_t voiced(char32_t c) {
  if (c == U'ウ') return U'ヴ';
  // カ..ト alternate plain/voiced code points (ッ breaks the run between チ and ツ).
  if ((c >= U'カ' && c <= U'チ' && (c - U'カ') % 2 == 0) ||
      (c >= U'ツ' && c <= U'ト' && (c - U'ツ') % 2 == 0)) {
    return c + 1;
  }
  if (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0) return c + 1;
  return 0;
}

// The semi-voiced form (ハ → パ), or 0.
constexpr char32_t semi_voiced(char32_t c) {
  if (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0) return c + 2;
  return 0;
}

constexpr bool is_search_space(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' ||
         c == 0x00A0 || c == 0x3000;
}

constexpr char32_t fold_char(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
  // Place names are written 霞ヶ関, 霞ケ関 and 霞が関 alike: small ヶ/ヵ search as け/か.
  if (c == U'ヶ' || c == U'ゖ') return U'け';
  if (c == U'ヵ' || c == U'ゕ') return U'か';
  if (c >= U'ァ' && c <= U'ヶ') return c - 0x60;  // katakana → hiragana
  if (c == U'ヽ' || c == U'ヾ') return c - 0x60;  // iteration marks
  if (c >= U'A' && c <= U'Z') return c + (U'a' - U'A');
  return c;
}

std::string hex_byte(char byte) {
  constexpr std::string_view digits = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(byte);
  return std::string{'0', 'x', digits[b >> 4], digits[b & 15]};
}

}  // namespace

std::optional<char32_t> next_code_point(std::string_view s, std::size_t& pos) {
  if (pos >= s.size()) return std::nullopt;
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return static_cast<char32_t>(b0);
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (pos + len > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[pos + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  pos += len;
  return cp;
}

bool is_valid_utf8(std::string_view utf8) {
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    if (!next_code_point(utf8, pos)) return false;
  }
  return true;
}

void append_utf8(std::string& out, char32_t cp) {
  const auto put = [&out](std::uint32_t byte) { out.push_back(static_cast<char>(byte)); };
  const auto c = static_cast<std::uint32_t>(cp);
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
}

std::string normalize_for_search(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t pos = 0;
  // A kana waits here until we know whether a voicing mark follows it (ｶ + ﾞ → ガ).
  char32_t pending = 0;
  const auto flush = [&] {
    if (pending != 0) append_utf8(out, fold_char(pending));
    pending = 0;
  };
  while (pos < utf8.size()) {
    const std::size_t at = pos;
    const auto cp = next_code_point(utf8, pos);
    if (!cp) {
      throw InvalidArgument("text is not valid UTF-8 (byte " + hex_byte(utf8[at]) + " at offset " +
                            std::to_string(at) +
                            "); save the file as UTF-8 or declare its encoding");
    }
    char32_t c = *cp;
    if (pending != 0 && is_voicing_mark(c) && voiced(pending) != 0) {
      pending = voiced(pending);
      flush();
      continue;
    }
    if (pending != 0 && is_semi_voicing_mark(c) && semi_voiced(pending) != 0) {
      pending = semi_voiced(pending);
      flush();
      continue;
    }
    flush();
    if (is_halfwidth_kana(c)) c = kHalfwidthKana[c - 0xFF61];
    if (is_search_space(c)) continue;
    if (c >= U'ぁ' && c <= U'ゖ') c += 0x60;  // to katakana, so that か + U+3099 joins too
    if (c >= U'ァ' && c <= U'ヺ') {
      pending = c;
      continue;
    }
    append_utf8(out, fold_char(c));
  }
  flush();
  return out;
}

}  // namespace tsunagi::geo
