// Snapshots: what readers see, per audience; bbox and nearest queries against brute force; an
// incremental build equals a full one; a resources-only write keeps the area layer; audiences
// share what they see alike; rendered features stay within the feature cache's bound.
#include "geo/catalog/snapshot.hpp"

#include <gtest/gtest.h>

#include <random>

#include "geo/core/resource_fields.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

TEST(Snapshot, SeesCommittedStateAndItsGeneration) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  SnapshotHolder holder;
  holder.publish(Snapshot::build(store));
  const auto first = holder.current();
  EXPECT_EQ(first->view(Audience::internal).size(), 0u);
  EXPECT_FALSE(first->view(Audience::public_).extent());

  Resource r;
  r.kind = ResourceKind::kayoi_no_ba;
  r.name = "いきいき百歳体操 上ノ山会場";
  r.lon = 133.9;
  r.lat = 35.0;
  store.create(r, "test");
  holder.publish(Snapshot::build(store));
  const auto second = holder.current();
  EXPECT_GT(second->generation(), first->generation());
  const auto& view = second->view(Audience::internal);
  ASSERT_EQ(view.size(), 1u);
  ASSERT_NE(view.find(r.id), nullptr);
  EXPECT_EQ(view.find(r.id)->resource().name, r.name);
  EXPECT_EQ(view.find("nope"), nullptr);
  EXPECT_EQ(first->view(Audience::internal).size(), 0u) << "an old snapshot never changes";
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
  const auto snapshot = Snapshot::build(store);
  const auto* snap = &snapshot->view(Audience::public_);
  std::vector<Resource> all;
  for (const auto& item : snap->items()) all.push_back(item->resource());

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

Resource at(const std::string& name, double lon, double lat) {
  return test::resource_at(name, ResourceKind::ibasho, lon, lat);
}

/// The ids and served values of a view, for comparing two builds.
std::vector<Resource> contents(const AudienceView& view) {
  std::vector<Resource> out;
  for (const auto& item : view.items()) out.push_back(item->resource());
  return out;
}

TEST(Snapshot, IncrementalBuildEqualsAFullBuild) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  std::vector<Resource> rs;
  for (int i = 0; i < 50; ++i) {
    Resource r = at("居場所" + std::to_string(i), 133.9 + i * 0.001, 35.0);
    r.publish = i % 3 == 0 ? PublishLevel::partners : PublishLevel::public_;
    if (i % 5 == 0) r.venue = VenueKind::private_home;
    store.create(r, "test");
    rs.push_back(r);
  }
  const auto before = Snapshot::build(store);

  // Every kind of change: an edit, a move to internal, a new one, a closing, a note.
  rs[1].name = "改名した居場所";
  store.update(rs[1], rs[1].version, "test");
  rs[2].publish = PublishLevel::internal;
  store.update(rs[2], rs[2].version, "test");
  Resource added = at("新しい居場所", 133.95, 35.01);
  store.create(added, "test");
  store.close(rs[4].id, rs[4].version, "test");
  rs[6].note = "内部メモ";
  store.update(rs[6], rs[6].version, "test");

  const auto incremental = Snapshot::build(store, before.get());
  EXPECT_FALSE(incremental->build_info().full);
  EXPECT_EQ(incremental->build_info().resources_read, 5u) << "only the changed rows are read";
  const auto full = Snapshot::build(store);
  EXPECT_TRUE(full->build_info().full);
  for (const auto a : kAudiences) {
    EXPECT_EQ(contents(incremental->view(a)), contents(full->view(a))) << audience_id(a);
  }
  EXPECT_EQ(incremental->view(Audience::public_).find(rs[2].id), nullptr);
  EXPECT_EQ(incremental->view(Audience::public_).find(rs[4].id), nullptr) << "closed";
  ASSERT_NE(incremental->view(Audience::internal).find(rs[4].id), nullptr);
  EXPECT_EQ(incremental->build_info().trees_rebuilt, 3u) << "a new resource moves indexes";
  // An unchanged entry (and the feature already rendered for it) is shared, not rebuilt.
  const auto* old_entry = before->view(Audience::public_).find(rs[10].id);
  EXPECT_EQ(old_entry, incremental->view(Audience::public_).find(rs[10].id));
}

