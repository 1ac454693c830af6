#include "server/credentials.hpp"

#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/text_normalize.hpp"

namespace tsunagi::server {

namespace {

void ensure_sodium() {
  // sodium_init() is thread-safe and idempotent; it only fails without an entropy source.
  static const int rc = sodium_init();
  if (rc < 0) throw std::runtime_error("libsodium could not be initialised (no entropy source?)");
}

}  // namespace

PasswordCost password_cost_from_env() {
  const char* v = std::getenv("TSUNAGI_PWHASH");
  if (v == nullptr || std::string_view(v).empty() || std::string_view(v) == "interactive") {
    return PasswordCost::interactive;
  }
  if (std::string_view(v) == "minimum") return PasswordCost::minimum;
  throw std::invalid_argument("TSUNAGI_PWHASH must be 'interactive' or 'minimum', not '" +
                              std::string(v) + "'");
}

void check_new_password(std::string_view password) {
  if (password.size() < 10) {
    throw geo::InvalidArgument("the password must have at least 10 characters (it has " +
                               std::to_string(password.size()) + ")");
  }
  if (password.size() > 1024) {
    throw geo::InvalidArgument("the password must have at most 1024 characters");
  }
  for (const char c : password) {
    if (c == '\n' || c == '\r' || c == '\0') {
      throw geo::InvalidArgument("the password must not contain line breaks or NUL");
    }
  }
}

std::string hash_password(std::string_view password, PasswordCost cost) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  const auto ops = cost == PasswordCost::interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE
                                                     : crypto_pwhash_OPSLIMIT_MIN;
  const auto mem = cost == PasswordCost::interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
                                                     : crypto_pwhash_MEMLIMIT_MIN;
  if (crypto_pwhash_str(out, password.data(), password.size(), ops, mem) != 0) {
    throw std::runtime_error("hashing the password failed (out of memory)");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);  // NUL-terminated copy, as libsodium wants
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

namespace {
constexpr std::string_view kCodeAlphabet = "ACDEFGHJKMNPQRTUVWXY34679";
}  // namespace

std::string random_code(std::size_t length) {
  return geo::random_code(length, kCodeAlphabet);
}

std::string normalize_code(std::string_view typed) {
  std::string out;
  std::size_t pos = 0;
  while (pos < typed.size()) {
    auto cp = geo::next_code_point(typed, pos);
    if (!cp) {  // not UTF-8: kept byte by byte, so it matches no code
      out += typed[pos++];
      continue;
    }
    if (*cp >= 0xFF01 && *cp <= 0xFF5E) *cp -= 0xFEE0;  // full-width ASCII → half-width
    // Separators people type between the groups: spaces and hyphens of any width, and ー.
    if (*cp == ' ' || *cp == '-' || *cp == 0x3000 || *cp == 0x30FC) continue;
    if (*cp < 0x80) {
      out += static_cast<char>(std::toupper(static_cast<int>(*cp)));
    } else {
      geo::append_utf8(out, *cp);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  ensure_sodium();
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tsunagi::server
