// UTF-8 handling and the folding used by text search: 「ｶﾌｪ」「カフェ」「かふぇ」 all find the same
// resource, and so do "ＡＢＣ" and "abc". The store keeps names as written; only search keys are
// folded.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo {

/// True when `utf8` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above
/// U+10FFFF).
bool is_valid_utf8(std::string_view utf8);

/// Decodes the code point starting at byte `pos` and moves `pos` past it; nullopt (and `pos`
/// unchanged) when the bytes there are not well-formed UTF-8 or `pos` is at the end.
std::optional<char32_t> next_code_point(std::string_view utf8, std::size_t& pos);

/// Appends the UTF-8 encoding of `cp` (which must be a Unicode scalar value).
void append_utf8(std::string& out, char32_t cp);

/// The search key of a text: full-width ASCII → half-width, half-width katakana → full-width
/// (with ﾞ/ﾟ joined: ｶﾞ → が), katakana → hiragana, ASCII upper → lower case, and every space
/// removed (ASCII whitespace, U+00A0, U+3000). Small ヶ/ヵ fold to け/か (霞ヶ関 = 霞ケ関). The
/// long-vowel mark ー is kept.
/// @throws InvalidArgument when `utf8` is not valid UTF-8 (the message gives the byte offset).
std::string normalize_for_search(std::string_view utf8);

}  // namespace tsunagi::geo
