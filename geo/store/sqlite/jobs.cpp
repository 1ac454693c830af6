// geo::Store on SQLite: analysis jobs and their kept answers.
#include "geo/store/job_rules.hpp"
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

// ---- analysis jobs ----

namespace {

// Every column of a job, in the order read_job reads them.
constexpr const char* kColumns =
    "job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
    "result_json, error, municipality, started_at, claimed_by, heartbeat_at, progress, stage, "
    "cancel_requested";
// The same for a list, without the answers.
constexpr const char* kListColumns =
    "job_id, analysis, request_json, audience, owner, status, created_at, finished_at, '', "
    "error, municipality, started_at, claimed_by, heartbeat_at, progress, stage, "
    "cancel_requested";

AnalysisJob read_job(const Stmt& s) {
  AnalysisJob j;
  j.id = s.text(0);
  j.analysis = s.text(1);
  j.request_json = s.text(2);
  j.audience = s.text(3);
  j.owner = s.text(4);
  j.status = s.text(5);
  j.created_at = s.text(6);
  j.finished_at = s.text(7);
  j.result_json = s.text(8);
  j.error = s.text(9);
  j.municipality = s.text(10);
  j.started_at = s.text(11);
  j.claimed_by = s.text(12);
  j.heartbeat_at = s.text(13);
  j.progress = s.real(14);
  j.stage = s.text(15);
  j.cancel_requested = s.int64(16) != 0;
  return j;
}

}  // namespace

void SqliteStore::put_job(const AnalysisJob& j) {
  impl_->require_writable();
  const double progress = job_rules::checked_progress("put_job", j.progress);
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      std::string("INSERT INTO analysis_job (") + kColumns +
      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
      "ON CONFLICT(job_id) DO UPDATE SET status = ?6, finished_at = ?8, result_json = ?9, "
      "error = ?10, started_at = ?12, claimed_by = ?13, heartbeat_at = ?14, progress = ?15, "
      "stage = ?16, cancel_requested = ?17");
  s.bind(1, j.id);
  s.bind(2, j.analysis);
  s.bind(3, j.request_json);
  s.bind(4, j.audience);
  s.bind(5, j.owner);
  s.bind(6, j.status);
  s.bind(7, j.created_at);
  s.bind(8, j.finished_at);
  s.bind(9, j.result_json);
  s.bind(10, j.error);
  s.bind(11, j.municipality);
  s.bind(12, j.started_at);
  s.bind(13, j.claimed_by);
  s.bind(14, j.heartbeat_at);
  s.bind(15, progress);
  s.bind(16, j.stage);
  s.bind(17, std::int64_t{j.cancel_requested ? 1 : 0});
  s.run();
  tx.commit(/*changed=*/false);  // not content: no new snapshot, no tile invalidated
}

std::vector<AnalysisJob> SqliteStore::jobs() const {
  std::vector<AnalysisJob> out;
  auto& s = impl_->stmt(std::string("SELECT ") + kColumns +
                        " FROM analysis_job ORDER BY created_at, job_id");
  while (s.step()) out.push_back(read_job(s));
  return out;
}

std::optional<AnalysisJob> SqliteStore::job(std::string_view id) const {
  auto& s = impl_->stmt(std::string("SELECT ") + kColumns + " FROM analysis_job WHERE job_id = ?1");
  s.bind(1, id);
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  return read_job(s);
}

namespace {

// Binds up to three audience ids to ?1..?3 (repeating the last: IN (a, b, b) is IN (a, b)).
void bind_audiences(Stmt& s, const std::vector<std::string>& audiences) {
  if (audiences.empty()) throw InvalidArgument("jobs: at least one audience");
  for (int i = 0; i < 3; ++i) {
    s.bind(i + 1,
           audiences[std::min<std::size_t>(static_cast<std::size_t>(i), audiences.size() - 1)]);
  }
}

// The towns of a scoped reader as ?4: ',023612,023671,' (a job's town is one of them when
// ',' || municipality || ',' is in it; a job of every town, '', never is); '' for every town.
void bind_towns(Stmt& s, const MunicipalScope& towns) {
  s.bind(4, towns.all() ? std::string() : "," + towns.text() + ",");
}

constexpr const char* kInTowns =
    "(?4 = '' OR (municipality <> '' AND instr(?4, ',' || municipality || ',') > 0))";

}  // namespace

