// Helpers shared by the tests: temporary folders, the shared data folder, running the tsunagi
// binary, file hashing.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tsunagi::test {

/// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

/// ../shared/data/<relative>, or nullopt when it does not exist (the caller then GTEST_SKIPs with
/// shared_data_skip_message()).
std::optional<std::filesystem::path> shared_data(const std::string& relative);
std::string shared_data_skip_message(const std::string& relative);

/// Writes `content` to `path` (binary), creating parent folders.
void write_file(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);
/// SHA-256-free but collision-resistant enough for tests: FNV-1a 64 of the file's bytes, as hex.
std::string file_digest(const std::filesystem::path& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

/// Runs the built tsunagi binary with `args` (no shell), waits, captures stdout and stderr.
CommandResult run_tsunagi(const std::vector<std::string>& args);
/// Runs any program (argv[0] looked up in PATH), with `extra_env` added to this process's
/// environment; waits, captures stdout and stderr.
CommandResult run_program(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {});
/// This process's environment with `extra` added or replaced, as "KEY=value" strings.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra);
/// argv/envp for posix_spawn: pointers into `v`, then a null.
std::vector<char*> c_strings(std::vector<std::string>& v);

}  // namespace tsunagi::test

#define TSUNAGI_REQUIRE_SHARED_DATA(var, relative)                                     \
  const auto var##_opt = ::tsunagi::test::shared_data(relative);                       \
  if (!var##_opt) GTEST_SKIP() << ::tsunagi::test::shared_data_skip_message(relative); \
  const std::filesystem::path& var = *var##_opt
