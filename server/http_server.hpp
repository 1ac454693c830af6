// The HTTP server: Pistache 0.0.5 owns the sockets, epoll reactors, accept loop and idle/request
// timeouts; we parse requests (server/http_message), dispatch them (server/dispatcher), queue slow
// handlers on a worker pool, write responses ourselves (keep-alive by default for HTTP/1.1,
// correct HEAD), and log one access line per request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "server/config.hpp"

namespace tsunagi::server {

/// The configured host:port cannot be bound.
class PortInUse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The Content-Security-Policy of every response: scripts, styles, workers and fonts from the
/// server itself only (no inline script, no eval), images and fetches from it and the basemap's
/// `map_tile_origins`, no plugins, no <base>, forms posting home only, framed only by
/// `frame_ancestors`.
std::string content_security_policy(const Config& config);

/// The Referrer-Policy of every response: the page's URL (filters, the point picked on the map)
/// goes to no other site, the basemap's included.
inline constexpr const char* kReferrerPolicy = "same-origin";

class HttpServer {
 public:
  /// Opens the store and builds the first snapshot. `log` receives every log line (access lines
  /// and warnings), without a trailing newline. @throws geo::StoreError.
  HttpServer(const Config& config, std::function<void(const std::string&)> log);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  /// Binds and starts the reactor threads; returns once it is accepting.
  /// @throws PortInUse, std::runtime_error.
  void start();
  /// The bound port (the real one when the configured port was 0).
  [[nodiscard]] std::uint16_t port() const;
  /// Finishes queued slow requests, then stops accepting and joins the threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tsunagi::server
