// Referrals in the SQLite store, where a test needs the file itself: SQLite refuses to change or
// delete an audit entry, the aggregates shown only from 5 answered referrals in a closed month,
// and the purge after the retention period (both move stored times back, as time would have).
// What every backend must do with cases is in ../test_referrals_contract.cpp.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/store/referral_farm.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {
namespace {

using geo::ReferralStatus;
using nlohmann::json;

class ReferralStore : public ReferralFarm<::testing::Test> {
 protected:
  [[nodiscard]] std::string location() const override { return (dir_ / "town.db").string(); }
};

TEST_F(ReferralStore, TheAuditLogRefusesUpdateAndDelete) {
  create();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "town.db").c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_NE(
      sqlite3_exec(db, "UPDATE audit_log SET user_name = 'someone else'", nullptr, nullptr, &err),
      SQLITE_OK);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("append-only"), std::string::npos) << err;
  sqlite3_free(err);
  err = nullptr;
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_log", nullptr, nullptr, &err), SQLITE_OK);
  ASSERT_NE(err, nullptr);
  EXPECT_NE(std::string(err).find("append-only"), std::string::npos) << err;
  sqlite3_free(err);
  sqlite3_close(db);
  EXPECT_EQ(audit().size(), 1U);
}

// Answers the host gives now, and the same moved back into a past month (as time would have
// moved them): every event not yet moved gets a time in `month`, one hour apart, in order.
class ReferralStats : public ReferralStore {
 protected:
  std::string answer(bool accept) {
    const auto r = create();
    step(r.case_id, ReferralStatus::consented);
    step(r.case_id, ReferralStatus::host_asked);
    if (accept) {
      step(r.case_id, ReferralStatus::visit);
    } else {
      step(r.case_id, ReferralStatus::declined_by_host, geo::DeclineReason::full);
    }
    return r.case_id;
  }
  void move_into(const std::string& month) {
    store().exec("UPDATE referral_event SET at = strftime('%Y-%m-%dT%H:%M:%SZ', '" + month +
                 "-01', '+' || (event_id % 600) || ' hours') WHERE at > '2025-06'");
  }
  /// Everything a reader is shown, for one filter ("" = every placement).
  json reading(const std::string& resource_id) {
    json out = json::array();
    for (const auto& st : store().referrals().stats(resource_id, kMatcher)) {
      json months = json::array();
      for (const auto& m : st.months) {
        months.push_back({m.month, m.answered, m.median_days_to_answer, m.share_accepted});
      }
      out.push_back({{"resource_id", st.resource_id},
                     {"through", st.through},
                     {"suppressed", st.suppressed},
                     {"answered", st.answered ? json(*st.answered) : json()},
                     {"share_accepted", st.share_accepted ? json(*st.share_accepted) : json()},
                     {"months", months}});
    }
    return out;
  }
};

TEST_F(ReferralStats, OnlyClosedMonthsOfFiveAnswersOrMoreAreShown) {
  for (const bool accept : {true, true, false, true, false}) answer(accept);
  create();  // not asked yet: not an answer
  // Five answers this month: this month is never shown.
  auto stats = store().referrals().stats(farm_.id, kMatcher);
  ASSERT_EQ(stats.size(), 1U);
  EXPECT_TRUE(stats[0].suppressed);
  EXPECT_FALSE(stats[0].answered);
  EXPECT_TRUE(stats[0].months.empty());
  EXPECT_TRUE(store().referrals().stats("", kMatcher).empty()) << "no placement to list";
  // The same five in a closed month: shown, with the month's median and share.
  move_into("2024-03");
  stats = store().referrals().stats(farm_.id, kMatcher);
  ASSERT_EQ(stats.size(), 1U);
  EXPECT_FALSE(stats[0].suppressed);
  EXPECT_EQ(stats[0].answered, 5);
  ASSERT_TRUE(stats[0].share_accepted);
  EXPECT_DOUBLE_EQ(*stats[0].share_accepted, 0.6);
  ASSERT_EQ(stats[0].months.size(), 1U);
  EXPECT_EQ(stats[0].months[0].month, "2024-03");
  EXPECT_EQ(stats[0].months[0].answered, 5);
  EXPECT_DOUBLE_EQ(stats[0].months[0].median_days_to_answer, 1.0 / 24);  // an hour apart
  EXPECT_EQ(store().referrals().stats("", kMatcher).size(), 1U);
  // Four answers in another closed month: neither shown nor in the totals.
  for (const bool accept : {true, true, true, true}) answer(accept);
  move_into("2024-04");
  stats = store().referrals().stats(farm_.id, kMatcher);
  ASSERT_EQ(stats[0].months.size(), 1U);
  EXPECT_EQ(stats[0].answered, 5);
  EXPECT_DOUBLE_EQ(*stats[0].share_accepted, 0.6);
  EXPECT_FALSE(stats[0].through.empty());
}

