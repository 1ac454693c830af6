#include "server/errors.hpp"

#include <atomic>
#include <nlohmann/json.hpp>

#include "geo/core/error.hpp"
#include "tiles/error.hpp"

namespace tsunagi::server {

namespace {

// The table. Order follows the enum; error_info() checks it.
const std::vector<ErrorInfo> kTable = {
    {ErrorCode::malformed_request, 400, "malformed_request", "Malformed HTTP request"},
    {ErrorCode::invalid_encoding, 400, "invalid_encoding",
     "Invalid percent-encoding or UTF-8 in the URL"},
    {ErrorCode::invalid_parameter, 400, "invalid_parameter", "Invalid query parameter"},
    {ErrorCode::unknown_parameter, 400, "unknown_parameter", "Unknown query parameter"},
    {ErrorCode::invalid_body, 400, "invalid_body", "Invalid request body"},
    {ErrorCode::unauthenticated, 401, "unauthenticated", "Authentication required"},
    {ErrorCode::login_failed, 401, "login_failed", "Login failed"},
    {ErrorCode::forbidden, 403, "forbidden", "Not allowed for your role"},
    {ErrorCode::csrf_failed, 403, "csrf_failed", "Missing or wrong CSRF token"},
    {ErrorCode::not_found, 404, "not_found", "Not found"},
    {ErrorCode::method_not_allowed, 405, "method_not_allowed", "Method not allowed"},
    {ErrorCode::request_timeout, 408, "request_timeout", "Request timeout"},
    {ErrorCode::length_required, 411, "length_required", "Content-Length required"},
    {ErrorCode::conflict, 409, "conflict", "Conflicts with what is stored"},
    {ErrorCode::precondition_failed, 412, "precondition_failed",
     "The resource was changed by someone else"},
    {ErrorCode::payload_too_large, 413, "payload_too_large", "Request body too large"},
    {ErrorCode::uri_too_long, 414, "uri_too_long", "URL too long"},
    {ErrorCode::unsupported_media_type, 415, "unsupported_media_type", "Unsupported content type"},
    {ErrorCode::precondition_required, 428, "precondition_required", "If-Match header required"},
    {ErrorCode::login_throttled, 429, "login_throttled", "Too many failed logins; wait"},
    {ErrorCode::account_locked, 429, "account_locked", "Account temporarily locked"},
    {ErrorCode::too_many_jobs, 429, "too_many_jobs", "Too many of your analyses are waiting"},
    {ErrorCode::too_many_tries, 429, "too_many_tries", "Too many tries from your address; wait"},
    {ErrorCode::header_fields_too_large, 431, "header_fields_too_large",
     "Request headers too large"},
    {ErrorCode::internal, 500, "internal_error", "Internal server error"},
    {ErrorCode::not_implemented, 501, "not_implemented", "Not implemented"},
    {ErrorCode::overloaded, 503, "overloaded", "Server busy"},
    {ErrorCode::store_unavailable, 503, "store_unavailable", "Data store unavailable"},
    {ErrorCode::http_version_not_supported, 505, "http_version_not_supported",
     "HTTP version not supported"},
    {ErrorCode::unknown_municipality, 400, "unknown_municipality",
     "Not a municipality of this server"},
    {ErrorCode::outside_municipality, 403, "outside_municipality",
     "Outside the municipalities you work for"},
};

std::atomic<std::uint64_t> g_incident{0};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  const auto& row = kTable.at(static_cast<std::size_t>(code));
  if (row.code != code) throw std::logic_error("server/errors.cpp: table out of enum order");
  return row;
}

const std::vector<ErrorInfo>& error_table() {
  return kTable;
}

Problem make_problem(ErrorCode code, std::string_view detail,
                     std::vector<std::pair<std::string, std::string>> headers) {
  const ErrorInfo& info = error_info(code);
  nlohmann::json j;
  j["type"] = "urn:tsunagi:problem:" + std::string(info.id);
  j["title"] = info.title;
  j["status"] = info.status;
  j["code"] = info.id;
  // Details are built from validated input, but replace rather than throw if anything slipped.
  j["detail"] = std::string(detail);
  Problem p;
  p.status = info.status;
  p.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  p.headers = std::move(headers);
  return p;
}

Problem problem_from_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const ApiError& e) {
    return make_problem(e.code(), e.detail(), e.headers());
  } catch (const geo::InvalidArgument& e) {
    return make_problem(ErrorCode::invalid_body, e.what());
  } catch (const geo::NotFound& e) {
    return make_problem(ErrorCode::not_found, e.what());
  } catch (const geo::OutsideMunicipality& e) {
    return make_problem(ErrorCode::outside_municipality, e.what());
  } catch (const geo::Forbidden& e) {
    return make_problem(ErrorCode::forbidden, e.what());
  } catch (const geo::VersionConflict& e) {
    return make_problem(ErrorCode::precondition_failed, e.what());
  } catch (const geo::Conflict& e) {
    return make_problem(ErrorCode::conflict, e.what());
  } catch (const geo::CrsError& e) {
    return make_problem(ErrorCode::invalid_parameter,
                        std::string("the coordinates or CRS given cannot be used: ") + e.what());
  } catch (const geo::GeometryError& e) {
    return make_problem(ErrorCode::invalid_body,
                        std::string("the geometry given cannot be used: ") + e.what());
  } catch (const tiles::InvalidTile& e) {
    return make_problem(ErrorCode::invalid_parameter, e.what());
  } catch (const geo::StoreError& e) {
    const auto n = ++g_incident;
    Problem p = make_problem(ErrorCode::store_unavailable,
                             "the data store could not be used; try again later (incident " +
                                 std::to_string(n) + " in the server log)",
                             {{"Retry-After", "5"}});
    p.log_text = "incident " + std::to_string(n) + ": store error: " + e.what();
    return p;
  } catch (const std::exception& e) {
    const auto n = ++g_incident;
    Problem p = make_problem(ErrorCode::internal, "an unexpected error occurred (incident " +
                                                      std::to_string(n) + " in the server log)");
    p.log_text = "incident " + std::to_string(n) + ": " + e.what();
    return p;
  } catch (...) {
    const auto n = ++g_incident;
    Problem p = make_problem(ErrorCode::internal, "an unexpected error occurred (incident " +
                                                      std::to_string(n) + " in the server log)");
    p.log_text = "incident " + std::to_string(n) + ": unknown exception";
    return p;
  }
}

}  // namespace tsunagi::server
