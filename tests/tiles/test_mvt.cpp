// The MVT encoder: the bytes follow the 2.1 spec (read back with protozero field by field, and
// with GDAL's reader), keys and values are stored once per layer, shells wind clockwise on screen
// and holes the other way, whatever order the rings came in.
#include "tiles/mvt.hpp"

#include <gtest/gtest.h>

#include <array>
#include <protozero/pbf_reader.hpp>

#include "geo/spatial/geometry.hpp"
#include "support/mvt_reader.hpp"

namespace {

using namespace tsunagi::tiles;

struct RawLayer {
  std::string name;
  std::uint32_t version = 0;
  std::uint32_t extent = 0;
  std::vector<std::string> keys;
  std::size_t values = 0;
  std::vector<std::uint64_t> ids;
  std::vector<std::vector<std::uint32_t>> geometries;
  std::vector<std::vector<std::uint32_t>> tags;
};

std::vector<RawLayer> read_layers(const std::string& tile) {
  std::vector<RawLayer> out;
  protozero::pbf_reader t(tile);
  while (t.next(3)) {
    RawLayer l;
    protozero::pbf_reader layer = t.get_message();
    while (layer.next()) {
      switch (layer.tag()) {
        case 15:
          l.version = layer.get_uint32();
          break;
        case 1:
          l.name = layer.get_string();
          break;
        case 3:
          l.keys.push_back(layer.get_string());
          break;
        case 4:
          ++l.values;
          layer.skip();
          break;
        case 5:
          l.extent = layer.get_uint32();
          break;
        case 2: {
          protozero::pbf_reader f = layer.get_message();
          std::vector<std::uint32_t> geometry;
          std::vector<std::uint32_t> tags;
          while (f.next()) {
            if (f.tag() == 1) {
              l.ids.push_back(f.get_uint64());
            } else if (f.tag() == 2) {
              const auto r = f.get_packed_uint32();
              tags.assign(r.begin(), r.end());
            } else if (f.tag() == 4) {
              const auto r = f.get_packed_uint32();
              geometry.assign(r.begin(), r.end());
            } else {
              f.skip();
            }
          }
          l.geometries.push_back(geometry);
          l.tags.push_back(tags);
          break;
        }
        default:
          layer.skip();
      }
    }
    out.push_back(l);
  }
  return out;
}

std::int32_t unzig(std::uint32_t v) {
  return static_cast<std::int32_t>((v >> 1U) ^ (~(v & 1U) + 1U));
}

// The rings of a polygon feature's geometry, in absolute tile units.
std::vector<TileRing> rings_of(const std::vector<std::uint32_t>& g) {
  std::vector<TileRing> rings;
  std::int32_t x = 0;
  std::int32_t y = 0;
  std::size_t i = 0;
  while (i < g.size()) {
    const std::uint32_t id = g[i] & 7U;
    const std::uint32_t count = g[i] >> 3U;
    ++i;
    if (id == 1) rings.emplace_back();
    if (id == 7) continue;
    for (std::uint32_t k = 0; k < count; ++k) {
      x += unzig(g[i++]);
      y += unzig(g[i++]);
      rings.back().push_back({x, y});
    }
  }
  return rings;
}

TEST(Mvt, KeysAndValuesAreStoredOncePerLayer) {
  LayerBuilder b("resources");
  for (int i = 0; i < 10; ++i) {
    b.add_point(static_cast<std::uint64_t>(i + 1), {i * 10, i * 20},
                {{"kind", std::string("ibasho")},
                 {"barrier_free", i % 2 == 0},
                 {"count", std::int64_t{3}}});
  }
  const auto layers = read_layers(encode_tile({&b}));
  ASSERT_EQ(layers.size(), 1U);
  EXPECT_EQ(layers[0].name, "resources");
  EXPECT_EQ(layers[0].version, 2U);
  EXPECT_EQ(layers[0].extent, 4096U);
  EXPECT_EQ(layers[0].keys, (std::vector<std::string>{"kind", "barrier_free", "count"}));
  EXPECT_EQ(layers[0].values, 4U);  // "ibasho", true, false, 3
  EXPECT_EQ(layers[0].ids, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  // MoveTo(1) + zigzag(x), zigzag(y)
  EXPECT_EQ(layers[0].geometries[3], (std::vector<std::uint32_t>{9, 60, 120}));
}

// An id of 0 is the field's default: not written, so a feature without an id costs no bytes for
// one, and readers (GDAL here) see it as they see a feature that never had one.
TEST(Mvt, AZeroIdIsNotWrittenAndReadsAsNoId) {
  LayerBuilder with("resources");
  LayerBuilder without("resources");
  with.add_point(9007199254740991ULL, {10, 20}, {{"id", std::string("a")}});
  without.add_point(0, {10, 20}, {{"id", std::string("a")}});
  const std::string a = encode_tile({&with});
  const std::string b = encode_tile({&without});
  EXPECT_EQ(read_layers(a).at(0).ids, (std::vector<std::uint64_t>{9007199254740991ULL}));
  EXPECT_TRUE(read_layers(b).at(0).ids.empty()) << "no Feature.id field";
  EXPECT_EQ(a.size() - b.size(), 9U) << "the tag and 8 bytes of a 53-bit id";
  const auto features = tsunagi::test::decode_tile(b, 0, 0, 0);
  ASSERT_EQ(features.size(), 1U);
  EXPECT_EQ(features[0].id, 0U);
  EXPECT_EQ(features[0].props.at("id"), "a");
  EXPECT_EQ(features[0].wkt, tsunagi::test::decode_tile(a, 0, 0, 0).at(0).wkt);
}

// A layer's dictionary (keys and shared values encoded once, as the resources layer has per
// view) gives the same tile as properties looked up by text, and each value once per layer.
TEST(Mvt, DictionaryPointsDecodeAsPropertyPointsDo) {
  LayerDictionary dict;
  const std::uint16_t kind = dict.key("kind");
  const std::uint16_t free = dict.key("barrier_free");
  const std::uint16_t name = dict.key("name");
  const std::uint16_t count = dict.key("count");
  const std::uint16_t ibasho = dict.value(std::string_view("ibasho"));
  const std::uint16_t yes = dict.value(true);
  const std::uint16_t no = dict.value(false);
  EXPECT_EQ(dict.value(std::string_view("ibasho")), ibasho) << "values are kept once";
  LayerBuilder by_dict("resources", dict);
  LayerBuilder by_text("resources");
  const std::vector<std::string> names = {"サロン 一", "サロン 二", "サロン 一"};
  for (std::size_t k = 0; k < 3; ++k) {
    const int i = static_cast<int>(k);
    const std::array<std::uint16_t, 4> shared = {kind, ibasho, free, i % 2 == 0 ? yes : no};
    const std::array<std::pair<std::uint16_t, std::string_view>, 1> own = {{{name, names[k]}}};
    const std::array<std::pair<std::uint16_t, std::int64_t>, 1> n = {{{count, i - 1}}};
    by_dict.add_point(static_cast<std::uint64_t>(i + 1), {i * 100, i * 50}, {shared, own, n, {}});
    by_text.add_point(static_cast<std::uint64_t>(i + 1), {i * 100, i * 50},
                      {{"kind", std::string_view("ibasho")},
                       {"barrier_free", i % 2 == 0},
                       {"name", std::string_view(names[k])},
                       {"count", std::int64_t{i - 1}}});
  }
  const auto a = tsunagi::test::decode_tile(encode_tile({&by_dict}), 14, 14000, 6000);
  const auto b = tsunagi::test::decode_tile(encode_tile({&by_text}), 14, 14000, 6000);
  ASSERT_EQ(a.size(), 3U);
  ASSERT_EQ(b.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].props, b[i].props);
    EXPECT_EQ(a[i].wkt, b[i].wkt);
  }
  EXPECT_EQ(a[1].props.at("count"), "0");
  EXPECT_EQ(a[0].props.at("count"), "-1");
  const auto layers = read_layers(encode_tile({&by_dict}));
  EXPECT_EQ(layers[0].keys, (std::vector<std::string>{"kind", "barrier_free", "name", "count"}));
  // "ibasho", true, false once; each feature's own name (not looked up); -1, 0, 1.
  EXPECT_EQ(layers[0].values, 3U + 3U + 3U);
}

