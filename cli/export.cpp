// TRANSITIONAL placeholder, replaced by the real command before landing.
#include <stdexcept>

#include "cli/commands.hpp"

namespace tsunagi::cli {
int export_(Args) { throw std::runtime_error("'export' is being written"); }
}  // namespace tsunagi::cli
