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
  explicit Accounts(Store& store) : store_(&store) {}

  /// Checks a login name: 1–64 characters of A–Z a–z 0–9 . _ - @.
  /// @throws InvalidArgument saying which character is not allowed.
  static void validate_name(std::string_view name);

  /// @throws InvalidArgument (bad name, role public), Conflict (name taken).
  User add_user(std::string_view name, Role role, std::string_view password_hash);
  [[nodiscard]] std::optional<User> user_by_name(std::string_view name) const;
  [[nodiscard]] std::optional<User> user_by_id(std::int64_t id) const;
  [[nodiscard]] std::vector<User> users() const;
  /// Disabling also ends the user's sessions and revokes their API tokens (one transaction).
  /// @throws NotFound.
  void set_disabled(std::string_view name, bool disabled);
  /// A new role also ends the user's sessions and revokes their API tokens (one transaction): what
  /// was granted under the old role does not outlive it. @throws NotFound, InvalidArgument
  /// (public).
  void set_role(std::string_view name, Role role);
  /// A new password (the remedy for a stolen account) also ends the user's sessions and revokes
  /// their API tokens, so that whoever had them is signed out (one transaction).
  /// @throws NotFound.
  void set_password_hash(std::string_view name, std::string_view password_hash);

  /// Counts a failed login; when the count reaches `lock_after`, sets locked_until and starts
  /// counting again. Returns the new count.
  int record_failed_login(std::int64_t user_id, int lock_after, std::string_view locked_until);
  /// After a successful login.
  void clear_failed_logins(std::int64_t user_id);

  /// Stores a token's hash. @throws NotFound (no such user).
  std::int64_t add_token(std::string_view user_name, std::string_view token_hash,
                         std::string_view label);
  /// The user of an unrevoked token (the user may be disabled: the caller checks).
  [[nodiscard]] std::optional<User> user_by_token_hash(std::string_view token_hash) const;
  [[nodiscard]] std::vector<ApiTokenInfo> tokens(std::int64_t user_id) const;
  /// Revokes token `token_id` of user `user_name`; later requests with it get 401.
  /// @throws NotFound (no such user, or the user has no such token), Conflict (already revoked).
  void revoke_token(std::string_view user_name, std::int64_t token_id);
  /// Stamps an unrevoked token's last use (for `tsunagi user tokens`, to find unused tokens).
  void record_token_use(std::string_view token_hash, std::string_view at_iso);

  void add_session(const SessionRecord& session);
  /// The session and its user, if the session exists (expiry is the caller's check).
  [[nodiscard]] std::optional<std::pair<SessionRecord, User>> session(
      std::string_view session_hash) const;
  void delete_session(std::string_view session_hash);
  /// Removes sessions whose expires_at is before `now_iso`; returns how many.
  int delete_expired_sessions(std::string_view now_iso);

 private:
  void end_sessions_and_tokens(std::int64_t user_id);
  Store* store_;
};

}  // namespace tsunagi::geo
