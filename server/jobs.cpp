#include "server/jobs.hpp"

#include <chrono>
#include <ctime>

#include "geo/error.hpp"
#include "geo/gap/analysis.hpp"
#include "geo/ids.hpp"
#include "server/context.hpp"

namespace tsunagi::server {

struct JobRunner::Entry {
  geo::AnalysisJob record;
  geo::Audience audience = geo::Audience::internal;
  std::atomic<double> progress{0};
  std::string stage;  ///< guarded by the runner's mutex
  std::atomic<bool> cancel{false};
};

namespace {

class EntryProgress : public geo::gap::Progress {
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

bool may_read(geo::Audience reader, geo::Audience computed_for) {
  return static_cast<int>(reader) >= static_cast<int>(computed_for);
}

}  // namespace

JobRunner::JobRunner(ServerContext& c) : c_(c) {
  if (const int days = c_.config().job_keep_days; days > 0) {
    const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24) * days;
    const std::time_t t = std::chrono::system_clock::to_time_t(cutoff);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char iso[32];
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    try {
      c_.write([&](geo::Store& s) { s.purge_jobs(iso); });
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a read-only store keeps them
    }
  }
  const auto stored = c_.read([](const geo::Store& s) { return s.jobs(); });
  for (const auto& j : stored) {
    auto e = std::make_shared<Entry>();
    e->record = j;
    e->audience = geo::parse_audience(j.audience).value_or(geo::Audience::internal);
    e->progress = j.status == "done" ? 1.0 : 0.0;
    if (j.status == "queued" || j.status == "running") {
      e->record.status = "failed";
      e->record.error = "the server stopped before the analysis finished: submit it again";
      e->record.finished_at = geo::utc_now_iso();
      store(e->record);
    }
    jobs_[j.id] = std::move(e);
  }
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mu_);
    for (auto& [id, e] : jobs_) e->cancel = true;
  }
  thread_.request_stop();
  wake_.notify_all();
}

void JobRunner::store(const geo::AnalysisJob& j) {
  try {
    c_.write([&](geo::Store& s) { s.put_job(j); });
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
    // The answer stays in memory; a read-only or full store must not lose it for this session.
  }
}

std::string JobRunner::submit(const std::string& request_json, geo::Audience a,
                              const std::string& owner) {
  const auto request = geo::gap::parse_analysis_request(request_json);  // throws when bad
  auto e = std::make_shared<Entry>();
  e->record.id = geo::new_uuid();
  e->record.analysis = request.analysis;
  e->record.request_json = request_json;
  e->record.audience = std::string(geo::audience_id(a));
  e->record.owner = owner;
  e->record.status = "queued";
  e->record.created_at = geo::utc_now_iso();
  e->audience = a;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      throw geo::Conflict("too many analyses are waiting (" + std::to_string(queue_.size()) +
                          "): try again when one has finished");
    }
    jobs_[e->record.id] = e;
    queue_.push_back(e->record.id);
  }
  store(e->record);
  wake_.notify_all();
  return e->record.id;
}

std::optional<JobState> JobRunner::get(const std::string& id, geo::Audience a) const {
  std::lock_guard lock(mu_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end() || !may_read(a, it->second->audience)) return std::nullopt;
  return JobState{it->second->record, it->second->progress.load(), it->second->stage};
}

std::vector<JobState> JobRunner::list(geo::Audience a) const {
  std::vector<JobState> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, e] : jobs_) {
    if (!may_read(a, e->audience)) continue;
    JobState s{e->record, e->progress.load(), e->stage};
    s.record.result_json.clear();  // lists stay small
    out.push_back(std::move(s));
  }
  return out;
}

bool JobRunner::cancel(const std::string& id, geo::Audience a) {
  std::optional<geo::AnalysisJob> dequeued;  // a copy taken under the lock: the runner owns e
  {
    std::lock_guard lock(mu_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end() || !may_read(a, it->second->audience)) return false;
    auto& e = *it->second;
    if (e.record.status != "queued" && e.record.status != "running") return false;
    e.cancel = true;  // a running analysis stops at its next progress step
    if (e.record.status == "queued") {
      std::erase(queue_, id);
      e.record.status = "cancelled";
      e.record.finished_at = geo::utc_now_iso();
      dequeued = e.record;
    }
  }
  if (dequeued) store(*dequeued);
  return true;
}

void JobRunner::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    std::shared_ptr<Entry> e;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      e = jobs_.at(queue_.front());
      queue_.pop_front();
      e->record.status = "running";
    }
    EntryProgress progress(e->progress, e->cancel, e->stage, mu_);
    geo::AnalysisJob done;
    try {
      const auto request = geo::gap::parse_analysis_request(e->record.request_json);
      const auto snapshot = c_.snapshots().current();
      const auto sources = c_.read([](const geo::Store& s) { return s.sources(); });
      std::string answer =
          geo::gap::run_analysis(*snapshot, e->audience, request, sources, &progress);
      std::lock_guard lock(mu_);
      e->record.status = "done";
      e->record.result_json = std::move(answer);
      e->progress = 1.0;
    } catch (const geo::gap::Cancelled&) {
      std::lock_guard lock(mu_);
      e->record.status = "cancelled";
    } catch (const std::exception& ex) {
      std::lock_guard lock(mu_);
      e->record.status = "failed";
      e->record.error = ex.what();
    }
    {
      std::lock_guard lock(mu_);
      e->record.finished_at = geo::utc_now_iso();
      done = e->record;
    }
    store(done);
  }
}

}  // namespace tsunagi::server