TEST(Snapshot, AnEditThatMovesNothingRebuildsNoSpatialIndex) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  std::vector<Resource> rs;
  for (int i = 0; i < 20; ++i) {
    Resource r = at("通いの場" + std::to_string(i), 133.9 + i * 0.001, 35.0);
    store.create(r, "test");
    rs.push_back(r);
  }
  const auto first = Snapshot::build(store);
  rs[3].vacancy = 2;  // the everyday edit
  rs[3].capacity = 10;
  store.update(rs[3], rs[3].version, "test");
  const auto second = Snapshot::build(store, first.get());
  EXPECT_EQ(second->build_info().trees_rebuilt, 0u);
  const auto& view = second->view(Audience::public_);
  EXPECT_EQ(view.find(rs[3].id)->resource().vacancy, 2);
  EXPECT_EQ(view.within(BBox{133.9025, 34.9, 133.9035, 35.1}),
            std::vector<std::uint32_t>{*view.index_of(rs[3].id)});

  rs[3].lon += 0.0001;  // a move rebuilds the trees, and the index finds the new position
  store.update(rs[3], rs[3].version, "test");
  const auto third = Snapshot::build(store, second.get());
  EXPECT_EQ(third->build_info().trees_rebuilt, 3u);
  EXPECT_EQ(contents(third->view(Audience::public_)),
            contents(Snapshot::build(store)->view(Audience::public_)));
  EXPECT_EQ(third->view(Audience::public_).within(BBox{133.9031, 34.9, 133.9035, 35.1}),
            std::vector<std::uint32_t>{*view.index_of(rs[3].id)});
}

TEST(Snapshot, AResourcesOnlyWriteKeepsTheAreaLayer) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  Area a;
  a.id = "chome:1";
  a.kind = AreaKind::chome;
  a.name = "一丁目";
  a.wkb =
      Geometry::from_wkt("POLYGON((133.9 35.0,133.91 35.0,133.91 35.01,133.9 35.01,133.9 35.0))")
          .wkb();
  a.label_lon = 133.905;
  a.label_lat = 35.005;
  store.put_area(a);
  const auto first = Snapshot::build(store);

  Resource home = at("自宅サロン", 133.9012, 35.0021);
  home.venue = VenueKind::private_home;
  store.create(home, "test");
  const auto second = Snapshot::build(store, first.get());
  EXPECT_FALSE(second->build_info().areas_rebuilt);
  EXPECT_EQ(second->area_layer(), first->area_layer()) << "the same layer object, not a copy";
  const auto& served = second->view(Audience::public_).find(home.id)->resource();
  EXPECT_DOUBLE_EQ(served.lon, 133.905) << "a 個人宅 is served at its 町丁目's point";
  EXPECT_DOUBLE_EQ(served.lat, 35.005);

  a.label_lon = 133.906;  // an area edit rebuilds the area layer and re-places private homes
  store.put_area(a);
  const auto third = Snapshot::build(store, second.get());
  EXPECT_TRUE(third->build_info().areas_rebuilt);
  EXPECT_NE(third->area_layer(), second->area_layer());
  EXPECT_DOUBLE_EQ(third->view(Audience::public_).find(home.id)->resource().lon, 133.906);
  EXPECT_EQ(contents(third->view(Audience::public_)),
            contents(Snapshot::build(store)->view(Audience::public_)));
}

}  // namespace
}  // namespace tsunagi::geo

