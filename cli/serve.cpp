// tsunagi serve: the HTTP API, OGC API Features and the map's files. Configuration in
// server/config.hpp (file, then TSUNAGI_* environment, then these flags).
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "server/config.hpp"
#include "server/http_server.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi serve --db FILE [--host 127.0.0.1] [--port 8080] [--config FILE]\n"
    "                     [--threads N] [--workers N] [--frontend DIR] [--print-config]\n"
    "                     [--<any-config-key> VALUE ...]\n\n"
    "Serves the API (/api/resources, /health...) and the map's files from / .\n"
    "  --db FILE         the store (make one with 'tsunagi demo' or 'tsunagi import')\n"
    "  --host, --port    where to listen; --port 0 picks a free port\n"
    "  --config FILE     'key = value' lines; then TSUNAGI_<KEY> variables; then flags\n"
    "  --print-config    print the effective configuration and exit\n"
    "Every configuration key (see --print-config) is also a flag, with '-' for '_'.\n";

std::mutex g_log_mu;

void log_line(const std::string& line) {
  std::lock_guard lock(g_log_mu);
  std::string out = line;
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

int serve(Args args) {
  server::Config config;
  bool print_config = false;
  std::optional<std::string> config_file;
  // --config first, so that the file applies before environment and the other flags.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config_file = std::string(args[i + 1]);
  }
  std::vector<std::string> warnings;
  try {
    if (config_file) warnings = server::apply_config_file(config, *config_file);
    server::apply_environment(config, server::process_environment());
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string_view a = args[i];
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      }
      if (a == "--print-config") {
        print_config = true;
        continue;
      }
      if (a.substr(0, 2) != "--") {
        std::fprintf(stderr, "tsunagi serve: unexpected argument '%.*s'\n\n%s",
                     static_cast<int>(a.size()), a.data(), kUsage);
        return 2;
      }
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "tsunagi serve: %.*s needs a value\n", static_cast<int>(a.size()),
                     a.data());
        return 2;
      }
      const std::string_view value = args[++i];
      if (a == "--config") continue;
      std::string key(a.substr(2));
      for (auto& c : key) c = c == '-' ? '_' : c;
      try {
        server::set_config_value(config, key, value);
      } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "tsunagi serve: --%s: %s\n", std::string(a.substr(2)).c_str(),
                     e.what());
        return 2;
      }
    }
    if (!print_config) config.validate();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "tsunagi serve: %s\n", e.what());
    return 2;
  }
  for (const auto& w : warnings) log_line("warning: " + w);
  if (print_config) {
    std::fputs(config.to_text().c_str(), stdout);
    try {
      config.validate();
    } catch (const std::invalid_argument& e) {
      log_line(std::string("warning: this configuration cannot serve: ") + e.what());
    }
    return 0;
  }

  // A client closing during a write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Block the stop signals before any thread starts, so that every thread inherits the mask and
  // only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::optional<server::HttpServer> http;
  try {
    http.emplace(config, log_line);
    http->start();
  } catch (const server::PortInUse& e) {
    std::fprintf(stderr, "tsunagi serve: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsunagi serve: %s\n", e.what());
    return 2;
  }
  log_line("listening on http://" + config.host + ":" + std::to_string(http->port()));

  int received = 0;
  sigwait(&stop_signals, &received);
  log_line(std::string("stopping (") + (received == SIGINT ? "SIGINT" : "SIGTERM") + ")");
  http->stop();
  log_line("stopped");
  return 0;
}

}  // namespace tsunagi::cli
