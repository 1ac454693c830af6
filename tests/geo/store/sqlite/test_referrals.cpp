// Referrals in the store: a case followed from 提案 to 終了 at a farm with two places, the status
// machine refusing steps that cannot follow, slots taken at 参加開始 and given back at the end,
// the audit log (one entry per read and write; SQLite refuses to change or delete one), the
// aggregates shown only from 5 answered referrals, and the purge after the retention period.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <set>

#include "geo/core/error.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {
namespace {

using geo::ReferralStatus;
using nlohmann::json;

const geo::AuditActor kMatcher{7, "matcher-a"};

class ReferralStore : public ::testing::Test {
 protected:
  void SetUp() override {
    town_ = std::make_unique<TinyTown>(dir_ / "town.db");
    town_->add_area("chome:demo-naka3", geo::AreaKind::chome, "中町三丁目",
                    "POLYGON((133.63 35.09,133.64 35.09,133.64 35.10,133.63 35.10,133.63 35.09))",
                    133.635, 35.095);
    farm_ = town_->add("ふれあい農園", geo::ResourceKind::placement_site, 133.647, 35.104,
                       [](geo::Resource& r) {
                         geo::PlacementOffer offer;
                         offer.slots_total = 2;
                         offer.slots_open = 2;
                         r.offer = offer;
                       });
    cafe_ = town_->add("まちのかふぇ", geo::ResourceKind::ibasho, 133.640, 35.100);
  }

  geo::Store& store() { return town_->store(); }

  geo::Referral parse(json body) {
    return geo::parse_new_referral(body, [](std::string_view t) -> std::optional<std::string> {
      if (t == "chome:demo-naka3" || t == "demo-naka3") return std::string("chome:demo-naka3");
      return std::nullopt;
    });
  }
  json body() const {
    return {{"resource_id", farm_.id},
            {"legal_basis", "shien_kaigi"},
            {"home_area", "demo-naka3"},
            {"age_band", "50s"},
            {"needs", {"short_hours", "low_contact"}}};
  }
  geo::Referral create() { return store().referrals().create(parse(body()), kMatcher); }
  geo::Referral step(const std::string& id, ReferralStatus to,
                     std::optional<geo::DeclineReason> reason = std::nullopt) {
    return store().referrals().transition(id, to, reason, std::nullopt, kMatcher);
  }
  int slots_open() { return *store().resource(farm_.id)->offer->slots_open; }
  std::vector<geo::AuditEntry> audit() { return store().referrals().audit(0, 1000); }

  TempDir dir_;
  std::unique_ptr<TinyTown> town_;
  geo::Resource farm_;
  geo::Resource cafe_;
};

TEST(ReferralCodes, CaseIdsAreRandomAndShapedSo) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto id = geo::new_case_id();
    EXPECT_TRUE(geo::is_case_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200U);
  EXPECT_FALSE(geo::is_case_id("C-1234"));
  EXPECT_FALSE(geo::is_case_id("C-ABCDEFGHIJKLMNO1"));  // 1 is not base32
  EXPECT_FALSE(geo::is_case_id("X-ABCDEFGHIJKLMNOP"));
}

TEST(ReferralCodes, StatusMachineAllowsOnlyTheNextSteps) {
  using S = ReferralStatus;
  EXPECT_TRUE(geo::allowed_next(S::proposed).contains(S::consented));
  EXPECT_FALSE(geo::allowed_next(S::proposed).contains(S::started));
  EXPECT_FALSE(geo::allowed_next(S::proposed).contains(S::declined_by_host));
  EXPECT_TRUE(geo::allowed_next(S::host_asked).contains(S::visit));
  EXPECT_TRUE(geo::allowed_next(S::host_asked).contains(S::started));  // no 見学 offered
  EXPECT_FALSE(geo::allowed_next(S::trial).contains(S::visit));        // never backwards
  EXPECT_TRUE(geo::allowed_next(S::started).contains(S::ended));
  for (const S s : {S::ended, S::declined_by_person, S::declined_by_host}) {
    EXPECT_TRUE(geo::allowed_next(s).empty());
    EXPECT_TRUE(geo::is_final(s));
  }
}