namespace tsunagi::geo {
namespace {

// Unconfirmed listings (FreshnessRule): hidden from the public view only under `hide`, flagged
// in every view; a snapshot built on the previous one under another rule (a new day) projects
// every resource again, though no row changed.
TEST(Snapshot, TheFreshnessRuleHidesOrFlagsUnconfirmedListingsForThePublic) {
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  Resource old_one;
  old_one.kind = ResourceKind::kayoi_no_ba;
  old_one.name = "上ノ山会場";
  old_one.lon = 133.9;
  old_one.lat = 35.0;
  old_one.verified_at = "2024-03-31";
  store.create(old_one, "test");
  Resource recent = old_one;
  recent.id.clear();
  recent.name = "下ノ山会場";
  recent.verified_at = "2024-04-02";
  store.create(recent, "test");

  const FreshnessRule hide{.confirmed_since = "2024-04-01",
                           .unconfirmed_public = FreshnessRule::Public::hide};
  const FreshnessRule flag{.confirmed_since = "2024-04-01",
                           .unconfirmed_public = FreshnessRule::Public::flag};
  const auto none = Snapshot::build(store);
  EXPECT_EQ(none->view(Audience::public_).size(), 2U) << "the default rule hides nothing";
  EXPECT_FALSE(none->view(Audience::public_).find(old_one.id)->unconfirmed());

  const auto hidden = Snapshot::build(store, none.get(), hide);
  EXPECT_EQ(hidden->view(Audience::public_).find(old_one.id), nullptr);
  ASSERT_NE(hidden->view(Audience::public_).find(recent.id), nullptr);
  EXPECT_FALSE(hidden->view(Audience::public_).find(recent.id)->unconfirmed());
  for (const auto a : {Audience::partners, Audience::internal}) {
    const ServedResource* staff = hidden->view(a).find(old_one.id);
    ASSERT_NE(staff, nullptr) << "staff still see it";
    EXPECT_TRUE(staff->unconfirmed());
    EXPECT_NE(staff->feature()->find("\"unconfirmed\":true"), std::string::npos);
  }
  EXPECT_TRUE(hidden->build_info().full) << "a new rule projects everything again";

  const auto flagged = Snapshot::build(store, hidden.get(), flag);
  const ServedResource* pub = flagged->view(Audience::public_).find(old_one.id);
  ASSERT_NE(pub, nullptr);
  EXPECT_TRUE(pub->unconfirmed());
  EXPECT_NE(pub->feature()->find("\"unconfirmed\":true"), std::string::npos) << pub->feature();
  EXPECT_EQ(flagged->view(Audience::public_).find(recent.id)->feature()->find("unconfirmed"),
            std::string::npos);

  // A closed listing is never unconfirmed; one never confirmed counts from its creation.
  Resource closed = old_one;
  closed.status = ResourceStatus::closed;
  EXPECT_FALSE(unconfirmed(closed, flag));
  Resource never = old_one;
  never.verified_at.clear();
  never.created_at = "2024-03-01T10:00:00Z";
  EXPECT_TRUE(unconfirmed(never, flag));
  never.created_at = "2024-04-01T10:00:00Z";
  EXPECT_FALSE(unconfirmed(never, flag));
}

}  // namespace
}  // namespace tsunagi::geo

