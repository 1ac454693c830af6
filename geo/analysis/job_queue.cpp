#include "geo/analysis/job_queue.hpp"

#include <unistd.h>

#include <array>
#include <chrono>

#include "geo/analysis/gap.hpp"
#include "geo/core/error.hpp"
#include "geo/core/ids.hpp"
#include "geo/core/time.hpp"

namespace tsunagi::geo {

struct JobQueue::Entry {
  AnalysisJob record;
  Audience audience = Audience::internal;
  std::atomic<double> progress{0};
  std::string stage;  ///< guarded by the runner's mutex
  std::atomic<bool> cancel{false};
  std::atomic<bool> released{false};  ///< the server stops: the job goes back to the queue
  std::atomic<bool> lost{false};      ///< another runner took it over: its end is not ours
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

/// This runner's name in the store: the host and process, and a random part (a restarted process
/// may get the same pid).
std::string default_worker() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + ":" + std::to_string(getpid()) + ":" + new_uuid().substr(0, 8);
}

}  // namespace

JobQueue::JobQueue(JobHost& host, JobLimits limits, std::string worker)
    : host_(host), limits_(limits), worker_(worker.empty() ? default_worker() : std::move(worker)) {
  const auto& config = limits_;
  try {
    host_.write_store([&](Store& s) {
      if (const int days = config.keep_days; days > 0) {
        s.purge_jobs(iso_utc(std::chrono::system_clock::now() - std::chrono::hours(24) * days));
      }
      s.trim_jobs("", config.keep_per_user, config.keep_total);
    });
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a read-only store keeps them
  }
  heart_ = std::jthread([this](const std::stop_token& stop) { beat(stop); });
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

JobQueue::~JobQueue() {
  {
    std::lock_guard lock(mu_);
    if (running_) {
      running_->released = true;
      running_->cancel = true;  // the analysis stops at its next progress step
    }
  }
  thread_.request_stop();
  heart_.request_stop();
  wake_.notify_all();
  thread_ = {};  // the runner first: it stores the released job while the heartbeat is still there
}

void JobQueue::wake() {
  {
    std::lock_guard lock(mu_);
    look_now_ = true;
  }
  wake_.notify_all();
}

std::string JobQueue::submit(const std::string& request_json, Audience a,
                             const std::string& owner) {
  const auto request = gap::parse_analysis_request(request_json);  // throws when bad
  AnalysisJob j;
  j.id = new_uuid();
  j.analysis = request.analysis;
  j.request_json = request_json;
  j.municipality = request.municipality;
  j.audience = std::string(audience_id(a));
  j.owner = owner;
  j.status = "queued";
  j.created_at = utc_now_iso();
  // Counted and queued in one write: this server's writes are serialised; servers sharing a
  // PostgreSQL store may each let one more in at the same instant.
  host_.write_store([&](Store& s) {
    if (const auto mine = s.count_active_jobs(owner, /*queued_only=*/false);
        mine >= limits_.queue_per_user) {
      throw TooManyJobs("you have " + std::to_string(mine) +
                        " analyses waiting or running (at most " +
                        std::to_string(limits_.queue_per_user) +
                        " per user, job_queue_per_user): try again when one has finished");
    }
    if (const auto waiting = s.count_active_jobs("", /*queued_only=*/true);
        waiting >= limits_.queue) {
      throw Conflict("too many analyses are waiting (" + std::to_string(waiting) +
                     ", job_queue): try again when one has finished");
    }
    s.put_job(j);
  });
  wake();
  return j.id;
}

std::optional<JobState> JobQueue::get(const std::string& id, Audience a,
                                      const MunicipalScope& towns) const {
  {
    std::lock_guard lock(mu_);
    if (running_ && running_->record.id == id) {
      const auto& e = *running_;
      if (!answer_readable(a, e.audience) || !towns.covers(e.record.municipality)) {
        return std::nullopt;
      }
      return JobState{e.record, e.progress.load(), e.stage};
    }
  }
  // Queued, running on another server (with the progress its heartbeat stamped), or ended.
  auto j = read([&](const Store& s) { return s.job(id); });
  if (!j || !may_read(a, j->audience) || !towns.covers(j->municipality)) return std::nullopt;
  const double progress = j->status == "done" ? 1.0 : j->progress;
  std::string stage = j->stage;
  return JobState{std::move(*j), progress, std::move(stage)};
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
    if (running_ && running_->record.id == s.record.id) {
      s.record = running_->record;  // its progress now
      s.progress = running_->progress.load();
      s.stage = running_->stage;
    } else {
      s.progress = s.record.status == "done" ? 1.0 : s.record.progress;
      s.stage = s.record.stage;
    }
    s.record.result_json.clear();  // lists stay small
    page.jobs.push_back(std::move(s));
  }
  return page;
}

