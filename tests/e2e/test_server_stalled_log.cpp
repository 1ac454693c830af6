// Operations (issue 7, item 9): a reader of the server's log (stderr) that stops reading must not
// freeze the server. The access log goes through a bounded queue; lines beyond it are dropped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {
namespace {

TEST(ServerStalledLog, AStalledStderrDoesNotFreezeTheServer) {
  TempDir dir;
  const auto demo = run_tsunagi({"demo", "--db", (dir / "demo.db").string()});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  std::vector<std::string> args = {TSUNAGI_BINARY, "serve", "--db", (dir / "demo.db").string(),
                                   "--port",       "0"};
  std::vector<std::string> env = environment_with({});
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  // Read only up to "listening on http://HOST:PORT\n"; after that nobody reads the pipe.
  std::string text;
  int port = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    char c;
    if (::read(out[0], &c, 1) != 1) break;
    text += c;
    const auto at = text.find("listening on http://127.0.0.1:");
    if (at != std::string::npos && text.back() == '\n') {
      port = std::stoi(text.substr(at + 30));
    }
  }
  ASSERT_GT(port, 0) << text;
  // Fill the pipe (64 KiB) with access-log lines and go on: every request must still be answered.
  HttpClient c("127.0.0.1", port);
  int answered = 0;
  const int requests = 3000;  // ~40 bytes of log each: about twice the pipe
  for (int i = 0; i < requests; ++i) {
    if (c.get("/health").status == 200) ++answered;
    if (answered <= i) break;  // not answered: the server is frozen
  }
  EXPECT_EQ(answered, requests);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
}

}  // namespace
}  // namespace tsunagi::test
