// The contract of what several servers share through one store, on every backend: analysis jobs
// claimed, beaten, ended and cancelled across servers (Store::claim_job and its neighbours), and
// failed logins counted per key (Store::count_throttle_failure and its neighbours). Parameterised
// over the backends as the store's contract (contract_backends.hpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <exception>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "contract_backends.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

/// A time of the test day, `s` seconds after its start, as the servers write it.
std::string at(int s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-12-05T00:%02d:%02d.000Z", s / 60, s % 60);
  return buf;
}

class JobsContract : public ::testing::TestWithParam<std::size_t> {
 protected:
  [[nodiscard]] std::string location(const std::string& stem = "town") const {
    return test::contract_location(GetParam(), dir_.path(), stem);
  }
  [[nodiscard]] bool on_postgresql() const {
    return test::contract_backends().at(GetParam()).name == "postgresql";
  }

  /// A queued job of `owner`, submitted at(submitted).
  static AnalysisJob queued(const std::string& id, const std::string& owner, int submitted) {
    AnalysisJob j;
    j.id = id;
    j.analysis = "coverage";
    j.request_json = "{}";
    j.audience = "partners";
    j.owner = owner;
    j.status = "queued";
    j.created_at = at(submitted);
    return j;
  }

  test::TempDir dir_;
};

TEST_P(JobsContract, EveryColumnOfAJobMakesTheRoundTrip) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  AnalysisJob j = queued("j1", "planner", 1);
  j.status = "running";
  j.municipality = "023612";
  j.started_at = at(2);
  j.claimed_by = "server-a";
  j.heartbeat_at = at(3);
  j.progress = 0.375;
  j.stage = "walking times";
  j.cancel_requested = true;
  store.put_job(j);
  const auto back = store.job("j1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->municipality, "023612");
  EXPECT_EQ(back->started_at, at(2));
  EXPECT_EQ(back->claimed_by, "server-a");
  EXPECT_EQ(back->heartbeat_at, at(3));
  EXPECT_EQ(back->progress, 0.375);
  EXPECT_EQ(back->stage, "walking times");
  EXPECT_TRUE(back->cancel_requested);
  ASSERT_EQ(store.jobs().size(), 1U);
  EXPECT_EQ(store.jobs().front().claimed_by, "server-a");
  const auto listed = store.jobs({"partners"}, MunicipalScope(), 10, 0);
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed.front().stage, "walking times") << "a list shows how far a job got";
  EXPECT_EQ(listed.front().progress, 0.375);
  EXPECT_TRUE(listed.front().result_json.empty());

  // Storing it again updates everything that changes while a job lives.
  j.status = "done";
  j.finished_at = at(9);
  j.result_json = "{\"totals\":{}}";
  j.claimed_by = "server-b";
  j.heartbeat_at = at(8);
  j.progress = 1;
  j.stage = "";
  j.cancel_requested = false;
  store.put_job(j);
  const auto again = store.job("j1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, "done");
  EXPECT_EQ(again->finished_at, at(9));
  EXPECT_EQ(again->result_json, "{\"totals\":{}}");
  EXPECT_EQ(again->claimed_by, "server-b");
  EXPECT_EQ(again->heartbeat_at, at(8));
  EXPECT_EQ(again->progress, 1.0);
  EXPECT_EQ(again->stage, "");
  EXPECT_FALSE(again->cancel_requested);

  // A job stored as before this version knew of runners has none.
  store.put_job(queued("j2", "planner", 4));
  const auto plain = store.job("j2");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->claimed_by, "");
  EXPECT_EQ(plain->progress, 0.0);
  EXPECT_FALSE(plain->cancel_requested);
}

