// TRANSITIONAL placeholder, replaced by the real command before landing.
#include <stdexcept>

#include "cli/commands.hpp"

namespace tsunagi::cli {
int import(Args) { throw std::runtime_error("'import' is being written"); }
}  // namespace tsunagi::cli
