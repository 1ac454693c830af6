// The minimal basemap of a store without a basemap extract: the walking network's streets as a
// `transportation` layer of lines (tiles/network_layer), read back with GDAL's MVT driver — the
// demo town's generated streets over its centre, clipped to the buffered tile, nothing outside
// the network or outside the served zooms, and cached per network generation.
#include "tiles/network_layer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "datasets/demo_town.hpp"
#include "support/mvt_reader.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"
#include "tiles/tile_service.hpp"

namespace tsunagi::tiles {
namespace {

/// The demo town's centre (its station quarter).
constexpr double kLon = 133.622;
constexpr double kLat = 35.097;

std::vector<test::DecodedFeature> decode(const EncodedTile& tile, const TileId& t) {
  return test::decode_tile(tile.mvt, t.z, t.x, t.y, /*clip=*/false);
}

/// Every coordinate of a WKT in EPSG:3857 metres.
std::vector<std::pair<double, double>> coordinates(const std::string& wkt) {
  std::vector<std::pair<double, double>> out;
  static const std::regex pair(R"((-?[0-9.]+(?:e[-+]?[0-9]+)?) (-?[0-9.]+(?:e[-+]?[0-9]+)?))");
  for (auto it = std::sregex_iterator(wkt.begin(), wkt.end(), pair); it != std::sregex_iterator();
       ++it) {
    out.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
  }
  return out;
}

TEST(NetworkTiles, ATileOverTheDemoTownDecodesAsStreetLinesInsideTheBufferedTile) {
  const test::TempDir dir;
  test::TinyTown town(dir / "town.db");
  town.store().put_network(datasets::make_demo_network({}));
  const auto snap = town.snapshot();
  TileService service(8 << 20);
  for (const std::uint32_t z : {kNetworkMinZoom, 13U, kNetworkMaxZoom}) {
    const TileId t = tile_at(kLon, kLat, z);
    const auto tile = service.network_tile(*snap, t);
    ASSERT_NE(tile, nullptr);
    const auto features = decode(*tile, t);
    ASSERT_GT(features.size(), 100U) << "z" << z;
    EXPECT_EQ(features.size(), tile->features);
    // The buffered tile in metres: 64 of 4096 units around it.
    const MercatorBounds b = tile_bounds_3857(t);
    const double pad = (b.max_x - b.min_x) * kBuffer / kExtent + 1.0;
    std::map<std::string, int> classes;
    for (const auto& f : features) {
      EXPECT_EQ(f.layer, "transportation");
      EXPECT_TRUE(f.type == "Line String" || f.type == "Multi Line String") << f.type;
      ++classes[f.props.at("class")];
      for (const auto& [x, y] : coordinates(f.wkt)) {
        ASSERT_GE(x, b.min_x - pad) << f.wkt;
        ASSERT_LE(x, b.max_x + pad) << f.wkt;
        ASSERT_GE(y, b.min_y - pad) << f.wkt;
        ASSERT_LE(y, b.max_y + pad) << f.wkt;
      }
    }
    EXPECT_GT(classes["minor"], 100) << "z" << z;
  }
}

TEST(NetworkTiles, ALongEdgeIsClippedAtTheTileAndStepsAreMarked) {
  geo::NetworkData data;
  // A straight way across many z14 tiles, and a short flight of steps beside it.
  data.lon = {133.60, 133.64, 133.6201, 133.6202};
  data.lat = {35.097, 35.097, 35.0971, 35.0972};
  data.edges = {{0, 1, 3600.0F, false}, {2, 3, 14.0F, true}};
  data.source = "town.osm.pbf";
  const NetworkTiles net(std::make_shared<const geo::WalkGraph>(std::move(data)), 7);
  EXPECT_NE(net.attribution().find("OpenStreetMap contributors"), std::string::npos);
  const TileId t = tile_at(133.6201, 35.097, 14);
  LayerBuilder layer{std::string(kNetworkLayer)};
  net.add_to(layer, t);
  ASSERT_EQ(layer.size(), 2U);
  const auto features = test::decode_tile(encode_tile({&layer}), t.z, t.x, t.y, /*clip=*/false);
  ASSERT_EQ(features.size(), 2U);
  const MercatorBounds b = tile_bounds_3857(t);
  const double pad = (b.max_x - b.min_x) * kBuffer / kExtent;
  for (const auto& f : features) {
    if (f.props.at("class") == "path") {
      EXPECT_EQ(f.props.at("subclass"), "steps");
      continue;
    }
    // The 3.6 km way ends at the buffered tile's west and east edges (±one unit of rounding).
    const auto c = coordinates(f.wkt);
    ASSERT_EQ(c.size(), 2U) << f.wkt;
    const double unit = (b.max_x - b.min_x) / kExtent;
    EXPECT_NEAR(std::min(c[0].first, c[1].first), b.min_x - pad, unit) << f.wkt;
    EXPECT_NEAR(std::max(c[0].first, c[1].first), b.max_x + pad, unit) << f.wkt;
  }
}

TEST(NetworkTiles, NothingOutsideTheNetworkOrItsZoomsAndCachedPerNetworkGeneration) {
  const test::TempDir dir;
  test::TinyTown town(dir / "town.db");
  TileService service(8 << 20);
  EXPECT_EQ(service.network_tile(*town.snapshot(), tile_at(kLon, kLat, 14)), nullptr)
      << "no network: no tile";
  town.store().put_network(datasets::make_demo_network({}));
  const auto snap = town.snapshot();
  EXPECT_TRUE(service.network_tile(*snap, tile_at(139.70, 35.69, 14))->mvt.empty())
      << "Tokyo is outside the demo town";
  EXPECT_TRUE(service.network_tile(*snap, tile_at(kLon, kLat, 11))->mvt.empty())
      << "below the network basemap's zooms";
  const TileId t = tile_at(kLon, kLat, 14);
  const auto first = service.network_tile(*snap, t);
  EXPECT_EQ(service.network_tile(*snap, t), first) << "the second request comes from the cache";
  // A new import of the network: a new generation, a new tile (here with fewer streets).
  auto fewer = datasets::make_demo_network({});
  fewer.edges.resize(fewer.edges.size() / 2);
  town.store().put_network(fewer);
  const auto again = town.snapshot();
  ASSERT_NE(again->network_generation(), snap->network_generation());
  const auto second = service.network_tile(*again, t);
  EXPECT_NE(second, first);
  EXPECT_NE(second->mvt, first->mvt);
}

}  // namespace
}  // namespace tsunagi::tiles