namespace tsunagi::geo {
namespace {

// What the audiences see alike is held once (issue #25: 200k resources in little memory): the
// stored record (internal, and partners when there is no internal note), the search key where
// the projection leaves name, kana, address and building alone, and the spatial index when the
// served positions are the same. Where the projection changes something, the record is the
// audience's own.
TEST(Snapshot, AudiencesShareTheRecordsKeysAndIndexesTheySeeAlike) {
  test::TempDir dir;
  test::TinyTown town(dir / "s.sqlite");
  town.add_area("chome:1", AreaKind::chome, "一丁目",
                "POLYGON((133.9 35.0,133.91 35.0,133.91 35.01,133.9 35.01,133.9 35.0))", 133.905,
                35.005);
  const Resource plain = town.add("上ノ山サロン", ResourceKind::ibasho, 133.901, 35.001,
                                  [](Resource& r) { r.address = "上ノ山町1-2"; });
  const Resource noted = town.add("下ノ山サロン", ResourceKind::ibasho, 133.902, 35.002,
                                  [](Resource& r) { r.note = "鍵は隣家に預けてある"; });
  const Resource home =
      town.add("自宅サロン", ResourceKind::ibasho, 133.9012, 35.0021, [](Resource& r) {
        r.venue = VenueKind::private_home;
        r.address = "上ノ山町3-4";
      });
  const Resource staff_only = town.add("連携先の作業所", ResourceKind::ibasho, 133.903, 35.003,
                                       [](Resource& r) { r.publish = PublishLevel::partners; });
  const auto snap = town.snapshot();
  const auto& internal = snap->view(Audience::internal);
  const auto& partners = snap->view(Audience::partners);
  const auto& pub = snap->view(Audience::public_);

  // The stored record, shared by the staff audiences that see it unchanged.
  EXPECT_EQ(&partners.find(plain.id)->resource(), &internal.find(plain.id)->resource());
  EXPECT_EQ(&partners.find(staff_only.id)->resource(), &internal.find(staff_only.id)->resource());
  // Where the projection hides a field, the audience has its own record, without it.
  EXPECT_NE(&partners.find(noted.id)->resource(), &internal.find(noted.id)->resource());
  EXPECT_TRUE(partners.find(noted.id)->resource().note.empty());
  // The public never shares a staff record: served() always removes the bookkeeping (version,
  // timestamps, provenance, publish level) it may not see.
  EXPECT_NE(&pub.find(plain.id)->resource(), &internal.find(plain.id)->resource());
  EXPECT_EQ(pub.find(plain.id)->resource().version, 0);
  EXPECT_GT(internal.find(plain.id)->resource().version, 0);

  // One search key for every audience whose searched fields are the same…
  for (const auto& id : {plain.id, noted.id}) {
    EXPECT_EQ(pub.find(id)->search_key_ptr(), internal.find(id)->search_key_ptr()) << id;
    EXPECT_EQ(partners.find(id)->search_key_ptr(), internal.find(id)->search_key_ptr()) << id;
  }
  // …and the public's own where the address of a 個人宅 is withheld.
  EXPECT_NE(pub.find(home.id)->search_key_ptr(), internal.find(home.id)->search_key_ptr());
  EXPECT_EQ(pub.find(home.id)->search_key().find("上ノ山町3"), std::string::npos);
  EXPECT_EQ(partners.find(home.id)->search_key_ptr(), internal.find(home.id)->search_key_ptr());

  // Partners see every resource where internal does: they use internal's index. The public
  // sees fewer, and the home elsewhere: its own.
  EXPECT_EQ(snap->build_info().trees_lent, 1u);
  EXPECT_EQ(partners.within(BBox{133.9025, 35.0025, 133.9035, 35.0035}),
            std::vector<std::uint32_t>{*partners.index_of(staff_only.id)});
  EXPECT_EQ(pub.within(BBox{133.9045, 35.0045, 133.9055, 35.0055}),
            std::vector<std::uint32_t>{*pub.index_of(home.id)})
      << "the public finds the home at its 町丁目's point only";
  EXPECT_TRUE(pub.within(BBox{133.9011, 35.002, 133.9013, 35.0022}).empty());
}

// The public's record differs from the stored one only where the projection changes a field;
// every text it leaves alone is the stored record's own bytes, not a copy (issue 25: the public
// view costs what it changes, not a second copy of every resource).
TEST(Snapshot, ThePublicRecordSharesEveryTextTheProjectionLeavesAlone) {
  test::TempDir dir;
  test::TinyTown town(dir / "s.sqlite");
  const Resource full =
      town.add("上ノ山ふれあいサロン", ResourceKind::ibasho, 133.901, 35.001, [](Resource& r) {
        r.name_kana = "カミノヤマフレアイサロン";
        r.subtype = "地域の居場所";
        r.description = "毎週水曜の午後、公民館の和室でお茶とおしゃべり。初めての方も歓迎します。";
        r.address = "上ノ山町1-2";
        r.building = "上ノ山公民館 2階";
        r.access_note = "上ノ山バス停から徒歩3分";
        r.operator_name = "上ノ山地区社会福祉協議会";
        r.phone = "087-000-0000";
        r.email = "salon@example.jp";  // not agreed: the public does not see it
        r.url = "https://example.jp/salon";
        r.fee_note = "お茶代として100円";
        r.parking = "公民館の駐車場（5台）";
        r.note = "鍵は隣家に預けてある";  // internal only
      });
  const auto snap = town.snapshot();
  const Resource& stored = snap->view(Audience::internal).find(full.id)->resource();
  const Resource& pub = snap->view(Audience::public_).find(full.id)->resource();
  const Resource& partners = snap->view(Audience::partners).find(full.id)->resource();
  ASSERT_NE(&pub, &stored) << "the public has its own record: the projection changes fields";

  std::size_t shared = 0;
  for (const auto& f : resource_fields()) {
    if (f.text == nullptr) continue;
    const Text& p = pub.*f.text;
    const Text& s = stored.*f.text;
    if (p.empty()) continue;
    EXPECT_EQ(p, s) << f.key;
    EXPECT_TRUE(p.shares(s)) << f.key << ": the public holds a copy of the stored text";
    EXPECT_TRUE((partners.*f.text).shares(s)) << f.key;
    ++shared;
  }
  EXPECT_GE(shared, 11U) << "name … parking: the texts the public may see";
  // What the projection changed is the public's own: emptied, holding nothing.
  EXPECT_TRUE(pub.email.empty());
  EXPECT_TRUE(pub.note.empty());
  EXPECT_TRUE(pub.created_at.empty());
  EXPECT_FALSE(stored.email.empty());
  EXPECT_FALSE(stored.note.empty());
}

TEST(Snapshot, ATownWhereEveryoneSeesTheSamePlacesBuildsOneIndex) {
  test::TempDir dir;
  test::TinyTown town(dir / "s.sqlite");
  std::vector<Resource> rs;
  rs.reserve(30);
  for (int i = 0; i < 30; ++i) {
    rs.push_back(town.add("通いの場" + std::to_string(i), ResourceKind::kayoi_no_ba,
                          133.9 + i * 0.001, 35.0));
  }
  const auto first = town.snapshot();
  EXPECT_EQ(first->build_info().trees_lent, 2u);
  for (const auto a : kAudiences) {
    const auto& view = first->view(a);
    EXPECT_EQ(view.within(BBox{133.9045, 34.9, 133.9055, 35.1}),
              std::vector<std::uint32_t>{*view.index_of(rs[5].id)})
        << audience_id(a);
    const auto near = view.nearest(133.9101, 35.0, 1, [](std::uint32_t) { return true; });
    ASSERT_EQ(near.size(), 1u);
    EXPECT_EQ(view.item(near[0].first).resource().id, rs[10].id) << audience_id(a);
  }
  // After a move, the incremental build lends the new internal index to the others too.
  rs[3].lon += 0.0001;
  town.store().update(rs[3], rs[3].version, "test");
  const auto second = Snapshot::build(town.store(), first.get());
  EXPECT_FALSE(second->build_info().full);
  EXPECT_EQ(second->build_info().trees_lent, 2u);
  EXPECT_EQ(second->view(Audience::public_).within(BBox{133.9031, 34.9, 133.9035, 35.1}),
            std::vector<std::uint32_t>{*second->view(Audience::public_).index_of(rs[3].id)});
}

/// Sets the process's feature cache to `bytes` for one test, and back.
class CacheBound {
 public:
  explicit CacheBound(std::size_t bytes) : before_(FeatureCache::shared().capacity()) {
    FeatureCache::shared().clear();
    FeatureCache::shared().set_capacity(bytes);
  }
  ~CacheBound() { FeatureCache::shared().set_capacity(before_); }
  CacheBound(const CacheBound&) = delete;
  CacheBound& operator=(const CacheBound&) = delete;

