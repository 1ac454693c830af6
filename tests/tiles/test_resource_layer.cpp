// The resources layer over a real store: the Z-order index finds exactly a tile's points, a
// filtered map's clusters add up to the listing's count at every zoom, the budget clusters a tile
// that would be too big, and the public's tiles are built from the public's view.
#include "tiles/resource_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"
#include "support/mvt_reader.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"
#include "tiles/tile_service.hpp"

namespace {

using namespace tsunagi;
using geo::ResourceKind;

// A town of `n` resources scattered around (lon, lat) with a few kinds, some barrier-free,
// every fifth internal.
std::shared_ptr<const geo::Snapshot> scattered_town(const test::TempDir& dir, int n) {
  test::TinyTown town(dir / "town.db");
  std::mt19937 rng(7);
  std::normal_distribution<double> d(0, 0.02);
  const ResourceKind kinds[] = {ResourceKind::ibasho, ResourceKind::kayoi_no_ba,
                                ResourceKind::kominkan};
  for (int i = 0; i < n; ++i) {
    town.add("r" + std::to_string(i), kinds[i % 3], 133.62 + d(rng), 35.10 + d(rng),
             [&](geo::Resource& r) {
               r.barrier_free.step_free = i % 4 == 0;
               if (i % 5 == 0) r.publish = geo::PublishLevel::internal;
             });
  }
  return town.snapshot();
}

struct Decoded {
  std::set<std::string> ids;   ///< resources drawn as themselves
  std::int64_t clustered = 0;  ///< resources counted in clusters
  std::int64_t clusters = 0;
};

Decoded decode_range(tiles::TileService& service, const geo::Snapshot& snap, geo::Audience a,
                     const geo::ResourceQuery& q, const geo::BBox& box, std::uint32_t z) {
  Decoded out;
  const auto r = tiles::tiles_covering({box.min_lon, box.min_lat, box.max_lon, box.max_lat}, z);
  for (auto x = r.min_x; x <= r.max_x; ++x) {
    for (auto y = r.min_y; y <= r.max_y; ++y) {
      const auto t = service.build(snap, tiles::Layer::resources, tiles::make_tile(z, x, y), a, q);
      if (t->mvt.empty()) continue;
      for (const auto& f : test::decode_tile(t->mvt, z, x, y)) {
        if (f.props.count("cluster") != 0) {
          out.clustered += std::stoll(f.props.at("count"));
          ++out.clusters;
        } else {
          // Above the cluster zooms a point may sit in a neighbour's buffer too: count it once,
          // and only in the tile that holds it.
          out.ids.insert(f.props.at("id"));
        }
      }
    }
  }
  return out;
}

TEST(ResourceLayer, ZOrderRunsHoldExactlyTheTilesPoints) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 400);
  const tiles::PointIndex index(snap->view_ptr(geo::Audience::internal));
  const auto& view = snap->view(geo::Audience::internal);
  for (std::uint32_t z : {0U, 5U, 9U, 11U, 13U}) {
    std::size_t total = 0;
    const geo::BBox all = *view.extent();
    const auto r = tiles::tiles_covering({all.min_lon, all.min_lat, all.max_lon, all.max_lat}, z);
    for (auto x = r.min_x; x <= r.max_x; ++x) {
      for (auto y = r.min_y; y <= r.max_y; ++y) {
        const auto t = tiles::make_tile(z, x, y);
        const auto [b, e] = index.in_tile(t);
        for (auto p = b; p != e; ++p) {
          const auto& res = view.resource(p->index);
          EXPECT_EQ(tiles::tile_at(res.lon, res.lat, z), t) << res.name << " at z" << z;
        }
        total += static_cast<std::size_t>(e - b);
      }
    }
    EXPECT_EQ(total, view.size()) << "z" << z;
  }
}

