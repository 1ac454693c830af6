#include "server/auth.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "geo/core/time.hpp"
#include "geo/store/accounts.hpp"
#include "geo/store/store.hpp"
#include "server/credentials.hpp"
#include "server/errors.hpp"

namespace tsunagi::server {

namespace {

constexpr std::size_t kMaxCacheEntries = 10000;
constexpr std::chrono::milliseconds kMaxWait = std::chrono::minutes(5);

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// The value of cookie `name` in a Cookie header ("a=1; tsunagi_session=xyz").
std::optional<std::string> cookie_value(const std::string& header, std::string_view name) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string_view part = std::string_view(header).substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    start = end + 1;
  }
  return std::nullopt;
}

Principal principal_of(const geo::User& u, Principal::Via via) {
  Principal p;
  p.role = u.role;
  p.via = via;
  p.user_id = u.id;
  p.name = u.name;
  p.scope = u.municipalities;
  return p;
}

const std::string& dummy_hash() {
  // Checked against when the user does not exist, so that the answer takes as long as for a real
  // user and does not reveal which names exist: made with the cost `tsunagi user` uses
  // (TSUNAGI_PWHASH), so that it costs what the real users' hashes cost.
  static const std::string hash = [] {
    PasswordCost cost = PasswordCost::interactive;
    try {
      cost = password_cost_from_env();
    } catch (const std::invalid_argument&) {
    }
    return hash_password("tsunagi-no-such-user-password", cost);
  }();
  return hash;
}

ApiError unauthenticated(std::string detail) {
  return ApiError(ErrorCode::unauthenticated, std::move(detail),
                  {{"WWW-Authenticate", "Bearer realm=\"tsunagi\""}});
}

}  // namespace

std::optional<Principal> Auth::from_cache(const std::string& key) {
  std::lock_guard lock(mu_);
  const auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  // Another server ended a session or changed a user since (ServerContext::accounts_epoch): look
  // again, so a logout on one server ends the session on all of them at once.
  if (it->second.accounts_epoch != context_.accounts_epoch() ||
      std::chrono::steady_clock::now() - it->second.cached_at >
          std::chrono::seconds(context_.config().auth_cache_s) ||
      (!it->second.expires_at.empty() && it->second.expires_at <= geo::utc_now_iso())) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void Auth::remember(const std::string& key, const Principal& p, std::string expires_at,
                    std::uint64_t accounts_epoch) {
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_[key] = Cached{p, std::move(expires_at), std::chrono::steady_clock::now(), accounts_epoch};
}

Principal Auth::authenticate(const HttpRequest& request) {
  if (const std::string* authz = request.header("authorization")) {
    if (!iequals_prefix(*authz, "Bearer ")) {
      throw unauthenticated(
          "only 'Authorization: Bearer <token>' is accepted; create a token with "
          "'tsunagi user token --name NAME'");
    }
    std::string_view token = std::string_view(*authz).substr(7);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    const std::string hash = sha256_hex(token);
    const std::string key = "t:" + hash;
    if (auto cached = from_cache(key)) return *cached;
    const auto epoch = context_.accounts_epoch();  // before the lookup: a change during it counts
    const auto user = context_.read_accounts(
        [&](geo::Store& s) { return s.accounts().user_by_token_hash(hash); });
    if (!user || user->disabled) {
      throw unauthenticated(
          "the API token is not valid (mistyped, revoked, or its user is disabled)");
    }
    Principal p = principal_of(*user, Principal::Via::token);
    remember(key, p, {}, epoch);
    // Stamp the token's last use off the reactor thread; at most once per token per cache period.
    // Best effort: the request is already authenticated, and a busy queue only skips a stamp.
    if (background_) {
      background_([this, hash, at = geo::utc_now_iso()] {
        try {
          context_.write([&](geo::Store& s) { s.accounts().record_token_use(hash, at); });
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort, see above
        }
      });
    }
    return p;
  }
  if (const std::string* cookies = request.header("cookie")) {
    const auto token = cookie_value(*cookies, kSessionCookie);
    if (!token || token->empty()) return {};
    const std::string hash = sha256_hex(*token);
    const std::string key = "s:" + hash;
    if (auto cached = from_cache(key)) return *cached;
    const auto epoch = context_.accounts_epoch();
    const auto found =
        context_.read_accounts([&](geo::Store& s) { return s.accounts().session(hash); });
    if (!found) return {};
    const auto& [session, user] = *found;
    if (user.disabled || session.expires_at <= geo::utc_now_iso()) return {};
    Principal p = principal_of(user, Principal::Via::session);
    p.session_hash = hash;
    p.csrf_token = session.csrf_token;
    remember(key, p, session.expires_at, epoch);
    return p;
  }
  return {};
}

std::chrono::milliseconds Auth::wait_after(int failures, int free_attempts) const {
  const auto& c = context_.config();
  if (failures < free_attempts || c.login_delay_ms == 0) return std::chrono::milliseconds(0);
  const int doublings = std::min(failures - free_attempts, 20);
  const auto wait =
      std::chrono::milliseconds(static_cast<std::int64_t>(c.login_delay_ms) << doublings);
  return std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxWait));
}

