#include "cli/options.hpp"

#include <charconv>
#include <cstdio>

namespace tsunagi::cli {

int usage_error(std::string_view command, const std::string& message, const char* usage) {
  std::fprintf(stderr, "tsunagi %.*s: %s\n\n%s", static_cast<int>(command.size()), command.data(),
               message.c_str(), usage);
  return 2;
}

std::optional<int> read_action_options(
    Args args, std::string_view command, std::string_view action, const char* usage,
    const std::function<std::string(std::string_view key, std::string_view value)>& option) {
  if (args.empty()) return usage_error(command, "say what to do: " + std::string(action), usage);
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (args[0] != action) {
    return usage_error(command, "unknown action '" + std::string(args[0]) + "'", usage);
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error(command, std::string(a) + " needs a value", usage);
    const std::string problem = option(a, args[++i]);
    if (!problem.empty()) return usage_error(command, problem, usage);
  }
  return std::nullopt;
}

std::optional<int> parse_whole(std::string_view text, int min, int max) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

}  // namespace tsunagi::cli
