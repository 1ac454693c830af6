// The one error table of the HTTP API: every error a client can see has a code here, with its
// HTTP status, a stable code string and a title. Handlers throw ApiError (or a geo:: exception);
// problem_from_exception() turns whatever was thrown into an application/problem+json body, in
// exactly one place, so no exception text of a library ever reaches a client by accident.
#pragma once

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tsunagi::server {

enum class ErrorCode : std::uint8_t {
  malformed_request,
  invalid_encoding,
  invalid_parameter,
  unknown_parameter,
  invalid_body,
  unauthenticated,
  login_failed,
  forbidden,
  csrf_failed,
  not_found,
  method_not_allowed,
  request_timeout,
  length_required,
  conflict,
  precondition_failed,
  payload_too_large,
  uri_too_long,
  unsupported_media_type,
  precondition_required,
  login_throttled,
  account_locked,
  too_many_jobs,
  too_many_tries,
  header_fields_too_large,
  internal,
  not_implemented,
  overloaded,
  store_unavailable,
  http_version_not_supported,
  unknown_municipality,
  outside_municipality,
};

struct ErrorInfo {
  ErrorCode code;
  int status;
  std::string_view id;     ///< stable, snake_case; clients may switch on it
  std::string_view title;  ///< short, the same for every occurrence
};

/// The table row of a code.
const ErrorInfo& error_info(ErrorCode code);
/// Every row, in enum order (for tests and documentation).
const std::vector<ErrorInfo>& error_table();

/// An error meant for the client: `detail` says what was wrong and how to fix it.
class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorCode code, std::string detail,
           std::vector<std::pair<std::string, std::string>> headers = {})
      : std::runtime_error(detail),
        code_(code),
        detail_(std::move(detail)),
        headers_(std::move(headers)) {}
  [[nodiscard]] ErrorCode code() const { return code_; }
  [[nodiscard]] const std::string& detail() const { return detail_; }
  /// Extra response headers (Retry-After, Allow, WWW-Authenticate).
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const {
    return headers_;
  }

 private:
  ErrorCode code_;
  std::string detail_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

/// A problem ready to be sent.
struct Problem {
  int status = 500;
  std::string body;  ///< application/problem+json
  std::vector<std::pair<std::string, std::string>> headers;
  /// Set for 5xx caused by an unexpected exception: the text for the server log (never sent).
  std::string log_text;
};

/// Renders {type,title,status,code,detail}.
Problem make_problem(ErrorCode code, std::string_view detail,
                     std::vector<std::pair<std::string, std::string>> headers = {});

/// Maps any exception onto the table: ApiError as is, geo::InvalidArgument → 400, geo::NotFound →
/// 404, geo::Conflict → 412, geo::StoreError → 503, anything else → 500 with a generic detail
/// (the real text only in log_text).
Problem problem_from_exception(std::exception_ptr error);

inline constexpr std::string_view kProblemContentType = "application/problem+json";

}  // namespace tsunagi::server