TEST(ResourceLayer, FilteredClustersAddUpToTheListingAtEveryZoom) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 600);
  tiles::TileService service(0);
  for (const auto audience : {geo::Audience::public_, geo::Audience::internal}) {
    geo::ResourceQuery q;
    q.kinds.insert(ResourceKind::ibasho);
    q.barrier_free = true;
    q.limit = 0;
    const auto listed = geo::query(snap->view(audience), q).number_matched;
    ASSERT_GT(listed, 10U);
    const geo::BBox box = *snap->view(audience).extent();
    for (std::uint32_t z = 0; z <= 16; ++z) {
      const Decoded d = decode_range(service, *snap, audience, q, box, z);
      if (z <= 11) {
        EXPECT_EQ(d.clustered + static_cast<std::int64_t>(d.ids.size()),
                  static_cast<std::int64_t>(listed))
            << "z" << z;
      } else {
        EXPECT_EQ(d.clusters, 0) << "z" << z;
        EXPECT_EQ(d.ids.size(), listed) << "z" << z;
      }
    }
  }
}

TEST(ResourceLayer, AClusterCountsEachKind) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 300);
  tiles::TileService service(0);
  const geo::ResourceQuery all;
  const auto t = tiles::tile_at(133.62, 35.10, 3);
  const auto tile = service.build(*snap, tiles::Layer::resources, t, geo::Audience::internal, all);
  const auto features = test::decode_tile(tile->mvt, t.z, t.x, t.y);
  ASSERT_EQ(features.size(), 1U) << "the whole town is one cell at z3";
  const auto& p = features[0].props;
  EXPECT_EQ(p.at("count"), "300");
  EXPECT_EQ(p.at("count_ibasho"), "100");
  EXPECT_EQ(p.at("count_kayoi_no_ba"), "100");
  EXPECT_EQ(p.at("count_kominkan"), "100");
  // The public's cluster counts only what the public may know (every fifth is internal).
  const auto pub = service.build(*snap, tiles::Layer::resources, t, geo::Audience::public_, all);
  EXPECT_EQ(test::decode_tile(pub->mvt, t.z, t.x, t.y).at(0).props.at("count"), "240");
}

TEST(ResourceLayer, ATileOverTheBudgetIsClustered) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 300);
  tiles::ClusterRules rules;
  rules.max_points = 50;
  tiles::TileService service(0, rules);
  const auto t = tiles::tile_at(133.62, 35.10, 12);
  const auto tile = service.build(*snap, tiles::Layer::resources, t, geo::Audience::internal,
                                  geo::ResourceQuery{});
  const auto features = test::decode_tile(tile->mvt, t.z, t.x, t.y);
  EXPECT_LE(features.size(), 64U) << "at most one feature per cell of the 8 × 8 grid";
  std::int64_t counted = 0;
  for (const auto& f : features) {
    counted += f.props.count("count") != 0 ? std::stoll(f.props.at("count")) : 1;
  }
  const auto [b, e] = tiles::PointIndex(snap->view_ptr(geo::Audience::internal)).in_tile(t);
  EXPECT_EQ(counted, e - b);
}

TEST(ResourceLayer, StaffSeePublishLevelsThePublicDoesNot) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 20);
  tiles::TileService service(0);
  // Every tile over the town at a zoom where each resource is drawn as itself.
  const geo::BBox all = *snap->view(geo::Audience::internal).extent();
  const std::uint32_t z = 16;
  const auto range = tiles::tiles_covering({all.min_lon, all.min_lat, all.max_lon, all.max_lat}, z);
  for (const auto a : {geo::Audience::public_, geo::Audience::internal}) {
    std::size_t drawn = 0;
    std::size_t internal = 0;
    for (auto x = range.min_x; x <= range.max_x; ++x) {
      for (auto y = range.min_y; y <= range.max_y; ++y) {
        const auto tile = service.build(*snap, tiles::Layer::resources, tiles::make_tile(z, x, y),
                                        a, geo::ResourceQuery{});
        if (tile->mvt.empty()) continue;
        for (const auto& f : test::decode_tile(tile->mvt, z, x, y)) {
          ++drawn;
          EXPECT_EQ(f.props.count("publish"), a == geo::Audience::public_ ? 0U : 1U);
          if (f.props.count("publish") != 0 && f.props.at("publish") == "internal") ++internal;
        }
      }
    }
    // 20 resources, every fifth internal: the public is drawn 16, staff all 20, 4 internal.
    EXPECT_EQ(drawn, a == geo::Audience::public_ ? 16U : 20U) << geo::audience_id(a);
    EXPECT_EQ(internal, a == geo::Audience::public_ ? 0U : 4U) << geo::audience_id(a);
  }
}

