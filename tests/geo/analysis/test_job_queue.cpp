// The analysis job queue on a real store and a real snapshot: a job runs to its answer and is
// kept; who may read it follows the visibility rule; one user's share is bounded; only the owner
// (or an admin) cancels; the queue is the store's: a job left by a runner that died is taken up by
// another, and two runners on one store run each job once.
#include "geo/analysis/job_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

constexpr std::string_view kSquare =
    "POLYGON((133.59 35.09,133.61 35.09,133.61 35.11,133.59 35.11,133.59 35.09))";
const std::string kCoverage =
    R"({"analysis":"coverage","kinds":["kayoi_no_ba"],"target":"aged_75","max_m":1000})";

/// The store and the snapshot built from it, as the server hands them to the queue; analyses
/// wait at `gate` while it is closed (so that a job stays running while the test looks at it).
class TownHost final : public JobHost {
 public:
  explicit TownHost(Store& store) : store_(store) {}
  void write_store(const std::function<void(Store&)>& f) override {
    std::lock_guard lock(mu_);
    f(store_);
  }
  void read_store(const std::function<void(const Store&)>& f) override {
    std::lock_guard lock(mu_);
    f(store_);
  }
  [[nodiscard]] std::shared_ptr<const Snapshot> snapshot() const override {
    std::unique_lock lock(gate_mu_);
    ++runs_;  // each analysis asks once, as it starts
    gate_cv_.wait(lock, [&] { return open_; });
    std::lock_guard store_lock(mu_);
    return Snapshot::build(store_);
  }
  [[nodiscard]] int runs() const {
    std::lock_guard lock(gate_mu_);
    return runs_;
  }
  void close_gate() {
    std::lock_guard lock(gate_mu_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(gate_mu_);
      open_ = true;
    }
    gate_cv_.notify_all();
  }

 private:
  Store& store_;
  mutable std::mutex mu_;
  mutable std::mutex gate_mu_;
  mutable std::condition_variable gate_cv_;
  bool open_ = true;
  mutable int runs_ = 0;
};

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    town_.add_area("chome:A", AreaKind::chome, "本町", kSquare, 133.6, 35.1);
    StatDef aged;
    aged.key = "aged_75";
    aged.label = "75歳以上人口";
    StatValue v;
    v.area_id = "chome:A";
    v.key = "aged_75";
    v.ref_date = "2020-10-01";
    v.value = 100;
    town_.store().put_stats({aged}, {v});
    town_.add("さくらサロン", ResourceKind::kayoi_no_ba, 133.601, 35.1);
  }
  /// Polls until the job ended (a bounded wait: the analysis takes milliseconds).
  static JobState wait_done(const JobQueue& q, const std::string& id, Audience a) {
    for (int i = 0; i < 2000; ++i) {
      const auto s = q.get(id, a);
      if (s && s->record.status != "queued" && s->record.status != "running") return *s;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "job " << id << " did not end";
    return {};
  }
  test::TempDir dir_;
  test::TinyTown town_{dir_ / "town.sqlite"};
  TownHost host_{town_.store()};
};

TEST_F(JobQueueTest, AJobRunsToItsAnswerWhichIsKeptAndReadOnlyByThoseWhoSeeWhatItWasComputedFrom) {
  JobQueue q(host_, JobLimits{});
  const auto id = q.submit(kCoverage, Audience::partners, "planner1");
  const auto done = wait_done(q, id, Audience::partners);
  ASSERT_EQ(done.record.status, "done") << done.record.error;
  EXPECT_NE(done.record.result_json.find("chome:A"), std::string::npos);
  EXPECT_DOUBLE_EQ(done.progress, 1.0);

  const auto stored = town_.store().job(id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, "done");
  EXPECT_EQ(stored->audience, "partners");

  EXPECT_FALSE(q.get(id, Audience::public_).has_value());  // computed from more than it sees
  EXPECT_TRUE(q.get(id, Audience::internal).has_value());
  EXPECT_EQ(q.list(Audience::public_, 10, 0).matched, 0);
  const auto page = q.list(Audience::internal, 10, 0);
  ASSERT_EQ(page.matched, 1);
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_TRUE(page.jobs[0].record.result_json.empty());  // lists stay small
}

