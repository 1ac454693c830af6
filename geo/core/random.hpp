// The one source of secret randomness of tsunagi: libsodium's CSPRNG (randombytes_buf), behind
// session ids, API tokens, CSRF tokens and case ids. (Resource ids need uniqueness, not secrecy:
// ids.hpp.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::geo {

/// `n` random bytes. @throws StoreError when libsodium cannot be initialised (no entropy).
std::vector<unsigned char> random_bytes(std::size_t n);

/// `bytes` random bytes as URL-safe base64 without padding, after `prefix`.
std::string random_token(std::string_view prefix, std::size_t bytes = 32);

/// `length` characters drawn uniformly (no modulo bias) from `alphabet` (ASCII, 2–256 characters).
std::string random_code(std::size_t length, std::string_view alphabet);

}  // namespace tsunagi::geo
