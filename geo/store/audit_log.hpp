// The audit log as a hash chain. Each row of audit_log carries `chain_hash`: BLAKE2b-256
// (libsodium crypto_generichash) over a canonical serialisation of the row (its id and every
// column) and the chain hash of the row before it (32 zero bytes before the first row). A row
// changed in place, a row deleted from the middle or a row slipped in between no longer matches
// its hash, so verify_audit_log() finds the first broken link. What the chain cannot show: the
// tail cut off, or the whole chain recomputed by someone who can write the file; compare
// audit_head() with a copy kept elsewhere for that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo {

class Store;

/// The last link of the chain.
struct AuditChainHead {
  std::int64_t rows = 0;
  std::int64_t last_id = 0;  ///< 0 when the log is empty
  std::string hash;          ///< hex; 64 zeros when the log is empty
};

struct AuditVerification {
  std::int64_t rows = 0;
  bool intact = true;
  std::int64_t broken_id = 0;  ///< the first row whose link is broken (when !intact)
  std::string problem;         ///< what is wrong there, in words
  AuditChainHead head;         ///< the stored last link (as it is, intact or not)
};

/// The audit log's chain as the store keeps it (Store::audit_log()).
class AuditLog {
 public:
  virtual ~AuditLog() = default;
  /// Walks the whole log in id order and recomputes every link from the stored hash of the row
  /// before it, so a changed row is named itself and a deleted one by the row after the gap.
  [[nodiscard]] virtual AuditVerification verify() const = 0;
  /// The stored last link.
  [[nodiscard]] virtual AuditChainHead head() const = 0;
};

/// store.audit_log().verify() and .head().
[[nodiscard]] AuditVerification verify_audit_log(const Store& store);
[[nodiscard]] AuditChainHead audit_head(const Store& store);

}  // namespace tsunagi::geo