 private:
  std::size_t before_;
};

TEST(FeatureCache, KeepsTheMostRecentlyUsedWithinItsBound) {
  FeatureCache cache(8 * 1000);      // 1000 bytes a shard
  const std::string text(340, 'x');  // 500 bytes charged: two fit a shard
  const auto keep = [&](std::uint64_t key) {
    return cache.insert(key, std::make_shared<const std::string>(text + std::to_string(key)));
  };
  for (std::uint64_t k = 1; k <= 100; ++k) {
    keep(k);
    EXPECT_LE(cache.bytes(), cache.capacity());
  }
  EXPECT_LE(cache.size(), 16u);
  EXPECT_GT(cache.size(), 0u);
  EXPECT_EQ(cache.find(1), nullptr) << "the oldest went first";
  ASSERT_NE(cache.find(100), nullptr);
  EXPECT_EQ(*cache.find(100), text + "100");

  // A second text for a kept key: the first stays, and both callers hand out the same text.
  const auto first = cache.find(100);
  EXPECT_EQ(cache.insert(100, std::make_shared<const std::string>("other")), first);
  // A text larger than a shard's share is handed back, not kept.
  const auto big = cache.insert(1000, std::make_shared<const std::string>(std::string(5000, 'y')));
  EXPECT_EQ(big->size(), 5000u);
  EXPECT_EQ(cache.find(1000), nullptr);
  EXPECT_LE(cache.bytes(), cache.capacity());

  cache.set_capacity(0);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(*keep(7), text + "7") << "nothing kept, still handed out";
}

TEST(FeatureCache, FeaturesBeyondTheBoundAreRenderedAgainAlike) {
  test::TempDir dir;
  test::TinyTown town(dir / "s.sqlite");
  for (int i = 0; i < 200; ++i) {
    town.add("居場所" + std::to_string(i), ResourceKind::ibasho, 133.9 + i * 0.0001, 35.0,
             [&](Resource& r) {
               r.description = "毎週水曜日の午後、茶話会と体操をしています。" + std::to_string(i);
               if (i % 4 == 0) r.venue = VenueKind::private_home;
             });
  }
  const auto snap = town.snapshot();
  const CacheBound bound(16 * 1024);  // far below 400 features of about 1 KB
  FeatureCache& cache = FeatureCache::shared();
  std::vector<std::string> texts;
  std::vector<std::string> tags;
  for (const auto a : {Audience::public_, Audience::internal}) {
    for (const auto& item : snap->view(a).items()) {
      texts.push_back(item->feature().str());
      tags.push_back(item->etag());
      EXPECT_LE(cache.bytes(), cache.capacity());
    }
  }
  EXPECT_LT(cache.size(), 100u) << "most were evicted";

  // A text handed out outlives its eviction.
  const auto& first = *snap->view(Audience::public_).items().front();
  const FeatureText held = first.feature();
  cache.clear();
  EXPECT_EQ(held.str(), texts.front());

  // The public's ETag is kept from the first rendering: asking it again renders nothing.
  const auto misses = cache.misses();
  EXPECT_EQ(first.etag(), tags.front());
  EXPECT_EQ(cache.misses(), misses);
  EXPECT_EQ(first.etag().substr(0, 3), "W/\"");

  // Rendered again after eviction: the same text and tag, byte for byte.
  std::size_t k = 0;
  for (const auto a : {Audience::public_, Audience::internal}) {
    for (const auto& item : snap->view(a).items()) {
      EXPECT_EQ(item->feature().str(), texts[k]) << audience_id(a) << " " << k;
      EXPECT_EQ(item->etag(), tags[k]);
      ++k;
    }
  }
  EXPECT_LE(cache.bytes(), cache.capacity());
  // Staff tags are the version (what If-Match takes), rendered or not.
  const auto& staff = *snap->view(Audience::internal).items().front();
  EXPECT_EQ(staff.etag(), "\"" + std::to_string(staff.resource().version) + "\"");
}

}  // namespace
}  // namespace tsunagi::geo
