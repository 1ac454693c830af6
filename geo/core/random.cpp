#include "geo/core/random.hpp"

#include <sodium.h>

#include "geo/core/error.hpp"

namespace tsunagi::geo {

namespace {

void ensure_sodium() {
  // sodium_init() is thread-safe and idempotent; it only fails without an entropy source.
  static const int rc = sodium_init();
  if (rc < 0) throw StoreError("libsodium could not be initialised (no entropy source?)");
}

}  // namespace

std::vector<unsigned char> random_bytes(std::size_t n) {
  ensure_sodium();
  std::vector<unsigned char> out(n);
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string random_token(std::string_view prefix, std::size_t bytes) {
  auto raw = random_bytes(bytes);
  const std::size_t len =
      sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string b64(len, '\0');
  sodium_bin2base64(b64.data(), len, raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  b64.resize(std::char_traits<char>::length(b64.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return std::string(prefix) + b64;
}

std::string random_code(std::size_t length, std::string_view alphabet) {
  if (alphabet.size() < 2 || alphabet.size() > 256) {
    throw InvalidArgument("random_code: an alphabet of 2 to 256 characters");
  }
  ensure_sodium();
  std::string out(length, ' ');
  for (auto& ch : out) {
    ch = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  }
  return out;
}

}  // namespace tsunagi::geo
