// Accounts on the PostgreSQL store: the SQLite part (geo/store/sqlite/accounts.cpp) statement for
// statement, with $n parameters, RETURNING for new ids and the affected-row count for changes.
// Where the SQLite part relies on its single writer between a read and a write (a name taken, the
// failed-login count, a token revoked twice), the statement here is atomic by itself, so two
// servers on one database behave as one.
#include "geo/store/accounts.hpp"

#include <string>
#include <utility>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "geo/store/postgres/notify.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

namespace {

/// Every accounts statement: a violated unique constraint (a name or token hash taken) is a
/// Conflict, as in the SQLite part.
constexpr pg::ExecOptions kOptions{.constraint_is_conflict = true, .error_prefix = "accounts"};

constexpr std::string_view kUserColumns =
    "u.user_id, u.name, u.role, u.password_hash, u.created_at, u.disabled, u.failed_logins, "
    "u.locked_until, u.municipalities";

User read_user(const pg::Result& r, int row, int first) {
  User u;
  u.id = r.i64(row, first);
  u.name = r.text(row, first + 1);
  // A role id written by a newer version reads as public: it then grants nothing.
  u.role = parse_role(r.text(row, first + 2)).value_or(Role::public_);
  u.password_hash = r.text(row, first + 3);
  u.created_at = r.text(row, first + 4);
  u.disabled = r.boolean(row, first + 5);
  u.failed_logins = static_cast<int>(r.i64(row, first + 6));
  u.locked_until = r.text(row, first + 7);
  u.municipalities = MunicipalScope::parse(r.text(row, first + 8));
  return u;
}

}  // namespace

/// Accounts on the PostgreSQL store.
class PgAccounts final : public Accounts {
 public:
  explicit PgAccounts(PgStore& store) : store_(&store) {}

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
  pg::Result exec(std::string_view sql, const pg::Params& params) const {
    return store_->conn().exec(sql, params, kOptions);
  }
  void end_sessions_and_tokens(std::int64_t user_id);
  /// Tells the other servers to forget the sessions and tokens they have cached (sent when the
  /// transaction commits).
  void notify_accounts() const { pg::notify(store_->conn(), pg::kAccountsChannel); }
  PgStore* store_;
};

std::unique_ptr<Accounts> make_pg_accounts(PgStore& store) {
  return std::make_unique<PgAccounts>(store);
}

User PgAccounts::add_user(std::string_view name, Role role, std::string_view password_hash) {
  validate_name(name);
  if (role == Role::public_) {
    throw InvalidArgument("'public' is the role of people without an account; choose one of " +
                          assignable_role_ids());
  }
  if (user_by_name(name)) throw Conflict("a user named '" + std::string(name) + "' exists");
  // ON CONFLICT: a name taken by another server since the check above is the same Conflict (not
  // the constraint's message), and an open transaction of the caller is not aborted by it. The
  // check stays so that a name taken does not use up an id, as in SQLite.
  const auto r = exec(
      "INSERT INTO app_user AS u (name, role, password_hash, created_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING " +
          std::string(kUserColumns),
      pg::Params().text(name).text(role_id(role)).text(password_hash).text(utc_now_iso()));
  if (r.rows() == 0) throw Conflict("a user named '" + std::string(name) + "' exists");
  return read_user(r, 0, 0);
}

std::optional<User> PgAccounts::user_by_name(std::string_view name) const {
  const auto r = exec("SELECT " + std::string(kUserColumns) + " FROM app_user u WHERE u.name = $1",
                      pg::Params().text(name));
  if (r.rows() == 0) return std::nullopt;
  return read_user(r, 0, 0);
}

std::optional<User> PgAccounts::user_by_id(std::int64_t id) const {
  const auto r =
      exec("SELECT " + std::string(kUserColumns) + " FROM app_user u WHERE u.user_id = $1",
           pg::Params().i64(id));
  if (r.rows() == 0) return std::nullopt;
  return read_user(r, 0, 0);
}

