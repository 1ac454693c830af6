// The audit chain's links: BLAKE2b-256 (libsodium) over a canonical serialisation of a row.
#include "geo/store/audit_chain.hpp"

#include <sodium.h>

#include <array>
#include <vector>

#include "geo/core/error.hpp"

namespace tsunagi::geo::audit_chain {

namespace {

constexpr std::size_t kHashBytes = crypto_generichash_BYTES;  // 32: BLAKE2b-256
const std::string kGenesis(kHashBytes * 2, '0');

void ensure_sodium() {
  static const int rc = sodium_init();  // thread-safe, idempotent
  if (rc < 0) throw StoreError("libsodium could not be initialised");
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

/// The previous link's bytes; a malformed stored hash hashes as what it is (its text), so it
/// breaks the next link rather than being silently read as zeros.
std::vector<unsigned char> from_hex(std::string_view hex) {
  std::vector<unsigned char> out(kHashBytes);
  std::size_t len = 0;
  if (hex.size() != kHashBytes * 2 ||
      sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != kHashBytes) {
    return {hex.begin(), hex.end()};
  }
  return out;
}

// The canonical serialisation: a version tag, the previous link, then each column in a fixed
// order as a presence byte (0 NULL, 1 value), its length as 8 bytes little-endian and its
// UTF-8 bytes (integers in decimal). Lengths make it unambiguous: no two rows serialise alike.
class Hasher {
 public:
  explicit Hasher(std::string_view version) {
    ensure_sodium();
    crypto_generichash_init(&state_, nullptr, 0, kHashBytes);
    add_raw(version);
  }
  void add(const std::optional<std::string_view>& field) {
    const unsigned char present = field ? 1 : 0;
    crypto_generichash_update(&state_, &present, 1);
    const std::string_view v = field.value_or(std::string_view());
    std::array<unsigned char, 8> len{};
    auto n = static_cast<std::uint64_t>(v.size());
    for (auto& b : len) {
      b = static_cast<unsigned char>(n & 0xFFU);
      n >>= 8U;
    }
    crypto_generichash_update(&state_, len.data(), len.size());
    add_raw(v);
  }
  void add(std::int64_t v) { add(std::optional<std::string_view>(std::to_string(v))); }
  void add_raw(std::string_view v) {
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  }
  std::string finish() {
    std::array<unsigned char, kHashBytes> out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return to_hex(out.data(), out.size());
  }

 private:
  crypto_generichash_state state_{};
};

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

}  // namespace

const std::string& genesis() {
  return kGenesis;
}

std::string link(std::string_view previous_hex, const Row& row) {
  // v1: the columns of migration 10; v2 adds the case's municipality (migration 14). The tag
  // differs, so no v2 row hashes like a v1 row.
  Hasher h(row.municipality ? "tsunagi audit_log v2" : "tsunagi audit_log v1");
  const auto prev = from_hex(previous_hex);
  h.add(std::optional<std::string_view>(
      std::string_view(reinterpret_cast<const char*>(prev.data()), prev.size())));
  h.add(row.id);
  h.add(std::optional<std::string_view>(row.at));
  h.add(row.user_id);
  h.add(std::optional<std::string_view>(row.user_name));
  h.add(std::optional<std::string_view>(row.action));
  h.add(view(row.case_id));
  h.add(view(row.legal_basis));
  h.add(std::optional<std::string_view>(row.detail));
  if (row.municipality) h.add(view(row.municipality));
  return h.finish();
}

}  // namespace tsunagi::geo::audit_chain
