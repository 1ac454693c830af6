// The rules of shared jobs and login counts (job_rules.hpp), whatever backend keeps them.
#include "geo/store/job_rules.hpp"

#include <algorithm>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo::job_rules {

void check_worker(std::string_view call, std::string_view worker) {
  if (worker.empty()) {
    throw InvalidArgument(std::string(call) + ": the worker (a server's instance id) is empty");
  }
}

void check_time(std::string_view call, std::string_view what, std::string_view iso) {
  if (iso.empty()) {
    throw InvalidArgument(std::string(call) + ": " + std::string(what) +
                          " is empty (ISO 8601 UTC expected)");
  }
}

double checked_progress(std::string_view call, double progress) {
  // A heartbeat refused for 1 + 1e-16 would stop, and the job be taken for dead.
  constexpr double kRounding = 1e-9;
  // NaN fails both comparisons (SQLite would store it as NULL).
  if (!(progress >= -kRounding && progress <= 1.0 + kRounding)) {
    throw InvalidArgument(std::string(call) + ": progress must be from 0 to 1 (got " +
                          std::to_string(progress) + ")");
  }
  return std::clamp(progress, 0.0, 1.0);
}

void check_end(const AnalysisJob& j) {
  if (j.id.empty()) throw InvalidArgument("finish_job: the job has no id");
  if (j.status != "done" && j.status != "failed" && j.status != "cancelled") {
    throw InvalidArgument("finish_job: a job ends done, failed or cancelled, not '" + j.status +
                          "'");
  }
  check_time("finish_job", "finished_at", j.finished_at);
}

void check_throttle_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxThrottleKey) {
    throw InvalidArgument("a throttle key must have 1 to " + std::to_string(kMaxThrottleKey) +
                          " characters (got " + std::to_string(key.size()) + ")");
  }
}

}  // namespace tsunagi::geo::job_rules
