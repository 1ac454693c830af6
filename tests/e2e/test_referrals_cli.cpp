// tsunagi referrals purge: the retention period from the command line, on a store with one
// referral declined, one still under way and one declined long ago.
#include <gtest/gtest.h>

#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {
namespace {

using geo::ReferralStatus;

TEST(ReferralsCli, PurgeKeepsWhatIsWithinRetentionAndReportsWhatWent) {
  TempDir dir;
  const auto db = dir / "town.db";
  std::string old_id;
  std::string recent_id;
  std::string active_id;
  {
    TinyTown town(db);
    town.add_area("chome:demo-naka3", geo::AreaKind::chome, "中町三丁目",
                  "POLYGON((133.63 35.09,133.64 35.09,133.64 35.10,133.63 35.10,133.63 35.09))",
                  133.635, 35.095);
    const auto farm = town.add("ふれあい農園", geo::ResourceKind::placement_site, 133.647, 35.104,
                               [](geo::Resource& r) {
                                 geo::PlacementOffer offer;
                                 offer.slots_total = 1;
                                 offer.slots_open = 1;
                                 r.offer = offer;
                               });
    geo::Referrals& refs = town.store().referrals();
    const geo::AuditActor who{1, "matcher"};
    auto make = [&] {
      geo::Referral r;
      r.resource_id = farm.id;
      r.home_area = "chome:demo-naka3";
      r.age_band = "60s";
      return refs.create(r, who).case_id;
    };
    old_id = make();
    refs.transition(old_id, ReferralStatus::declined_by_person, geo::DeclineReason::other,
                    std::nullopt, who);
    town.store().exec("UPDATE referral SET closed_at = '2025-01-01T00:00:00Z' WHERE case_id = '" +
                      old_id + "'");
    recent_id = make();
    refs.transition(recent_id, ReferralStatus::declined_by_person, geo::DeclineReason::unreachable,
                    std::nullopt, who);
    active_id = make();
    refs.transition(active_id, ReferralStatus::consented, std::nullopt, std::nullopt, who);
  }

  auto purge = run_tsunagi({"referrals", "purge", "--db", db.string(), "--older-than-days", "90"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_NE(purge.out.find("purged 1 referral(s)"), std::string::npos) << purge.out;
  EXPECT_NE(purge.out.find("1 declined"), std::string::npos) << purge.out;
  EXPECT_EQ(purge.out.find(old_id), std::string::npos) << "the report lists no cases";

  purge = run_tsunagi({"referrals", "purge", "--db", db.string(), "--older-than-days", "0"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_NE(purge.out.find("purged 1 referral(s)"), std::string::npos) << purge.out;

  TinyTown town(db);
  geo::Referrals& refs = town.store().referrals();
  const geo::AuditActor reader{2, "checker"};
  EXPECT_FALSE(refs.get(old_id, reader));
  EXPECT_FALSE(refs.get(recent_id, reader));
  EXPECT_TRUE(refs.get(active_id, reader));
  int purges = 0;
  for (const auto& e : refs.audit(0, 1000)) {
    if (e.action != "purge") continue;
    ++purges;
    EXPECT_EQ(e.user_name, "cli:referrals purge");
    EXPECT_TRUE(e.case_id == old_id || e.case_id == recent_id) << e.case_id;
    EXPECT_EQ(e.legal_basis, "shien_kaigi");
  }
  EXPECT_EQ(purges, 2);

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"referrals", "purge", "--db", db.string()},
        std::vector<std::string>{"referrals", "purge", "--db", db.string(), "--older-than-days",
                                 "-3"},
        std::vector<std::string>{"referrals", "purge", "--older-than-days", "3"},
        std::vector<std::string>{"referrals", "shred", "--db", db.string()}}) {
    const auto r = run_tsunagi(bad);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_FALSE(r.err.empty());
  }
}

}  // namespace
}  // namespace tsunagi::test
