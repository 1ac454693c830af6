// geo::Store on SQLite: failed logins counted per key (login_throttle), shared by every process
// that opens the file. Each write is one transaction; none is a content change.
#include "geo/store/job_rules.hpp"
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

std::optional<ThrottleCount> SqliteStore::throttle(std::string_view key) const {
  job_rules::check_throttle_key(key);
  auto& s =
      impl_->stmt("SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?1");
  s.bind(1, key);
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  return ThrottleCount{s.int64(0), s.text(1), s.text(2)};
}

ThrottleCount SqliteStore::count_throttle_failure(std::string_view key, std::string_view now_iso,
                                                  std::string_view forget_before) {
  job_rules::check_throttle_key(key);
  job_rules::check_time("count_throttle_failure", "now_iso", now_iso);
  impl_->require_writable();
  WriteScope tx(*impl_);
  // One upsert: two servers counting a failure at once count two. The last failure only moves
  // forward (the servers' clocks may differ a little).
  auto& s = impl_->stmt(
      "INSERT INTO login_throttle (key, failures, last_failure) VALUES (?1, 1, ?2) "
      "ON CONFLICT(key) DO UPDATE SET failures = CASE WHEN login_throttle.last_failure < ?3 "
      "THEN 1 ELSE login_throttle.failures + 1 END, "
      "last_failure = max(login_throttle.last_failure, ?2) "
      "RETURNING failures, last_failure, locked_until");
  s.bind(1, key);
  s.bind(2, now_iso);
  s.bind(3, forget_before);
  ThrottleCount out;
  if (s.step()) out = ThrottleCount{s.int64(0), s.text(1), s.text(2)};
  s.run();  // to its end: a pending statement would hold COMMIT back
  tx.commit(/*changed=*/false);
  return out;
}

void SqliteStore::lock_throttle(std::string_view key, std::string_view locked_until) {
  job_rules::check_throttle_key(key);
  job_rules::check_time("lock_throttle", "locked_until", locked_until);
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?1, 0, '', "
      "?2) ON CONFLICT(key) DO UPDATE SET locked_until = ?2");
  s.bind(1, key);
  s.bind(2, locked_until);
  s.run();
  tx.commit(/*changed=*/false);
}

void SqliteStore::clear_throttle(std::string_view key) {
  job_rules::check_throttle_key(key);
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt("DELETE FROM login_throttle WHERE key = ?1");
  s.bind(1, key);
  s.run();
  tx.commit(/*changed=*/false);
}

std::int64_t SqliteStore::purge_throttle(std::string_view before) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  // '' (never locked) sorts before every time.
  auto& s = impl_->stmt("DELETE FROM login_throttle WHERE last_failure < ?1 AND locked_until < ?1");
  s.bind(1, before);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

}  // namespace tsunagi::geo