std::vector<AnalysisJob> SqliteStore::jobs(const std::vector<std::string>& audiences,
                                           const MunicipalScope& towns, std::int64_t limit,
                                           std::int64_t offset) const {
  std::vector<AnalysisJob> out;
  auto& s = impl_->stmt(std::string("SELECT ") + kListColumns +
                        " FROM analysis_job WHERE audience IN (?1, ?2, ?3) AND " + kInTowns +
                        " ORDER BY rowid DESC LIMIT ?5 OFFSET ?6");
  bind_audiences(s, audiences);
  bind_towns(s, towns);
  s.bind(5, limit);
  s.bind(6, offset);
  while (s.step()) out.push_back(read_job(s));
  return out;
}

std::int64_t SqliteStore::count_jobs(const std::vector<std::string>& audiences,
                                     const MunicipalScope& towns) const {
  auto& s = impl_->stmt(
      std::string("SELECT count(*) FROM analysis_job WHERE audience IN (?1, ?2, ?3) AND ") +
      kInTowns);
  bind_audiences(s, audiences);
  bind_towns(s, towns);
  std::int64_t n = 0;
  while (s.step()) n = s.int64(0);
  return n;
}

std::int64_t SqliteStore::fail_unfinished_jobs(std::string_view error,
                                               std::string_view finished_at) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET status = 'failed', error = ?1, finished_at = ?2 "
      "WHERE status IN ('queued', 'running')");
  s.bind(1, error);
  s.bind(2, finished_at);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t SqliteStore::trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                                    std::int64_t keep_total) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  std::int64_t n = 0;
  {
    auto& s = impl_->stmt(
        "DELETE FROM analysis_job WHERE rowid IN (SELECT rowid FROM analysis_job WHERE owner = ?1 "
        "AND status NOT IN ('queued', 'running') ORDER BY rowid DESC LIMIT -1 OFFSET ?2)");
    s.bind(1, owner);
    s.bind(2, keep_per_owner);
    s.run();
    n += static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  }
  {
    auto& s = impl_->stmt(
        "DELETE FROM analysis_job WHERE rowid IN (SELECT rowid FROM analysis_job WHERE status NOT "
        "IN ('queued', 'running') ORDER BY rowid DESC LIMIT -1 OFFSET ?1)");
    s.bind(1, keep_total);
    s.run();
    n += static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  }
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t SqliteStore::purge_jobs(std::string_view before) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  // By status too: an active job is never deleted, whatever finished_at a caller left in it.
  auto& s = impl_->stmt(
      "DELETE FROM analysis_job WHERE finished_at <> '' AND finished_at < ?1 AND status NOT IN "
      "('queued', 'running')");
  s.bind(1, before);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

// ---- jobs shared by several servers ----
// Each call is one write transaction (BEGIN IMMEDIATE: one writer at a time on the file, so a
// claim is atomic across the processes that open it), never a content change.

std::optional<AnalysisJob> SqliteStore::claim_job(std::string_view worker, std::string_view now_iso,
                                                  std::string_view stale_before) {
  job_rules::check_worker("claim_job", worker);
  job_rules::check_time("claim_job", "now_iso", now_iso);
  impl_->require_writable();
  WriteScope tx(*impl_);
  // Queued jobs first, their owner's last start oldest first ('' = never served sorts first),
  // then first come; else the job whose runner went silent longest ago.
  auto& s = impl_->stmt(
      std::string(
          "UPDATE analysis_job SET status = 'running', claimed_by = ?1, started_at = ?2, "
          "heartbeat_at = ?2, progress = 0, stage = '' WHERE rowid = (SELECT pick FROM ("
          "SELECT q.rowid AS pick, 0 AS tier, coalesce((SELECT max(o.started_at) FROM "
          "analysis_job o WHERE o.owner = q.owner AND o.started_at <> ''), '') AS since, "
          "q.created_at AS came, q.rowid AS seq FROM analysis_job q WHERE q.status = "
          "'queued' UNION ALL SELECT r.rowid, 1, r.heartbeat_at, r.created_at, r.rowid FROM "
          "analysis_job r WHERE r.status = 'running' AND r.heartbeat_at < ?3) "
          "ORDER BY tier, since, came, seq LIMIT 1) RETURNING ") +
      kColumns);
  s.bind(1, worker);
  s.bind(2, now_iso);
  s.bind(3, stale_before);
  std::optional<AnalysisJob> out;
  if (s.step()) out = read_job(s);
  s.run();  // to its end: a pending statement would hold COMMIT back
  tx.commit(/*changed=*/false);
  return out;
}

