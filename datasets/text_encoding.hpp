// Bytes to text as municipal files deliver them: UTF-8 with or without BOM, or CP932 (Shift_JIS
// with the NEC/IBM extensions that hold 髙 and ①). Also the small normalisations the importers
// need on cell text (full-width digits, header names with stray line breaks).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::datasets {

/// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

/// Incremental UTF-8 check for files read in chunks: a sequence may be split across chunks.
class Utf8Checker {
 public:
  /// Feeds the next chunk; returns false at the first invalid byte (offset() then tells where).
  bool feed(std::string_view chunk);
  /// True when the input so far ended on a character boundary (call after the last chunk).
  [[nodiscard]] bool finish() const { return pending_ == 0; }
  /// Byte offset of the first invalid byte, or of the end of the valid input.
  [[nodiscard]] std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_ = 0;
  int pending_ = 0;                            // continuation bytes still expected
  unsigned char lower_ = 0x80, upper_ = 0xBF;  // allowed range of the next continuation byte
};

/// Converts CP932 bytes to UTF-8 (iconv). @throws geo::InvalidArgument naming the byte offset of
/// the first sequence that is not CP932.
std::string cp932_to_utf8(std::string_view bytes);

/// CP932 to UTF-8 in chunks, for files too large to hold in memory: a character split between two
/// chunks is carried over to the next.
class Cp932Decoder {
 public:
  Cp932Decoder();
  Cp932Decoder(const Cp932Decoder&) = delete;
  Cp932Decoder& operator=(const Cp932Decoder&) = delete;
  ~Cp932Decoder();
  /// Decodes `chunk` (appending to `out`); `last` = no more input follows.
  /// @throws geo::InvalidArgument naming the byte offset (from the start of all input) of the
  ///         first sequence that is not CP932, or of a character cut off at the end.
  void feed(std::string_view chunk, bool last, std::string& out);

 private:
  void* cd_;
  std::string carry_;         // bytes of a character split at the end of the previous chunk
  std::size_t consumed_ = 0;  // input bytes decoded so far (before carry_)
};

/// Converts UTF-8 text to CP932 (for tests that write Shift_JIS files). @throws InvalidArgument.
std::string utf8_to_cp932(std::string_view text);

/// Strips a leading UTF-8 byte-order mark.
std::string_view strip_bom(std::string_view text);

/// Trims ASCII whitespace and U+3000 (全角スペース) at both ends.
std::string_view trim(std::string_view text);

/// Replaces full-width ASCII (０-９, Ａ-Ｚ, ．, －, ＋, ：…, U+FF01..U+FF5E) by ASCII, U+3000 by a
/// space and U+2212 (minus sign) by '-'. Everything else is kept.
std::string fold_full_width(std::string_view text);

/// A header cell as a comparison key: full-width folded, every whitespace and line break removed,
/// ASCII lower-cased ("都道府県コード又は\n市区町村コード" → "都道府県コード又は市区町村コード").
std::string header_key(std::string_view header);

}  // namespace tsunagi::datasets
