// The secrets of a confirmation request (geo/confirmation.hpp), made in one place for the API and
// the `tsunagi confirm` command: a link token of 256 random bits and a short code of 10
// characters to type in at /c, both stored only as SHA-256 hashes.
#pragma once

#include <string>
#include <string_view>

#include "geo/store/referrals.hpp"  // AuditActor

namespace tsunagi::geo {
class Store;
}

namespace tsunagi::server {

inline constexpr int kConfirmationValidDays = 60;  ///< a request's default lifetime

/// A request just made: what the host is given (never stored as such).
struct IssuedConfirmation {
  std::string token;       ///< the last segment of the link /c/{token}
  std::string code;        ///< "XXXXX-XXXXX", to type in at /c
  std::string expires_at;  ///< ISO 8601 UTC
};

/// A new link token and short code with their hashes, as geo::Confirmations stores them.
struct ConfirmationSecret {
  std::string token;
  std::string code;  ///< "XXXXX-XXXXX"
  std::string token_hash;
  std::string code_hash;
};
ConfirmationSecret new_confirmation_secret();

/// The ISO 8601 UTC time `valid_days` from now.
std::string confirmation_expiry(int valid_days);

/// Makes a request for `resource_id` valid for `valid_days`, revoking the listing's open one.
/// @throws geo::NotFound (no such listing).
IssuedConfirmation issue_confirmation(geo::Store& store, std::string_view resource_id,
                                      int valid_days, const geo::AuditActor& who);

/// The stored hash of what a host followed or typed: a short code (10 letters and digits,
/// however typed: lower case, full width, with spaces or hyphens) or a link's token.
std::string confirmation_hash(std::string_view token_or_code);

/// Today in Japan (UTC+9, no daylight saving), `days_back` days ago, as YYYY-MM-DD.
std::string date_in_japan(int days_back = 0);

}  // namespace tsunagi::server
