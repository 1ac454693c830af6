// Cases in the store, for every backend: a case followed from 提案 to 終了 at a farm with two
// places, the status machine refusing steps that cannot follow, slots taken at 参加開始 and given
// back at the end (the last slot to exactly one), follow-ups past due, and one audit entry per
// read and write. Written against geo::Referrals alone; what needs the file itself (the
// append-only triggers, months moved back for the aggregates and the purge) is in sqlite/.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contract_backends.hpp"
#include "geo/core/error.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/referral_farm.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {
namespace {

using geo::ReferralStatus;
using nlohmann::json;

class ReferralContract : public ReferralFarm<::testing::TestWithParam<std::size_t>> {
 protected:
  [[nodiscard]] std::string location() const override {
    return contract_location(GetParam(), dir_.path(), "town");
  }
};

TEST_P(ReferralContract, OnlyPlacementsWithAnOfferTakeReferrals) {
  json b = body();
  b["resource_id"] = cafe_.id;
  EXPECT_THROW(store().referrals().create(parse(b), kMatcher), geo::InvalidArgument);
  b["resource_id"] = "no-such-resource";
  EXPECT_THROW(store().referrals().create(parse(b), kMatcher), geo::InvalidArgument);
}

TEST_P(ReferralContract, FollowedToTheEndWithHistoryAndTheSlotBack) {
  const auto r = create();
  EXPECT_TRUE(geo::is_case_id(r.case_id));
  EXPECT_EQ(r.status, ReferralStatus::proposed);
  step(r.case_id, ReferralStatus::consented);
  step(r.case_id, ReferralStatus::host_asked);
  step(r.case_id, ReferralStatus::visit);
  const auto farm_version = store().resource(farm_.id)->version;
  const auto started = step(r.case_id, ReferralStatus::started);
  EXPECT_TRUE(started.slot_taken);
  EXPECT_EQ(slots_open(), 1);
  EXPECT_EQ(store().resource(farm_.id)->version, farm_version + 1);
  const auto hist = store().history(farm_.id);
  ASSERT_FALSE(hist.empty());
  EXPECT_NE(hist.back().changes_json.find("slots_open"), std::string::npos);
  EXPECT_NE(hist.back().actor.find("referral"), std::string::npos);
  EXPECT_EQ(hist.back().actor.find(r.case_id), std::string::npos);  // coordinators read it

  step(r.case_id, ReferralStatus::settling);
  EXPECT_EQ(slots_open(), 1);  // still there
  const auto ended = step(r.case_id, ReferralStatus::ended);
  EXPECT_FALSE(ended.slot_taken);
  EXPECT_EQ(slots_open(), 2);
  EXPECT_FALSE(ended.closed_at.empty());

  const auto read = store().referrals().get(r.case_id, kMatcher);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->history.size(), 7U);
  EXPECT_EQ(read->history[0].status, ReferralStatus::proposed);
  EXPECT_EQ(read->history[5].status, ReferralStatus::settling);
  for (const auto& e : read->history) EXPECT_FALSE(e.at.empty());
}

TEST_P(ReferralContract, ImpossibleStepsAreRefusedSayingWhatMayFollow) {
  const auto r = create();
  try {
    step(r.case_id, ReferralStatus::started);
    FAIL() << "proposed → started was allowed";
  } catch (const geo::Conflict& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("提案"), std::string::npos) << m;
    EXPECT_NE(m.find("consented"), std::string::npos) << m;
    EXPECT_NE(m.find("declined_by_person"), std::string::npos) << m;
  }
  EXPECT_EQ(slots_open(), 2);
  step(r.case_id, ReferralStatus::declined_by_person, geo::DeclineReason::mismatch);
  EXPECT_THROW(step(r.case_id, ReferralStatus::consented), geo::Conflict);  // final
  // A decline needs a reason; other steps take none.
  const auto s = create();
  EXPECT_THROW(step(s.case_id, ReferralStatus::declined_by_person), geo::InvalidArgument);
  EXPECT_THROW(step(s.case_id, ReferralStatus::consented, geo::DeclineReason::full),
               geo::InvalidArgument);
  EXPECT_THROW(step("C-AAAAAAAAAAAAAAAA", ReferralStatus::consented), geo::NotFound);
}

