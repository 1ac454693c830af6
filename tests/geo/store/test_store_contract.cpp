// The store's contract: what every backend of geo::Store must do, written against the interface
// alone (locations are URIs, changes are opaque tokens), parameterised over the backends this
// build has. A second backend joins by adding its row to contract_backends.hpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "contract_backends.hpp"
#include "geo/core/error.hpp"
#include "geo/store/accounts.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

Resource place(const std::string& name, double lon) {
  Resource r;
  r.kind = ResourceKind::ibasho;
  r.name = name;
  r.lon = lon;
  r.lat = 34.34;
  return r;
}

class StoreContract : public ::testing::TestWithParam<std::size_t> {
 protected:
  [[nodiscard]] std::string location(const std::string& stem = "town") const {
    return test::contract_location(GetParam(), dir_.path(), stem);
  }
  test::TempDir dir_;
};

TEST_P(StoreContract, ANewStoreIsMadeAtItsLocationAndOpenedAgainThere) {
  const auto where = location();
  EXPECT_FALSE(Store::exists(where));
  EXPECT_THROW(Store::open(where), StoreError) << "open_existing does not create";
  std::string id;
  {
    auto store = Store::open(where, Store::Mode::create_if_missing);
    auto r = place("本町サロン", 134.04);
    store.create(r, "test");
    id = r.id;
  }
  EXPECT_TRUE(Store::exists(where));
  const auto store = Store::open(where, Store::Mode::read_only);
  ASSERT_TRUE(store.resource(id));
  EXPECT_EQ(store.resource(id)->name, "本町サロン");
  EXPECT_TRUE(store.health().ok) << store.health().problem;
}

TEST_P(StoreContract, AnEditFromAnOldVersionConflictsAndEveryEditIsInTheHistory) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  auto r = place("本町サロン", 134.04);
  store.create(r, "alice");
  auto mine = r;
  auto theirs = r;
  mine.description = "毎週水曜";
  store.update(mine, 1, "alice");
  theirs.description = "毎週木曜";
  EXPECT_THROW(store.update(theirs, 1, "bob"), Conflict);
  EXPECT_EQ(store.resource(r.id)->description, "毎週水曜");
  const auto history = store.history(r.id);
  ASSERT_EQ(history.size(), 2U);
  EXPECT_EQ(history[0].actor, "alice");
  EXPECT_EQ(history[1].version, 2);
}

TEST_P(StoreContract, AChangeTokenNamesWhatChangedAfterIt) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  const auto before = store.change_token();
  auto a = place("A", 134.01);
  auto b = place("B", 134.02);
  store.create(a, "t");
  store.create(b, "t");
  const auto after_two = store.change_token();
  EXPECT_NE(before, after_two);
  // The count is an upper bound (what a reader uses to choose between reading the changes and
  // reading everything); what changed is exact.
  EXPECT_GE(store.resources_changed_since(before).value_or(0), 2);
  EXPECT_EQ(store.resources_changed_since(after_two), 0);
  EXPECT_GE(store.resources_changed_since(Store::ChangeToken()).value_or(0), 2)
      << "empty: from the start";
  std::vector<std::string> created;
  store.for_each_resource_changed_since(before, [&](Resource&& r) { created.push_back(r.id); });
  std::vector<std::string> expected{a.id, b.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(created, expected);

  a.description = "changed";
  store.update(a, 1, "t");
  std::vector<std::string> seen;
  store.for_each_resource_changed_since(after_two, [&](Resource&& r) { seen.push_back(r.id); });
  EXPECT_EQ(seen, std::vector<std::string>{a.id}) << "the edit, and nothing else";

  // A token this store never gave: another store's future, or junk. The caller reads everything.
  auto other = Store::open(location("other"), Store::Mode::create_if_missing);
  for (int i = 0; i < 5; ++i) {
    auto r = place("o" + std::to_string(i), 134.0 + i * 0.01);
    other.create(r, "t");
    r.description = "x";
    other.update(r, 1, "t");
  }
  EXPECT_EQ(store.resources_changed_since(other.change_token()), std::nullopt);
  EXPECT_EQ(store.resources_changed_since(Store::ChangeToken("not a token")), std::nullopt);
  EXPECT_THROW(
      store.for_each_resource_changed_since(Store::ChangeToken("not a token"), [](Resource&&) {}),
      InvalidArgument);
}

