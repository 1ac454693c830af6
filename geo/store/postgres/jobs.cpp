// geo::Store on PostgreSQL: analysis jobs and their kept answers. The SQLite part
// (geo/store/sqlite/jobs.cpp) statement for statement, with $n parameters, strpos for SQLite's
// instr and the affected-row count for sqlite3_changes. Jobs are not content: their writes commit
// without moving the generation (no new snapshot, no tile invalidated), as in SQLite. Every write
// of jobs takes row locks only, never the store's advisory write lock (PgRowScope): an import
// holding that lock for minutes stops neither a submission nor a runner's heartbeat, or another
// server would take the job for dead.
#include <algorithm>
#include <string>

#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/store/job_rules.hpp"
#include "geo/store/postgres/notify.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

namespace {

// Every column of a job, in the order read_job reads them.
constexpr const char* kColumns =
    "job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
    "result_json, error, municipality, started_at, claimed_by, heartbeat_at, progress, stage, "
    "cancel_requested";
// The same for a list, without the answers.
constexpr const char* kListColumns =
    "job_id, analysis, request_json, audience, owner, status, created_at, finished_at, ''::text, "
    "error, municipality, started_at, claimed_by, heartbeat_at, progress, stage, "
    "cancel_requested";

// Newest stored first: job_seq is the order jobs were first stored in, as SQLite's rowid.
constexpr const char* kNewestFirst = "job_seq DESC";

AnalysisJob read_job(const pg::Result& s, int i) {
  AnalysisJob j;
  j.id = s.text(i, 0);
  j.analysis = s.text(i, 1);
  j.request_json = s.text(i, 2);
  j.audience = s.text(i, 3);
  j.owner = s.text(i, 4);
  j.status = s.text(i, 5);
  j.created_at = s.text(i, 6);
  j.finished_at = s.text(i, 7);
  j.result_json = s.text(i, 8);
  j.error = s.text(i, 9);
  j.municipality = s.text(i, 10);
  j.started_at = s.text(i, 11);
  j.claimed_by = s.text(i, 12);
  j.heartbeat_at = s.text(i, 13);
  j.progress = s.real(i, 14);
  j.stage = s.text(i, 15);
  j.cancel_requested = s.boolean(i, 16);
  return j;
}

// Adds up to three audience ids as $1..$3 (repeating the last: IN (a, b, b) is IN (a, b)).
void add_audiences(pg::Params& p, const std::vector<std::string>& audiences) {
  if (audiences.empty()) throw InvalidArgument("jobs: at least one audience");
  for (std::size_t i = 0; i < 3; ++i) p.text(audiences[std::min(i, audiences.size() - 1)]);
}

// The towns of a scoped reader as $4: ',023612,023671,' (a job's town is one of them when
// ',' || municipality || ',' is in it; a job of every town, '', never is); '' for every town.
void add_towns(pg::Params& p, const MunicipalScope& towns) {
  p.text(towns.all() ? std::string() : "," + towns.text() + ",");
}

constexpr const char* kInTowns =
    "($4::text = '' OR (municipality <> '' AND strpos($4::text, ',' || municipality || ',') > 0))";

// SQLite reads a negative LIMIT as no limit and a negative OFFSET as 0; PostgreSQL refuses both,
// so they are given as it takes them (LIMIT NULL is no limit).
void add_limit(pg::Params& p, std::int64_t limit) {
  if (limit < 0) {
    p.null();
  } else {
    p.i64(limit);
  }
}
void add_offset(pg::Params& p, std::int64_t offset) {
  p.i64(std::max<std::int64_t>(offset, 0));
}

}  // namespace

// ---- analysis jobs ----

void PgStore::put_job(const AnalysisJob& j) {
  require_writable();
  const double progress = job_rules::checked_progress("put_job", j.progress);
  PgRowScope tx(*this);
  conn_->exec(std::string("INSERT INTO analysis_job (") + kColumns +
                  ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                  "$16, $17) ON CONFLICT (job_id) DO UPDATE SET status = $6, finished_at = $8, "
                  "result_json = $9, error = $10, started_at = $12, claimed_by = $13, "
                  "heartbeat_at = $14, progress = $15, stage = $16, cancel_requested = $17",
              pg::Params()
                  .text(j.id)
                  .text(j.analysis)
                  .text(j.request_json)
                  .text(j.audience)
                  .text(j.owner)
                  .text(j.status)
                  .text(j.created_at)
                  .text(j.finished_at)
                  .text(j.result_json)
                  .text(j.error)
                  .text(j.municipality)
                  .text(j.started_at)
                  .text(j.claimed_by)
                  .text(j.heartbeat_at)
                  .real(progress)
                  .text(j.stage)
                  .boolean(j.cancel_requested));
  if (j.status == "queued") pg::notify(*conn_, pg::kJobsChannel);  // a runner anywhere takes it
  tx.commit();  // not content: no new snapshot, no tile invalidated
}

