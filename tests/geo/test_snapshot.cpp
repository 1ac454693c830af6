// Snapshots: what readers see, bbox and nearest queries against brute force.
#include "geo/snapshot.hpp"

#include <gtest/gtest.h>

#include <random>

#include "geo/geodesic.hpp"
#include "geo/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

TEST(Snapshot, SeesCommittedStateAndItsGeneration) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  SnapshotHolder holder;
  holder.publish(Snapshot::build(store));
  const auto first = holder.current();
  EXPECT_TRUE(first->resources().empty());
  EXPECT_FALSE(first->extent());

  Resource r;
  r.kind = ResourceKind::kayoi_no_ba;
  r.name = "いきいき百歳体操 上ノ山会場";
  r.lon = 133.9;
  r.lat = 35.0;
  store.create(r, "test");
  holder.publish(Snapshot::build(store));
  const auto second = holder.current();
  EXPECT_GT(second->generation(), first->generation());
  ASSERT_EQ(second->resources().size(), 1u);
  ASSERT_NE(second->find(r.id), nullptr);
  EXPECT_EQ(second->find(r.id)->name, r.name);
  EXPECT_EQ(second->find("nope"), nullptr);
  EXPECT_TRUE(first->resources().empty()) << "an old snapshot never changes";
}

TEST(Snapshot, WithinAndNearestAgreeWithBruteForce) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> lon(129.0, 145.0);
  std::uniform_real_distribution<double> lat(31.0, 45.0);
  {
    Store::Transaction tx(store);
    for (int i = 0; i < 2000; ++i) {
      Resource r;
      r.kind = i % 3 == 0 ? ResourceKind::kayoi_no_ba : ResourceKind::ibasho;
      r.name = "r" + std::to_string(i);
      r.lon = lon(gen);
      r.lat = lat(gen);
      store.create(r, "test");
    }
    tx.commit();
  }
  const auto snap = Snapshot::build(store);
  const auto& all = snap->resources();

  const BBox box{135.0, 34.0, 137.5, 36.0};
  std::vector<std::uint32_t> brute;
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    if (box.contains(all[i].lon, all[i].lat)) brute.push_back(i);
  }
  EXPECT_EQ(snap->within(box), brute);
  EXPECT_FALSE(brute.empty());

  for (const auto& [qlon, qlat] : std::vector<std::pair<double, double>>{
           {139.767, 35.681}, {141.35, 43.06}, {130.4, 33.6}, {150.0, 20.0}}) {
    auto only_kayoi = [&](std::uint32_t i) { return all[i].kind == ResourceKind::kayoi_no_ba; };
    const auto got = snap->nearest(qlon, qlat, 10, only_kayoi);
    std::vector<std::pair<double, std::uint32_t>> expect;
    for (std::uint32_t i = 0; i < all.size(); ++i) {
      if (only_kayoi(i)) {
        expect.emplace_back(geodesic_distance_m(qlon, qlat, all[i].lon, all[i].lat), i);
      }
    }
    std::sort(expect.begin(), expect.end());
    ASSERT_EQ(got.size(), 10u);
    for (std::size_t k = 0; k < 10; ++k) {
      EXPECT_EQ(got[k].first, expect[k].second) << "rank " << k << " from " << qlon << "," << qlat;
      EXPECT_NEAR(got[k].second, expect[k].first, 1e-6);
    }
  }
}

}  // namespace
}  // namespace tsunagi::geo