TEST_P(ReferralContract, TheLastSlotGoesToOneAndADeclineAfterTheStartFreesIt) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto r = create();
    step(r.case_id, ReferralStatus::consented);
    step(r.case_id, ReferralStatus::host_asked);
    ids.push_back(r.case_id);
  }
  step(ids[0], ReferralStatus::started);
  step(ids[1], ReferralStatus::started);
  EXPECT_EQ(slots_open(), 0);
  try {
    step(ids[2], ReferralStatus::started);
    FAIL() << "a third person started in two places";
  } catch (const geo::Conflict& e) {
    EXPECT_NE(std::string(e.what()).find("no open slot left"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store().referrals().get(ids[2], kMatcher)->status, ReferralStatus::host_asked);
  step(ids[0], ReferralStatus::declined_by_host, geo::DeclineReason::mismatch);
  EXPECT_EQ(slots_open(), 1);
  step(ids[2], ReferralStatus::started);
  EXPECT_EQ(slots_open(), 0);
}

TEST_P(ReferralContract, FollowUpsPastDueAreListed) {
  auto due = body();
  due["follow_up_due"] = "2026-01-10";
  const auto late = store().referrals().create(parse(due), kMatcher);
  due["follow_up_due"] = "2026-03-01";
  const auto later = store().referrals().create(parse(due), kMatcher);
  const auto none = create();
  auto list = store().referrals().overdue("2026-02-01", kMatcher);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].case_id, late.case_id);
  EXPECT_EQ(store().referrals().overdue("2026-04-01", kMatcher).size(), 2U);
  // A final referral has no follow-up left.
  step(late.case_id, ReferralStatus::declined_by_person, geo::DeclineReason::unreachable);
  EXPECT_EQ(store().referrals().overdue("2026-04-01", kMatcher).size(), 1U);
  store().referrals().set_follow_up(later.case_id, "", kMatcher);
  EXPECT_TRUE(store().referrals().overdue("2026-04-01", kMatcher).empty());
  (void)none;
}

TEST_P(ReferralContract, EveryReadAndWriteIsAudited) {
  const auto r = create();
  step(r.case_id, ReferralStatus::consented);
  store().referrals().get(r.case_id, {8, "matcher-b"});
  store().referrals().list({}, kMatcher);
  store().referrals().stats(farm_.id, kMatcher);
  const auto log = audit();
  ASSERT_EQ(log.size(), 5U);
  EXPECT_EQ(log[0].action, "create");
  EXPECT_EQ(log[1].action, "transition");
  EXPECT_EQ(log[1].detail, "proposed→consented");
  EXPECT_EQ(log[2].action, "read");
  EXPECT_EQ(log[2].user_name, "matcher-b");
  EXPECT_EQ(log[2].user_id, 8);
  EXPECT_EQ(log[3].action, "list");
  EXPECT_EQ(log[4].action, "stats");
  EXPECT_TRUE(log[4].case_id.empty());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(log[static_cast<std::size_t>(i)].case_id, r.case_id);
    EXPECT_EQ(log[static_cast<std::size_t>(i)].legal_basis, "shien_kaigi");
    EXPECT_FALSE(log[static_cast<std::size_t>(i)].at.empty());
  }
  // Paging.
  const auto page = store().referrals().audit(log[1].id, 2);
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0].id, log[2].id);
  // A read of a case that does not exist leaves nothing.
  EXPECT_FALSE(store().referrals().get("C-AAAAAAAAAAAAAAAA", kMatcher));
  EXPECT_EQ(audit().size(), 5U);
}

