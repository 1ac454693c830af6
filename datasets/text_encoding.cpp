#include "datasets/text_encoding.hpp"

#include <iconv.h>

#include <cerrno>
#include <memory>

#include "geo/core/error.hpp"

namespace tsunagi::datasets {

bool Utf8Checker::feed(std::string_view chunk) {
  for (const char ch : chunk) {
    const auto c = static_cast<unsigned char>(ch);
    if (pending_ > 0) {
      if (c < lower_ || c > upper_) return false;
      lower_ = 0x80;
      upper_ = 0xBF;
      --pending_;
    } else if (c < 0x80) {
      // ASCII
    } else if (c >= 0xC2 && c <= 0xDF) {
      pending_ = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      pending_ = 2;
      if (c == 0xE0) lower_ = 0xA0;  // no overlongs
      if (c == 0xED) upper_ = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      pending_ = 3;
      if (c == 0xF0) lower_ = 0x90;
      if (c == 0xF4) upper_ = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    ++offset_;
  }
  return true;
}

bool is_valid_utf8(std::string_view bytes) {
  Utf8Checker c;
  return c.feed(bytes) && c.finish();
}

namespace {

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

std::string convert(std::string_view bytes, const char* from, const char* to) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr): iconv's API
    throw geo::InvalidArgument(std::string("this system cannot convert ") + from + " to " + to +
                               " (iconv)");
  }
  std::unique_ptr<void, IconvCloser> guard(cd);
  std::string out;
  out.resize(bytes.size() * 3 / 2 + 16);
  // iconv's interface takes non-const pointers; it does not write through the input one.
  char* in_ptr = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t out_pos = 0;
  while (in_left > 0) {
    char* out_ptr = out.data() + out_pos;
    std::size_t out_left = out.size() - out_pos;
    const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    out_pos = static_cast<std::size_t>(out_ptr - out.data());
    if (rc == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      const auto offset = static_cast<std::size_t>(in_ptr - bytes.data());
      throw geo::InvalidArgument(std::string("byte ") + std::to_string(offset) + " is not valid " +
                                 from);
    }
  }
  out.resize(out_pos);
  return out;
}

}  // namespace

Cp932Decoder::Cp932Decoder() : cd_(iconv_open("UTF-8", "CP932")) {
  if (cd_ == reinterpret_cast<void*>(-1)) {  // NOLINT(performance-no-int-to-ptr): iconv's API
    throw geo::InvalidArgument("this system cannot convert CP932 to UTF-8 (iconv)");
  }
}

Cp932Decoder::~Cp932Decoder() {
  iconv_close(static_cast<iconv_t>(cd_));
}

void Cp932Decoder::feed(std::string_view chunk, bool last, std::string& out) {
  std::string input;
  std::string_view in = chunk;
  if (!carry_.empty()) {
    input = carry_ + std::string(chunk);
    in = input;
  }
  carry_.clear();
  // iconv's interface takes non-const pointers; it does not write through the input one.
  char* in_ptr = const_cast<char*>(in.data());
  std::size_t in_left = in.size();
  std::size_t out_pos = out.size();
  out.resize(out_pos + in.size() * 3 / 2 + 16);
  while (in_left > 0) {
    char* out_ptr = out.data() + out_pos;
    std::size_t out_left = out.size() - out_pos;
    const std::size_t rc = iconv(static_cast<iconv_t>(cd_), &in_ptr, &in_left, &out_ptr, &out_left);
    out_pos = static_cast<std::size_t>(out_ptr - out.data());
    if (rc != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    const std::size_t offset = consumed_ + static_cast<std::size_t>(in_ptr - in.data());
    if (errno == EINVAL && !last) {  // a character continues in the next chunk
      carry_.assign(in_ptr, in_left);
      break;
    }
    throw geo::InvalidArgument("byte " + std::to_string(offset) + " is not valid CP932");
  }
  consumed_ += in.size() - carry_.size();
  out.resize(out_pos);
}

std::string cp932_to_utf8(std::string_view bytes) {
  return convert(bytes, "CP932", "UTF-8");
}

std::string utf8_to_cp932(std::string_view text) {
  return convert(text, "UTF-8", "CP932");
}

std::string_view strip_bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

std::string_view trim(std::string_view text) {
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                          text.front() == '\n')) {
      text.remove_prefix(1);
    } else if (text.starts_with("\xE3\x80\x80")) {
      text.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() &&
        (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
      text.remove_suffix(1);
    } else if (text.ends_with("\xE3\x80\x80")) {
      text.remove_suffix(3);
    } else {
      break;
    }
  }
  return text;
}

std::string fold_full_width(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c0 = static_cast<unsigned char>(text[i]);
    if (c0 == 0xEF && i + 2 < text.size()) {
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      const auto c2 = static_cast<unsigned char>(text[i + 2]);
      // U+FF01..U+FF5E = EF BC 81..EF BD 9E map to 0x21..0x7E
      unsigned cp = ((c0 & 0x0Fu) << 12) | ((c1 & 0x3Fu) << 6) | (c2 & 0x3Fu);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
        i += 3;
        continue;
      }
    } else if (c0 == 0xE3 && text.substr(i, 3) == "\xE3\x80\x80") {
      out.push_back(' ');
      i += 3;
      continue;
    } else if (c0 == 0xE2 && text.substr(i, 3) == "\xE2\x88\x92") {
      out.push_back('-');
      i += 3;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

std::string header_key(std::string_view header) {
  const std::string folded = fold_full_width(strip_bom(header));
  std::string out;
  out.reserve(folded.size());
  for (const char ch : folded) {
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') continue;
    out.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
  }
  return out;
}

}  // namespace tsunagi::datasets
