// What the subcommands with one action share in reading their arguments ("tsunagi confirm
// request --db F …", "tsunagi referrals purge --db F …"): the action checked, --help or -h
// anywhere printing the usage, every other option a "--key value" pair, usage errors said as
// "tsunagi COMMAND: MESSAGE" followed by the usage.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.hpp"

namespace tsunagi::cli {

/// Prints "tsunagi COMMAND: MESSAGE", a blank line and `usage` to stderr; returns 2.
int usage_error(std::string_view command, const std::string& message, const char* usage);

/// Reads `args` as ACTION [--key value]…, calling `option(key, value)` for each pair in order;
/// `option` returns an error message, or "" when the pair is fine. Returns nullopt when every
/// pair was read, else the exit code to return: 0 after printing the usage (--help, -h), 2
/// after a usage error (no or another action, a key without a value, `option`'s message).
std::optional<int> read_action_options(
    Args args, std::string_view command, std::string_view action, const char* usage,
    const std::function<std::string(std::string_view key, std::string_view value)>& option);

/// `text` as a whole number from `min` to `max` (digits only, with a leading '-' for negative
/// numbers); nullopt otherwise.
std::optional<int> parse_whole(std::string_view text, int min, int max);

}  // namespace tsunagi::cli
