#include "server/confirmation_links.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/store.hpp"
#include "server/credentials.hpp"

namespace tsunagi::server {

namespace {

constexpr std::size_t kCodeLength = 10;

bool is_code_char(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

}  // namespace

std::string confirmation_hash(std::string_view token_or_code) {
  const std::string code = normalize_code(token_or_code.substr(0, 64));
  if (code.size() == kCodeLength && std::all_of(code.begin(), code.end(), is_code_char)) {
    return sha256_hex("code:" + code);
  }
  return sha256_hex(token_or_code.substr(0, 128));
}

std::string date_in_japan(int days_back) {
  return geo::jst_date(std::chrono::system_clock::now() - std::chrono::hours(24) * days_back);
}

ConfirmationSecret new_confirmation_secret() {
  ConfirmationSecret s;
  s.token = random_token("", 32);
  const std::string code = random_code(kCodeLength);
  s.code = code.substr(0, 5) + "-" + code.substr(5);
  s.token_hash = sha256_hex(s.token);
  s.code_hash = confirmation_hash(code);
  return s;
}

std::string confirmation_expiry(int valid_days) {
  return geo::iso_utc(std::chrono::system_clock::now() + std::chrono::hours(24) * valid_days);
}

IssuedConfirmation issue_confirmation(geo::Store& store, std::string_view resource_id,
                                      int valid_days, const geo::AuditActor& who) {
  IssuedConfirmation out;
  out.expires_at = confirmation_expiry(valid_days);
  for (int attempt = 0;; ++attempt) {
    const auto secret = new_confirmation_secret();
    try {
      store.confirmations().add_request(resource_id, secret.token_hash, secret.code_hash,
                                        out.expires_at, who);
      out.token = secret.token;
      out.code = secret.code;
      return out;
    } catch (const geo::Conflict&) {
      if (attempt >= 3) throw;  // a code already given out (1 in 10^13): draw another
    }
  }
}

}  // namespace tsunagi::server
