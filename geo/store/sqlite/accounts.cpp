#include "geo/store/accounts.hpp"

#include <sqlite3.h>

#include <array>
#include <utility>

#include "geo/core/error.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "geo/store/sqlite/statement.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

/// A statement of one accounts operation; a violated constraint (a name taken) is a Conflict.
class Statement : public SqliteStatement {
 public:
  Statement(sqlite3* db, std::string_view sql)
      : SqliteStatement(db, sql, {.error_prefix = "accounts", .constraint_is_conflict = true}) {}
};

constexpr std::string_view kUserColumns =
    "u.user_id, u.name, u.role, u.password_hash, u.created_at, u.disabled, u.failed_logins, "
    "u.locked_until, u.municipalities";

User read_user(const Statement& s, int first) {
  User u;
  u.id = s.int64(first);
  u.name = s.text(first + 1);
  // A role id written by a newer version reads as public: it then grants nothing.
  u.role = parse_role(s.text(first + 2)).value_or(Role::public_);
  u.password_hash = s.text(first + 3);
  u.created_at = s.text(first + 4);
  u.disabled = s.int64(first + 5) != 0;
  u.failed_logins = static_cast<int>(s.int64(first + 6));
  u.locked_until = s.text(first + 7);
  u.municipalities = MunicipalScope::parse(s.text(first + 8));
  return u;
}

}  // namespace

/// Accounts on the SQLite store.
class SqliteAccounts final : public Accounts {
 public:
  explicit SqliteAccounts(SqliteStore& store) : store_(&store) {}

  User add_user(std::string_view name, Role role, std::string_view password_hash) override;
  std::optional<User> user_by_name(std::string_view name) const override;
  std::optional<User> user_by_id(std::int64_t id) const override;
  std::vector<User> users() const override;
  void set_disabled(std::string_view name, bool disabled) override;
  void set_role(std::string_view name, Role role) override;
  void set_password_hash(std::string_view name, std::string_view password_hash) override;
  void set_municipalities(std::string_view name, const MunicipalScope& towns) override;
  int record_failed_login(std::int64_t user_id, int lock_after,
                          std::string_view locked_until) override;
  void clear_failed_logins(std::int64_t user_id) override;
  std::int64_t add_token(std::string_view user_name, std::string_view token_hash,
                         std::string_view label) override;
  std::optional<User> user_by_token_hash(std::string_view token_hash) const override;
  std::vector<ApiTokenInfo> tokens(std::int64_t user_id) const override;
  void revoke_token(std::string_view user_name, std::int64_t token_id) override;
  void record_token_use(std::string_view token_hash, std::string_view at_iso) override;
  void add_session(const SessionRecord& session) override;
  std::optional<std::pair<SessionRecord, User>> session(
      std::string_view session_hash) const override;
  void delete_session(std::string_view session_hash) override;
  int delete_expired_sessions(std::string_view now_iso) override;

 private:
  void end_sessions_and_tokens(std::int64_t user_id);
  SqliteStore* store_;
};

std::unique_ptr<Accounts> make_sqlite_accounts(SqliteStore& store) {
  return std::make_unique<SqliteAccounts>(store);
}

User SqliteAccounts::add_user(std::string_view name, Role role, std::string_view password_hash) {
  validate_name(name);
  if (role == Role::public_) {
    throw InvalidArgument("'public' is the role of people without an account; choose one of " +
                          assignable_role_ids());
  }
  if (user_by_name(name)) throw Conflict("a user named '" + std::string(name) + "' exists");
  Statement s(store_->raw_handle(),
              "INSERT INTO app_user(name, role, password_hash, created_at) VALUES (?,?,?,?)");
  s.bind(1, name).bind(2, role_id(role)).bind(3, password_hash).bind(4, utc_now_iso());
  s.step();
  auto u = user_by_name(name);
  if (!u) throw StoreError("accounts: the new user was not stored");
  return *u;
}

