// Secrets, through libsodium at exactly this one boundary: argon2id password hashes, random
// tokens, SHA-256 of tokens and session ids, constant-time comparison.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "geo/core/random.hpp"

namespace tsunagi::server {

/// argon2id cost. `interactive` is libsodium's recommended cost for logins (64 MiB, ~0.1–0.5 s);
/// `minimum` exists for tests only (set TSUNAGI_PWHASH=minimum), never for real accounts.
enum class PasswordCost : std::uint8_t { interactive, minimum };

/// Reads TSUNAGI_PWHASH ("interactive", the default, or "minimum").
/// @throws std::invalid_argument for anything else.
PasswordCost password_cost_from_env();

/// Minimum length and sanity of a new password. @throws geo::InvalidArgument with what to fix.
void check_new_password(std::string_view password);

/// An argon2id hash string ($argon2id$v=19$...). @throws std::runtime_error if out of memory.
std::string hash_password(std::string_view password, PasswordCost cost);
/// True when `password` matches `hash` (constant time in the password).
bool verify_password(std::string_view hash, std::string_view password);

/// Tokens and session ids: geo::random_token (geo/core/random.hpp).
using geo::random_token;
/// A short code a person can type: `length` characters drawn uniformly (libsodium) from an
/// alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
std::string random_code(std::size_t length = 10);
/// A typed code as random_code() made it: ASCII upper case, full-width letters and digits made
/// half-width, spaces and hyphens (of any width) dropped. Anything else is kept as it is.
std::string normalize_code(std::string_view typed);
/// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);
/// Equal in constant time for equal lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace tsunagi::server
