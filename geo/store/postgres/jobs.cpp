// geo::Store on PostgreSQL: analysis jobs and their kept answers. The SQLite part
// (geo/store/sqlite/jobs.cpp) statement for statement, with $n parameters, strpos for SQLite's
// instr and the affected-row count for sqlite3_changes. Jobs are not content: their writes commit
// without moving the generation (no new snapshot, no tile invalidated), as in SQLite.
#include <algorithm>
#include <string>

#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

namespace {

constexpr const char* kColumns =
    "job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
    "result_json, error, municipality";

// Newest stored first: job_seq is the order jobs were first stored in, as SQLite's rowid.
constexpr const char* kNewestFirst = "job_seq DESC";

AnalysisJob read_job(const pg::Result& s, int i) {
  return AnalysisJob{s.text(i, 0), s.text(i, 1), s.text(i, 2), s.text(i, 3),
                     s.text(i, 4), s.text(i, 5), s.text(i, 6), s.text(i, 7),
                     s.text(i, 8), s.text(i, 9), s.text(i, 10)};
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
  PgWriteScope tx(*this, WriteKind::accounts);
  conn_->exec(
      "INSERT INTO analysis_job (job_id, analysis, request_json, audience, owner, status, "
      "created_at, finished_at, result_json, error, municipality) VALUES ($1, $2, $3, $4, $5, $6, "
      "$7, $8, $9, $10, $11) ON CONFLICT (job_id) DO UPDATE SET status = $6, finished_at = $8, "
      "result_json = $9, error = $10",
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
          .text(j.municipality));
  tx.commit(/*changed=*/false);  // not content: no new snapshot, no tile invalidated
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
  const auto s = conn_->exec(
      std::string("SELECT job_id, analysis, request_json, audience, owner, status, created_at, "
                  "finished_at, error, municipality FROM analysis_job WHERE audience IN ($1, $2, "
                  "$3) AND ") +
          kInTowns + " ORDER BY " + kNewestFirst + " LIMIT $5::bigint OFFSET $6::bigint",
      p);
  std::vector<AnalysisJob> out;
  out.reserve(static_cast<std::size_t>(s.rows()));
  for (int i = 0; i < s.rows(); ++i) {
    out.push_back(AnalysisJob{s.text(i, 0), s.text(i, 1), s.text(i, 2), s.text(i, 3), s.text(i, 4),
                              s.text(i, 5), s.text(i, 6), s.text(i, 7), "", s.text(i, 8),
                              s.text(i, 9)});
  }
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
  PgWriteScope tx(*this, WriteKind::accounts);
  const auto r = conn_->exec(
      "UPDATE analysis_job SET status = 'failed', error = $1, finished_at = $2 "
      "WHERE status IN ('queued', 'running')",
      pg::Params().text(error).text(finished_at));
  const auto n = r.affected();
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t PgStore::trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                                std::int64_t keep_total) {
  require_writable();
  PgWriteScope tx(*this, WriteKind::accounts);
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
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t PgStore::purge_jobs(std::string_view before) {
  require_writable();
  PgWriteScope tx(*this, WriteKind::accounts);
  const auto r =
      conn_->exec("DELETE FROM analysis_job WHERE finished_at <> '' AND finished_at < $1",
                  pg::Params().text(before));
  const auto n = r.affected();
  tx.commit(/*changed=*/false);
  return n;
}

}  // namespace tsunagi::geo
