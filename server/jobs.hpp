// Analyses as background jobs: a planner submits one and gets its id at once; one runner thread
// works through the queue (the request workers keep answering everyone else meanwhile); progress
// and stage can be polled, a job can be cancelled, and every finished job is stored with its
// answer (geo::Store::put_job), so answers survive a restart. A job reads the snapshot published
// when it starts, as the submitter's audience sees it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "geo/store.hpp"
#include "geo/visibility.hpp"

namespace tsunagi::server {

class ServerContext;

struct JobState {
  geo::AnalysisJob record;
  double progress = 0;
  std::string stage;
};

class JobRunner {
 public:
  /// Deletes stored answers older than the configured `job_keep_days`, loads the others (a job
  /// that was queued or running when the server stopped is marked failed) and starts the runner
  /// thread.
  explicit JobRunner(ServerContext& c);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Checks the request (throws geo::InvalidArgument) and queues it; returns the job's id.
  std::string submit(const std::string& request_json, geo::Audience a, const std::string& owner);
  /// The job, when `a` may read it (computed for an audience no wider than `a`'s).
  [[nodiscard]] std::optional<JobState> get(const std::string& id, geo::Audience a) const;
  [[nodiscard]] std::vector<JobState> list(geo::Audience a) const;
  /// Asks a queued or running job to stop; false when there is no such job for `a` or it ended.
  bool cancel(const std::string& id, geo::Audience a);
  /// How many jobs may wait at once (more → 503).
  static constexpr std::size_t kMaxQueued = 16;

 private:
  struct Entry;
  void run(const std::stop_token& stop);
  void store(const geo::AnalysisJob& j);
  ServerContext& c_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  std::map<std::string, std::shared_ptr<Entry>> jobs_;
  std::deque<std::string> queue_;
  std::jthread thread_;  ///< last
};

}  // namespace tsunagi::server