JobQueue::CancelResult JobQueue::cancel(const std::string& id, Audience a, const std::string& who,
                                        bool admin, const MunicipalScope& towns) {
  const auto j = read([&](const Store& s) { return s.job(id); });
  if (!j || !may_read(a, j->audience) || !towns.covers(j->municipality)) {
    return CancelResult::not_found;
  }
  if (j->owner != who && !admin) return CancelResult::not_owner;
  if (!active(j->status)) return CancelResult::ended;
  {
    std::lock_guard lock(mu_);
    if (running_ && running_->record.id == id) running_->cancel = true;  // at its next step
  }
  // A queued job ends here; a running one on another server stops at its next heartbeat.
  const auto after = write([&](Store& s) { return s.cancel_job(id, utc_now_iso()); });
  if (!after) return CancelResult::not_found;  // deleted meanwhile
  return *after == "cancelled" || *after == "running" ? CancelResult::cancelled
                                                      : CancelResult::ended;
}

void JobQueue::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    std::optional<AnalysisJob> claimed;
    try {
      // A read first: an idle server does not take the write lock every few seconds.
      if (read([](const Store& s) { return s.count_active_jobs("", false); }) > 0) {
        const auto now = std::chrono::system_clock::now();
        const auto stale =
            now - std::chrono::duration_cast<std::chrono::seconds>(limits_.stale_after);
        claimed =
            write([&](Store& s) { return s.claim_job(worker_, iso_utc(now), iso_utc(stale)); });
      }
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): looked at again below
    }
    if (!claimed) {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, stop, limits_.look_every, [&] { return look_now_; });
      look_now_ = false;
      continue;
    }
    auto e = std::make_shared<Entry>();
    e->record = std::move(*claimed);
    // An unknown audience fails in execute(); until then it is read as the narrowest.
    e->audience = parse_audience(e->record.audience).value_or(Audience::public_);
    {
      std::lock_guard lock(mu_);
      running_ = e;
      if (stop.stop_requested()) {  // claimed while the server stops: straight back
        e->released = true;
        e->cancel = true;
      }
    }
    execute(*e);
    std::lock_guard lock(mu_);
    running_.reset();
  }
}

void JobQueue::execute(Entry& e) {
  EntryProgress progress(e.progress, e.cancel, e.stage, mu_);
  std::string status;
  std::string answer;
  std::string error;
  try {
    const auto audience = parse_audience(e.record.audience);
    if (!audience) throw InvalidArgument("the job names no known audience: " + e.record.audience);
    const auto request = gap::parse_analysis_request(e.record.request_json);
    if (e.cancel) {
      status = "cancelled";
    } else {
      const auto snapshot = host_.snapshot();
      const auto sources = read([](const Store& s) { return s.sources(); });
      answer = gap::run_analysis(*snapshot, *audience, request, sources, &progress);
      status = "done";
    }
  } catch (const gap::Cancelled&) {
    status = "cancelled";
  } catch (const std::exception& ex) {
    status = "failed";
    error = ex.what();
  }
  if (e.lost) return;  // another runner has it now: its end is the one kept
  if (status == "cancelled" && e.released) {
    // The server stops: back to the queue, for another server now or this one after its
    // restart. (Were it not written, its heartbeat would go stale and it would be taken anyway.)
    try {
      host_.write_store([&](Store& s) { s.release_job(e.record.id, worker_); });
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): taken when stale instead
    }
    return;
  }
  AnalysisJob done;
  {
    std::lock_guard lock(mu_);
    done = e.record;
    done.stage = e.stage;
  }
  done.status = status;
  done.result_json = std::move(answer);
  done.error = std::move(error);
  done.finished_at = utc_now_iso();
  done.progress = status == "done" ? 1.0 : e.progress.load();
  // Stored only while this runner still holds it; a store briefly unwritable is tried again for a
  // few seconds, then left: the heartbeat stops and another runner runs the job again.
  auto wait = std::chrono::milliseconds(200);
  for (int attempt = 0; attempt < 5; ++attempt) {
    try {
      host_.write_store([&](Store& s) {
        if (s.finish_job(done, worker_)) {
          s.trim_jobs(done.owner, limits_.keep_per_user, limits_.keep_total);
        }
      });
      return;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(wait);
      wait *= 2;
    }
  }
}

void JobQueue::beat(const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, limits_.heartbeat, [] { return false; });
    if (stop.stop_requested() || !running_) continue;
    const auto e = running_;
    const double fraction = e->progress.load();
    const std::string stage = e->stage;
    lock.unlock();
    std::optional<JobBeat> b;
    try {
      host_.write_store(
          [&](Store& s) { b = s.beat_job(e->record.id, worker_, fraction, stage, utc_now_iso()); });
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the next beat tries again
    }
    lock.lock();
    if (b && (!b->held || b->cancel_requested)) {
      e->lost = !b->held;
      e->cancel = true;
    }
  }
}

}  // namespace tsunagi::geo