TEST_F(ReferralStore, PersonalFieldsAreRefusedByName) {
  for (const std::string field : {"name", "氏名", "address", "住所", "birth_date", "diagnosis",
                                  "disability_grade", "lon", "lat", "note", "phone"}) {
    json b = body();
    b[field] = "x";
    try {
      parse(b);
      ADD_FAILURE() << field << " was accepted";
    } catch (const geo::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown field '" + field + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST_F(ReferralStore, HomeAreaIsAnAreaNeverAnAddressOrPoint) {
  for (const json& bad : {json("中町3-14-15"), json("中町三丁目5番地"), json("133.635,35.095"),
                          json::array({133.635, 35.095}), json("chome:nowhere")}) {
    json b = body();
    b["home_area"] = bad;
    EXPECT_THROW(parse(b), geo::InvalidArgument) << bad.dump();
  }
  json b = body();
  b["home_area"] = "chome:demo-naka3";
  EXPECT_EQ(parse(b).home_area, "chome:demo-naka3");
}

TEST_F(ReferralStore, LegalBasisAgeBandAndDatesAreChecked) {
  json b = body();
  b["legal_basis"] = "consent";
  EXPECT_THROW(parse(b), geo::InvalidArgument);  // no scope and date
  b["consent_scope"] = {"share_with_host"};
  b["consent_date"] = "2026-02-30";
  EXPECT_THROW(parse(b), geo::InvalidArgument);
  b["consent_date"] = "2026-02-03";
  const auto r = parse(b);
  EXPECT_EQ(r.legal_basis, geo::LegalBasis::consent);
  EXPECT_TRUE(r.consent_scope.contains(geo::ConsentScope::share_with_host));

  json k = body();
  k["consent_date"] = "2026-02-03";  // consent fields with 支援会議
  EXPECT_THROW(parse(k), geo::InvalidArgument);
  for (const std::string band : {"53", "1973-04-01", "5s", "100s", "50代"}) {
    json a = body();
    a["age_band"] = band;
    EXPECT_THROW(parse(a), geo::InvalidArgument) << band;
  }
  json n = body();
  n["needs"] = {"統合失調症"};  // a diagnosis is not a need tag
  EXPECT_THROW(parse(n), geo::InvalidArgument);
}

TEST_F(ReferralStore, OnlyPlacementsWithAnOfferTakeReferrals) {
  json b = body();
  b["resource_id"] = cafe_.id;
  EXPECT_THROW(store().referrals().create(parse(b), kMatcher), geo::InvalidArgument);
  b["resource_id"] = "no-such-resource";
  EXPECT_THROW(store().referrals().create(parse(b), kMatcher), geo::InvalidArgument);
}

TEST_F(ReferralStore, FollowedToTheEndWithHistoryAndTheSlotBack) {
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

TEST_F(ReferralStore, ImpossibleStepsAreRefusedSayingWhatMayFollow) {
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

TEST_F(ReferralStore, TheLastSlotGoesToOneAndADeclineAfterTheStartFreesIt) {
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

TEST_F(ReferralStore, FollowUpsPastDueAreListed) {
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

TEST_F(ReferralStore, EveryReadAndWriteIsAudited) {
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

TEST_F(ReferralStore, JsonHasLabelsAndNextStepsButNoPersonalField) {
  const auto r = create();
  const json j = geo::referral_json(r);
  EXPECT_EQ(j["status"], "proposed");
  EXPECT_EQ(j["status_label"], "提案");
  EXPECT_EQ(j["legal_basis"]["code"], "shien_kaigi");
  EXPECT_EQ(j["allowed_next"], json({"consented", "declined_by_person"}));
  for (const char* k : {"name", "address", "birth_date", "diagnosis", "lon", "lat"}) {
    EXPECT_FALSE(j.contains(k)) << k;
  }
}

}  // namespace
}  // namespace tsunagi::test
