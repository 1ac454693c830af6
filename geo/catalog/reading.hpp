// The reading (読み) of a name, for search: 「たいそう」 finds 体操. A name without a kana field
// gets its reading from MeCab with Debian's IPA dictionary (mecab-ipadic-utf8); the result is
// folded as every search key is (normalize_for_search: katakana → hiragana, widths), so a hiragana
// or a katakana query matches. MeCab is linked to this library only (geo/CMakeLists.txt).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace tsunagi::geo {

/// Where the dictionary is looked for: Debian's mecab-ipadic-utf8 (scripts/setup installs it).
inline constexpr std::string_view kReadingDictionary = "/var/lib/mecab/dic/ipadic-utf8";

/// True when the dictionary could be loaded (otherwise every reading_of() is empty and search
/// finds names by their kana field only).
[[nodiscard]] bool reading_dictionary_available();

/// The folded reading of `text` (「体操教室」 → 「たいそうきょうしつ」): each word's dictionary
/// reading, a word the dictionary does not know as written. Empty when `text` is empty, is not
/// valid UTF-8 or the dictionary is missing. Thread-safe.
[[nodiscard]] std::string reading_of(std::string_view text);

/// reading_of() remembered per text, for one snapshot build: the three audiences and the many
/// resources that share a name read it once. Not thread-safe (one per build).
class ReadingMemo {
 public:
  [[nodiscard]] const std::string& of(const std::string& text);

 private:
  std::unordered_map<std::string, std::string> memo_;
};

}  // namespace tsunagi::geo
