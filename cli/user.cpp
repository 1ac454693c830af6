// TRANSITIONAL placeholder, replaced by the real command before landing.
#include <stdexcept>

#include "cli/commands.hpp"

namespace tsunagi::cli {
int user(Args) { throw std::runtime_error("'user' is being written"); }
}  // namespace tsunagi::cli
