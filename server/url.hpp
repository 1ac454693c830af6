// Request targets: percent-decoding, UTF-8 validation and query parsing. Every path segment and
// every query key and value goes through here before a handler sees it; bad input becomes an
// ApiError(invalid_encoding) naming the offending part.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tsunagi::server {

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query components), then
/// checks the result is UTF-8 without control characters. `what` names the part in messages
/// ("path segment 3", "query parameter 'q'").
/// @throws ApiError(invalid_encoding) saying what is wrong and where.
std::string percent_decode(std::string_view raw, bool plus_is_space, std::string_view what);

/// Percent-encodes everything but unreserved characters (RFC 3986), for building links.
std::string percent_encode(std::string_view text);

/// Splits an origin-form path ("/api/resources/abc") into decoded segments. "/" gives {}.
/// A trailing slash is ignored. @throws ApiError(invalid_encoding, malformed_request).
std::vector<std::string> split_path(std::string_view raw_path);

/// Decoded query parameters in request order. A repeated key is an error (it is ambiguous).
class QueryParams {
 public:
  /// Parses "a=1&b=%E6%9D%B1&flag". @throws ApiError(invalid_encoding, invalid_parameter).
  static QueryParams parse(std::string_view raw_query);

  [[nodiscard]] const std::string* get(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const { return get(key) != nullptr; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& items() const {
    return items_;
  }
  /// @throws ApiError(unknown_parameter) for the first key not in `allowed`, listing them.
  void require_known(const std::vector<std::string_view>& allowed) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// Query keys only, for the access log: "?bbox&q" (values may be personal and are never logged).
std::string query_keys_for_log(std::string_view raw_query);

}  // namespace tsunagi::server
