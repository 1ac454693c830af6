// TRANSITIONAL placeholder, replaced by the real command before landing.
#include <stdexcept>

#include "cli/commands.hpp"

namespace tsunagi::cli {
int serve(Args) { throw std::runtime_error("'serve' is being written"); }
}  // namespace tsunagi::cli
