// Listings that stay true, in the store, for every backend (written against geo::Confirmations): a
// new request revokes the listing's open one; only open requests are found (not expired, answered
// or revoked); "unchanged" moves verified_at and nothing else; a change, a pause or an end waits in
// the queue and the listing stays as it was; wrong changes write nothing; a decision publishes
// through the ordinary edit (version check, history naming the reviewer and the proposal); every
// step is in the audit log.
#include <gtest/gtest.h>

#include "contract_backends.hpp"
#include "geo/core/error.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const geo::AuditActor kCoordinator{3, "coordinator-a"};
constexpr std::string_view kNow = "2026-12-01T00:00:00Z";
constexpr std::string_view kToday = "2026-12-01";

class ConfirmationContract : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    town_ = std::make_unique<TinyTown>(contract_location(GetParam(), dir_.path(), "town"));
    cafe_ = town_->add("まちのかふぇ", geo::ResourceKind::ibasho, 133.640, 35.100,
                       [](geo::Resource& r) {
                         r.capacity = 20;
                         r.vacancy = 5;
                         r.description = "毎週水曜日";
                       });
    hall_ = town_->add("中央公民館", geo::ResourceKind::kominkan, 133.650, 35.105);
  }
  geo::Store& store() { return town_->store(); }
  geo::Confirmations& conf() { return store().confirmations(); }
  std::int64_t request(const geo::Resource& r, const std::string& token,
                       std::string_view expires = "2027-01-30T00:00:00Z") {
    return conf().add_request(r.id, "t-" + token, "c-" + token, expires, kCoordinator);
  }
  std::int64_t audit_rows(const std::string& action) {
    std::int64_t n = 0;
    for (const auto& e : store().referrals().audit(0, 1000)) n += e.action == action ? 1 : 0;
    return n;
  }

  TempDir dir_;
  std::unique_ptr<TinyTown> town_;
  geo::Resource cafe_;
  geo::Resource hall_;
};

TEST_P(ConfirmationContract, ANewRequestRevokesTheListingsOpenOne) {
  const auto first = request(cafe_, "1");
  const auto other = request(hall_, "2");
  ASSERT_TRUE(conf().open_request("t-1", kNow));
  EXPECT_EQ(conf().open_request("c-1", kNow)->id, first) << "found by its code as well";
  const auto second = request(cafe_, "3");
  EXPECT_FALSE(conf().open_request("t-1", kNow)) << "replaced by the new request";
  EXPECT_FALSE(conf().open_request("c-1", kNow));
  EXPECT_EQ(conf().open_request("t-3", kNow)->id, second);
  EXPECT_EQ(conf().open_request("t-2", kNow)->id, other) << "another listing's request stays";
  EXPECT_EQ(audit_rows("confirmation.request"), 3);
}

TEST_P(ConfirmationContract, OnlyOpenRequestsAreFound) {
  request(cafe_, "1", "2026-12-01T00:00:00Z");
  EXPECT_FALSE(conf().open_request("t-1", kNow)) << "expires at that instant";
  EXPECT_TRUE(conf().open_request("t-1", "2026-11-30T23:59:59Z"));
  EXPECT_FALSE(conf().open_request("nothing", "2026-11-30T23:59:59Z"));
  EXPECT_THROW(conf().add_request("no-such-id", "t-x", "c-x", "2027-01-01T00:00:00Z", kCoordinator),
               geo::NotFound);
  EXPECT_THROW(request(hall_, "1"), geo::Conflict) << "a hash is never given out twice";
}

TEST_P(ConfirmationContract, UnchangedMovesVerifiedAtAndNothingElse) {
  const auto id = request(cafe_, "1");
  const auto before = *store().resource(cafe_.id);
  const auto out = conf().answer(id, geo::HostAnswer::unchanged, json(), kToday, kNow);
  EXPECT_EQ(out.proposal_id, 0);
  auto after = *store().resource(cafe_.id);
  EXPECT_EQ(after.verified_at, kToday);
  EXPECT_EQ(after.version, before.version + 1);
  after.verified_at = before.verified_at;
  after.version = before.version;
  after.updated_at = before.updated_at;
  EXPECT_EQ(after, before) << "nothing but verified_at changed";
  EXPECT_FALSE(conf().open_request("t-1", kNow)) << "a request is answered once";
  EXPECT_THROW(conf().answer(id, geo::HostAnswer::unchanged, json(), kToday, kNow), geo::NotFound);
  EXPECT_EQ(conf().count_open(), 0);
  EXPECT_EQ(audit_rows("confirmation.answer"), 1);
}