std::vector<User> PgAccounts::users() const {
  // COLLATE "C": byte order, as SQLite's BINARY (the database's collation may fold case).
  const auto r =
      exec("SELECT " + std::string(kUserColumns) + " FROM app_user u ORDER BY u.name COLLATE \"C\"",
           pg::Params());
  std::vector<User> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_user(r, i, 0));
  return out;
}

void PgAccounts::end_sessions_and_tokens(std::int64_t user_id) {
  exec("DELETE FROM session WHERE user_id = $1", pg::Params().i64(user_id));
  exec("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
       pg::Params().text(utc_now_iso()).i64(user_id));
  notify_accounts();
}

void PgAccounts::set_disabled(std::string_view name, bool disabled) {
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  exec("UPDATE app_user SET disabled = $1 WHERE name = $2",
       pg::Params().boolean(disabled).text(name));
  if (disabled) end_sessions_and_tokens(user->id);
  notify_accounts();
  tx.commit();
}

void PgAccounts::set_role(std::string_view name, Role role) {
  if (role == Role::public_) {
    throw InvalidArgument("a user's role must be one of " + assignable_role_ids());
  }
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  exec("UPDATE app_user SET role = $1 WHERE name = $2",
       pg::Params().text(role_id(role)).text(name));
  end_sessions_and_tokens(user->id);
  tx.commit();
}

void PgAccounts::set_password_hash(std::string_view name, std::string_view password_hash) {
  const auto user = user_by_name(name);
  if (!user) throw NotFound("no user named '" + std::string(name) + "'");
  Store::Transaction tx(*store_, Store::Transaction::Writes::accounts);
  exec(
      "UPDATE app_user SET password_hash = $1, failed_logins = 0, locked_until = NULL "
      "WHERE name = $2",
      pg::Params().text(password_hash).text(name));
  end_sessions_and_tokens(user->id);
  tx.commit();
}

void PgAccounts::set_municipalities(std::string_view name, const MunicipalScope& towns) {
  if (!user_by_name(name)) throw NotFound("no user named '" + std::string(name) + "'");
  exec("UPDATE app_user SET municipalities = $1 WHERE name = $2",
       pg::Params().text(towns.text()).text(name));
  notify_accounts();  // a cached principal carries its towns
}

int PgAccounts::record_failed_login(std::int64_t user_id, int lock_after,
                                    std::string_view locked_until) {
  // The SQLite part counts, then locks in a second statement (its single writer keeps them
  // together). Here one statement does both on the row it has locked (FOR UPDATE waits for another
  // server's count and reads it), so no failed login is lost and the lock is set exactly when the
  // count reaches lock_after. It returns the count before a lock starts it again, as SQLite does.
  const auto r = exec(
      "WITH counted AS (SELECT failed_logins + 1 AS n FROM app_user WHERE user_id = $1 "
      "FOR UPDATE) "
      "UPDATE app_user u SET "
      "failed_logins = CASE WHEN $2::bigint > 0 AND counted.n >= $2::bigint THEN 0 "
      "ELSE counted.n END, "
      "locked_until = CASE WHEN $2::bigint > 0 AND counted.n >= $2::bigint THEN $3::text "
      "ELSE u.locked_until END "
      "FROM counted WHERE u.user_id = $1 RETURNING counted.n",
      pg::Params().i64(user_id).i64(lock_after).text(locked_until));
  return r.rows() == 0 ? 0 : static_cast<int>(r.i64(0, 0));
}

void PgAccounts::clear_failed_logins(std::int64_t user_id) {
  exec("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE user_id = $1",
       pg::Params().i64(user_id));
}

std::int64_t PgAccounts::add_token(std::string_view user_name, std::string_view token_hash,
                                   std::string_view label) {
  const auto u = user_by_name(user_name);
  if (!u) throw NotFound("no user named '" + std::string(user_name) + "'");
  const auto r = exec(
      "INSERT INTO api_token(user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) "
      "RETURNING token_id",
      pg::Params().i64(u->id).text(token_hash).text(label).text(utc_now_iso()));
  if (r.rows() == 0) throw StoreError("accounts: the new token was not stored");
  return r.i64(0, 0);
}