// The properties a resource's point carried before tags were encoded once per view: looked up
// by text, one feature at a time (the oracle of the next test).
std::map<std::string, std::string> props_by_text(const geo::ServedResource& item) {
  const geo::Resource& r = item.resource();
  tiles::LayerBuilder::Properties props;
  props.emplace_back("id", r.id);
  props.emplace_back("kind", geo::code_id(r.kind));
  props.emplace_back("name", r.name);
  if (r.main_activity) {
    props.emplace_back("activity", geo::code_id(*r.main_activity));
  } else {
    for (const auto& e : geo::CodeTable<geo::Activity>::entries) {
      if (r.activities.contains(e.value)) {
        props.emplace_back("activity", e.id);
        break;
      }
    }
  }
  props.emplace_back("barrier_free", r.barrier_free.any_yes());
  props.emplace_back("has_vacancy", geo::has_vacancy(r));
  if (item.unconfirmed()) props.emplace_back("unconfirmed", true);
  if (item.audience() != geo::Audience::public_) {
    props.emplace_back("publish", geo::code_id(r.publish));
    props.emplace_back("status", geo::code_id(r.status));
  }
  tiles::LayerBuilder b{"resources"};
  b.add_point(1, {0, 0}, props);
  return test::decode_tile(tiles::encode_tile({&b}), 0, 0, 0).at(0).props;
}

// Every point at every zoom, for the public and for staff, decodes (with GDAL) to the properties
// its resource had when they were looked up by text; every cluster to its count and kinds.
TEST(ResourceLayer, PreEncodedTagsGiveTheFeaturesOfBefore) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 300);
  tiles::TileService service(0);
  for (const auto a : {geo::Audience::public_, geo::Audience::internal}) {
    const geo::AudienceView& view = snap->view(a);
    const geo::BBox all = *view.extent();
    std::size_t points = 0;
    std::size_t clusters = 0;
    for (std::uint32_t z = 5; z <= 16; ++z) {
      const auto r = tiles::tiles_covering({all.min_lon, all.min_lat, all.max_lon, all.max_lat}, z);
      for (auto x = r.min_x; x <= r.max_x; ++x) {
        for (auto y = r.min_y; y <= r.max_y; ++y) {
          const auto t = service.build(*snap, tiles::Layer::resources, tiles::make_tile(z, x, y), a,
                                       geo::ResourceQuery{});
          if (t->mvt.empty()) continue;
          for (const auto& f : test::decode_tile(t->mvt, z, x, y)) {
            if (f.props.count("cluster") != 0) {
              ++clusters;
              std::int64_t sum = 0;
              for (const auto& [k, v] : f.props) {
                if (k.rfind("count_", 0) == 0 && !v.empty()) sum += std::stoll(v);
              }
              EXPECT_EQ(sum, std::stoll(f.props.at("count")));
              EXPECT_FALSE(f.props.at("kind").empty());
              continue;
            }
            ++points;
            EXPECT_EQ(f.id, 0U) << "a point is named by its id property only";
            const auto* item = view.find(f.props.at("id"));
            ASSERT_NE(item, nullptr) << f.props.at("id");
            auto expected = props_by_text(*item);
            // GDAL lists every field of the layer; compare the ones either side set.
            auto given = f.props;
            std::erase_if(given, [](const auto& kv) { return kv.second.empty(); });
            std::erase_if(expected, [](const auto& kv) { return kv.second.empty(); });
            EXPECT_EQ(given, expected) << "z" << z << " " << f.props.at("id");
          }
        }
      }
    }
    EXPECT_GT(points, 300U) << geo::audience_id(a);
    EXPECT_GT(clusters, 10U) << geo::audience_id(a);
  }
}