std::vector<AnalysisJob> PgStore::jobs() const {
  const auto s = conn_->exec("SELECT " + std::string(kColumns) +
                             " FROM analysis_job ORDER BY created_at, job_id");
  std::vector<AnalysisJob> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) out.push_back(read_job(s, i));
  return out;
}

std::optional<AnalysisJob> PgStore::job(std::string_view id) const {
  const auto s =
      conn_->exec("SELECT " + std::string(kColumns) + " FROM analysis_job WHERE job_id = $1",
                  pg::Params().text(id));
  if (s.rows() == 0) return std::nullopt;
  return read_job(s, 0);
}

std::vector<AnalysisJob> PgStore::jobs(const std::vector<std::string>& audiences,
                                       const MunicipalScope& towns, std::int64_t limit,
                                       std::int64_t offset) const {
  pg::Params p;
  add_audiences(p, audiences);
  add_towns(p, towns);
  add_limit(p, limit);
  add_offset(p, offset);
  const auto s =
      conn_->exec(std::string("SELECT ") + kListColumns +
                      " FROM analysis_job WHERE audience IN ($1, $2, $3) AND " + kInTowns +
                      " ORDER BY " + kNewestFirst + " LIMIT $5::bigint OFFSET $6::bigint",
                  p);
  std::vector<AnalysisJob> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) out.push_back(read_job(s, i));
  return out;
}

std::int64_t PgStore::count_jobs(const std::vector<std::string>& audiences,
                                 const MunicipalScope& towns) const {
  pg::Params p;
  add_audiences(p, audiences);
  add_towns(p, towns);
  const auto s = conn_->exec(
      std::string("SELECT count(*) FROM analysis_job WHERE audience IN ($1, $2, $3) AND ") +
          kInTowns,
      p);
  return s.rows() > 0 ? s.i64(0, 0) : 0;
}

std::int64_t PgStore::fail_unfinished_jobs(std::string_view error, std::string_view finished_at) {
  require_writable();
  PgRowScope tx(*this);
  const auto r = conn_->exec(
      "UPDATE analysis_job SET status = 'failed', error = $1, finished_at = $2 "
      "WHERE status IN ('queued', 'running')",
      pg::Params().text(error).text(finished_at));
  const auto n = r.affected();
  tx.commit();
  return n;
}

std::int64_t PgStore::trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                                std::int64_t keep_total) {
  require_writable();
  PgRowScope tx(*this);
  std::int64_t n = 0;
  {
    pg::Params p;
    p.text(owner);
    add_offset(p, keep_per_owner);
    n += conn_
             ->exec(std::string("DELETE FROM analysis_job WHERE job_id IN (SELECT job_id FROM "
                                "analysis_job WHERE owner = $1 AND status NOT IN ('queued', "
                                "'running') ORDER BY ") +
                        kNewestFirst + " OFFSET $2::bigint)",
                    p)
             .affected();
  }
  {
    pg::Params p;
    add_offset(p, keep_total);
    n +=
        conn_
            ->exec(std::string("DELETE FROM analysis_job WHERE job_id IN (SELECT job_id FROM "
                               "analysis_job WHERE status NOT IN ('queued', 'running') ORDER BY ") +
                       kNewestFirst + " OFFSET $1::bigint)",
                   p)
            .affected();
  }
  tx.commit();
  return n;
}

std::int64_t PgStore::purge_jobs(std::string_view before) {
  require_writable();
  PgRowScope tx(*this);
  // By status too: an active job is never deleted, whatever finished_at a caller left in it.
  const auto r = conn_->exec(
      "DELETE FROM analysis_job WHERE finished_at <> '' AND finished_at < $1 AND status NOT IN "
      "('queued', 'running')",
      pg::Params().text(before));
  const auto n = r.affected();
  tx.commit();
  return n;
}

// ---- jobs shared by several servers ----

PgRowScope::PgRowScope(PgStore& store) : conn_(store.conn()), own_(!conn_.in_transaction()) {
  store.require_writable();
  conn_.exec(own_ ? "BEGIN" : "SAVEPOINT row_scope");
}

PgRowScope::~PgRowScope() {
  if (committed_) return;
  try {
    if (!conn_.ok()) return;  // a lost connection rolled back already
    if (own_) {
      conn_.exec_script("ROLLBACK");
    } else {
      conn_.exec_script("ROLLBACK TO row_scope; RELEASE row_scope");
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): the caller's transaction fails anyway
  }
}

void PgRowScope::commit() {
  conn_.exec(own_ ? "COMMIT" : "RELEASE row_scope");
  committed_ = true;
}