TEST_P(ReferralContract, ACaseIsFoundByItsTownAndItsPlacementsTownOnlyAndWrittenByItsOwn) {
  geo::Referral r = parse(body());
  r.municipality = "023612";  // 藤崎町: the person's town
  const auto made = store().referrals().create(r, kMatcher);
  const std::string host = store().resource(farm_.id)->lg_code;
  EXPECT_EQ(made.municipality, "023612");
  EXPECT_EQ(made.host_municipality, host);
  const geo::AuditActor own{8, "matcher-fujisaki", geo::MunicipalScope({"023612"})};
  const geo::AuditActor other{9, "matcher-hiranai", geo::MunicipalScope({"023035"})};
  // Read back with every column in place: an unscoped reader and the town's own find it.
  for (const auto& who : {kMatcher, own}) {
    const auto list = store().referrals().list({}, who);
    ASSERT_EQ(list.size(), 1U) << who.name;
    EXPECT_EQ(list[0].case_id, made.case_id);
    EXPECT_EQ(list[0].municipality, "023612");
    EXPECT_EQ(list[0].host_municipality, host);
    EXPECT_EQ(list[0].status, geo::ReferralStatus::proposed);
  }
  geo::ReferralFilter of_town;
  of_town.municipality = "023612";
  EXPECT_EQ(store().referrals().list(of_town, kMatcher).size(), 1U);
  of_town.municipality = "023817";
  EXPECT_TRUE(store().referrals().list(of_town, kMatcher).empty());
  // Another town: not listed, not found, not written — like a case that does not exist.
  const auto before = audit().size();
  EXPECT_TRUE(store().referrals().list({}, other).empty());
  EXPECT_FALSE(store().referrals().get(made.case_id, other).has_value());
  EXPECT_THROW((void)store().referrals().transition(made.case_id, ReferralStatus::consented,
                                                    std::nullopt, std::nullopt, other),
               geo::NotFound);
  EXPECT_EQ(audit().size(), before) << "a case out of reach was audited as read";
  // The placement's town reads it and cannot write it.
  if (!host.empty()) {
    const geo::AuditActor host_town{10, "matcher-host", geo::MunicipalScope({host})};
    EXPECT_TRUE(store().referrals().get(made.case_id, host_town).has_value());
    EXPECT_THROW((void)store().referrals().set_follow_up(made.case_id, "2030-01-01", host_town),
                 geo::OutsideMunicipality);
  }
  EXPECT_NO_THROW((void)store().referrals().transition(made.case_id, ReferralStatus::consented,
                                                       std::nullopt, std::nullopt, own));
}

TEST_P(ReferralContract, AuditEntriesCarryTheirCasesTownAndAScopedReaderSeesOnlyItsTowns) {
  geo::Referral r = parse(body());
  r.municipality = "023612";
  const auto fujisaki = store().referrals().create(r, kMatcher);
  r.municipality = "023817";
  const auto itayanagi = store().referrals().create(r, kMatcher);
  (void)store().referrals().stats("", kMatcher);  // an entry of no case, and no town
  const auto all = audit();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].municipality, "023612");
  EXPECT_EQ(all[1].municipality, "023817");
  EXPECT_EQ(all[2].municipality, "");
  const auto mine = store().referrals().audit(0, 100, geo::MunicipalScope({"023817"}));
  ASSERT_EQ(mine.size(), 1U);
  EXPECT_EQ(mine[0].case_id, itayanagi.case_id);
  EXPECT_EQ(store().referrals().audit(0, 100, geo::MunicipalScope({"023035"})).size(), 0U);
  EXPECT_NE(fujisaki.case_id, itayanagi.case_id);
  const auto chain = geo::verify_audit_log(store());
  EXPECT_TRUE(chain.intact) << chain.problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, ReferralContract,
                         ::testing::Range<std::size_t>(0, contract_backends().size()),
                         contract_backend_name);

}  // namespace
}  // namespace tsunagi::test
