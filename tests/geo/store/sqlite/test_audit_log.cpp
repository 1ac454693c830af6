// The audit log's hash chain (geo/store/sqlite/audit_log): rows written through the referrals are
// chained; verify names a changed row and the row after a deleted one; a store from before the
// chain gets its rows chained, in id order, when it is opened; a row without its hash is refused.
#include "geo/store/audit_log.hpp"
#include "geo/store/sqlite/audit_chain.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/old_store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {
namespace {

const geo::AuditActor kWho{3, "matcher-b"};

// Audit rows without referrals: a stats reading writes one (all placements, no case).
void write_rows(geo::Store& store, int n) {
  for (int i = 0; i < n; ++i) (void)store.referrals().stats("", kWho);
}

TEST(AuditLog, RowsAreChainedAndVerifyNamesTheFirstBrokenLink) {
  TempDir dir;
  auto store = geo::Store::open(dir / "s.db", geo::Store::Mode::create_if_missing);
  auto v = geo::verify_audit_log(store);
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.rows, 0);
  EXPECT_EQ(v.head.hash, std::string(64, '0'));
  write_rows(store, 5);
  v = geo::verify_audit_log(store);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 5);
  const auto head = geo::audit_head(store);
  EXPECT_EQ(head.rows, 5);
  EXPECT_EQ(head.last_id, 5);
  EXPECT_EQ(head.hash, v.head.hash);
  EXPECT_EQ(head.hash.size(), 64U);

  // A changed row is named itself; the rows after it still link to its stored hash.
  store.exec(
      "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'x' WHERE audit_id = 2");
  v = geo::verify_audit_log(store);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.broken_id, 2);
  EXPECT_NE(v.problem.find("row 2 does not match its hash"), std::string::npos) << v.problem;
}

TEST(AuditLog, ADeletedRowIsNamedByTheRowAfterIt) {
  TempDir dir;
  auto store = geo::Store::open(dir / "s.db", geo::Store::Mode::create_if_missing);
  write_rows(store, 4);
  store.exec("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE audit_id = 2");
  const auto v = geo::verify_audit_log(store);
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.broken_id, 3);
  EXPECT_NE(v.problem.find("row 2 is missing"), std::string::npos) << v.problem;
  EXPECT_EQ(v.rows, 3);
}

TEST(AuditLog, ARowWithoutItsHashIsRefused) {
  TempDir dir;
  auto store = geo::Store::open(dir / "s.db", geo::Store::Mode::create_if_missing);
  EXPECT_THROW(store.exec("INSERT INTO audit_log (at, user_id, user_name, action, detail) "
                          "VALUES ('2026-01-01T00:00:00Z', 1, 'x', 'read', '')"),
               geo::StoreError);
}

TEST(AuditLog, AnOlderStoreHasItsRowsChainedInIdOrderWhenOpened) {
  TempDir dir;
  const auto path = dir / "old.db";
  {
    // The schema as it was before the chain (version 7), with rows of its time.
    auto store = geo::Store::open(path, geo::Store::Mode::create_if_missing);
    tsunagi::test::downgrade_to_version_7(store);
    store.exec(
        "INSERT INTO audit_log (audit_id, at, user_id, user_name, action, case_id, legal_basis, "
        "detail) VALUES (1, '2025-01-01T00:00:00Z', 7, 'a', 'create', 'C-AAAAAAAAAAAAAAAA', "
        "'consent', ''), (2, '2025-01-02T00:00:00Z', 7, 'a', 'read', 'C-AAAAAAAAAAAAAAAA', "
        "'consent', ''), (3, '2025-01-03T00:00:00Z', 0, 'cli', 'stats', NULL, NULL, 'all'); ");
  }
  auto store = geo::Store::open(path);
  EXPECT_EQ(store.schema_version(), geo::Store::kSchemaVersion);
  auto v = geo::verify_audit_log(store);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 3);
  // The chain goes on from the migrated rows.
  write_rows(store, 1);
  v = geo::verify_audit_log(store);
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.rows, 4);
  // And each link is the hash of its row after the one before: recomputed here by hand.
  geo::audit_chain::Row first;
  first.id = 1;
  first.at = "2025-01-01T00:00:00Z";
  first.user_id = 7;
  first.user_name = "a";
  first.action = "create";
  first.case_id = "C-AAAAAAAAAAAAAAAA";
  first.legal_basis = "consent";
  const std::string link1 = geo::audit_chain::link(std::string(64, '0'), first);
  auto changed = first;
  changed.case_id.reset();
  EXPECT_NE(geo::audit_chain::link(std::string(64, '0'), changed), link1)
      << "NULL and a value hash apart";
  store.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET chain_hash = '" + link1 +
             "' WHERE audit_id = 1");
  EXPECT_TRUE(geo::verify_audit_log(store).intact) << "the migration wrote link(row 1)";
}

}  // namespace
}  // namespace tsunagi::test
