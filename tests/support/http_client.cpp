#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace tsunagi::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int connect_to(const std::string& host, int port, const std::string& source = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot bind to the source address " + source);
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    throw std::runtime_error("not an IPv4 address: " + host);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                             std::strerror(errno));
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
}

// Reads more bytes into `buf`; false on EOF, error or timeout.
bool read_more(int fd, std::string& buf, Clock::time_point deadline, bool& eof) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(left.count()));
  if (r <= 0) return false;
  char tmp[65536];
  const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) {
    eof = true;
    return false;
  }
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}

}  // namespace

std::string HttpResult::header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

HttpResult read_response(int fd, bool head, int timeout_ms) {
  HttpResult res;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string buf;
  bool eof = false;
  std::size_t head_end = std::string::npos;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more(fd, buf, deadline, eof)) {
      res.connection_closed = eof;
      return res;
    }
  }
  const std::string status_line = buf.substr(0, buf.find("\r\n"));
  if (status_line.size() >= 12 && status_line.compare(0, 5, "HTTP/") == 0) {
    res.status = std::stoi(status_line.substr(9, 3));
  }
  std::size_t pos = buf.find("\r\n") + 2;
  while (pos < head_end) {
    const std::size_t eol = buf.find("\r\n", pos);
    const std::string line = buf.substr(pos, eol - pos);
    pos = eol + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    res.headers.emplace_back(lower(line.substr(0, colon)), value);
  }
  std::size_t length = 0;
  if (!head && res.status != 204 && res.status != 304) {
    const std::string cl = res.header("content-length");
    length = cl.empty() ? 0 : std::stoul(cl);
  }
  const std::size_t body_start = head_end + 4;
  while (buf.size() < body_start + length) {
    if (!read_more(fd, buf, deadline, eof)) break;
  }
  res.body = buf.substr(body_start, length);
  if (lower(res.header("connection")) == "close") {
    // The server must actually close: wait for EOF.
    std::string rest;
    bool closed = false;
    while (read_more(fd, rest, deadline, closed)) {
    }
    res.connection_closed = closed;
  }
  return res;
}

int open_connection(const std::string& host, int port, const std::string& source) {
  return connect_to(host, port, source);
}

HttpClient::HttpClient(std::string host, int port, std::string source_address)
    : host_(std::move(host)), port_(port), source_(std::move(source_address)) {}

HttpClient::~HttpClient() {
  close_socket();
}

void HttpClient::close_socket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpClient::connect_if_needed() {
  if (fd_ >= 0) {
    // A keep-alive connection the server closed (idle timeout) reads as EOF: reconnect.
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) close_socket();
  }
  if (fd_ < 0) {
    fd_ = connect_to(host_, port_, source_);
    ++connections_;
  }
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body) {
  connect_if_needed();
  std::string req =
      method + " " + target + " HTTP/1.1\r\nHost: " + host_ + ":" + std::to_string(port_) + "\r\n";
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    has_length = has_length || lower(k) == "content-length";
  }
  if (!body.empty() && !has_length)
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  send_all(fd_, req);
  HttpResult res = read_response(fd_, method == "HEAD", 30000);
  if (res.connection_closed || res.status == 0) close_socket();
  return res;
}

HttpResult HttpClient::raw(const std::string& host, int port, const std::string& bytes,
                           int timeout_ms) {
  const int fd = connect_to(host, port);
  try {
    send_all(fd, bytes);
  } catch (const std::exception&) {
    // The server may close early (e.g. oversized headers); the response may still be readable.
  }
  HttpResult res = read_response(fd, false, timeout_ms);
  ::close(fd);
  return res;
}

// ---- ServerProcess ----

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& extra_env) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {TSUNAGI_BINARY, "serve"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  auto argv = c_strings(argv_s);
  auto env_s = environment_with(extra_env);
  auto envp = c_strings(env_s);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    throw std::runtime_error(std::string("cannot start ") + TSUNAGI_BINARY + ": " +
                             std::strerror(rc));
  }
  out_fd_ = pipefd[0];
  reader_ = std::thread([this] { reader(); });

  const std::string marker = "listening on http://";
  if (!wait_for_output(marker, 30000)) {
    const std::string out = output();
    stop(SIGKILL);
    throw std::runtime_error("tsunagi serve did not start; its output:\n" + out);
  }
  const std::string out = output();
  const auto at = out.find(marker) + marker.size();
  const auto eol = out.find('\n', at);
  const std::string hostport = out.substr(at, eol - at);
  const auto colon = hostport.rfind(':');
  host_ = hostport.substr(0, colon);
  port_ = std::stoi(hostport.substr(colon + 1));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_code_) stop(SIGKILL);
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void ServerProcess::reader() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      return;
    }
    output_.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
}

bool ServerProcess::wait_for_output(const std::string& text, int timeout_ms) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] {
    return output_.find(text) != std::string::npos || eof_;
  }) && output_.find(text) != std::string::npos;
}

int ServerProcess::stop(int signal) {
  if (exit_code_) return *exit_code_;
  ::kill(pid_, signal);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (reader_.joinable()) reader_.join();
  return *exit_code_;
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::vector<std::string> ServerProcess::warnings() const {
  std::vector<std::string> out;
  const std::string all = output();
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    const std::string line = all.substr(start, end - start);
    if (line.rfind("warning:", 0) == 0 || line.rfind("error:", 0) == 0) out.push_back(line);
    start = end + 1;
  }
  return out;
}

CommandResult run_tsunagi_env(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> argv = {TSUNAGI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, extra_env);
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tsunagi::test