TEST_P(JobsContract, AClaimServesTheOwnerServedLongestAgoFirstAndFirstComeAmongEquals) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  AnalysisJob served = queued("c0", "carol", 0);  // carol's last job started long ago
  served.status = "done";
  served.started_at = "2026-12-01T00:00:00.000Z";
  served.finished_at = "2026-12-01T00:01:00.000Z";
  store.put_job(served);
  store.put_job(queued("a1", "alice", 1));
  store.put_job(queued("a2", "alice", 2));
  store.put_job(queued("b1", "bob", 3));
  store.put_job(queued("c1", "carol", 4));
  const auto generation = store.generation();

  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    const auto j = store.claim_job("server-a", at(10 + i), at(0));
    ASSERT_TRUE(j) << "claim " << i;
    EXPECT_EQ(j->status, "running");
    EXPECT_EQ(j->claimed_by, "server-a");
    EXPECT_EQ(j->started_at, at(10 + i));
    EXPECT_EQ(j->heartbeat_at, at(10 + i));
    EXPECT_EQ(j->progress, 0.0);
    EXPECT_EQ(j->stage, "");
    order.push_back(j->id);
  }
  // alice and bob never served: alice came first; then bob; then carol (served on the 1st), whose
  // last start is older than alice's now; alice's second last.
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "b1", "c1", "a2"}));
  EXPECT_FALSE(store.claim_job("server-b", at(20), at(0))) << "every job runs, every beat fresh";
  EXPECT_EQ(store.job("a1")->status, "running");
  EXPECT_EQ(store.job("c0")->status, "done") << "an ended job is never claimed";
  EXPECT_EQ(store.generation(), generation) << "jobs are not content";
  EXPECT_THROW(store.claim_job("", at(30), at(0)), InvalidArgument);
  EXPECT_THROW(store.claim_job("server-a", "", at(0)), InvalidArgument);
}

TEST_P(JobsContract, AJobWhoseRunnerWentSilentIsTakenOverAndItsFirstRunnerLosesIt) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  store.put_job(queued("j1", "alice", 1));
  const auto generation = store.generation();
  ASSERT_TRUE(store.claim_job("server-a", at(10), at(0)));
  EXPECT_FALSE(store.claim_job("server-b", at(11), at(5))) << "its heartbeat is fresh";

  const auto beat = store.beat_job("j1", "server-a", 0.5, "branch and cut", at(12));
  EXPECT_TRUE(beat.held);
  EXPECT_FALSE(beat.cancel_requested);
  auto now = store.job("j1");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->heartbeat_at, at(12));
  EXPECT_EQ(now->progress, 0.5);
  EXPECT_EQ(now->stage, "branch and cut");
  EXPECT_FALSE(store.claim_job("server-b", at(13), at(12))) << "stale means before stale_before";

  // server-a's beats stop; server-b takes the job over from scratch.
  const auto taken = store.claim_job("server-b", at(40), at(30));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->id, "j1");
  EXPECT_EQ(taken->claimed_by, "server-b");
  EXPECT_EQ(taken->started_at, at(40));
  EXPECT_EQ(taken->progress, 0.0);
  EXPECT_EQ(taken->stage, "");

  // server-a comes back: it no longer holds the job and writes nothing.
  const auto late = store.beat_job("j1", "server-a", 0.9, "late", at(41));
  EXPECT_FALSE(late.held);
  AnalysisJob ended = *taken;
  ended.status = "done";
  ended.finished_at = at(42);
  ended.result_json = "{\"from\":\"a\"}";
  ended.progress = 1;
  EXPECT_FALSE(store.finish_job(ended, "server-a"));
  now = store.job("j1");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, "running");
  EXPECT_EQ(now->claimed_by, "server-b");
  EXPECT_EQ(now->heartbeat_at, at(40));
  EXPECT_EQ(now->progress, 0.0);
  EXPECT_EQ(now->stage, "");
  EXPECT_EQ(now->result_json, "");

  // server-b ends it; then nobody holds it.
  ended.result_json = "{\"from\":\"b\"}";
  ended.stage = "done";
  EXPECT_TRUE(store.finish_job(ended, "server-b"));
  now = store.job("j1");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, "done");
  EXPECT_EQ(now->finished_at, at(42));
  EXPECT_EQ(now->result_json, "{\"from\":\"b\"}");
  EXPECT_EQ(now->progress, 1.0);
  EXPECT_EQ(now->stage, "done");
  EXPECT_FALSE(store.beat_job("j1", "server-b", 1, "", at(43)).held) << "an ended job";
  EXPECT_FALSE(store.finish_job(ended, "server-b")) << "ended once";
  EXPECT_FALSE(store.claim_job("server-c", at(99), at(98))) << "an ended job is never taken";
  EXPECT_EQ(store.generation(), generation) << "jobs are not content";
}

