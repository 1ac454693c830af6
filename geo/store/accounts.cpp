// The rule of a login name, whatever backend keeps the accounts.
#include "geo/store/accounts.hpp"

#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo {

void Accounts::validate_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    throw InvalidArgument("a user name must have 1 to 64 characters");
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) {
      throw InvalidArgument("a user name may contain only A-Z, a-z, 0-9 and . _ - @ (found '" +
                            std::string(1, c) + "')");
    }
  }
}

}  // namespace tsunagi::geo
