// TRANSITIONAL placeholder, replaced by the real command before landing.
#include <stdexcept>

#include "cli/commands.hpp"

namespace tsunagi::cli {
int demo(Args) { throw std::runtime_error("'demo' is being written"); }
}  // namespace tsunagi::cli