std::optional<User> SqliteAccounts::user_by_name(std::string_view name) const {
  Statement s(store_->raw_handle(),
              "SELECT " + std::string(kUserColumns) + " FROM app_user u WHERE u.name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  return read_user(s, 0);
}

std::optional<User> SqliteAccounts::user_by_id(std::int64_t id) const {
  Statement s(store_->raw_handle(),
              "SELECT " + std::string(kUserColumns) + " FROM app_user u WHERE u.user_id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_user(s, 0);
}

std::vector<User> SqliteAccounts::users() const {
  Statement s(store_->raw_handle(),
              "SELECT " + std::string(kUserColumns) + " FROM app_user u ORDER BY u.name");
  std::vector<User> out;
  while (s.step()) out.push_back(read_user(s, 0));
  return out;
}

void SqliteAccounts::end_sessions_and_tokens(std::int64_t user_id) {
  Statement sessions(store_->raw_handle(), "DELETE FROM session WHERE user_id = ?");
  sessions.bind(1, user_id);
  sessions.step();
  Statement tokens(store_->raw_handle(),
                   "UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
  tokens.bind(1, utc_now_iso()).bind(2, user_id);
  tokens.step();
}

void SqliteAccounts::set_disabled(std::string_view name, bool disabled) {
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  Statement s(store_->raw_handle(), "UPDATE app_user SET disabled = ? WHERE name = ?");
  s.bind(1, std::int64_t{disabled ? 1 : 0}).bind(2, name);
  s.step();
  if (disabled) end_sessions_and_tokens(user->id);
  tx.commit();
}

void SqliteAccounts::set_role(std::string_view name, Role role) {
  if (role == Role::public_) {
    throw InvalidArgument("a user's role must be one of " + assignable_role_ids());
  }
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  Statement s(store_->raw_handle(), "UPDATE app_user SET role = ? WHERE name = ?");
  s.bind(1, role_id(role)).bind(2, name);
  s.step();
  end_sessions_and_tokens(user->id);
  tx.commit();
}

void SqliteAccounts::set_password_hash(std::string_view name, std::string_view password_hash) {
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  Statement s(store_->raw_handle(),
              "UPDATE app_user SET password_hash = ?, failed_logins = 0, locked_until = NULL "
              "WHERE name = ?");
  s.bind(1, password_hash).bind(2, name);
  s.step();
  end_sessions_and_tokens(user->id);
  tx.commit();
}

void SqliteAccounts::set_municipalities(std::string_view name, const MunicipalScope& towns) {
  if (!user_by_name(name)) throw NotFound("no user named '" + std::string(name) + "'");
  Statement s(store_->raw_handle(), "UPDATE app_user SET municipalities = ? WHERE name = ?");
  s.bind(1, towns.text()).bind(2, name);
  s.step();
}

int SqliteAccounts::record_failed_login(std::int64_t user_id, int lock_after,
                                        std::string_view locked_until) {
  Statement s(store_->raw_handle(),
              "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE user_id = ? "
              "RETURNING failed_logins");
  s.bind(1, user_id);
  int count = s.step() ? static_cast<int>(s.int64(0)) : 0;
  while (s.step()) {
  }
  if (lock_after > 0 && count >= lock_after) {
    Statement lock(store_->raw_handle(),
                   "UPDATE app_user SET failed_logins = 0, locked_until = ? WHERE user_id = ?");
    lock.bind(1, locked_until).bind(2, user_id);
    lock.step();
  }
  return count;
}

void SqliteAccounts::clear_failed_logins(std::int64_t user_id) {
  Statement s(store_->raw_handle(),
              "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE user_id = ?");
  s.bind(1, user_id);
  s.step();
}

std::int64_t SqliteAccounts::add_token(std::string_view user_name, std::string_view token_hash,
                                       std::string_view label) {
  const auto u = user_by_name(user_name);
  if (!u) throw NotFound("no user named '" + std::string(user_name) + "'");
  Statement s(store_->raw_handle(),
              "INSERT INTO api_token(user_id, token_hash, label, created_at) VALUES (?,?,?,?)");
  s.bind(1, u->id).bind(2, token_hash).bind(3, label).bind(4, utc_now_iso());
  s.step();
  return sqlite3_last_insert_rowid(store_->raw_handle());
}

void SqliteAccounts::revoke_token(std::string_view user_name, std::int64_t token_id) {
  const auto u = user_by_name(user_name);
  if (!u) throw NotFound("no user named '" + std::string(user_name) + "'");
  for (const auto& t : tokens(u->id)) {
    if (t.id != token_id) continue;
    if (!t.revoked_at.empty()) {
      throw Conflict("token " + std::to_string(token_id) + " of " + std::string(user_name) +
                     " was already revoked at " + t.revoked_at);
    }
    Statement s(store_->raw_handle(), "UPDATE api_token SET revoked_at = ? WHERE token_id = ?");
    s.bind(1, utc_now_iso()).bind(2, token_id);
    s.step();
    return;
  }
  throw NotFound(std::string(user_name) + " has no token " + std::to_string(token_id) +
                 " (see `tsunagi user tokens --name " + std::string(user_name) + "`)");
}

void SqliteAccounts::record_token_use(std::string_view token_hash, std::string_view at_iso) {
  Statement s(store_->raw_handle(),
              "UPDATE api_token SET last_used_at = ? WHERE token_hash = ? AND revoked_at IS NULL");
  s.bind(1, at_iso).bind(2, token_hash);
  s.step();
}

std::optional<User> SqliteAccounts::user_by_token_hash(std::string_view token_hash) const {
  Statement s(store_->raw_handle(),
              "SELECT " + std::string(kUserColumns) +
                  " FROM api_token t JOIN app_user u ON u.user_id = t.user_id "
                  "WHERE t.token_hash = ? AND t.revoked_at IS NULL");
  s.bind(1, token_hash);
  if (!s.step()) return std::nullopt;
  return read_user(s, 0);
}

std::vector<ApiTokenInfo> SqliteAccounts::tokens(std::int64_t user_id) const {
  Statement s(store_->raw_handle(),
              "SELECT token_id, user_id, label, created_at, last_used_at, revoked_at "
              "FROM api_token WHERE user_id = ? ORDER BY token_id");
  s.bind(1, user_id);
  std::vector<ApiTokenInfo> out;
  while (s.step()) {
    out.push_back({s.int64(0), s.int64(1), s.text(2), s.text(3), s.text(4), s.text(5)});
  }
  return out;
}

void SqliteAccounts::add_session(const SessionRecord& session) {
  Statement s(store_->raw_handle(),
              "INSERT INTO session(session_hash, user_id, csrf_token, created_at, expires_at) "
              "VALUES (?,?,?,?,?)");
  s.bind(1, session.session_hash)
      .bind(2, session.user_id)
      .bind(3, session.csrf_token)
      .bind(4, session.created_at)
      .bind(5, session.expires_at);
  s.step();
}

std::optional<std::pair<SessionRecord, User>> SqliteAccounts::session(
    std::string_view session_hash) const {
  Statement s(store_->raw_handle(),
              "SELECT s.session_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, " +
                  std::string(kUserColumns) +
                  " FROM session s JOIN app_user u ON u.user_id = s.user_id "
                  "WHERE s.session_hash = ?");
  s.bind(1, session_hash);
  if (!s.step()) return std::nullopt;
  SessionRecord rec{s.text(0), s.int64(1), s.text(2), s.text(3), s.text(4)};
  return std::make_pair(std::move(rec), read_user(s, 5));
}

void SqliteAccounts::delete_session(std::string_view session_hash) {
  Statement s(store_->raw_handle(), "DELETE FROM session WHERE session_hash = ?");
  s.bind(1, session_hash);
  s.step();
}

int SqliteAccounts::delete_expired_sessions(std::string_view now_iso) {
  Statement s(store_->raw_handle(), "DELETE FROM session WHERE expires_at < ?");
  s.bind(1, now_iso);
  s.step();
  return sqlite3_changes(store_->raw_handle());
}

}  // namespace tsunagi::geo
