// Analyses as background jobs: a planner submits one and gets its id at once; one runner thread
// works through the queue (the request workers keep answering everyone else meanwhile); progress
// and stage can be polled, a job can be cancelled by whoever submitted it (or an admin), and every
// job is stored with its answer (geo::Store::put_job), so answers survive a restart. A job reads
// the snapshot published when it starts, as the submitter's audience sees it.
//
// Bounded, so that one user can neither fill memory and disk nor keep others from analysing:
// only the jobs waiting or running are held in memory (ended ones are read from the store when
// asked for); at most `job_queue_per_user` of one user wait or run (more → TooManyJobs, 429) and
// `job_queue` of everyone wait (more → geo::Conflict, 503); the runner takes the next job from the
// user served longest ago; after a job ends, that user's ended jobs beyond `job_keep_per_user`
// and everyone's beyond `job_keep_total` are deleted, oldest first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "geo/catalog/visibility.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::server {

class ServerContext;

struct JobState {
  geo::AnalysisJob record;
  double progress = 0;
  std::string stage;
};

/// The submitter already has job_queue_per_user analyses waiting or running.
class TooManyJobs : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JobRunner {
 public:
  /// Deletes stored answers older than the configured `job_keep_days` and beyond the kept
  /// bounds, marks the jobs that were queued or running when the server stopped failed, and starts
  /// the runner thread. Answers stay in the store until asked for.
  explicit JobRunner(ServerContext& c);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Checks the request (throws geo::InvalidArgument) and queues it; returns the job's id.
  /// @throws TooManyJobs (the owner's share is full), geo::Conflict (the queue is full).
  std::string submit(const std::string& request_json, geo::Audience a, const std::string& owner);
  /// The job with its answer, when `a` may read it (computed for an audience no wider than `a`'s).
  [[nodiscard]] std::optional<JobState> get(const std::string& id, geo::Audience a) const;
  struct Page {
    std::vector<JobState> jobs;  ///< newest first, without answers
    std::int64_t matched = 0;    ///< all the jobs `a` may read
  };
  [[nodiscard]] Page list(geo::Audience a, std::int64_t limit, std::int64_t offset) const;
  enum class CancelResult : std::uint8_t { cancelled, not_found, not_owner, ended };
  /// Asks a queued or running job to stop. Only its owner (`who`) or an admin may: another reader
  /// gets not_owner; a job `a` may not read is not_found.
  CancelResult cancel(const std::string& id, geo::Audience a, const std::string& who, bool admin);

 private:
  struct Entry;
  void run(const std::stop_token& stop);
  /// Stores the job (and, when it has ended, trims the owner's and everyone's kept jobs); false
  /// when the store could not be written.
  bool store(const geo::AnalysisJob& j);
  [[nodiscard]] std::size_t active_of(const std::string& owner) const;  ///< under mu_
  ServerContext& c_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  /// Jobs waiting or running, and ended ones the store could not take (at most job_queue).
  std::map<std::string, std::shared_ptr<Entry>> active_;
  std::deque<std::string> unsaved_;  ///< ended and not stored, oldest first
  std::deque<std::string> queue_;
  std::map<std::string, std::uint64_t> last_started_;  ///< owner → when their last job started
  std::uint64_t starts_ = 0;
  std::jthread thread_;  ///< last
};

}  // namespace tsunagi::server
