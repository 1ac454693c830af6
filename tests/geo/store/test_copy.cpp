// Copying a store whole (geo/store/copy.hpp, `tsunagi migrate`): an SQLite town with places,
// an area, a case and its audited reads, and an account, copied into PostgreSQL and back, every
// table the same on both sides and the audit chain still whole.
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/store/accounts.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/copy.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "referral_farm.hpp"
#include "support/postgres_cluster.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {
namespace {

using geo::Store;

class StoreCopy : public ReferralFarm<::testing::Test> {
 protected:
  [[nodiscard]] std::string location() const override {
    return "sqlite:" + (dir_.path() / "town.sqlite").string();
  }
  void fill() {
    const auto c = create();
    ASSERT_TRUE(store().referrals().get(c.case_id, kMatcher));  // an audited read
    store().accounts().add_user("coordinator-a", geo::Role::coordinator, "$argon2id$x");
  }
  TempDir dir_;
};

std::int64_t rows_of(const std::vector<geo::CopyTableReport>& report, const std::string& table) {
  for (const auto& t : report) {
    if (t.table == table) return t.rows_to;
  }
  return -1;
}

TEST_F(StoreCopy, APostgresCopyHoldsEveryRowAndItsAuditChainVerifies) {
  if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
  fill();
  const auto to = new_postgres_database("copy");
  const auto report = geo::copy_store(location(), to);
  ASSERT_EQ(report.size(), geo::copy_tables().size());
  for (const auto& t : report) EXPECT_TRUE(t.same()) << t.table;
  EXPECT_EQ(rows_of(report, "resource"), 2);
  EXPECT_EQ(rows_of(report, "area"), 1);
  EXPECT_EQ(rows_of(report, "referral"), 1);
  EXPECT_EQ(rows_of(report, "app_user"), 1);
  EXPECT_GE(rows_of(report, "audit_log"), 2);

  const auto copy = Store::open(to, Store::Mode::read_only);
  std::int64_t seen = 0;
  store().for_each_resource([&](geo::Resource&& r) {
    ++seen;
    const auto there = copy.resource(r.id);
    ASSERT_TRUE(there) << r.name;
    EXPECT_EQ(*there, r) << r.name;
    EXPECT_EQ(copy.history(r.id).size(), store().history(r.id).size()) << r.name;
  });
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(copy.areas(), store().areas());
  const auto chain = copy.audit_log().verify();
  EXPECT_TRUE(chain.intact) << chain.problem;
  EXPECT_EQ(chain.head.hash, store().audit_log().head().hash);
}

TEST_F(StoreCopy, ANonEmptyTargetIsRefusedAndKeepsWhatItHeld) {
  if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
  fill();
  const auto to = new_postgres_database("full");
  geo::copy_store(location(), to);
  const auto before = Store::open(to, Store::Mode::read_only).resource_count();
  EXPECT_THROW(geo::copy_store(location(), to), geo::StoreError);
  EXPECT_EQ(Store::open(to, Store::Mode::read_only).resource_count(), before);
}

TEST_F(StoreCopy, BackFromPostgresIntoANewSqliteFileTheSame) {
  if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
  fill();
  const auto pg = new_postgres_database("round");
  geo::copy_store(location(), pg);
  const auto back = "sqlite:" + (dir_.path() / "back.sqlite").string();
  for (const auto& t : geo::copy_store(pg, back)) EXPECT_TRUE(t.same()) << t.table;
  const auto copy = Store::open(back, Store::Mode::read_only);
  EXPECT_EQ(copy.resource_count(), store().resource_count());
  EXPECT_TRUE(copy.audit_log().verify().intact);
  EXPECT_EQ(copy.audit_log().head().hash, store().audit_log().head().hash);
}

TEST(PostgresAuditLog, NoRowIsChangedOrDeletedWhoeverConnects) {
  if (const auto why = postgres_unavailable(); !why.empty()) GTEST_SKIP() << why;
  auto store = Store::open(new_postgres_database("audit"), Store::Mode::create_if_missing);
  const auto head_before = store.audit_log().head();
  {
    geo::Store::Transaction tx(store, geo::Store::Transaction::Writes::accounts);
    store.exec(
        "INSERT INTO audit_log (audit_id, at, user_id, user_name, action, detail, chain_hash) "
        "VALUES (1, 'x', 1, 'u', 'read', '', 'h')");
    tx.commit();
  }
  EXPECT_EQ(store.audit_log().head().rows, head_before.rows + 1);
  EXPECT_THROW(store.exec("UPDATE audit_log SET detail = 'changed'"), geo::StoreError);
  EXPECT_THROW(store.exec("DELETE FROM audit_log"), geo::StoreError);
  EXPECT_THROW(store.exec("TRUNCATE audit_log"), geo::StoreError);
  EXPECT_EQ(store.audit_log().head().rows, head_before.rows + 1);
}

}  // namespace
}  // namespace tsunagi::test
