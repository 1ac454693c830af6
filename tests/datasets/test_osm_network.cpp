// The OSM walking-network importer: the rules for what people walk, and the real extract of
// Liechtenstein read with libosmium — every highway way GDAL's OSM driver sees is kept or dropped
// with a reason, and the graph is connected.
#include "datasets/osm_network.hpp"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include "geo/core/error.hpp"
#include "support/test_support.hpp"

namespace {

using namespace tsunagi;

TEST(OsmNetwork, WhatPeopleWalk) {
  using Tags = std::map<std::string, std::string>;
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "footway"}}));
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "steps"}}));
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "residential"}}));
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "primary"}}));
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "track"}}));
  EXPECT_EQ(datasets::walk_refusal(Tags{{"highway", "motorway"}}), "highway=motorway");
  EXPECT_EQ(datasets::walk_refusal(Tags{{"highway", "trunk"}}), "highway=trunk without foot=yes");
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "trunk"}, {"sidewalk", "both"}}));
  EXPECT_FALSE(datasets::walk_refusal(Tags{{"highway", "cycleway"}, {"foot", "designated"}}));
  EXPECT_EQ(datasets::walk_refusal(Tags{{"highway", "footway"}, {"foot", "no"}}), "foot=no");
  EXPECT_EQ(datasets::walk_refusal(Tags{{"highway", "service"}, {"access", "private"}}),
            "access=private");
  EXPECT_FALSE(
      datasets::walk_refusal(Tags{{"highway", "service"}, {"access", "no"}, {"foot", "yes"}}));
  EXPECT_EQ(datasets::walk_refusal(Tags{{"building", "yes"}}),
            "no highway tag (buildings, waterways, boundaries…)");
}

TEST(OsmNetwork, LiechtensteinIsReadWhole) {
  const std::string rel = "osm-liechtenstein/liechtenstein-2013-08-03.osm.pbf";
  const auto file = test::shared_data(rel);
  if (!file) GTEST_SKIP() << test::shared_data_skip_message(rel);
  datasets::OsmNetworkReport r;
  const auto net = datasets::read_osm_network(*file, std::nullopt, r);

  // GDAL's OSM driver (its own reader) counts the highway ways of the lines layer.
  GDALAllRegister();
  GDALDatasetUniquePtr ds(GDALDataset::Open(file->c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  OGRLayer* lines = ds->GetLayerByName("lines");
  ASSERT_NE(lines, nullptr);
  std::uint64_t highways = 0;
  for (const auto& f : *lines) {
    if (f->IsFieldSetAndNotNull(f->GetFieldIndex("highway"))) ++highways;
  }
  std::uint64_t dropped_highways = 0;
  for (const auto& [why, n] : r.ways_dropped) {
    if (why.rfind("no highway tag", 0) != 0) dropped_highways += n;
  }
  // Closed highway ways tagged area=yes are polygons to GDAL, lines to us: allow a handful.
  EXPECT_GE(r.ways_kept + dropped_highways, highways);
  EXPECT_LE(r.ways_kept + dropped_highways, highways + 10);
  std::uint64_t accounted = r.ways_kept;
  for (const auto& [why, n] : r.ways_dropped) accounted += n;
  EXPECT_EQ(accounted, r.ways_read) << "every way is kept or dropped with a reason";
  EXPECT_GT(r.ways_kept, 2500U);
  EXPECT_EQ(r.nodes_kept, net.lon.size());
  EXPECT_GT(r.length_km, 800);
  EXPECT_GT(static_cast<double>(r.largest_component), 0.95 * static_cast<double>(r.nodes_kept))
      << "one connected walking graph (a few isolated paths aside)";
  // Clipped to a box around Vaduz, only the ways touching it remain.
  datasets::OsmNetworkReport clipped;
  const geo::BBox vaduz{9.50, 47.12, 9.54, 47.15};
  const auto small = datasets::read_osm_network(*file, vaduz, clipped);
  EXPECT_LT(clipped.ways_kept, r.ways_kept / 3);
  EXPECT_GT(clipped.ways_dropped.at("outside the area (the store's boundary with a 2 km margin)"),
            1000U);
  EXPECT_LT(small.lon.size(), net.lon.size());
}

TEST(OsmNetwork, NotOsmDataIsRefusedClearly) {
  test::TempDir dir;
  test::write_file(dir / "x.osm.pbf", "this is not a protobuf");
  datasets::OsmNetworkReport r;
  try {
    (void)datasets::read_osm_network(dir / "x.osm.pbf", std::nullopt, r);
    FAIL() << "accepted";
  } catch (const geo::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be read as OpenStreetMap data"), std::string::npos)
        << e.what();
  }
}

}  // namespace

namespace {

// A footway from the town to both poles, and a street crossing the town with no node in it.
constexpr const char* kPoleWays = R"(<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" version="1" lat="35.0" lon="134.0"/>
  <node id="2" version="1" lat="35.0" lon="134.001"/>
  <node id="3" version="1" lat="89.9" lon="134.0"/>
  <node id="4" version="1" lat="-89.9" lon="134.0"/>
  <node id="5" version="1" lat="35.0" lon="133.9"/>
  <node id="6" version="1" lat="35.0" lon="134.1"/>
  <way id="10" version="1">
    <nd ref="4"/><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="11" version="1">
    <nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
)";

TEST(OsmNetwork, WaysAreCutAtTheClipBox) {
  test::TempDir dir;
  test::write_file(dir / "poles.osm", kPoleWays);
  const geo::BBox clip{133.99, 34.99, 134.01, 35.01};
  datasets::OsmNetworkReport r;
  const auto net = datasets::read_osm_network(dir / "poles.osm", clip, r);
  double total_m = 0;
  for (const auto& e : net.edges) total_m += e.length_m;
  // Inside the box: 1 → 2 (91 m), 1 → the box's south side and 2 → its north side (1.1 km
  // each), and the street across the box (0.02° of longitude, 1.8 km).
  EXPECT_GT(total_m, 3900.0);
  EXPECT_LT(total_m, 4300.0) << "not the 39,989 km to the poles";
  EXPECT_NEAR(r.length_km, total_m / 1000, 0.01);
  EXPECT_EQ(r.ways_kept, 2U);
  EXPECT_EQ(r.ways_cut, 2U);
  for (std::size_t i = 0; i < net.lon.size(); ++i) {
    EXPECT_TRUE(clip.contains(net.lon[i], net.lat[i]) ||
                (std::abs(net.lon[i] - 134.01) < 1e-9 || std::abs(net.lat[i] - 35.01) < 1e-9 ||
                 std::abs(net.lon[i] - 133.99) < 1e-9 || std::abs(net.lat[i] - 34.99) < 1e-9))
        << "node " << i << " at " << net.lon[i] << ", " << net.lat[i];
  }
  const geo::WalkGraph graph{geo::NetworkData(net)};
  EXPECT_EQ(graph.components().count, 2U);
}

}  // namespace
