// Analyses as background jobs: a planner submits one and gets its id at once; a runner thread
// works through the queue (whoever submitted keeps answering everyone else meanwhile); progress
// and stage can be polled, a job can be cancelled by whoever submitted it (or an admin), and every
// job is stored with its answer (geo::Store::put_job), so answers survive a restart. A job reads
// the snapshot published when it starts, as the submitter's audience sees it.
//
// The queue is the store's: a submitted job is stored `queued`, and the runner of whichever server
// claims it first (geo::Store::claim_job; PostgreSQL's FOR UPDATE SKIP LOCKED) runs it, once. The
// runner's heartbeat stamps the job every few seconds with its progress (so that every server
// answers with it) and learns of a cancel asked through another server; a job whose heartbeat
// stopped (its server died or was killed) is claimed again by another runner — or by this one
// after a restart — and run from the start.
//
// Bounded, so that one user can neither fill memory and disk nor keep others from analysing: at
// most `queue_per_user` of one user wait or run (more → TooManyJobs) and `queue` of everyone wait
// (more → Conflict), counted in the store over every server; the next job claimed is of the user
// served longest ago; after a job ends, that user's ended jobs beyond `keep_per_user` and
// everyone's beyond `keep_total` are deleted, oldest first. Who may read an answer is the
// visibility rule's (geo::answer_readable). The queue knows no transport: it reads and writes
// through a JobHost (the server's serialised writer and published snapshot).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

/// The bounds of the queue (the server's config keys job_queue, job_queue_per_user,
/// job_keep_per_user, job_keep_total, job_keep_days).
struct JobLimits {
  int queue = 16;
  int queue_per_user = 4;
  int keep_per_user = 50;
  int keep_total = 1000;
  int keep_days = 180;  ///< 0: kept until trimmed
  /// How often a running job's heartbeat is stamped, and after how long without one another
  /// runner takes the job over.
  std::chrono::milliseconds heartbeat{3000};
  std::chrono::milliseconds stale_after{30000};
  /// How often an idle runner looks for work it was not told of (a job queued through another
  /// server whose notification was lost, a job whose runner died).
  std::chrono::milliseconds look_every{5000};
};

/// What the queue reads and writes through.
class JobHost {
 public:
  virtual ~JobHost() = default;
  /// Runs f on the store, serialised with every other writer. @throws what f or the store throws.
  virtual void write_store(const std::function<void(Store&)>& f) = 0;
  /// Runs f on a store connection that reads without waiting for writers.
  virtual void read_store(const std::function<void(const Store&)>& f) = 0;
  /// The published state an analysis reads when it starts.
  [[nodiscard]] virtual std::shared_ptr<const Snapshot> snapshot() const = 0;
};

struct JobState {
  AnalysisJob record;
  double progress = 0;
  std::string stage;
};

/// The submitter already has job_queue_per_user analyses waiting or running.
class TooManyJobs : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JobQueue {
 public:
  /// Deletes stored answers older than the configured `job_keep_days` and beyond the kept
  /// bounds, and starts the runner thread (which also takes up the jobs left queued or running
  /// when a server stopped). Answers stay in the store until asked for. `worker` names this
  /// runner in the store (default: host, process and a random part).
  JobQueue(JobHost& host, JobLimits limits, std::string worker = {});
  /// Stops the runner; a job it is running goes back to the queue (geo::Store::release_job).
  ~JobQueue();
  /// Checks the request (throws InvalidArgument) and queues it; returns the job's id. The job
  /// belongs to the town its request names (`municipality`), or to every town.
  /// @throws TooManyJobs (the owner's share is full), Conflict (the queue is full).
  std::string submit(const std::string& request_json, Audience a, const std::string& owner);
  /// The job with its answer, when `a` may read it (computed for an audience no wider than `a`'s)
  /// and it is about a town of `towns` (a job of every town only for a reader of every town).
  [[nodiscard]] std::optional<JobState> get(const std::string& id, Audience a,
                                            const MunicipalScope& towns = {}) const;
  struct Page {
    std::vector<JobState> jobs;  ///< newest first, without answers
    std::int64_t matched = 0;    ///< all the jobs `a` may read
  };
  [[nodiscard]] Page list(Audience a, std::int64_t limit, std::int64_t offset,
                          const MunicipalScope& towns = {}) const;
  enum class CancelResult : std::uint8_t { cancelled, not_found, not_owner, ended };
  /// Asks a queued or running job to stop. Only its owner (`who`) or an admin may: another reader
  /// gets not_owner; a job `a` (or `towns`) may not read is not_found.
  CancelResult cancel(const std::string& id, Audience a, const std::string& who, bool admin,
                      const MunicipalScope& towns = {});
  /// Looks for work now (a job was queued or asked to stop through another server).
  void wake();
  /// This runner's name in the store (AnalysisJob::claimed_by of the jobs it runs).
  [[nodiscard]] const std::string& worker() const { return worker_; }

 private:
  struct Entry;
  void run(const std::stop_token& stop);
  /// Stamps the running job's heartbeat and progress every `heartbeat`, and stops it when a
  /// cancel was asked or another runner took it over.
  void beat(const std::stop_token& stop);
  /// Runs the claimed job `e` and stores its end.
  void execute(Entry& e);
  /// f's answer, read through the host.
  template <typename F>
  auto read(F&& f) const -> std::invoke_result_t<F, const Store&> {
    std::invoke_result_t<F, const Store&> out;
    host_.read_store([&](const Store& s) { out = std::forward<F>(f)(s); });
    return out;
  }
  /// f's answer, written through the host.
  template <typename F>
  auto write(F&& f) -> std::invoke_result_t<F, Store&> {
    std::invoke_result_t<F, Store&> out;
    host_.write_store([&](Store& s) { out = std::forward<F>(f)(s); });
    return out;
  }
  JobHost& host_;
  JobLimits limits_;
  std::string worker_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  bool look_now_ = false;           ///< under mu_: wake() was called
  std::shared_ptr<Entry> running_;  ///< under mu_: the job this runner runs, if any
  std::jthread heart_;              ///< before thread_: stopped after it
  std::jthread thread_;             ///< last
};

}  // namespace tsunagi::geo