// A point carries its id, its kind and the fields asked for, nothing else, for the public and for
// staff at every zoom; clusters are the same whatever is asked.
TEST(ResourceLayer, APointCarriesTheFieldsAskedForAndNoOther) {
  test::TempDir dir;
  const auto snap = scattered_town(dir, 300);
  tiles::TileService service(0);
  const auto nonempty = [](std::map<std::string, std::string> m) {
    std::erase_if(m, [](const auto& kv) { return kv.second.empty(); });
    return m;
  };
  for (const auto a : {geo::Audience::public_, geo::Audience::internal}) {
    const geo::AudienceView& view = snap->view(a);
    const geo::BBox all = *view.extent();
    std::vector<std::string> asks = {"", "name", "activity,unconfirmed,,barrier_free", "all"};
    if (a != geo::Audience::public_) asks.emplace_back("publish,status,has_vacancy");
    for (const std::string& ask : asks) {
      const auto fields = tiles::ResourceFields::parse(a, ask);
      std::set<std::string> kept = {"id", "kind"};
      for (std::size_t f = 0; f < tiles::kResourceFieldNames.size(); ++f) {
        if (fields.has(static_cast<tiles::ResourceFields::Field>(f))) {
          kept.emplace(tiles::kResourceFieldNames.at(f));
        }
      }
      std::size_t points = 0;
      std::size_t clusters = 0;
      for (std::uint32_t z = 9; z <= 16; ++z) {
        const auto r =
            tiles::tiles_covering({all.min_lon, all.min_lat, all.max_lon, all.max_lat}, z);
        for (auto x = r.min_x; x <= r.max_x; ++x) {
          for (auto y = r.min_y; y <= r.max_y; ++y) {
            const auto t = tiles::make_tile(z, x, y);
            const auto asked = service.build(*snap, tiles::Layer::resources, t, a,
                                             geo::ResourceQuery{}, {}, fields);
            const auto every =
                service.build(*snap, tiles::Layer::resources, t, a, geo::ResourceQuery{});
            ASSERT_EQ(asked->mvt.empty(), every->mvt.empty());
            if (every->mvt.empty()) continue;
            const auto got = test::decode_tile(asked->mvt, z, x, y);
            const auto full = test::decode_tile(every->mvt, z, x, y);
            ASSERT_EQ(got.size(), full.size()) << "z" << z << " ask '" << ask << "'";
            for (std::size_t i = 0; i < got.size(); ++i) {
              if (full[i].props.count("cluster") != 0) {
                ++clusters;
                EXPECT_EQ(nonempty(got[i].props), nonempty(full[i].props));
                continue;
              }
              ++points;
              auto expected = nonempty(full[i].props);
              std::erase_if(expected, [&](const auto& kv) { return kept.count(kv.first) == 0; });
              EXPECT_EQ(nonempty(got[i].props), expected)
                  << "z" << z << " ask '" << ask << "' " << full[i].props.at("id");
              EXPECT_EQ(got[i].props.count("name") != 0 && !got[i].props.at("name").empty(),
                        kept.count("name") != 0);
            }
            if (ask == "all") {
              EXPECT_EQ(asked->mvt, every->mvt);
            }
          }
        }
      }
      EXPECT_GT(points, 300U) << geo::audience_id(a) << " '" << ask << "'";
      EXPECT_GT(clusters, 10U) << geo::audience_id(a) << " '" << ask << "'";
    }
  }
}

// fields= names properties the audience may see: a misspelt key, and staff's fields asked by the
// public, are refused alike, with the keys that can be asked for.
TEST(ResourceLayer, FieldsRefuseWhatTheAudienceHasNot) {
  using tiles::ResourceFields;
  EXPECT_TRUE(ResourceFields::parse(geo::Audience::public_, "all").all());
  EXPECT_EQ(ResourceFields::parse(geo::Audience::public_, "").mask, 0);
  EXPECT_TRUE(
      ResourceFields::parse(geo::Audience::public_, "name,name").has(ResourceFields::Field::name));
  EXPECT_FALSE(
      ResourceFields::parse(geo::Audience::public_, "name").has(ResourceFields::Field::activity));
  EXPECT_TRUE(
      ResourceFields::parse(geo::Audience::internal, "status").has(ResourceFields::Field::status));
  for (const char* bad : {"nmae", "publish", "name,status", "id"}) {
    try {
      (void)ResourceFields::parse(geo::Audience::public_, bad);
      ADD_FAILURE() << bad << " was taken";
    } catch (const geo::InvalidArgument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("fields: resource points have no property '"), std::string::npos);
      EXPECT_NE(what.find("name, activity, barrier_free, has_vacancy, unconfirmed"),
                std::string::npos)
          << what;
      EXPECT_EQ(what.find("publish,"), std::string::npos) << what;
      EXPECT_EQ(what.find(", status"), std::string::npos) << what;
    }
  }
  try {
    (void)ResourceFields::parse(geo::Audience::internal, "owner");
    ADD_FAILURE() << "owner was taken";
  } catch (const geo::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("unconfirmed, publish, status"), std::string::npos)
        << e.what();
  }
}

