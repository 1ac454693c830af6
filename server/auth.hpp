// Authentication: who is calling (session cookie or Bearer token), logging in and out, and the
// slow-down and lock-out of repeated failed logins.
//
// - Session: cookie "tsunagi_session" (HttpOnly; SameSite=Strict; Path=/; Secure when
//   cookie_secure). Only its SHA-256 is stored. Each session has a CSRF token, returned by login;
//   unsafe requests authenticated by the cookie must send it as X-CSRF-Token.
// - Token: "Authorization: Bearer tsu_…", created with `tsunagi user token`; SHA-256 stored.
// - Failed logins are throttled per client address and name, counted in the store (hashed), so that
//   every server on one store throttles alike: after login_free_attempts failures,
//   each next attempt of that address for that name must wait login_delay_ms, doubling per
//   failure (at most 5 minutes); per address over all names after 5 × login_free_attempts. Early
//   attempts get 429 with Retry-After and are not even checked. After login_lock_after failures in
//   a row for a name (from any address) the name is locked for login_lock_minutes (stored for
//   existing users, so a restart does not unlock it) — but only against addresses that failed for
//   it: the real user's correct login from elsewhere is never locked out.
// - The answers and the work are the same for existing and unknown names (a dummy argon2id hash
//   is checked, unknown names are counted and locked the same way), so they do not tell
//   which names exist.
// Lookups are cached for auth_cache_s (30 s), so disabling a user, a new password (which ends the
// user's sessions and tokens) or revoking a token takes effect within that time — at once when
// done through this server, or through another server on the same PostgreSQL store (it notifies;
// ServerContext::accounts_epoch).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/context.hpp"
#include "server/http_message.hpp"
#include "server/router.hpp"

namespace tsunagi::server {

inline constexpr std::string_view kSessionCookie = "tsunagi_session";

struct LoginResult {
  Principal principal;
  std::string session_token;  ///< the cookie value (never stored)
  std::string expires_at;     ///< ISO 8601 UTC
  int max_age_s = 0;
};

class Auth {
 public:
  explicit Auth(ServerContext& context) : context_(context) {}

  /// The caller of a request. No credentials → public. An unknown, revoked or disabled Bearer
  /// token → ApiError(unauthenticated) (a script should learn its token is wrong); a stale
  /// session cookie → public (browsers keep cookies after logout or expiry).
  Principal authenticate(const HttpRequest& request);

  /// Checks name and password (argon2id; call on a worker thread), applying the throttling of
  /// `client` (the peer's address). @throws ApiError(login_failed, login_throttled).
  LoginResult login(std::string_view name, std::string_view password, std::string_view client = {});
  void logout(const Principal& principal);

  /// Anonymous tries that must not be repeated fast — guesses of a confirmation link or code,
  /// reports of mistakes — are throttled per client address the way failed logins are: after
  /// `free_attempts` tries counted under `scope` ("confirm", "report"), each next one must wait
  /// login_delay_ms, doubling (at most 5 minutes); counts are forgotten after login_lock_minutes
  /// without one. @throws ApiError(too_many_tries) with Retry-After while `client` must wait.
  void check_tries(std::string_view scope, std::string_view client, int free_attempts);
  /// Counts one try of `client` under `scope`.
  void count_try(std::string_view scope, std::string_view client);

  /// The Set-Cookie value for a login (or, with an empty token, one that deletes the cookie).
  [[nodiscard]] std::string session_cookie(std::string_view token, int max_age_s) const;

  /// Where small background writes go (the worker pool; false = queue full, the write is
  /// skipped). Without one, token use is not stamped.
  void set_background(std::function<bool(std::function<void()>)> submit) {
    background_ = std::move(submit);
  }

 private:
  struct Cached {
    Principal principal;
    std::string expires_at;  ///< sessions only
    std::chrono::steady_clock::time_point cached_at;
    std::uint64_t accounts_epoch = 0;  ///< ServerContext::accounts_epoch when looked up
  };
  std::optional<Principal> from_cache(const std::string& key);
  void remember(const std::string& key, const Principal& p, std::string expires_at,
                std::uint64_t accounts_epoch);
  [[nodiscard]] std::chrono::milliseconds wait_after(int failures, int free_attempts) const;
  /// The store's name of the count `key` ("p:" client + name, "c:" client, "n:" name — an
  /// unknown name's lock — or "x:" scope + client): a hash.
  static std::string stored_key(const std::string& key);
  /// Counts a failure under `key` (in the store); returns the new count.
  int count_failure(const std::string& key);
  /// The count under `key`, unless it is stale (nothing added for login_lock_minutes, no lock).
  std::optional<geo::ThrottleCount> counted(const std::string& key);
  /// The time left before `key` may try again (0 when it may).
  std::chrono::milliseconds time_left(const std::string& key, int free_attempts);

  ServerContext& context_;
  std::function<bool(std::function<void()>)> background_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  ///< "s:"/"t:" + hash → principal
  std::atomic<std::uint64_t> counted_{0};          ///< failures counted (purges now and then)
};

}  // namespace tsunagi::server