TEST_P(ConfirmationContract, AChangeWaitsForReviewAndWrongChangesWriteNothing) {
  const auto id = request(cafe_, "1");
  EXPECT_THROW(conf().answer(id, geo::HostAnswer::changed, {{"name", "別の名前"}}, kToday, kNow),
               geo::InvalidArgument)
      << "a host does not rename a listing";
  EXPECT_THROW(conf().answer(id, geo::HostAnswer::changed, {{"vacancy", 99}}, kToday, kNow),
               geo::InvalidArgument)
      << "validated like the resource API: vacancy above capacity";
  EXPECT_THROW(conf().answer(id, geo::HostAnswer::changed, json::object(), kToday, kNow),
               geo::InvalidArgument);
  EXPECT_TRUE(conf().open_request("t-1", kNow)) << "a refused answer uses nothing up";
  EXPECT_EQ(conf().count_open(), 0);

  const auto out =
      conf().answer(id, geo::HostAnswer::changed,
                    {{"vacancy", 0}, {"description", "木曜日に変わりました"}}, kToday, kNow);
  ASSERT_GT(out.proposal_id, 0);
  EXPECT_EQ(*store().resource(cafe_.id), cafe_) << "the listing waits for review";
  const auto queue = conf().open_proposals(10, 0);
  ASSERT_EQ(queue.size(), 1U);
  EXPECT_EQ(queue[0].resource_id, cafe_.id);
  EXPECT_EQ(queue[0].answer, "changed");
  const json diff = geo::changes_diff(cafe_, json::parse(queue[0].changes_json));
  EXPECT_EQ(diff["vacancy"]["from"], 5);
  EXPECT_EQ(diff["vacancy"]["to"], 0);
  EXPECT_EQ(diff["description"]["from"], "毎週水曜日");
  EXPECT_EQ(json::parse(queue[0].diff_json), diff) << "kept with the proposal for the queue";
}

TEST_P(ConfirmationContract, AcceptingPublishesThroughTheOrdinaryEditWithItsHistory) {
  const auto id = request(cafe_, "1");
  const auto p =
      conf().answer(id, geo::HostAnswer::changed, {{"vacancy", 0}}, kToday, kNow).proposal_id;
  EXPECT_THROW(conf().decide(p, "accept", json(), cafe_.version + 7, kCoordinator), geo::Conflict)
      << "the version the reviewer saw must still be the listing's";
  EXPECT_EQ(conf().count_open(), 1) << "a refused decision decides nothing";
  const auto after = conf().decide(p, "accept", json(), cafe_.version, kCoordinator);
  EXPECT_EQ(after.vacancy, 0);
  EXPECT_EQ(store().resource(cafe_.id)->vacancy, 0);
  const auto history = store().history(cafe_.id);
  ASSERT_FALSE(history.empty());
  const auto& last = history.back();
  EXPECT_NE(last.actor.find("coordinator-a"), std::string::npos) << last.actor;
  EXPECT_NE(last.actor.find("proposal " + std::to_string(p)), std::string::npos) << last.actor;
  EXPECT_NE(last.actor.find("host"), std::string::npos) << last.actor;
  EXPECT_EQ(conf().proposal(p)->status, "accepted");
  EXPECT_THROW(conf().decide(p, "accept", json(), std::nullopt, kCoordinator), geo::NotFound)
      << "decided once";
  EXPECT_EQ(audit_rows("review.decision"), 1);
  EXPECT_TRUE(geo::verify_audit_log(store()).intact);
}

TEST_P(ConfirmationContract, PauseEndRejectEditAndReports) {
  const auto paused =
      conf().answer(request(cafe_, "1"), geo::HostAnswer::paused, json(), kToday, kNow).proposal_id;
  const auto ended =
      conf().answer(request(hall_, "2"), geo::HostAnswer::ended, json(), kToday, kNow).proposal_id;
  const auto report = conf().add_report(cafe_.id, "曜日が違います", kNow);
  EXPECT_EQ(conf().count_open(), 3);
  EXPECT_THROW(conf().decide(paused, "approve", json(), std::nullopt, kCoordinator),
               geo::InvalidArgument);
  conf().decide(paused, "accept", json(), std::nullopt, kCoordinator);
  EXPECT_EQ(store().resource(cafe_.id)->status, geo::ResourceStatus::paused);
  conf().decide(ended, "reject", json(), std::nullopt, kCoordinator);
  EXPECT_EQ(store().resource(hall_.id)->status, geo::ResourceStatus::active) << "rejected";
  const auto edited =
      conf().decide(report, "edit", {{"description", "毎週木曜日"}}, std::nullopt, kCoordinator);
  EXPECT_EQ(edited.description, "毎週木曜日");
  EXPECT_THROW(conf().add_report("no-such-id", "x", kNow), geo::NotFound);
  EXPECT_EQ(conf().count_open(), 0);
  EXPECT_EQ(audit_rows("report"), 1);
}

TEST_P(ConfirmationContract, UnconfirmedSinceFindsOldListingsOfAKind) {
  auto r = *store().resource(hall_.id);
  r.verified_at = "2020-04-01";
  store().update(r, r.version, "test");
  const auto old = conf().unconfirmed_since("2025-01-01", std::nullopt);
  ASSERT_EQ(old.size(), 1U);
  EXPECT_EQ(old[0].id, hall_.id);
  EXPECT_TRUE(conf().unconfirmed_since("2025-01-01", geo::ResourceKind::ibasho).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfirmationContract,
                         ::testing::Range<std::size_t>(0, contract_backends().size()),
                         contract_backend_name);

}  // namespace
}  // namespace tsunagi::test