std::optional<AnalysisJob> PgStore::claim_job(std::string_view worker, std::string_view now_iso,
                                              std::string_view stale_before) {
  job_rules::check_worker("claim_job", worker);
  job_rules::check_time("claim_job", "now_iso", now_iso);
  PgRowScope tx(*this);
  // Queued jobs first, their owner's last start oldest first ('' = never served sorts first),
  // then first come; else the job whose runner went silent longest ago. SKIP LOCKED: a job
  // another server is claiming right now is passed over, not waited for; a row it claimed since
  // this statement began is checked again once locked, and left when no longer claimable.
  const auto r = conn_->exec(
      std::string(
          "WITH pick AS (SELECT j.job_id AS picked FROM analysis_job j WHERE j.status = 'queued' "
          "OR (j.status = 'running' AND j.heartbeat_at < $3::text) ORDER BY j.status <> "
          "'queued', CASE WHEN j.status = 'queued' THEN coalesce((SELECT max(o.started_at) FROM "
          "analysis_job o WHERE o.owner = j.owner AND o.started_at <> ''), '') ELSE "
          "j.heartbeat_at END, j.created_at, j.job_seq LIMIT 1 FOR UPDATE OF j SKIP LOCKED) "
          "UPDATE analysis_job SET status = 'running', claimed_by = $1, started_at = $2, "
          "heartbeat_at = $2, progress = 0, stage = '' FROM pick WHERE job_id = pick.picked "
          "RETURNING ") +
          kColumns,
      pg::Params().text(worker).text(now_iso).text(stale_before));
  std::optional<AnalysisJob> out;
  if (r.rows() > 0) out = read_job(r, 0);
  tx.commit();
  return out;
}

JobBeat PgStore::beat_job(std::string_view id, std::string_view worker, double progress,
                          std::string_view stage, std::string_view now_iso) {
  job_rules::check_worker("beat_job", worker);
  job_rules::check_time("beat_job", "now_iso", now_iso);
  const double fraction = job_rules::checked_progress("beat_job", progress);
  PgRowScope tx(*this);
  const auto r = conn_->exec(
      "UPDATE analysis_job SET progress = $3, stage = $4, heartbeat_at = $5 WHERE job_id = $1 "
      "AND claimed_by = $2 AND status = 'running' RETURNING cancel_requested",
      pg::Params().text(id).text(worker).real(fraction).text(stage).text(now_iso));
  JobBeat out;
  if (r.rows() > 0) out = JobBeat{true, r.boolean(0, 0)};
  tx.commit();
  return out;
}

bool PgStore::finish_job(const AnalysisJob& j, std::string_view worker) {
  job_rules::check_worker("finish_job", worker);
  job_rules::check_end(j);
  const double progress = job_rules::checked_progress("finish_job", j.progress);
  PgRowScope tx(*this);
  const auto r = conn_->exec(
      "UPDATE analysis_job SET status = $3, finished_at = $4, result_json = $5, error = $6, "
      "progress = $7, stage = $8 WHERE job_id = $1 AND claimed_by = $2 AND status = 'running'",
      pg::Params()
          .text(j.id)
          .text(worker)
          .text(j.status)
          .text(j.finished_at)
          .text(j.result_json)
          .text(j.error)
          .real(progress)
          .text(j.stage));
  const bool held = r.affected() > 0;
  tx.commit();
  return held;
}

bool PgStore::release_job(std::string_view id, std::string_view worker) {
  job_rules::check_worker("release_job", worker);
  PgRowScope tx(*this);
  const auto r = conn_->exec(
      "UPDATE analysis_job SET status = 'queued', claimed_by = '', heartbeat_at = '', "
      "progress = 0, stage = '' WHERE job_id = $1 AND claimed_by = $2 AND status = 'running'",
      pg::Params().text(id).text(worker));
  const bool held = r.affected() > 0;
  if (held) pg::notify(*conn_, pg::kJobsChannel);  // another server's runner may take it now
  tx.commit();
  return held;
}

std::optional<std::string> PgStore::cancel_job(std::string_view id, std::string_view now_iso) {
  job_rules::check_time("cancel_job", "now_iso", now_iso);
  PgRowScope tx(*this);
  // One statement, so a job claimed meanwhile is asked to stop rather than ended under its
  // runner (the row lock orders it after the claim). SET reads the row as it was.
  const auto r = conn_->exec(
      "UPDATE analysis_job SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status "
      "END, finished_at = CASE WHEN status = 'queued' THEN $2 ELSE finished_at END, "
      "cancel_requested = CASE WHEN status = 'running' THEN true ELSE cancel_requested END "
      "WHERE job_id = $1 RETURNING status",
      pg::Params().text(id).text(now_iso));
  std::optional<std::string> out;
  if (r.rows() > 0) out = r.text(0, 0);
  if (out == "running") pg::notify(*conn_, pg::kJobsChannel);  // its runner's server stops it now
  tx.commit();
  return out;
}

std::int64_t PgStore::count_active_jobs(std::string_view owner, bool queued_only) const {
  const auto r = conn_->exec(
      "SELECT count(*) FROM analysis_job WHERE ($1::text = '' OR owner = $1::text) AND (status = "
      "'queued' OR (NOT $2::boolean AND status = 'running'))",
      pg::Params().text(owner).boolean(queued_only));
  return r.rows() > 0 ? r.i64(0, 0) : 0;
}

}  // namespace tsunagi::geo