// An attack on the tile budget: a crowded tile is clustered, and its counts are its audience's
// own — no internal resource counted for the public — and a private home is drawn, or counted,
// only at its served point, never its true one.
TEST(ResourceLayer, AnOverBudgetTileCountsOnlyWhatItsAudienceMaySee) {
  constexpr double kLon = 133.6203;
  constexpr double kLat = 35.1004;
  test::TempDir dir;
  test::TinyTown town(dir / "town.db");
  std::mt19937 rng(11);
  std::normal_distribution<double> d(0, 0.002);
  for (int i = 0; i < 80; ++i) {
    town.add("r" + std::to_string(i), i % 2 == 0 ? ResourceKind::ibasho : ResourceKind::kominkan,
             kLon + d(rng), kLat + d(rng), [&](geo::Resource& r) {
               if (i % 4 == 0) r.publish = geo::PublishLevel::internal;
             });
  }
  const std::string home =
      town.add("えんがわ", ResourceKind::ibasho, kLon, kLat,
               [](geo::Resource& r) { r.venue = geo::VenueKind::private_home; })
          .id;
  const auto snap = town.snapshot();
  tiles::ClusterRules rules;
  rules.max_points = 5;
  tiles::TileService service(0, rules);
  const auto truth = tiles::lonlat_to_mercator(kLon, kLat);
  int seen_home = 0;
  for (const auto a : {geo::Audience::public_, geo::Audience::internal}) {
    const geo::AudienceView& view = snap->view(a);
    const auto* served = view.find(home);
    ASSERT_NE(served, nullptr);
    std::size_t clustered_tiles = 0;
    // The tiles over the house as this audience's view places it, down to where it stands alone.
    for (std::uint32_t z = 12; z <= 20; ++z) {
      const auto t = tiles::tile_at(served->resource().lon, served->resource().lat, z);
      std::int64_t expected = 0;  // the view's resources inside the tile
      for (std::size_t i = 0; i < view.size(); ++i) {
        const geo::Resource& r = view.resource(static_cast<std::uint32_t>(i));
        if (tiles::tile_at(r.lon, r.lat, z) == t) ++expected;
      }
      const auto tile = service.build(*snap, tiles::Layer::resources, t, a, geo::ResourceQuery{});
      ASSERT_FALSE(tile->mvt.empty()) << "z" << z;
      std::int64_t counted = 0;
      bool clustered = false;
      for (const auto& f : test::decode_tile(tile->mvt, z, t.x, t.y)) {
        if (f.props.count("cluster") != 0) {
          clustered = true;
          counted += std::stoll(f.props.at("count"));
          continue;
        }
        ++counted;
        if (a != geo::Audience::public_ || f.props.at("id") != home) continue;
        ++seen_home;
        double px = 0;
        double py = 0;
        ASSERT_EQ(std::sscanf(f.wkt.c_str(), "POINT (%lf %lf)", &px, &py), 2);
        EXPECT_GT(std::hypot(px - truth.x, py - truth.y), 30.0) << "z" << z;
      }
      if (clustered) {
        ++clustered_tiles;
        EXPECT_EQ(counted, expected) << geo::audience_id(a) << " z" << z;
      }
    }
    EXPECT_GT(clustered_tiles, 2U) << "the budget clusters the crowded tiles";
  }
  EXPECT_GT(seen_home, 0) << "the public's tiles draw the house, at its served point";
  // The public counts 60 public resources and the house; staff all 81.
  EXPECT_EQ(snap->view(geo::Audience::public_).size(), 61U);
  EXPECT_EQ(snap->view(geo::Audience::internal).size(), 81U);
}

}  // namespace
