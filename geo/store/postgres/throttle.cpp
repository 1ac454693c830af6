// geo::Store on PostgreSQL: failed logins counted per key (login_throttle), shared by every server
// on the database. The SQLite part (geo/store/sqlite/throttle.cpp) statement for statement; each
// write is one row upsert or delete under row locks only (PgRowScope: never the store's advisory
// write lock, which an import may hold for minutes while people log in). None is content.
#include <string>

#include "geo/store/job_rules.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

namespace {

ThrottleCount read_count(const pg::Result& r) {
  return ThrottleCount{r.i64(0, 0), r.text(0, 1), r.text(0, 2)};
}

}  // namespace

std::optional<ThrottleCount> PgStore::throttle(std::string_view key) const {
  job_rules::check_throttle_key(key);
  const auto r =
      conn_->exec("SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = $1",
                  pg::Params().text(key));
  if (r.rows() == 0) return std::nullopt;
  return read_count(r);
}

ThrottleCount PgStore::count_throttle_failure(std::string_view key, std::string_view now_iso,
                                              std::string_view forget_before) {
  job_rules::check_throttle_key(key);
  job_rules::check_time("count_throttle_failure", "now_iso", now_iso);
  PgRowScope tx(*this);
  // One upsert: two servers counting a failure at once count two. The last failure only moves
  // forward (the servers' clocks may differ a little).
  const auto r = conn_->exec(
      "INSERT INTO login_throttle (key, failures, last_failure) VALUES ($1, 1, $2::text) "
      "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN login_throttle.last_failure < "
      "$3::text THEN 1 ELSE login_throttle.failures + 1 END, "
      "last_failure = GREATEST(login_throttle.last_failure, $2::text) "
      "RETURNING failures, last_failure, locked_until",
      pg::Params().text(key).text(now_iso).text(forget_before));
  auto out = read_count(r);
  tx.commit();
  return out;
}

void PgStore::lock_throttle(std::string_view key, std::string_view locked_until) {
  job_rules::check_throttle_key(key);
  job_rules::check_time("lock_throttle", "locked_until", locked_until);
  PgRowScope tx(*this);
  conn_->exec(
      "INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES ($1, 0, '', "
      "$2) ON CONFLICT (key) DO UPDATE SET locked_until = $2",
      pg::Params().text(key).text(locked_until));
  tx.commit();
}

void PgStore::clear_throttle(std::string_view key) {
  job_rules::check_throttle_key(key);
  PgRowScope tx(*this);
  conn_->exec("DELETE FROM login_throttle WHERE key = $1", pg::Params().text(key));
  tx.commit();
}

std::int64_t PgStore::purge_throttle(std::string_view before) {
  PgRowScope tx(*this);
  // '' (never locked) sorts before every time.
  const auto n = conn_
                     ->exec(
                         "DELETE FROM login_throttle WHERE last_failure < $1 AND "
                         "locked_until < $1",
                         pg::Params().text(before))
                     .affected();
  tx.commit();
  return n;
}

}  // namespace tsunagi::geo