void PgAccounts::revoke_token(std::string_view user_name, std::int64_t token_id) {
  const auto u = user_by_name(user_name);
  if (!u) throw NotFound("no user named '" + std::string(user_name) + "'");
  const auto already_revoked = [&](const std::string& at) {
    return Conflict("token " + std::to_string(token_id) + " of " + std::string(user_name) +
                    " was already revoked at " + at);
  };
  for (const auto& t : tokens(u->id)) {
    if (t.id != token_id) continue;
    if (!t.revoked_at.empty()) throw already_revoked(t.revoked_at);
    // Only if still unrevoked: a revocation by another server in between is the same Conflict
    // (SQLite's single writer cannot interleave one).
    const auto r = exec(
        "UPDATE api_token SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL "
        "RETURNING token_id",
        pg::Params().text(utc_now_iso()).i64(token_id));
    if (r.rows() == 0) {
      const auto now =
          exec("SELECT revoked_at FROM api_token WHERE token_id = $1", pg::Params().i64(token_id));
      throw already_revoked(now.rows() == 0 ? std::string() : now.text(0, 0));
    }
    notify_accounts();
    return;
  }
  throw NotFound(std::string(user_name) + " has no token " + std::to_string(token_id) +
                 " (see `tsunagi user tokens --name " + std::string(user_name) + "`)");
}

void PgAccounts::record_token_use(std::string_view token_hash, std::string_view at_iso) {
  exec("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
       pg::Params().text(at_iso).text(token_hash));
}

std::optional<User> PgAccounts::user_by_token_hash(std::string_view token_hash) const {
  const auto r = exec("SELECT " + std::string(kUserColumns) +
                          " FROM api_token t JOIN app_user u ON u.user_id = t.user_id "
                          "WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
                      pg::Params().text(token_hash));
  if (r.rows() == 0) return std::nullopt;
  return read_user(r, 0, 0);
}

std::vector<ApiTokenInfo> PgAccounts::tokens(std::int64_t user_id) const {
  const auto r = exec(
      "SELECT token_id, user_id, label, created_at, last_used_at, revoked_at "
      "FROM api_token WHERE user_id = $1 ORDER BY token_id",
      pg::Params().i64(user_id));
  std::vector<ApiTokenInfo> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(
        {r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
  }
  return out;
}

void PgAccounts::add_session(const SessionRecord& session) {
  exec(
      "INSERT INTO session(session_hash, user_id, csrf_token, created_at, expires_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      pg::Params()
          .text(session.session_hash)
          .i64(session.user_id)
          .text(session.csrf_token)
          .text(session.created_at)
          .text(session.expires_at));
}

std::optional<std::pair<SessionRecord, User>> PgAccounts::session(
    std::string_view session_hash) const {
  const auto r =
      exec("SELECT s.session_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, " +
               std::string(kUserColumns) +
               " FROM session s JOIN app_user u ON u.user_id = s.user_id "
               "WHERE s.session_hash = $1",
           pg::Params().text(session_hash));
  if (r.rows() == 0) return std::nullopt;
  SessionRecord rec{r.text(0, 0), r.i64(0, 1), r.text(0, 2), r.text(0, 3), r.text(0, 4)};
  return std::make_pair(std::move(rec), read_user(r, 0, 5));
}

void PgAccounts::delete_session(std::string_view session_hash) {
  exec("DELETE FROM session WHERE session_hash = $1", pg::Params().text(session_hash));
  notify_accounts();  // a logout here ends the session on every server
}

int PgAccounts::delete_expired_sessions(std::string_view now_iso) {
  // COLLATE "C": the ISO strings compare byte by byte, as in SQLite.
  const auto r =
      exec("DELETE FROM session WHERE expires_at COLLATE \"C\" < $1", pg::Params().text(now_iso));
  return static_cast<int>(r.affected());
}

}  // namespace tsunagi::geo
