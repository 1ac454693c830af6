// The analysis job queue on a real store and a real snapshot: a job runs to its answer and is
// kept; who may read it follows the visibility rule; one user's share is bounded; only the owner
// (or an admin) cancels; a queue opened after a stop marks the unfinished jobs failed.
#include "geo/analysis/job_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "geo/core/error.hpp"
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
    gate_cv_.wait(lock, [&] { return open_; });
    std::lock_guard store_lock(mu_);
    return Snapshot::build(store_);
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

TEST_F(JobQueueTest, AQueueOpenedAfterAStopMarksTheJobsItLeftUnfinishedFailed) {
  AnalysisJob left;
  left.id = "j-left";
  left.analysis = "coverage";
  left.request_json = kCoverage;
  left.audience = "partners";
  left.owner = "planner1";
  left.status = "running";
  left.created_at = "2026-12-01T00:00:00Z";
  town_.store().put_job(left);
  JobQueue q(host_, JobLimits{});
  const auto j = q.get("j-left", Audience::partners);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->record.status, "failed");
  EXPECT_NE(j->record.error.find("submit it again"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::geo
