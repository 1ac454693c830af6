// The subcommands of the tsunagi program, one file each (cli/<name>.cpp). Each takes its own
// arguments (without the program and subcommand names) and returns the process exit code:
// 0 success, 1 the work failed (e.g. rows rejected under --strict), 2 bad usage or bad input.
#pragma once

#include <span>
#include <string_view>

namespace tsunagi::cli {

using Args = std::span<const std::string_view>;

int serve(Args args);
int import(Args args);
int export_(Args args);
int demo(Args args);
int user(Args args);
int match(Args args);
int referrals(Args args);
int gap(Args args);
int audit(Args args);
int confirm(Args args);
int report(Args args);
int migrate(Args args);

}  // namespace tsunagi::cli
