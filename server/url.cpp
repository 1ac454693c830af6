#include "server/url.hpp"

#include <algorithm>
#include <cstdint>

#include "server/errors.hpp"

namespace tsunagi::server {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the well-formed UTF-8 sequence starting at text[i], or 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

// Whether `raw` decodes to itself and passes percent_decode's checks: printable ASCII without
// '%' (and without '+' where it means a space). Most paths and queries are; they are then copied
// as they are, and the name of the part for an error message is never built.
bool decodes_to_itself(std::string_view raw, bool plus_is_space) {
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7E || c == '%' || (c == '+' && plus_is_space)) return false;
  }
  return true;
}

// percent_decode, with the part's name for its errors (`name()`) built only when the part needs
// decoding at all.
template <typename Name>
std::string decode_part(std::string_view raw, bool plus_is_space, const Name& name) {
  if (decodes_to_itself(raw, plus_is_space)) return std::string(raw);
  return percent_decode(raw, plus_is_space, name());
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string percent_decode(std::string_view raw, bool plus_is_space, std::string_view what) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '%') {
      const int hi = i + 1 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        throw ApiError(ErrorCode::invalid_encoding,
                       std::string(what) + " has a '%' at position " + std::to_string(i + 1) +
                           " that is not followed by two hex digits; encode a literal '%' as %25");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  for (std::size_t i = 0; i < out.size();) {
    const std::size_t n = utf8_sequence_length(out, i);
    if (n == 0) {
      throw ApiError(ErrorCode::invalid_encoding,
                     std::string(what) + " is not valid UTF-8 after percent-decoding (byte " +
                         std::to_string(i + 1) +
                         "); encode text as UTF-8 before percent-encoding it (Shift_JIS is not "
                         "accepted)");
    }
    const auto b = static_cast<unsigned char>(out[i]);
    if (n == 1 && (b < 0x20 || b == 0x7F)) {
      throw ApiError(
          ErrorCode::invalid_encoding,
          std::string(what) + " contains a control character (byte " + std::to_string(i + 1) + ")");
    }
    i += n;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') {
    throw ApiError(ErrorCode::malformed_request, "the request target must start with '/'");
  }
  std::vector<std::string> segments;
  segments.reserve(static_cast<std::size_t>(std::count(raw_path.begin(), raw_path.end(), '/')));
  std::size_t start = 1;
  while (start <= raw_path.size()) {
    std::size_t end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    const std::string_view seg = raw_path.substr(start, end - start);
    if (!seg.empty() || end != raw_path.size()) {
      segments.push_back(decode_part(
          seg, false, [&] { return "path segment " + std::to_string(segments.size() + 1); }));
    }
    start = end + 1;
  }
  return segments;
}

QueryParams QueryParams::parse(std::string_view raw_query) {
  QueryParams q;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view pair = raw_query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key =
        decode_part(pair.substr(0, eq), true, [] { return std::string("a query parameter name"); });
    std::string value;
    if (eq != std::string_view::npos) {
      value =
          decode_part(pair.substr(eq + 1), true, [&] { return "query parameter '" + key + "'"; });
    }
    if (q.get(key) != nullptr) {
      throw ApiError(ErrorCode::invalid_parameter,
                     "query parameter '" + key +
                         "' is given more than once; give it once (lists are comma-separated)");
    }
    q.items_.emplace_back(std::move(key), std::move(value));
  }
  return q;
}

const std::string* QueryParams::get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void QueryParams::require_known(const std::vector<std::string_view>& allowed) const {
  for (const auto& [k, v] : items_) {
    bool known = false;
    for (const auto a : allowed) known = known || a == k;
    if (!known) {
      std::string list;
      for (const auto a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      throw ApiError(ErrorCode::unknown_parameter,
                     "unknown query parameter '" + k + "'; allowed here: " + list);
    }
  }
}

std::string query_keys_for_log(std::string_view raw_query) {
  std::string out;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view key = raw_query.substr(start, end - start);
    key = key.substr(0, key.find('='));
    start = end + 1;
    if (key.empty()) continue;
    out += out.empty() ? '?' : '&';
    // Keys are ours (bbox, q...), but a client may send anything: keep the log line printable.
    for (const char c : key.substr(0, 40)) {
      out.push_back(static_cast<unsigned char>(c) > 0x20 && c != 0x7F ? c : '?');
    }
  }
  return out;
}

}  // namespace tsunagi::server
