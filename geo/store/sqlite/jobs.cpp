// geo::Store on SQLite: analysis jobs and their kept answers.
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

// ---- analysis jobs ----

void SqliteStore::put_job(const AnalysisJob& j) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO analysis_job (job_id, analysis, request_json, audience, owner, status, "
      "created_at, finished_at, result_json, error, municipality) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
      "?7, ?8, ?9, ?10, ?11) ON CONFLICT(job_id) DO UPDATE SET status = ?6, finished_at = ?8, "
      "result_json = ?9, error = ?10");
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
  s.run();
  tx.commit(/*changed=*/false);  // not content: no new snapshot, no tile invalidated
}

std::vector<AnalysisJob> SqliteStore::jobs() const {
  std::vector<AnalysisJob> out;
  auto& s = impl_->stmt(
      "SELECT job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
      "result_json, error, municipality FROM analysis_job ORDER BY created_at, job_id");
  while (s.step()) {
    out.push_back(AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                              s.text(6), s.text(7), s.text(8), s.text(9), s.text(10)});
  }
  return out;
}

std::optional<AnalysisJob> SqliteStore::job(std::string_view id) const {
  auto& s = impl_->stmt(
      "SELECT job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
      "result_json, error, municipality FROM analysis_job WHERE job_id = ?1");
  s.bind(1, id);
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  return AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                     s.text(6), s.text(7), s.text(8), s.text(9), s.text(10)};
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
  auto& s = impl_->stmt(
      std::string("SELECT job_id, analysis, request_json, audience, owner, status, created_at, "
                  "finished_at, error, municipality FROM analysis_job WHERE audience IN (?1, ?2, "
                  "?3) AND ") +
      kInTowns + " ORDER BY rowid DESC LIMIT ?5 OFFSET ?6");
  bind_audiences(s, audiences);
  bind_towns(s, towns);
  s.bind(5, limit);
  s.bind(6, offset);
  while (s.step()) {
    out.push_back(AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                              s.text(6), s.text(7), "", s.text(8), s.text(9)});
  }
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
  auto& s = impl_->stmt("DELETE FROM analysis_job WHERE finished_at <> '' AND finished_at < ?1");
  s.bind(1, before);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

}  // namespace tsunagi::geo
