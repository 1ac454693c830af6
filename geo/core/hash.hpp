// FNV-1a, 64 bits: the one non-cryptographic hash of tsunagi, for ETags, tile feature ids and
// change detection. Never for anything an attacker must not forge (tokens and the audit chain use
// libsodium).
#pragma once

#include <cstdint>
#include <string_view>

namespace tsunagi::geo {

inline constexpr std::uint64_t kFnv1aOffset = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnv1aPrime = 1099511628211ULL;

/// The FNV-1a hash of `bytes`, continuing from `h` (kFnv1aOffset to start).
constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t h = kFnv1aOffset) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv1aPrime;
  }
  return h;
}

}  // namespace tsunagi::geo