std::string Auth::stored_key(const std::string& key) {
  return sha256_hex(key);  // the store holds no address and no name
}

int Auth::count_failure(const std::string& key) {
  const auto now = std::chrono::system_clock::now();
  const auto forget = now - std::chrono::minutes(context_.config().login_lock_minutes);
  return static_cast<int>(context_.write([&](geo::Store& s) {
    // Now and then, counts nobody added to for login_lock_minutes go (a login does it too).
    if (++counted_ % 256 == 0) s.purge_throttle(geo::iso_utc_ms(forget));
    return s.count_throttle_failure(stored_key(key), geo::iso_utc_ms(now), geo::iso_utc_ms(forget))
        .failures;
  }));
}

std::optional<geo::ThrottleCount> Auth::counted(const std::string& key) {
  auto t = context_.read([&](const geo::Store& s) { return s.throttle(stored_key(key)); });
  if (!t) return std::nullopt;
  // A count nobody added to for login_lock_minutes is forgotten (unless it holds a lock).
  const auto last = geo::parse_iso_utc_ms(t->last_failure);
  const auto now = std::chrono::system_clock::now();
  const bool locked = !t->locked_until.empty() && t->locked_until > geo::iso_utc_ms(now);
  if (!locked &&
      (!last || now - *last > std::chrono::minutes(context_.config().login_lock_minutes))) {
    return std::nullopt;
  }
  return t;
}

std::chrono::milliseconds Auth::time_left(const std::string& key, int free_attempts) {
  const auto t = counted(key);
  if (!t) return std::chrono::milliseconds(0);
  const auto last = geo::parse_iso_utc_ms(t->last_failure);
  if (!last) return std::chrono::milliseconds(0);
  const auto ready = *last + wait_after(static_cast<int>(t->failures), free_attempts);
  const auto now = std::chrono::system_clock::now();
  if (now >= ready) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(ready - now);
}

namespace {

ApiError throttled(std::string_view what, std::chrono::milliseconds left) {
  const auto secs = std::max<std::int64_t>(1, (left.count() + 999) / 1000);  // rounded up
  return ApiError(ErrorCode::login_throttled,
                  "too many failed logins " + std::string(what) + "; try again in " +
                      std::to_string(secs) + " s",
                  {{"Retry-After", std::to_string(secs)}});
}

}  // namespace

