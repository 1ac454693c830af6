#include "geo/core/text.hpp"

#include <ostream>

namespace tsunagi::geo {

std::ostream& operator<<(std::ostream& os, const Text& t) {
  return os << t.view();
}

}  // namespace tsunagi::geo
