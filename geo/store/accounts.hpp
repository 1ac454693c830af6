// Accounts of the people who sign in: users with a role, API tokens for scripts, login sessions
// and failed-login counters, in the store's tables app_user, api_token and session. Only hashes
// are stored (argon2id for passwords, SHA-256 for tokens and session ids); hashing itself is done
// by the caller (server/credentials), so geo/ needs no crypto library.
//
// An Accounts object works on one Store connection and, like the Store, is not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/audience.hpp"
#include "geo/core/municipal_scope.hpp"

namespace tsunagi::geo {

class Store;

struct User {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::public_;
  std::string password_hash;
  std::string created_at;
  bool disabled = false;
  int failed_logins = 0;
  std::string locked_until;  ///< ISO 8601 UTC; empty when not locked
  /// The towns the user works for (their role applies there only); every town when none named.
  MunicipalScope municipalities;
};

struct ApiTokenInfo {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string label;
  std::string created_at;
  std::string last_used_at;
  std::string revoked_at;
};

struct SessionRecord {
  std::string session_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::string created_at;
  std::string expires_at;  ///< ISO 8601 UTC
};

class Accounts {
 public:
  virtual ~Accounts() = default;

  /// Checks a login name: 1–64 characters of A–Z a–z 0–9 . _ - @.
  /// @throws InvalidArgument saying which character is not allowed.
  static void validate_name(std::string_view name);

  /// @throws InvalidArgument (bad name, role public), Conflict (name taken).
  virtual User add_user(std::string_view name, Role role, std::string_view password_hash) = 0;
  [[nodiscard]] virtual std::optional<User> user_by_name(std::string_view name) const = 0;
  [[nodiscard]] virtual std::optional<User> user_by_id(std::int64_t id) const = 0;
  [[nodiscard]] virtual std::vector<User> users() const = 0;
  /// Disabling also ends the user's sessions and revokes their API tokens (one transaction).
  /// @throws NotFound.
  virtual void set_disabled(std::string_view name, bool disabled) = 0;
  /// A new role also ends the user's sessions and revokes their API tokens (one transaction): what
  /// was granted under the old role does not outlive it. @throws NotFound, InvalidArgument
  /// (public).
  virtual void set_role(std::string_view name, Role role) = 0;
  /// The towns the user works for from now on (an all-town scope: every town). The server reads
  /// it with the user on each request (within auth_cache_s), so sessions and tokens carry on
  /// under the new towns. Codes are checked by the caller against the store's municipalities.
  /// @throws NotFound.
  virtual void set_municipalities(std::string_view name, const MunicipalScope& towns) = 0;
  /// A new password (the remedy for a stolen account) also ends the user's sessions and revokes
  /// their API tokens, so that whoever had them is signed out (one transaction).
  /// @throws NotFound.
  virtual void set_password_hash(std::string_view name, std::string_view password_hash) = 0;

  /// Counts a failed login; when the count reaches `lock_after`, sets locked_until and starts
  /// counting again. Returns the new count.
  virtual int record_failed_login(std::int64_t user_id, int lock_after,
                                  std::string_view locked_until) = 0;
  /// After a successful login.
  virtual void clear_failed_logins(std::int64_t user_id) = 0;

  /// Stores a token's hash. @throws NotFound (no such user).
  virtual std::int64_t add_token(std::string_view user_name, std::string_view token_hash,
                                 std::string_view label) = 0;
  /// The user of an unrevoked token (the user may be disabled: the caller checks).
  [[nodiscard]] virtual std::optional<User> user_by_token_hash(
      std::string_view token_hash) const = 0;
  [[nodiscard]] virtual std::vector<ApiTokenInfo> tokens(std::int64_t user_id) const = 0;
  /// Revokes token `token_id` of user `user_name`; later requests with it get 401.
  /// @throws NotFound (no such user, or the user has no such token), Conflict (already revoked).
  virtual void revoke_token(std::string_view user_name, std::int64_t token_id) = 0;
  /// Stamps an unrevoked token's last use (for `tsunagi user tokens`, to find unused tokens).
  virtual void record_token_use(std::string_view token_hash, std::string_view at_iso) = 0;

  virtual void add_session(const SessionRecord& session) = 0;
  /// The session and its user, if the session exists (expiry is the caller's check).
  [[nodiscard]] virtual std::optional<std::pair<SessionRecord, User>> session(
      std::string_view session_hash) const = 0;
  virtual void delete_session(std::string_view session_hash) = 0;
  /// Removes sessions whose expires_at is before `now_iso`; returns how many.
  virtual int delete_expired_sessions(std::string_view now_iso) = 0;
};

}  // namespace tsunagi::geo