TEST_P(JobsContract, AQueuedJobCancelledEndsNowARunningOneIsAskedToStopAtItsNextBeat) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  store.put_job(queued("run", "alice", 1));
  store.put_job(queued("wait", "alice", 2));
  const auto generation = store.generation();
  ASSERT_EQ(store.claim_job("server-a", at(10), at(0)).value().id, "run");

  EXPECT_EQ(store.cancel_job("wait", at(11)), "cancelled");
  auto w = store.job("wait");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->status, "cancelled");
  EXPECT_EQ(w->finished_at, at(11));
  EXPECT_FALSE(store.claim_job("server-b", at(12), at(0))) << "a cancelled job never runs";

  EXPECT_EQ(store.cancel_job("run", at(13)), "running");
  auto r = store.job("run");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "running") << "its runner stops it";
  EXPECT_TRUE(r->cancel_requested);
  EXPECT_EQ(r->finished_at, "");
  const auto beat = store.beat_job("run", "server-a", 0.25, "stopping", at(14));
  EXPECT_TRUE(beat.held);
  EXPECT_TRUE(beat.cancel_requested);
  AnalysisJob stopped = *store.job("run");
  stopped.status = "cancelled";
  stopped.finished_at = at(15);
  EXPECT_TRUE(store.finish_job(stopped, "server-a"));

  EXPECT_EQ(store.cancel_job("run", at(16)), "cancelled") << "an ended job stays as it ended";
  EXPECT_EQ(store.job("run")->finished_at, at(15));
  AnalysisJob finished = queued("done", "bob", 3);
  finished.status = "done";
  finished.finished_at = at(4);
  store.put_job(finished);
  EXPECT_EQ(store.cancel_job("done", at(17)), "done");
  EXPECT_EQ(store.job("done")->finished_at, at(4));
  EXPECT_EQ(store.cancel_job("no-such-job", at(18)), std::nullopt);
  EXPECT_THROW(store.cancel_job("wait", ""), InvalidArgument);
  EXPECT_EQ(store.generation(), generation) << "jobs are not content";
}

TEST_P(JobsContract, ActiveJobsAreCountedPerOwnerOrForEveryone) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  store.put_job(queued("a1", "alice", 1));
  store.put_job(queued("a2", "alice", 2));
  store.put_job(queued("a3", "alice", 3));
  store.put_job(queued("b1", "bob", 4));
  AnalysisJob ended = queued("b0", "bob", 0);
  ended.status = "failed";
  ended.finished_at = at(1);
  store.put_job(ended);
  ASSERT_EQ(store.claim_job("server-a", at(10), at(0)).value().id, "a1");
  EXPECT_EQ(store.count_active_jobs("", false), 4);
  EXPECT_EQ(store.count_active_jobs("", true), 3);
  EXPECT_EQ(store.count_active_jobs("alice", false), 3);
  EXPECT_EQ(store.count_active_jobs("alice", true), 2);
  EXPECT_EQ(store.count_active_jobs("bob", false), 1);
  EXPECT_EQ(store.count_active_jobs("nobody", false), 0);
}

