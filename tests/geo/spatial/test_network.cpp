// The walking graph: bounded Dijkstra agrees with a brute-force shortest path on random graphs,
// snapping finds the nearest segment, routes are continuous and as long as the distance, steps
// are avoided when asked, and the store keeps the arrays exactly.
#include "geo/spatial/network.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace {

using namespace tsunagi::geo;

NetworkData random_graph(std::uint32_t n, std::uint32_t m, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> lon(133.60, 133.62);
  std::uniform_real_distribution<double> lat(35.10, 35.115);
  std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
  NetworkData d;
  for (std::uint32_t i = 0; i < n; ++i) {
    d.lon.push_back(lon(rng));
    d.lat.push_back(lat(rng));
  }
  for (std::uint32_t k = 0; k < m; ++k) {
    const auto a = pick(rng);
    const auto b = pick(rng);
    if (a == b) continue;
    d.edges.push_back(
        {a, b, static_cast<float>(geodesic_distance_m(d.lon[a], d.lat[a], d.lon[b], d.lat[b])),
         k % 17 == 0});
  }
  return d;
}

// Bellman–Ford from the two ends of the origin's edge.
std::vector<double> brute_force(const NetworkData& d, const WalkGraph::Snap& s, bool avoid_steps) {
  std::vector<double> dist(d.lon.size(), std::numeric_limits<double>::infinity());
  if (!(avoid_steps && d.edges[s.edge].steps)) {
    dist[s.a] = s.off_network_m + float(s.to_a_m);
    dist[s.b] = std::min(dist[s.b], s.off_network_m + float(s.to_b_m));
  }
  for (std::size_t round = 0; round < d.lon.size(); ++round) {
    bool changed = false;
    for (const auto& e : d.edges) {
      if (avoid_steps && e.steps) continue;
      for (const auto& [u, v] : {std::pair{e.a, e.b}, std::pair{e.b, e.a}}) {
        if (dist[u] + e.length_m < dist[v] - 1e-3) {
          dist[v] = dist[u] + e.length_m;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return dist;
}

TEST(WalkGraph, BoundedDijkstraAgreesWithBruteForce) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const auto d = random_graph(300, 700, seed);
    const WalkGraph g{NetworkData(d)};
    for (const bool avoid : {false, true}) {
      const auto s = g.snap(133.61, 35.107, 5000);
      ASSERT_TRUE(s);
      const auto expected = brute_force(d, *s, avoid);
      const double limit = 900;
      const auto reach = g.reach(*s, limit, avoid);
      for (std::uint32_t n = 0; n < d.lon.size(); ++n) {
        const auto got = reach.to_node(n);
        if (expected[n] <= limit - 0.5) {
          ASSERT_TRUE(got) << "node " << n << " at " << expected[n] << " m, seed " << seed;
          EXPECT_NEAR(*got, expected[n], 0.05);
        } else if (expected[n] > limit + 0.5) {
          EXPECT_FALSE(got) << "node " << n << " beyond the limit";
        }
      }
    }
  }
}

TEST(WalkGraph, SnapsToTheNearestSegmentAndRoutesAlongTheWalk) {
  // A street A–B–C east-west (200 m) with a side street B–D north.
  NetworkData d;
  d.lon = {133.600, 133.6011, 133.6022, 133.6011};
  d.lat = {35.100, 35.100, 35.100, 35.1009};
  const auto len = [&](std::uint32_t a, std::uint32_t b) {
    return static_cast<float>(geodesic_distance_m(d.lon[a], d.lat[a], d.lon[b], d.lat[b]));
  };
  d.edges = {{0, 1, len(0, 1), false}, {1, 2, len(1, 2), false}, {1, 3, len(1, 3), true}};
  const WalkGraph g{NetworkData(d)};
  const auto s = g.snap(133.6005, 35.1001);  // just north of A–B, half way
  ASSERT_TRUE(s);
  EXPECT_EQ(s->edge, 0U);
  EXPECT_NEAR(s->off_network_m, 11, 1.5);
  EXPECT_NEAR(s->to_a_m, 45.6, 1.5);
  EXPECT_FALSE(g.snap(133.70, 35.20, 500)) << "nothing within 500 m";

  const auto target = g.snap(133.6011, 35.1008);  // on the side street, near D
  ASSERT_TRUE(target);
  const auto reach = g.reach(*s, 1000, false);
  const auto walk = reach.to(*target);
  ASSERT_TRUE(walk);
  const auto route = reach.route_to(*target);
  double along = 0;
  for (std::size_t i = 1; i < route.size(); ++i) {
    along += geodesic_distance_m(route[i - 1].first, route[i - 1].second, route[i].first,
                                 route[i].second);
  }
  EXPECT_NEAR(along + s->off_network_m + target->off_network_m, *walk, 2.0)
      << "the route (from the snapped points) plus the steps on and off the network is the walk";
  // The side street is a flight of steps: a step-free walk cannot get there.
  EXPECT_FALSE(g.reach(*s, 1000, true).to(*target));
  EXPECT_EQ(g.components().count, 1U);
}

TEST(WalkGraph, TheStoreKeepsTheNetworkExactly) {
  tsunagi::test::TempDir dir;
  auto store = Store::open(dir / "n.db", Store::Mode::create_if_missing);
  EXPECT_EQ(store.network_generation(), 0);
  EXPECT_FALSE(store.network());
  auto d = random_graph(50, 120, 9);
  d.source = "test.osm";
  d.report_json = "{\"ok\":true}";
  const auto before = store.generation();
  store.put_network(d);
  EXPECT_GT(store.network_generation(), 0);
  EXPECT_EQ(store.generation(), before + 1) << "a new network moves the store's generation";
  const auto back = store.network();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->lon, d.lon);
  EXPECT_EQ(back->lat, d.lat);
  ASSERT_EQ(back->edges.size(), d.edges.size());
  for (std::size_t i = 0; i < d.edges.size(); ++i) {
    EXPECT_EQ(back->edges[i].a, d.edges[i].a);
    EXPECT_EQ(back->edges[i].b, d.edges[i].b);
    EXPECT_EQ(back->edges[i].length_m, d.edges[i].length_m);
    EXPECT_EQ(back->edges[i].steps, d.edges[i].steps);
  }
  EXPECT_EQ(back->source, "test.osm");
  d.edges.push_back({0, 999, 1.0F, false});
  EXPECT_THROW(store.put_network(d), InvalidArgument);
  EXPECT_EQ(store.network()->edges.size(), back->edges.size()) << "nothing half-written";
}

}  // namespace