JobBeat SqliteStore::beat_job(std::string_view id, std::string_view worker, double progress,
                              std::string_view stage, std::string_view now_iso) {
  job_rules::check_worker("beat_job", worker);
  job_rules::check_time("beat_job", "now_iso", now_iso);
  const double fraction = job_rules::checked_progress("beat_job", progress);
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET progress = ?3, stage = ?4, heartbeat_at = ?5 WHERE job_id = ?1 "
      "AND claimed_by = ?2 AND status = 'running' RETURNING cancel_requested");
  s.bind(1, id);
  s.bind(2, worker);
  s.bind(3, fraction);
  s.bind(4, stage);
  s.bind(5, now_iso);
  JobBeat out;
  if (s.step()) out = JobBeat{true, s.int64(0) != 0};
  s.run();
  tx.commit(/*changed=*/false);
  return out;
}

bool SqliteStore::finish_job(const AnalysisJob& j, std::string_view worker) {
  job_rules::check_worker("finish_job", worker);
  job_rules::check_end(j);
  const double progress = job_rules::checked_progress("finish_job", j.progress);
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET status = ?3, finished_at = ?4, result_json = ?5, error = ?6, "
      "progress = ?7, stage = ?8 WHERE job_id = ?1 AND claimed_by = ?2 AND status = 'running'");
  s.bind(1, j.id);
  s.bind(2, worker);
  s.bind(3, j.status);
  s.bind(4, j.finished_at);
  s.bind(5, j.result_json);
  s.bind(6, j.error);
  s.bind(7, progress);
  s.bind(8, j.stage);
  s.run();
  const bool held = sqlite3_changes(impl_->db) > 0;
  tx.commit(/*changed=*/false);
  return held;
}

bool SqliteStore::release_job(std::string_view id, std::string_view worker) {
  job_rules::check_worker("release_job", worker);
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET status = 'queued', claimed_by = '', heartbeat_at = '', "
      "progress = 0, stage = '' WHERE job_id = ?1 AND claimed_by = ?2 AND status = 'running'");
  s.bind(1, id);
  s.bind(2, worker);
  s.run();
  const bool held = sqlite3_changes(impl_->db) > 0;
  tx.commit(/*changed=*/false);
  return held;
}

std::optional<std::string> SqliteStore::cancel_job(std::string_view id, std::string_view now_iso) {
  job_rules::check_time("cancel_job", "now_iso", now_iso);
  impl_->require_writable();
  WriteScope tx(*impl_);
  // One statement, so a job claimed meanwhile is asked to stop rather than ended under its
  // runner. SET reads the row as it was: each CASE sees the old status.
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status "
      "END, finished_at = CASE WHEN status = 'queued' THEN ?2 ELSE finished_at END, "
      "cancel_requested = CASE WHEN status = 'running' THEN 1 ELSE cancel_requested END "
      "WHERE job_id = ?1 RETURNING status");
  s.bind(1, id);
  s.bind(2, now_iso);
  std::optional<std::string> out;
  if (s.step()) out = s.text(0);
  s.run();
  tx.commit(/*changed=*/false);
  return out;
}

std::int64_t SqliteStore::count_active_jobs(std::string_view owner, bool queued_only) const {
  auto& s = impl_->stmt(
      "SELECT count(*) FROM analysis_job WHERE (?1 = '' OR owner = ?1) AND (status = 'queued' OR "
      "(?2 = 0 AND status = 'running'))");
  s.bind(1, owner);
  s.bind(2, std::int64_t{queued_only ? 1 : 0});
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

}  // namespace tsunagi::geo