TEST_P(JobsContract, AJobEndsOnlyDoneFailedOrCancelledAndBadBeatsAreRefused) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  store.put_job(queued("j1", "alice", 1));
  const auto claimed = store.claim_job("server-a", at(10), at(0));
  ASSERT_TRUE(claimed);
  for (const char* status : {"queued", "running", "", "finished"}) {
    AnalysisJob j = *claimed;
    j.status = status;
    j.finished_at = at(11);
    EXPECT_THROW(store.finish_job(j, "server-a"), InvalidArgument) << status;
  }
  AnalysisJob j = *claimed;
  j.status = "done";
  EXPECT_THROW(store.finish_job(j, "server-a"), InvalidArgument) << "no finished_at";
  j.finished_at = at(11);
  EXPECT_THROW(store.finish_job(j, ""), InvalidArgument) << "no worker";
  j.progress = 2;
  EXPECT_THROW(store.finish_job(j, "server-a"), InvalidArgument) << "progress beyond 1";
  EXPECT_THROW(store.beat_job("j1", "server-a", -0.5, "", at(12)), InvalidArgument);
  EXPECT_THROW(
      store.beat_job("j1", "server-a", std::numeric_limits<double>::quiet_NaN(), "", at(12)),
      InvalidArgument);
  EXPECT_THROW(store.beat_job("j1", "", 0.5, "", at(12)), InvalidArgument);
  EXPECT_THROW(store.beat_job("j1", "server-a", 0.5, "", ""), InvalidArgument);
  const auto now = store.job("j1");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, "running") << "nothing was written";
  EXPECT_EQ(now->heartbeat_at, at(10));
  EXPECT_EQ(now->progress, 0.0);
  // A fraction computed as from + (to - from) * f may overshoot 1 by a rounding error.
  EXPECT_TRUE(store.beat_job("j1", "server-a", 1.0 + 1e-15, "", at(13)).held);
  EXPECT_EQ(store.job("j1")->progress, 1.0);
}

TEST_P(JobsContract, TrimmingAndPurgingNeverDeleteQueuedOrRunningJobs) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  store.put_job(queued("q", "alice", 1));
  store.put_job(queued("r", "alice", 2));
  ASSERT_EQ(store.claim_job("server-a", at(10), at(0)).value().id, "q");
  for (int i = 0; i < 3; ++i) {
    AnalysisJob ended = queued("e" + std::to_string(i), "alice", 3 + i);
    ended.status = "done";
    ended.finished_at = at(5 + i);
    store.put_job(ended);
  }
  AnalysisJob requeued = queued("back", "alice", 9);  // an old end left in a job queued again
  requeued.finished_at = at(1);
  store.put_job(requeued);
  EXPECT_EQ(store.trim_jobs("alice", 0, 0), 3);
  EXPECT_TRUE(store.job("q"));
  EXPECT_TRUE(store.job("r"));
  EXPECT_EQ(store.purge_jobs("9999-12-31T00:00:00.000Z"), 0);
  EXPECT_TRUE(store.job("back"));
  EXPECT_EQ(store.jobs().size(), 3U);
}

TEST_P(JobsContract, FailedLoginsAreCountedForgottenLockedClearedAndPurged) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  const auto generation = store.generation();
  EXPECT_EQ(store.throttle("k1"), std::nullopt);

  auto c = store.count_throttle_failure("k1", at(10), at(0));
  EXPECT_EQ(c.failures, 1);
  EXPECT_EQ(c.last_failure, at(10));
  EXPECT_EQ(c.locked_until, "");
  c = store.count_throttle_failure("k1", at(11), at(0));
  EXPECT_EQ(c.failures, 2);
  EXPECT_EQ(c.last_failure, at(11));

  store.lock_throttle("k1", at(100));
  auto t = store.throttle("k1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->failures, 2);
  EXPECT_EQ(t->last_failure, at(11));
  EXPECT_EQ(t->locked_until, at(100));

  // The last failure is older than forget_before: counting starts again (the lock stays).
  c = store.count_throttle_failure("k1", at(50), at(20));
  EXPECT_EQ(c.failures, 1);
  EXPECT_EQ(c.last_failure, at(50));
  EXPECT_EQ(c.locked_until, at(100));

  store.clear_throttle("k1");
  EXPECT_EQ(store.throttle("k1"), std::nullopt);
  store.clear_throttle("k1");  // nothing there: quiet

  store.lock_throttle("k2", at(60));  // no count yet: one with no failures
  t = store.throttle("k2");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->failures, 0);
  EXPECT_EQ(t->locked_until, at(60));

  store.count_throttle_failure("old", at(5), at(0));   // old, never locked
  store.count_throttle_failure("held", at(5), at(0));  // old, locked beyond the purge
  store.lock_throttle("held", at(200));
  store.count_throttle_failure("fresh", at(90), at(0));  // recent
  EXPECT_EQ(store.purge_throttle(at(70)), 2) << "old, and k2 whose lock ended";
  EXPECT_EQ(store.throttle("old"), std::nullopt);
  EXPECT_EQ(store.throttle("k2"), std::nullopt);
  EXPECT_TRUE(store.throttle("held")) << "its lock holds";
  EXPECT_TRUE(store.throttle("fresh"));
  EXPECT_EQ(store.generation(), generation) << "login counts are not content";
}