TEST(Mvt, ShellsWindClockwiseOnScreenAndHolesTheOtherWay) {
  // A shell given counter-clockwise on screen and a hole given clockwise: both must be turned.
  const TileRing shell = {{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}};
  const TileRing hole = {{20, 20}, {80, 20}, {80, 80}, {20, 80}, {20, 20}};
  ASSERT_LT(twice_signed_area(shell), 0);
  ASSERT_GT(twice_signed_area(hole), 0);
  LayerBuilder b("areas");
  ASSERT_TRUE(b.add_polygons(7, {{shell, hole}}, {{"name", std::string("x")}}));
  const auto layers = read_layers(encode_tile({&b}));
  const auto rings = rings_of(layers.at(0).geometries.at(0));
  ASSERT_EQ(rings.size(), 2U);
  EXPECT_EQ(rings[0].size(), 4U) << "the closing point is implied by ClosePath";
  EXPECT_GT(twice_signed_area(rings[0]), 0);
  EXPECT_LT(twice_signed_area(rings[1]), 0);

  // GDAL reads it back as one polygon with one hole.
  const auto features = tsunagi::test::decode_tile(encode_tile({&b}), 0, 0, 0);
  ASSERT_EQ(features.size(), 1U);
  EXPECT_EQ(features[0].id, 7U);
  const auto polygons = tsunagi::geo::Geometry::from_wkt(features[0].wkt).polygon_rings();
  ASSERT_EQ(polygons.size(), 1U) << features[0].wkt;
  EXPECT_EQ(polygons[0].size(), 2U) << "the shell and its hole: " << features[0].wkt;
}

TEST(Mvt, DegenerateRingsAndEmptyLayersAreLeftOut) {
  LayerBuilder b("areas");
  EXPECT_FALSE(b.add_polygons(1, {{{{0, 0}, {10, 10}, {0, 0}}}}, LayerBuilder::Properties{}));
  EXPECT_FALSE(b.add_polygons(2, {{{{0, 0}, {10, 0}, {20, 0}, {0, 0}}}},
                              LayerBuilder::Properties{}));  // no area
  EXPECT_TRUE(b.empty());
  LayerBuilder other("resources");
  EXPECT_EQ(encode_tile({&b, &other}), "");
  other.add_point(1, {1, 1}, LayerBuilder::Properties{});
  const auto layers = read_layers(encode_tile({&b, &other}));
  ASSERT_EQ(layers.size(), 1U);
  EXPECT_EQ(layers[0].name, "resources");
}

TEST(Mvt, NegativeAndFractionalValuesKeepTheirType) {
  LayerBuilder b("x");
  b.add_point(1, {5, 4000}, {{"a", std::int64_t{-3}}, {"b", 2.5}, {"c", std::string("東")}});
  const auto f = tsunagi::test::decode_tile(encode_tile({&b}), 0, 0, 0);
  ASSERT_EQ(f.size(), 1U);
  EXPECT_EQ(f[0].props.at("a"), "-3");
  EXPECT_EQ(f[0].props.at("b"), "2.5");
  EXPECT_EQ(f[0].props.at("c"), "東");
}

}  // namespace
