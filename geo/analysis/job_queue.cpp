#include "geo/analysis/job_queue.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>

#include "geo/analysis/gap.hpp"
#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"

namespace tsunagi::geo {

struct JobQueue::Entry {
  AnalysisJob record;
  Audience audience = Audience::internal;
  std::atomic<double> progress{0};
  std::string stage;  ///< guarded by the runner's mutex
  std::atomic<bool> cancel{false};
};

namespace {

class EntryProgress : public gap::Progress {
 public:
  EntryProgress(std::atomic<double>& progress, std::atomic<bool>& cancel, std::string& stage,
                std::mutex& mu)
      : progress_(progress), cancel_(cancel), stage_(stage), mu_(mu) {}
  void report(double fraction, std::string_view stage) override {
    progress_.store(fraction);
    std::lock_guard lock(mu_);
    stage_ = std::string(stage);
  }
  [[nodiscard]] bool cancelled() const override { return cancel_.load(); }

 private:
  std::atomic<double>& progress_;
  std::atomic<bool>& cancel_;
  std::string& stage_;
  std::mutex& mu_;
};

bool may_read(Audience reader, const std::string& computed_for) {
  const auto a = parse_audience(computed_for);
  return a && answer_readable(reader, *a);
}

/// The audiences whose answers `reader` may read, as stored ids.
std::vector<std::string> readable(Audience reader) {
  std::vector<std::string> out;
  for (const auto a : kAudiences) {
    if (answer_readable(reader, a)) out.emplace_back(audience_id(a));
  }
  return out;
}

bool active(const std::string& status) {
  return status == "queued" || status == "running";
}

}  // namespace

JobQueue::JobQueue(JobHost& host, JobLimits limits) : host_(host), limits_(limits) {
  const auto& config = limits_;
  try {
    host_.write_store([&](Store& s) {
      if (const int days = config.keep_days; days > 0) {
        s.purge_jobs(iso_utc(std::chrono::system_clock::now() - std::chrono::hours(24) * days));
      }
      s.fail_unfinished_jobs("the server stopped before the analysis finished: submit it again",
                             utc_now_iso());
      s.trim_jobs("", config.keep_per_user, config.keep_total);
    });
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a read-only store keeps them
  }
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

JobQueue::~JobQueue() {
  {
    std::lock_guard lock(mu_);
    for (auto& [id, e] : active_) e->cancel = true;
  }
  thread_.request_stop();
  wake_.notify_all();
}

bool JobQueue::store(const AnalysisJob& j) {
  try {
    host_.write_store([&](Store& s) {
      s.put_job(j);
      if (!active(j.status)) s.trim_jobs(j.owner, limits_.keep_per_user, limits_.keep_total);
    });
    return true;
  } catch (const std::exception&) {
    return false;  // a read-only or full store: the caller keeps the job in memory
  }
}

std::size_t JobQueue::active_of(const std::string& owner) const {
  return static_cast<std::size_t>(
      std::count_if(active_.begin(), active_.end(), [&](const auto& kv) {
        return kv.second->record.owner == owner && active(kv.second->record.status);
      }));
}

std::string JobQueue::submit(const std::string& request_json, Audience a,
                             const std::string& owner) {
  const auto request = gap::parse_analysis_request(request_json);  // throws when bad
  auto e = std::make_shared<Entry>();
  e->record.id = new_uuid();
  e->record.analysis = request.analysis;
  e->record.request_json = request_json;
  e->record.municipality = request.municipality;
  e->record.audience = std::string(audience_id(a));
  e->record.owner = owner;
  e->record.status = "queued";
  e->record.created_at = utc_now_iso();
  e->audience = a;
  {
    std::lock_guard lock(mu_);
    if (const auto mine = active_of(owner);
        mine >= static_cast<std::size_t>(limits_.queue_per_user)) {
      throw TooManyJobs("you have " + std::to_string(mine) +
                        " analyses waiting or running (at most " +
                        std::to_string(limits_.queue_per_user) +
                        " per user, job_queue_per_user): try again when one has finished");
    }
    if (queue_.size() >= static_cast<std::size_t>(limits_.queue)) {
      throw Conflict("too many analyses are waiting (" + std::to_string(queue_.size()) +
                     ", job_queue): try again when one has finished");
    }
    active_[e->record.id] = e;
    queue_.push_back(e->record.id);
  }
  store(e->record);
  wake_.notify_all();
  return e->record.id;
}

std::optional<JobState> JobQueue::get(const std::string& id, Audience a,
                                      const MunicipalScope& towns) const {
  {
    std::lock_guard lock(mu_);
    if (const auto it = active_.find(id); it != active_.end()) {
      if (!answer_readable(a, it->second->audience) ||
          !towns.covers(it->second->record.municipality)) {
        return std::nullopt;
      }
      return JobState{it->second->record, it->second->progress.load(), it->second->stage};
    }
  }
  // Not waiting or running: ended, and stored (it was stored before it left memory).
  auto j = read([&](const Store& s) { return s.job(id); });
  if (!j || !may_read(a, j->audience) || !towns.covers(j->municipality)) return std::nullopt;
  const double progress = j->status == "done" ? 1.0 : 0.0;
  return JobState{std::move(*j), progress, ""};
}

JobQueue::Page JobQueue::list(Audience a, std::int64_t limit, std::int64_t offset,
                              const MunicipalScope& towns) const {
  const auto audiences = readable(a);
  Page page;
  auto stored = read([&](const Store& s) {
    page.matched = s.count_jobs(audiences, towns);
    return s.jobs(audiences, towns, limit, offset);
  });
  std::lock_guard lock(mu_);
  for (auto& j : stored) {
    JobState s{std::move(j), 0, ""};
    if (const auto it = active_.find(s.record.id); it != active_.end()) {
      s.record = it->second->record;  // its status and progress now
      s.progress = it->second->progress.load();
      s.stage = it->second->stage;
    } else if (s.record.status == "done") {
      s.progress = 1.0;
    }
    s.record.result_json.clear();  // lists stay small
    page.jobs.push_back(std::move(s));
  }
  return page;
}

JobQueue::CancelResult JobQueue::cancel(const std::string& id, Audience a, const std::string& who,
                                        bool admin, const MunicipalScope& towns) {
  std::optional<AnalysisJob> dequeued;  // a copy taken under the lock: the runner owns e
  bool in_memory = false;
  {
    std::lock_guard lock(mu_);
    const auto it = active_.find(id);
    in_memory = it != active_.end();
    if (in_memory) {
      auto& e = *it->second;
      if (!answer_readable(a, e.audience) || !towns.covers(e.record.municipality)) {
        return CancelResult::not_found;
      }
      if (e.record.owner != who && !admin) return CancelResult::not_owner;
      if (!active(e.record.status)) return CancelResult::ended;
      e.cancel = true;  // a running analysis stops at its next progress step
      if (e.record.status == "queued") {
        std::erase(queue_, id);
        e.record.status = "cancelled";
        e.record.finished_at = utc_now_iso();
        dequeued = e.record;
      }
    }
  }
  if (!in_memory) {  // ended and stored
    const auto j = read([&](const Store& s) { return s.job(id); });
    if (!j || !may_read(a, j->audience) || !towns.covers(j->municipality)) {
      return CancelResult::not_found;
    }
    return j->owner != who && !admin ? CancelResult::not_owner : CancelResult::ended;
  }
  if (dequeued) {
    const bool stored = store(*dequeued);
    std::lock_guard lock(mu_);
    if (stored) {
      active_.erase(id);
    } else {
      unsaved_.push_back(id);
    }
  }
  return CancelResult::cancelled;
}

void JobQueue::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    std::shared_ptr<Entry> e;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      // The waiting job of the user served longest ago (first come among equals): a user with
      // many jobs waiting takes turns with the others instead of going first with all of them.
      auto next = queue_.begin();
      std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        const auto served = last_started_.find(active_.at(*it)->record.owner);
        const std::uint64_t when = served == last_started_.end() ? 0 : served->second;
        if (when < oldest) {
          oldest = when;
          next = it;
        }
      }
      e = active_.at(*next);
      queue_.erase(next);
      e->record.status = "running";
      last_started_[e->record.owner] = ++starts_;
    }
    EntryProgress progress(e->progress, e->cancel, e->stage, mu_);
    AnalysisJob done;
    try {
      const auto request = gap::parse_analysis_request(e->record.request_json);
      const auto snapshot = host_.snapshot();
      const auto sources = read([](const Store& s) { return s.sources(); });
      std::string answer = gap::run_analysis(*snapshot, e->audience, request, sources, &progress);
      std::lock_guard lock(mu_);
      e->record.status = "done";
      e->record.result_json = std::move(answer);
      e->progress = 1.0;
    } catch (const gap::Cancelled&) {
      std::lock_guard lock(mu_);
      e->record.status = "cancelled";
    } catch (const std::exception& ex) {
      std::lock_guard lock(mu_);
      e->record.status = "failed";
      e->record.error = ex.what();
    }
    {
      std::lock_guard lock(mu_);
      e->record.finished_at = utc_now_iso();
      done = e->record;
    }
    // Stored first, then out of memory: a reader finds it in one or the other.
    const bool stored = store(done);
    std::lock_guard lock(mu_);
    if (stored) {
      active_.erase(done.id);
    } else {
      unsaved_.push_back(done.id);
    }
    while (unsaved_.size() > static_cast<std::size_t>(limits_.queue)) {
      active_.erase(unsaved_.front());
      unsaved_.pop_front();
    }
  }
}

}  // namespace tsunagi::geo