TEST_P(StoreContract, AccountsKeepOneUserPerName) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  Accounts& accounts = store.accounts();
  accounts.add_user("hanako", Role::coordinator, "hash");
  EXPECT_THROW(accounts.add_user("hanako", Role::matcher, "hash2"), Conflict);
  ASSERT_TRUE(accounts.user_by_name("hanako"));
  EXPECT_EQ(accounts.user_by_name("hanako")->role, Role::coordinator);
}

TEST_P(StoreContract, AUserWorksForTheirTownsOrEveryTown) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  Accounts& accounts = store.accounts();
  accounts.add_user("hanako", Role::coordinator, "hash");
  EXPECT_TRUE(accounts.user_by_name("hanako")->municipalities.all());
  accounts.set_municipalities("hanako", MunicipalScope({"023817", "023612"}));
  const auto u = accounts.user_by_name("hanako");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->municipalities.text(), "023612,023817");
  EXPECT_TRUE(u->municipalities.covers("023612"));
  EXPECT_FALSE(u->municipalities.covers("023035"));
  EXPECT_EQ(accounts.users().at(0).municipalities, u->municipalities);
  accounts.set_municipalities("hanako", MunicipalScope());
  EXPECT_TRUE(accounts.user_by_name("hanako")->municipalities.all());
  EXPECT_THROW(accounts.set_municipalities("nobody", MunicipalScope({"023612"})), NotFound);
}

TEST_P(StoreContract, ACaseIsKeptAndEveryReadOfItIsInTheChainedAuditLog) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  Resource farm = place("ふれあい農園", 134.02);
  farm.kind = ResourceKind::placement_site;
  PlacementOffer offer;
  offer.slots_total = 2;
  offer.slots_open = 2;
  farm.offer = offer;
  store.create(farm, "t");
  const AuditActor matcher{7, "matcher1"};
  const Referral made = store.referrals().create(
      parse_new_referral({{"resource_id", farm.id},
                          {"legal_basis", "shien_kaigi"},
                          {"home_area", "x"},
                          {"age_band", "50s"},
                          {"needs", {"short_hours"}}},
                         [](std::string_view) { return std::optional<std::string>("chome:x"); }),
      matcher);
  EXPECT_TRUE(is_case_id(made.case_id));
  const auto read = store.referrals().get(made.case_id, matcher);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->resource_id, farm.id);
  EXPECT_EQ(read->home_area, "chome:x");
  const auto moved = store.referrals().transition(made.case_id, ReferralStatus::consented,
                                                  std::nullopt, std::nullopt, matcher);
  EXPECT_EQ(moved.status, ReferralStatus::consented);
  EXPECT_FALSE(store.referrals().get("C-NOSUCHCASE", matcher).has_value());

  const auto log = store.referrals().audit(0, 100);
  ASSERT_EQ(log.size(), 3U);  // create, read, transition: the miss reads no case
  EXPECT_EQ(log[0].action, "create");
  EXPECT_EQ(log[1].action, "read");
  EXPECT_EQ(log[2].action, "transition");
  EXPECT_EQ(log[1].user_name, "matcher1");
  const auto chain = verify_audit_log(store);
  EXPECT_TRUE(chain.intact) << chain.problem;
  EXPECT_EQ(chain.rows, 3);
  EXPECT_EQ(audit_head(store).last_id, log[2].id);
}