LoginResult Auth::login(std::string_view name_in, std::string_view password,
                        std::string_view client_in) {
  const auto& config = context_.config();
  const std::string name(name_in.substr(0, 64));
  const std::string client(client_in.substr(0, 64));
  const std::string pair_key = "p:" + client + '\x1f' + name;
  const std::string client_key = "c:" + client;
  const std::string name_key = "n:" + name;
  const int client_free = config.login_free_attempts * 5;
  // The counts are the store's, so every server behind one address throttles alike.
  if (const auto left = time_left(client_key, client_free); left.count() > 0) {
    throw throttled("from your address", left);
  }
  if (const auto left = time_left(pair_key, config.login_free_attempts); left.count() > 0) {
    throw throttled("for this name from your address", left);
  }
  // This address has failed for this name (and not succeeded since).
  const bool failed_before = counted(pair_key).has_value();
  const auto user =
      context_.read_accounts([&](geo::Store& s) { return s.accounts().user_by_name(name); });
  const auto now = std::chrono::system_clock::now();
  // A locked name refuses only the addresses that failed for it. Unknown names are locked the
  // same way (in the throttle counts), so the answer does not tell whether a name exists.
  std::chrono::milliseconds locked_left(0);
  if (user && !user->locked_until.empty() && user->locked_until > geo::iso_utc(now)) {
    const auto until = geo::parse_iso_utc(user->locked_until);
    locked_left = std::chrono::seconds(
        until ? std::max<std::int64_t>(1, static_cast<std::int64_t>(*until - std::time(nullptr)))
              : std::int64_t{60});
  } else if (!user) {
    if (const auto t = counted(name_key)) {
      if (const auto until = geo::parse_iso_utc_ms(t->locked_until); until && *until > now) {
        locked_left = std::chrono::ceil<std::chrono::milliseconds>(*until - now);
      }
    }
  }
  if (failed_before && locked_left.count() > 0) {
    throw throttled("for this name from your address", locked_left);
  }
  const bool usable = user && !user->disabled;
  const bool ok = verify_password(usable ? user->password_hash : dummy_hash(), password) && usable;
  if (!ok) {
    count_failure(pair_key);
    count_failure(client_key);
    if (user) {
      const std::string locked_until =
          geo::iso_utc(now + std::chrono::minutes(config.login_lock_minutes));
      context_.write([&](geo::Store& s) {
        return s.accounts().record_failed_login(user->id, config.login_lock_after, locked_until);
      });
    } else if (count_failure(name_key) >= config.login_lock_after) {
      const std::string until =
          geo::iso_utc_ms(now + std::chrono::minutes(config.login_lock_minutes));
      context_.write([&](geo::Store& s) { s.lock_throttle(stored_key(name_key), until); });
    }
    throw ApiError(ErrorCode::login_failed, "the name or the password is wrong");
  }
  LoginResult result;
  result.principal = principal_of(*user, Principal::Via::session);
  result.session_token = random_token("", 32);
  result.principal.session_hash = sha256_hex(result.session_token);
  result.principal.csrf_token = random_token("", 24);
  result.max_age_s = config.session_hours * 3600;
  result.expires_at = geo::iso_utc(now + std::chrono::hours(config.session_hours));
  const std::string now_iso = geo::iso_utc(now);
  context_.write([&](geo::Store& s) {
    geo::Store::Transaction tx(s, geo::Store::Transaction::Writes::accounts);
    geo::Accounts& accounts = s.accounts();
    accounts.clear_failed_logins(user->id);
    accounts.delete_expired_sessions(now_iso);
    s.clear_throttle(stored_key(pair_key));
    s.purge_throttle(geo::iso_utc_ms(now - std::chrono::minutes(config.login_lock_minutes)));
    accounts.add_session({result.principal.session_hash, user->id, result.principal.csrf_token,
                          now_iso, result.expires_at});
    tx.commit();
  });
  return result;
}

void Auth::check_tries(std::string_view scope, std::string_view client, int free_attempts) {
  const std::string key = "x:" + std::string(scope) + '\x1f' + std::string(client.substr(0, 64));
  if (const auto left = time_left(key, free_attempts); left.count() > 0) {
    const auto secs = std::max<std::int64_t>(1, (left.count() + 999) / 1000);  // rounded up
    throw ApiError(ErrorCode::too_many_tries,
                   "too many tries from your address; try again in " + std::to_string(secs) + " s",
                   {{"Retry-After", std::to_string(secs)}});
  }
}

void Auth::count_try(std::string_view scope, std::string_view client) {
  count_failure("x:" + std::string(scope) + '\x1f' + std::string(client.substr(0, 64)));
}

void Auth::logout(const Principal& principal) {
  if (principal.via != Principal::Via::session) return;
  context_.write([&](geo::Store& s) { s.accounts().delete_session(principal.session_hash); });
  std::lock_guard lock(mu_);
  cache_.erase("s:" + principal.session_hash);
}

std::string Auth::session_cookie(std::string_view token, int max_age_s) const {
  std::string c = std::string(kSessionCookie) + "=" + std::string(token) +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (context_.config().cookie_secure) c += "; Secure";
  return c;
}

}  // namespace tsunagi::server
