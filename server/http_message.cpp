#include "server/http_message.hpp"

#include <algorithm>
#include <charconv>

namespace tsunagi::server {

namespace {

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Header names and codings are ASCII tokens: lowered without the C library's locale lookup.
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when a comma-separated header value contains `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(',', start);
    if (end == std::string_view::npos) end = value.size();
    if (iequals(trim(value.substr(start, end - start)), token)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string_view HttpRequest::raw_path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::raw_query() const {
  const std::string_view t = target;
  const std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

const std::string* HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

bool HttpRequest::keep_alive() const {
  const std::string* c = header("connection");
  if (minor_version == 0) return c != nullptr && has_token(*c, "keep-alive");
  return c == nullptr || !has_token(*c, "close");
}

RequestParser::Status RequestParser::fail(ParseError& error, ErrorCode code, std::string detail) {
  failed_ = true;
  buffer_.clear();
  error.code = code;
  error.detail = std::move(detail);
  return Status::error;
}

RequestParser::Status RequestParser::next(HttpRequest& out, ParseError& error) {
  if (failed_) return fail(error, ErrorCode::malformed_request, "the connection already failed");
  // RFC 9112 §2.2: ignore empty lines before a request line.
  std::size_t lead = 0;
  while (lead < buffer_.size() && (buffer_[lead] == '\r' || buffer_[lead] == '\n')) ++lead;
  if (lead > 0) buffer_.erase(0, lead);
  if (buffer_.empty()) return Status::need_more;

  // Reject garbage as soon as the first bytes show it (a TLS hello, a binary probe) rather than
  // waiting for the header timeout.
  const std::string_view buf = buffer_;
  std::size_t m = 0;
  while (m < buf.size() && is_tchar(buf[m])) ++m;
  if (m < buf.size() && buf[m] != ' ') {
    return fail(error, ErrorCode::malformed_request,
                "the request line must be 'METHOD /path HTTP/1.1'; the request starts with bytes "
                "that are not an HTTP method (is this TLS sent to a plain-HTTP port?)");
  }
  if (m > 20) {
    return fail(error, ErrorCode::malformed_request,
                "the HTTP method is longer than 20 characters");
  }

  const std::size_t line_end = buf.find("\r\n");
  if (line_end == std::string_view::npos) {
    if (buf.size() > limits_.max_target_bytes + 64) {
      return fail(error, ErrorCode::uri_too_long,
                  "the request line is longer than " + std::to_string(limits_.max_target_bytes) +
                      " bytes; shorten the URL (use fewer or shorter query parameters)");
    }
    return Status::need_more;
  }
  const std::size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos || head_end + 4 > limits_.max_header_bytes) {
    if (head_end != std::string_view::npos || buf.size() > limits_.max_header_bytes) {
      return fail(error, ErrorCode::header_fields_too_large,
                  "the request line and headers exceed " +
                      std::to_string(limits_.max_header_bytes) +
                      " bytes; send fewer or shorter "
                      "headers");
    }
    // Validate the request line already, so a garbage line fails now.
  }

  // ---- request line ----
  const std::string_view line = buf.substr(0, line_end);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(error, ErrorCode::malformed_request,
                "the request line must be 'METHOD /path HTTP/1.1' with single spaces");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (target.size() > limits_.max_target_bytes) {
    return fail(error, ErrorCode::uri_too_long,
                "the URL is longer than " + std::to_string(limits_.max_target_bytes) + " bytes");
  }
  if (target.empty() || (target.front() != '/' && target != "*")) {
    return fail(error, ErrorCode::malformed_request,
                "the request target must be a path starting with '/'");
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return fail(error, ErrorCode::malformed_request,
                  "the URL contains a raw control, space or non-ASCII byte; percent-encode it "
                  "(UTF-8, e.g. %E3%81%8B)");
    }
  }
  int minor = 1;
  if (version == "HTTP/1.1") {
    minor = 1;
  } else if (version == "HTTP/1.0") {
    minor = 0;
  } else if (version.substr(0, 5) == "HTTP/") {
    return fail(error, ErrorCode::http_version_not_supported,
                "only HTTP/1.0 and HTTP/1.1 are supported");
  } else {
    return fail(error, ErrorCode::malformed_request,
                "the request line must end with HTTP/1.1 (or HTTP/1.0)");
  }
  if (head_end == std::string_view::npos) return Status::need_more;

  // ---- headers ----
  HttpRequest req;
  req.method = std::string(method);
  req.target = std::string(target);
  req.minor_version = minor;
  std::size_t pos = line_end + 2;
  // One allocation for the list: a line per header, within the limit.
  const std::string_view header_lines = buf.substr(pos, head_end + 2 - pos);
  req.headers.reserve(std::min(
      limits_.max_header_count,
      static_cast<std::size_t>(std::count(header_lines.begin(), header_lines.end(), '\n'))));
  std::optional<std::size_t> content_length;
  while (pos < head_end + 2) {
    const std::size_t eol = buf.find("\r\n", pos);
    const std::string_view hl = buf.substr(pos, eol - pos);
    pos = eol + 2;
    if (hl.empty()) break;
    if (hl.front() == ' ' || hl.front() == '\t') {
      return fail(error, ErrorCode::malformed_request,
                  "folded header lines (starting with a space) are not accepted");
    }
    const std::size_t colon = hl.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return fail(error, ErrorCode::malformed_request, "every header line must be 'Name: value'");
    }
    const std::string_view name = hl.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) {
      return fail(error, ErrorCode::malformed_request,
                  "a header name contains a space or a character not allowed in header names");
    }
    const std::string_view value = trim(hl.substr(colon + 1));
    for (const char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) {
        return fail(error, ErrorCode::malformed_request,
                    "the value of header '" + std::string(name) + "' contains a control character");
      }
    }
    if (req.headers.size() >= limits_.max_header_count) {
      return fail(error, ErrorCode::header_fields_too_large,
                  "more than " + std::to_string(limits_.max_header_count) + " headers");
    }
    std::string lname = to_lower(name);
    if (lname == "content-length") {
      std::size_t n = 0;
      const auto* first = value.data();
      const auto* last = value.data() + value.size();
      const bool digits = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return c >= '0' && c <= '9';
      });
      if (!digits) {
        return fail(error, ErrorCode::malformed_request,
                    "Content-Length must be a non-negative decimal number of bytes, not '" +
                        std::string(value.substr(0, 32)) + "'");
      }
      const auto [ptr, ec] = std::from_chars(first, last, n);
      if (ec != std::errc() || ptr != last || n > limits_.max_body_bytes) {
        return fail(error, ErrorCode::payload_too_large,
                    "the request body may be at most " + std::to_string(limits_.max_body_bytes) +
                        " bytes; Content-Length says " + std::string(value.substr(0, 32)));
      }
      if (content_length && *content_length != n) {
        return fail(error, ErrorCode::malformed_request,
                    "two Content-Length headers with different values");
      }
      content_length = n;
    } else if (lname == "transfer-encoding") {
      return fail(error, ErrorCode::not_implemented,
                  "Transfer-Encoding (chunked request bodies) is not supported; send the body "
                  "with a Content-Length header");
    }
    req.headers.emplace_back(std::move(lname), std::string(value));
  }

  // ---- body ----
  const std::size_t body_start = head_end + 4;
  const std::size_t body_len = content_length.value_or(0);
  if (buffer_.size() < body_start + body_len) return Status::need_more;
  req.body = buffer_.substr(body_start, body_len);
  buffer_.erase(0, body_start + body_len);
  out = std::move(req);
  return Status::complete;
}

void HttpResponse::set_header(std::string_view name, std::string value) {
  for (auto& [k, v] : headers) {
    if (iequals(k, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return &v;
  }
  return nullptr;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serialize_head(const HttpResponse& response, bool keep_alive,
                           std::string_view extra_lines) {
  // Sized once (a tile's head with the security headers is some 700 bytes): the status line,
  // Content-Length, Connection and the blank line take at most 110.
  std::size_t size = 128 + extra_lines.size();
  for (const auto& [k, v] : response.headers) size += k.size() + v.size() + 4;
  std::string out;
  out.reserve(size);
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [k, v] : response.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  // 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6).
  if (response.status != 204 && response.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(response.payload().size());
    out += "\r\n";
  }
  out += keep_alive && !response.close_connection ? "Connection: keep-alive\r\n"
                                                  : "Connection: close\r\n";
  out += extra_lines;
  out += "\r\n";
  return out;
}

bool sends_body(const HttpResponse& response, bool head_request) {
  return !head_request && response.status != 204 && response.status != 304;
}

std::string serialize_response(const HttpResponse& response, bool head_request, bool keep_alive) {
  std::string out = serialize_head(response, keep_alive);
  if (sends_body(response, head_request)) out += response.payload();
  return out;
}

HttpResponse problem_response(const Problem& problem) {
  HttpResponse r;
  r.status = problem.status;
  r.headers = problem.headers;
  r.set_header("Content-Type", std::string(kProblemContentType));
  r.set_header("Cache-Control", "no-store");
  r.body = problem.body;
  return r;
}

namespace {

// Reads a token at `i`; empty when there is none.
std::string_view token_at(std::string_view s, std::size_t& i) {
  const std::size_t from = i;
  while (i < s.size() && is_tchar(s[i])) ++i;
  return s.substr(from, i - from);
}

void skip_ows(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

}  // namespace

std::optional<std::string> MediaType::parameter(std::string_view name) const {
  for (const auto& [k, v] : parameters) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<MediaType> parse_media_type(std::string_view text) {
  std::size_t i = 0;
  skip_ows(text, i);
  MediaType m;
  m.type = to_lower(token_at(text, i));
  if (m.type.empty() || i >= text.size() || text[i] != '/') return std::nullopt;
  ++i;
  m.subtype = to_lower(token_at(text, i));
  if (m.subtype.empty()) return std::nullopt;
  for (;;) {
    skip_ows(text, i);
    if (i == text.size()) return m;
    if (text[i] != ';') return std::nullopt;
    ++i;
    skip_ows(text, i);
    if (i == text.size() || text[i] == ';') continue;  // an empty parameter is allowed
    const std::string name = to_lower(token_at(text, i));
    if (name.empty() || i >= text.size() || text[i] != '=') return std::nullopt;
    ++i;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= text.size()) return std::nullopt;
        const char c = text[i++];
        if (c == '"') break;
        if (c == '\\') {
          if (i >= text.size()) return std::nullopt;
          value += text[i++];
        } else {
          value += c;
        }
      }
    } else {
      value = std::string(token_at(text, i));
      if (value.empty()) return std::nullopt;
    }
    if (name == "charset") value = to_lower(value);  // case-insensitive (RFC 9110 §8.3.2)
    m.parameters.emplace_back(name, std::move(value));
  }
}

bool accepts_gzip(std::string_view header) {
  bool star = false;
  bool gzip_listed = false;
  bool gzip_ok = false;
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    double q = 1;
    const auto semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      const auto at = params.find("q=");
      if (at != std::string_view::npos) {
        std::string_view v = params.substr(at + 2);
        while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
        if (ec != std::errc()) q = 0;
      }
    }
    while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
      coding.remove_prefix(1);
    }
    while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
      coding.remove_suffix(1);
    }
    const std::string lower = to_lower(coding);
    if (lower == "gzip" || lower == "x-gzip") {
      gzip_listed = true;
      gzip_ok = q > 0;
    } else if (lower == "*") {
      star = q > 0;
    }
  }
  return gzip_listed ? gzip_ok : star;
}

}  // namespace tsunagi::server