TEST_P(StoreContract, OpenRequestsAreTheUnansweredUnrevokedUnexpiredOnesSoonestToExpireFirst) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  std::vector<std::string> ids;
  for (const auto* name : {"本町サロン", "東町食堂", "西町カフェ", "北町農園"}) {
    auto r = place(name, 134.04 + 0.01 * static_cast<double>(ids.size()));
    store.create(r, "test");
    ids.push_back(r.id);
  }
  const AuditActor who{0, "coordinator"};
  Confirmations& c = store.confirmations();
  c.add_request(ids[0], "t0", "c0", "2026-12-30T00:00:00Z", who);
  c.add_request(ids[1], "t1", "c1", "2026-12-20T00:00:00Z", who);
  c.add_request(ids[2], "t2", "c2", "2026-11-01T00:00:00Z", who);  // expired by now_iso
  const auto answered = c.add_request(ids[3], "t3", "c3", "2026-12-25T00:00:00Z", who);
  c.answer(answered, HostAnswer::unchanged, nlohmann::json::object(), "2026-12-01",
           "2026-12-01T00:00:00Z");
  c.add_request(ids[0], "t0b", "c0b", "2026-12-31T00:00:00Z", who);  // revokes t0

  const auto open = c.open_requests("2026-12-02T00:00:00Z");
  ASSERT_EQ(open.size(), 2U);
  EXPECT_EQ(open[0].resource_id, ids[1]);
  EXPECT_EQ(open[0].expires_at, "2026-12-20T00:00:00Z");
  EXPECT_EQ(open[1].resource_id, ids[0]);
  EXPECT_EQ(open[1].expires_at, "2026-12-31T00:00:00Z") << "the newer request, not the revoked";
  EXPECT_EQ(open[1].created_by, "coordinator");
  EXPECT_TRUE(c.open_requests("2027-01-01T00:00:00Z").empty());
}

TEST_P(StoreContract, DiscardLeavesNothingOfAStoreBehind) {
  const auto where = location();
  {
    auto store = Store::open(where, Store::Mode::create_if_missing);
    auto r = place("A", 134.01);
    store.create(r, "t");
  }
  Store::discard(where);
  EXPECT_FALSE(Store::exists(where));
  EXPECT_THROW(Store::open(where), StoreError);
  std::size_t left = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_.path())) ++left;
  EXPECT_EQ(left, 0U) << "no side file of the store remains";
  Store::discard(where);  // nothing there: quiet
}

TEST_P(StoreContract, JobsAreListedForTheReadersAudiencesAndTowns) {
  auto store = Store::open(location(), Store::Mode::create_if_missing);
  const auto job = [&](const std::string& id, const std::string& audience,
                       const std::string& town) {
    AnalysisJob j;
    j.id = id;
    j.analysis = "coverage";
    j.request_json = "{}";
    j.audience = audience;
    j.owner = "planner";
    j.status = "done";
    j.created_at = "2026-12-04T00:00:0" + id.substr(1) + "Z";
    j.result_json = "{\"totals\":{}}";
    j.municipality = town;
    store.put_job(j);
  };
  job("j1", "partners", "");        // every town's figures
  job("j2", "partners", "023612");  // 藤崎町
  job("j3", "partners", "023817");  // 板柳町
  job("j4", "internal", "023612");  // 藤崎町, from more than partners see
  const auto listed = [&](const std::vector<std::string>& audiences, const MunicipalScope& towns) {
    std::vector<std::string> out;
    for (const auto& j : store.jobs(audiences, towns, 10, 0)) {
      out.push_back(j.id);
      EXPECT_TRUE(j.result_json.empty()) << "a list holds no answers";
    }
    EXPECT_EQ(store.count_jobs(audiences, towns), static_cast<std::int64_t>(out.size()));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(listed({"partners"}, MunicipalScope()), (V{"j3", "j2", "j1"})) << "newest first";
  EXPECT_EQ(listed({"partners", "internal"}, MunicipalScope({"023612"})), (V{"j4", "j2"}))
      << "a scoped reader never sees a job of every town";
  EXPECT_EQ(listed({"partners"}, MunicipalScope({"023612", "023817"})), (V{"j3", "j2"}));
  EXPECT_EQ(listed({"partners"}, MunicipalScope({"023035"})), V{});
  EXPECT_EQ(store.jobs({"partners"}, MunicipalScope(), 1, 1).front().id, "j2") << "paged";
  const auto one = store.job("j2");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->municipality, "023612");
  EXPECT_EQ(one->result_json, "{\"totals\":{}}");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract,
                         ::testing::Range<std::size_t>(0, test::contract_backends().size()),
                         test::contract_backend_name);

}  // namespace
}  // namespace tsunagi::geo
