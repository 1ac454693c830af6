// End-to-end test helpers: start the real `tsunagi serve` on port 0, read the address it
// announces, and talk HTTP/1.1 to it over plain blocking sockets (no HTTP library: the tests must
// see exactly what goes over the wire, including for malformed requests).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/test_support.hpp"

namespace tsunagi::test {

struct HttpResult {
  int status = 0;  ///< 0 when no response came (connection closed or timed out)
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
  std::string body;
  bool connection_closed = false;  ///< the server closed the connection after this response

  /// The first header of this (lower-case) name, or "".
  [[nodiscard]] std::string header(const std::string& lower_name) const;
};

/// One keep-alive connection; reconnects when the server closed it.
class HttpClient {
 public:
  /// `source_address`: the local IPv4 address to connect from ("127.0.0.2": any 127.x.y.z works
  /// on loopback), to play a second client; empty = any.
  HttpClient(std::string host, int port, std::string source_address = {});
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  HttpResult request(const std::string& method, const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     const std::string& body = "");
  HttpResult get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("GET", target, headers);
  }
  /// How many TCP connections this client has opened (to check keep-alive).
  [[nodiscard]] int connections_opened() const { return connections_; }

  /// Sends raw bytes on a fresh connection and reads one response (or until the server closes
  /// or `timeout_ms` passes). For malformed requests.
  static HttpResult raw(const std::string& host, int port, const std::string& bytes,
                        int timeout_ms = 10000);

 private:
  void connect_if_needed();
  void close_socket();
  std::string host_;
  int port_;
  std::string source_;
  int fd_ = -1;
  int connections_ = 0;
};

/// A connected TCP socket (blocking, TCP_NODELAY) to host:port, from `source` when given; the
/// caller closes it. For attacks that need the raw socket. @throws std::runtime_error.
int open_connection(const std::string& host, int port, const std::string& source = {});

/// Reads one HTTP response from `fd` (blocking, with a timeout). `head` = it answers a HEAD.
HttpResult read_response(int fd, bool head, int timeout_ms);

/// A running `tsunagi serve`, started with `args` after "serve" (add --db, --port 0...). Output
/// (stdout and stderr) is collected; the constructor waits for "listening on http://HOST:PORT".
class ServerProcess {
 public:
  /// @throws std::runtime_error (with the output) if the server exits before listening.
  explicit ServerProcess(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& extra_env = {});
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  [[nodiscard]] const std::string& host() const { return host_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Sends `signal` and waits; returns the exit code (128+n when killed by signal n).
  int stop(int signal);
  /// Everything printed so far.
  [[nodiscard]] std::string output() const;
  /// Lines that start with "warning:" or "error:" (an e2e test fails on any it did not expect).
  [[nodiscard]] std::vector<std::string> warnings() const;
  /// Waits until the output contains `text` (or the process exits / timeout); true if found.
  bool wait_for_output(const std::string& text, int timeout_ms = 20000) const;

 private:
  void reader();
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string host_;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
  std::optional<int> exit_code_;
  std::thread reader_;
};

/// Runs `tsunagi` with extra environment variables; returns exit code, stdout, stderr.
CommandResult run_tsunagi_env(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& extra_env);

/// Percent-encodes UTF-8 text for a query value.
std::string url_encode(const std::string& text);

}  // namespace tsunagi::test