TEST_F(ReferralStats, TwoReadingsAroundOneAnswerDoNotRevealIt) {
  // A placement with a published month, and one without any.
  for (const bool accept : {true, true, false, true, false, true}) answer(accept);
  move_into("2024-03");
  // Every filter the route takes: all placements, the farm, a placement without referrals.
  const std::vector<std::string> filters = {"", farm_.id, cafe_.id};
  std::vector<json> before;
  for (const auto& f : filters) before.push_back(reading(f));
  ASSERT_FALSE(before[1][0]["suppressed"].get<bool>()) << before[1].dump();
  // Returns false when the month turned between the readings (the test is then void).
  const auto same_as_before = [&](const std::string& after_what) {
    for (std::size_t i = 0; i < filters.size(); ++i) {
      const json after = reading(filters[i]);
      if (!after.empty() && !before[i].empty() && after[0]["through"] != before[i][0]["through"]) {
        return false;
      }
      EXPECT_EQ(after, before[i]) << "filter '" << filters[i] << "' after " << after_what;
    }
    return true;
  };
  // One accept now, read; one decline now, read: the readings do not move.
  answer(true);
  if (!same_as_before("an accept")) GTEST_SKIP() << "the month turned during the test";
  answer(false);
  if (!same_as_before("a decline")) GTEST_SKIP() << "the month turned during the test";
  // Those two answers' month closes with them alone in it: still nothing moves.
  move_into("2024-05");
  if (!same_as_before("their month closed")) GTEST_SKIP() << "the month turned during the test";
  // A purge of one case of the published month does not move it either (its figures were
  // kept when first shown), nor does one more answer slipped into that month.
  store().exec(
      "UPDATE referral SET closed_at = '2020-01-01T00:00:00Z' WHERE case_id = (SELECT case_id "
      "FROM referral WHERE status = 'declined_by_host' ORDER BY case_id LIMIT 1)");
  ASSERT_EQ(store().referrals().purge(30, {0, "cli"}).purged, 1);
  if (!same_as_before("a purge")) GTEST_SKIP() << "the month turned during the test";
  answer(true);
  move_into("2024-03");
  if (!same_as_before("an answer moved into a month already shown"))
    GTEST_SKIP() << "the month turned during the test";
}

TEST_F(ReferralStore, PurgeDeletesOnlyFinalReferralsPastRetentionAndAuditsIt) {
  const auto ended = create();
  step(ended.case_id, ReferralStatus::declined_by_person, geo::DeclineReason::other);
  const auto active = create();
  step(active.case_id, ReferralStatus::consented);
  // Just closed: kept under a 30-day retention.
  auto report = store().referrals().purge(30, {0, "cli"});
  EXPECT_EQ(report.purged, 0);
  // Closed long ago (the store's stamp moved back, as time would have moved it).
  store().exec("UPDATE referral SET closed_at = '2020-01-01T00:00:00Z' WHERE case_id = '" +
               ended.case_id + "'");
  report = store().referrals().purge(30, {0, "cli"});
  EXPECT_EQ(report.purged, 1);
  EXPECT_EQ(report.declined, 1);
  EXPECT_FALSE(store().referrals().get(ended.case_id, kMatcher));
  EXPECT_TRUE(store().referrals().get(active.case_id, kMatcher));
  const auto log = audit();
  const auto purge = std::find_if(log.begin(), log.end(),
                                  [](const geo::AuditEntry& e) { return e.action == "purge"; });
  ASSERT_NE(purge, log.end());
  EXPECT_EQ(purge->case_id, ended.case_id);
  EXPECT_EQ(purge->legal_basis, "shien_kaigi");
  EXPECT_EQ(purge->user_name, "cli");
  EXPECT_THROW(store().referrals().purge(-1, {0, "cli"}), geo::InvalidArgument);
}

}  // namespace
}  // namespace tsunagi::test
