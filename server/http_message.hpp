// HTTP/1.1 messages on the wire: an incremental request parser with hard limits, and the response
// serializer. We parse requests ourselves instead of using Pistache's parser because that one
// answers a negative or huge Content-Length with a 500 carrying its internal message, reserves the
// claimed size up front, closes keep-alive connections by default and cannot answer HEAD; Pistache
// still owns sockets, epoll, threads and timeouts (see server/http_server.cpp).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/errors.hpp"

namespace tsunagi::server {

struct HttpRequest {
  std::string method;  ///< as sent, e.g. "GET"
  std::string target;  ///< as sent, e.g. "/api/resources?q=%E3%81%8B"
  std::string_view raw_path() const;
  std::string_view raw_query() const;
  int minor_version = 1;  ///< HTTP/1.<minor>
  /// Header names lower-cased, values with surrounding whitespace removed, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The peer's IP address ("127.0.0.1", "::1"), set by the server (not parsed from the request);
  /// per-client limits of logins key on it. Empty when unknown.
  std::string client;

  /// The first header with this lower-case name.
  [[nodiscard]] const std::string* header(std::string_view lower_name) const;
  /// HTTP/1.1 stays open unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
  [[nodiscard]] bool keep_alive() const;
};

struct ParseLimits {
  std::size_t max_header_bytes = 16 * 1024;  ///< request line + headers
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_target_bytes = 8 * 1024;
  std::size_t max_header_count = 100;
};

/// What went wrong with a request on the wire; the connection is closed after answering it.
struct ParseError {
  ErrorCode code = ErrorCode::malformed_request;
  std::string detail;
};

/// Feed bytes as they arrive; take complete requests out with next(). Keeps bytes of a following
/// pipelined request for the next call.
class RequestParser {
 public:
  enum class Status { need_more, complete, error };

  explicit RequestParser(ParseLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  /// Tries to take one request out of the buffered bytes.
  Status next(HttpRequest& out, ParseError& error);
  /// True when bytes of an unfinished request are buffered.
  [[nodiscard]] bool has_partial() const { return !buffer_.empty(); }
  /// Bytes buffered and not yet taken out as requests.
  [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }

 private:
  Status fail(ParseError& error, ErrorCode code, std::string detail);
  ParseLimits limits_;
  std::string buffer_;
  bool failed_ = false;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// A body kept by a cache (a tile, a compressed file), sent as it is instead of `body`: a
  /// warm tile goes out without being copied. Set with share_body().
  std::shared_ptr<const std::string> shared_body;

  /// The bytes that go out: the shared body when there is one, else `body`.
  [[nodiscard]] std::string_view payload() const {
    return shared_body ? std::string_view(*shared_body) : std::string_view(body);
  }
  /// Sends `bytes`, owned by `owner` (kept alive until the response is written), as the body.
  template <typename Owner>
  void share_body(const std::shared_ptr<Owner>& owner, const std::string& bytes) {
    body.clear();
    shared_body = std::shared_ptr<const std::string>(owner, &bytes);
  }

  /// Replaces a header of that name (case-insensitive) or adds it.
  void set_header(std::string_view name, std::string value);
  [[nodiscard]] const std::string* header(std::string_view name) const;
  /// Closes the connection after this response (set for answers to malformed requests).
  bool close_connection = false;
};

/// The status line's reason phrase ("Not Found").
std::string_view reason_phrase(int status);

/// The status line and headers of a response, up to and including the blank line. Adds
/// Content-Length (the body's real length, for HEAD too), Connection, and `extra_lines` (whole
/// "Name: value\r\n" lines the server puts in every response) last.
std::string serialize_head(const HttpResponse& response, bool keep_alive,
                           std::string_view extra_lines = {});

/// Whether the body goes out after the head: not for HEAD, 204 or 304.
bool sends_body(const HttpResponse& response, bool head_request);

/// The bytes of a response: serialize_head, then the body when sends_body.
std::string serialize_response(const HttpResponse& response, bool head_request, bool keep_alive);

/// Whether an Accept-Encoding header value accepts gzip (q > 0), per RFC 9110 §12.5.3.
bool accepts_gzip(std::string_view accept_encoding);

/// A response carrying a problem (application/problem+json).
HttpResponse problem_response(const Problem& problem);

/// A media type per RFC 9110 §8.3.1: type "/" subtype *( OWS ";" OWS parameter ). Type, subtype
/// and parameter names are case-insensitive and kept in lower case (so is a charset's value); a
/// quoted parameter value is unquoted.
struct MediaType {
  std::string type;
  std::string subtype;
  std::vector<std::pair<std::string, std::string>> parameters;
  /// "type/subtype"
  [[nodiscard]] std::string essence() const { return type + "/" + subtype; }
  /// The value of a parameter (name in lower case), or nullopt.
  [[nodiscard]] std::optional<std::string> parameter(std::string_view name) const;
};
/// nullopt when `text` is not a media type.
std::optional<MediaType> parse_media_type(std::string_view text);

}  // namespace tsunagi::server