TEST_P(JobsContract, AThrottleKeyIsOneTo128Characters) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  const std::string longest(128, 'f');
  const std::string too_long(129, 'f');
  EXPECT_EQ(store.count_throttle_failure(longest, at(1), at(0)).failures, 1);
  for (const auto& bad : {std::string(), too_long}) {
    EXPECT_THROW(static_cast<void>(store.throttle(bad)), InvalidArgument) << bad.size();
    EXPECT_THROW(store.count_throttle_failure(bad, at(1), at(0)), InvalidArgument) << bad.size();
    EXPECT_THROW(store.lock_throttle(bad, at(9)), InvalidArgument) << bad.size();
    EXPECT_THROW(store.clear_throttle(bad), InvalidArgument) << bad.size();
  }
  EXPECT_THROW(store.count_throttle_failure("k", "", at(0)), InvalidArgument) << "no time";
  EXPECT_THROW(store.lock_throttle("k", ""), InvalidArgument) << "clear_throttle ends a lock";
  EXPECT_EQ(store.throttle("k"), std::nullopt) << "nothing was written";
}

// Two servers (two connections to one database) claim at once: every job runs exactly once.
TEST_P(JobsContract, TwoServersClaimingAtOnceClaimEveryJobExactlyOnce) {
  if (!on_postgresql()) GTEST_SKIP() << "two servers on one database: PostgreSQL";
  const auto where = location();
  auto first = Store::open(where, Store::Mode::create_if_missing);
  auto second = Store::open(where);
  constexpr int kJobs = 50;
  for (int i = 0; i < kJobs; ++i) {
    first.put_job(queued("j" + std::to_string(i), "owner" + std::to_string(i % 7), i));
  }
  struct Worker {
    Store* store;
    std::string name;
    std::vector<std::string> claimed;
    std::string error;
  };
  std::vector<Worker> workers{{&first, "server-a", {}, {}}, {&second, "server-b", {}, {}}};
  {
    std::vector<std::jthread> threads;
    threads.reserve(workers.size());
    for (auto& w : workers) {
      threads.emplace_back([&w] {
        try {
          while (const auto j = w.store->claim_job(w.name, at(100), at(0))) {
            w.claimed.push_back(j->id);
          }
        } catch (const std::exception& e) {
          w.error = e.what();
        }
      });
    }
  }
  std::multiset<std::string> all;
  for (const auto& w : workers) {
    EXPECT_EQ(w.error, "") << w.name;
    all.insert(w.claimed.begin(), w.claimed.end());
    for (const auto& id : w.claimed) {
      const auto j = first.job(id);
      ASSERT_TRUE(j) << id;
      EXPECT_EQ(j->claimed_by, w.name) << id << ": claimed by whoever got it";
    }
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs)) << "every job claimed";
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), static_cast<std::size_t>(kJobs))
      << "none claimed twice";
  EXPECT_FALSE(first.claim_job("server-a", at(101), at(0)));
  EXPECT_EQ(first.count_active_jobs("", true), 0);
  EXPECT_EQ(first.count_active_jobs("", false), kJobs);
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsContract,
                         ::testing::Range<std::size_t>(0, test::contract_backends().size()),
                         test::contract_backend_name);

}  // namespace
}  // namespace tsunagi::geo
