// From a parsed HTTP request to a response, without any socket: decode and validate the target,
// find the route, authenticate, check the route's roles and the CSRF token, then run the handler
// (here or, for Runs::worker routes, on the worker pool) with every exception mapped through the
// one error table. The Pistache adapter (http_server.cpp) and in-process tests both use it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/http_message.hpp"
#include "server/router.hpp"
#include "server/static_files.hpp"

namespace tsunagi::server {

class Dispatcher {
 public:
  Dispatcher(ServerContext& context, Auth& auth, const Router& router, StaticFiles static_files);

  struct Prepared {
    /// Set when the answer is already known (errors, OPTIONS, static files, 405...).
    std::optional<HttpResponse> response;
    /// Otherwise: produces the response; never throws.
    std::function<HttpResponse()> work;
    bool on_worker = false;
    /// On the login pool (with per-client limits) rather than the worker pool.
    bool login = false;
  };

  /// Everything up to running the handler. Never throws.
  [[nodiscard]] Prepared prepare(const std::shared_ptr<const HttpRequest>& request) const;
  /// prepare() and run the work here (tests; the real server queues worker routes).
  [[nodiscard]] HttpResponse handle(const HttpRequest& request) const;

  /// Logs the text of a 5xx problem (never sent to the client).
  std::function<void(const std::string&)> log_error;

  /// The port the server really listens on (known after binding; under --port 0 it is not the
  /// configured one): links then use it unless public_base_url is configured. Thread-safe.
  void set_bound_port(int port);
  /// The base of every link in responses (public_base_url, or http://HOST:PORT).
  [[nodiscard]] std::string base_url() const;

 private:
  [[nodiscard]] HttpResponse error(std::exception_ptr e) const;
  ServerContext& context_;
  Auth& auth_;
  const Router& router_;
  StaticFiles static_files_;
  std::atomic<std::shared_ptr<const std::string>> base_url_;
  /// Refuses writes (503) when the store's FILE-wal has disappeared.
  void check_write_ahead_log() const;
  mutable std::atomic<bool> wal_missing_logged_{false};
};

/// public_base_url when configured, else http://HOST:PORT ([HOST] for IPv6).
std::string base_url_for(const Config& config, int bound_port);

/// Adds headers every response carries (nosniff, no-store for API errors...).
void add_common_headers(HttpResponse& response);

}  // namespace tsunagi::server