TEST_F(JobQueueTest, OneUsersShareIsBoundedAndOnlyTheOwnerOrAnAdminCancels) {
  host_.close_gate();  // the first job stays running
  JobQueue q(host_, JobLimits{.queue = 4, .queue_per_user = 2});
  const auto running = q.submit(kCoverage, Audience::partners, "planner1");
  const auto waiting = q.submit(kCoverage, Audience::partners, "planner1");
  EXPECT_THROW(q.submit(kCoverage, Audience::partners, "planner1"), TooManyJobs);
  const auto other = q.submit(kCoverage, Audience::partners, "planner2");  // another user's share

  EXPECT_EQ(q.cancel(waiting, Audience::partners, "planner2", false),
            JobQueue::CancelResult::not_owner);
  EXPECT_EQ(q.cancel(waiting, Audience::public_, "planner1", false),
            JobQueue::CancelResult::not_found);  // one it may not read is not there
  EXPECT_EQ(q.cancel(waiting, Audience::partners, "planner1", false),
            JobQueue::CancelResult::cancelled);
  EXPECT_EQ(q.cancel(other, Audience::internal, "admin", true), JobQueue::CancelResult::cancelled);
  host_.open_gate();
  EXPECT_EQ(wait_done(q, running, Audience::partners).record.status, "done");
  EXPECT_EQ(wait_done(q, waiting, Audience::partners).record.status, "cancelled");
  EXPECT_EQ(q.cancel(running, Audience::partners, "planner1", false),
            JobQueue::CancelResult::ended);
  EXPECT_THROW(q.submit(R"({"analysis":"nothing"})", Audience::partners, "planner1"),
               InvalidArgument);
}

TEST_F(JobQueueTest, AJobLeftRunningByARunnerThatDiedIsTakenUpAndRunToItsAnswer) {
  AnalysisJob left;
  left.id = "j-left";
  left.analysis = "coverage";
  left.request_json = kCoverage;
  left.audience = "partners";
  left.owner = "planner1";
  left.status = "running";
  left.created_at = "2026-12-01T00:00:00Z";
  left.started_at = "2026-12-01T00:00:01Z";
  left.claimed_by = "a-server-that-was-killed";
  left.heartbeat_at = "2026-12-01T00:00:05Z";  // long silent
  town_.store().put_job(left);
  AnalysisJob alive = left;  // another runner's, beating now: not taken
  alive.id = "j-alive";
  alive.claimed_by = "a-server-that-is-running";
  alive.heartbeat_at = utc_now_iso();
  town_.store().put_job(alive);

  JobQueue q(host_, JobLimits{}, "runner-b");
  const auto j = wait_done(q, "j-left", Audience::partners);
  EXPECT_EQ(j.record.status, "done") << j.record.error;
  EXPECT_EQ(town_.store().job("j-left")->claimed_by, "runner-b");
  EXPECT_EQ(town_.store().job("j-alive")->status, "running");
  EXPECT_EQ(town_.store().job("j-alive")->claimed_by, "a-server-that-is-running");
}

TEST_F(JobQueueTest, TwoRunnersOnOneStoreRunEachJobOnceAndEitherAnswersForIt) {
  std::vector<std::string> ids;
  {
    JobQueue a(host_, JobLimits{.queue = 32, .queue_per_user = 32}, "runner-a");
    JobQueue b(host_, JobLimits{.queue = 32, .queue_per_user = 32}, "runner-b");
    for (int i = 0; i < 12; ++i) {
      auto& q = i % 2 == 0 ? a : b;
      ids.push_back(q.submit(kCoverage, Audience::partners, "planner" + std::to_string(i % 3)));
      b.wake();  // as a notification from the other server would
      a.wake();
    }
    for (const auto& id : ids) {
      EXPECT_EQ(wait_done(a, id, Audience::partners).record.status, "done");
      EXPECT_EQ(wait_done(b, id, Audience::partners).record.status, "done");
    }
  }
  EXPECT_EQ(host_.runs(), 12) << "each job ran exactly once";
  for (const auto& id : ids) {
    const auto j = town_.store().job(id);
    ASSERT_TRUE(j.has_value());
    EXPECT_TRUE(j->claimed_by == "runner-a" || j->claimed_by == "runner-b") << j->claimed_by;
  }
}

TEST_F(JobQueueTest, AJobRunningWhenItsServerStopsGoesBackToTheQueueForTheNext) {
  host_.close_gate();  // the analysis waits as it starts
  auto a = std::make_unique<JobQueue>(host_, JobLimits{}, "runner-a");
  const auto id = a->submit(kCoverage, Audience::partners, "planner1");
  for (int i = 0; i < 2000 && host_.runs() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(host_.runs(), 1);
  EXPECT_EQ(town_.store().job(id)->claimed_by, "runner-a");
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    host_.open_gate();  // the analysis goes on and meets the stop at its first step
  });
  a.reset();  // the server stops
  opener.join();
  const auto left = town_.store().job(id);
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(left->status, "queued") << "not cancelled: nobody asked for that";
  EXPECT_TRUE(left->claimed_by.empty());

  JobQueue b(host_, JobLimits{}, "runner-b");
  EXPECT_EQ(wait_done(b, id, Audience::partners).record.status, "done");
  EXPECT_EQ(town_.store().job(id)->claimed_by, "runner-b");
}

}  // namespace
}  // namespace tsunagi::geo
