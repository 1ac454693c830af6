// The tile budget on the synthetic `city` (20,000 resources) and `japan` (200,000) scales of
// ../shared/tools/gen_synth.py, imported with the real `tsunagi import`: at every zoom no tile
// holds more than 200,000 features or more than 500 KB compressed (tippecanoe's limits), and
// every resource is counted once in the low-zoom clusters.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/store/store.hpp"
#include "support/mvt_reader.hpp"
#include "support/test_support.hpp"
#include "tiles/tile_service.hpp"

namespace tsunagi::test {
namespace {

constexpr std::size_t kMaxBytes = 500 * 1024;
constexpr std::size_t kMaxFeatures = 200'000;

// Generates the scale's resources.csv into `dir` with the project's own generator. The meshes of
// the japan scale (1.5 M rows, minutes) are not needed here: the generator draws the resources
// first from the same seed, so asking for few meshes leaves resources.csv identical.
std::optional<std::filesystem::path> generate(const TempDir& dir, const std::string& scale,
                                              std::string& why_not) {
  const auto tool = std::filesystem::path(TSUNAGI_SHARED_DATA) / ".." / "tools" / "gen_synth.py";
  if (!std::filesystem::exists(tool)) {
    why_not = tool.string() + " is absent";
    return std::nullopt;
  }
  const std::string script =
      "import sys; sys.path.insert(0, '" + tool.parent_path().string() +
      "'); import gen_synth as g; s = g.SCALES['" + scale + "']; g.SCALES['" + scale +
      "'] = (s[0], 1000) + tuple(s[2:]); sys.argv = ['gen_synth', '--scale', '" + scale +
      "', '--out', '" + dir.path().string() + "']; g.main()";
  const auto r = run_program({"/usr/bin/python3", "-c", script}, {});
  if (r.exit_code != 0) {
    why_not = "gen_synth.py did not run (python3-numpy missing?): " + r.err;
    return std::nullopt;
  }
  return dir / "resources.csv";
}

void check_scale(const std::string& scale, std::size_t expected) {
  TempDir dir;
  std::string why_not;
  const auto csv = generate(dir, scale, why_not);
  if (!csv) GTEST_SKIP() << why_not;
  const auto db = dir / "synth.db";
  const auto imported = run_tsunagi({"import", "--db", db.string(), "--layout", "generic", "--kind",
                                     "public_facility", "--quiet", csv->string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const geo::Store store = geo::Store::open(db, geo::Store::Mode::read_only);
  const auto snap = geo::Snapshot::build(store);
  const auto& view = snap->view(geo::Audience::public_);
  ASSERT_EQ(view.size(), expected);

  tiles::TileService service(0);
  const geo::ResourceQuery all;
  const geo::BBox box = *view.extent();
  std::size_t biggest = 0;
  for (std::uint32_t z = 0; z <= 16; ++z) {
    // Low zooms: every tile over the extent. Deeper: the ten most crowded tiles.
    std::vector<tiles::TileId> tiles_to_check;
    const auto range =
        tiles::tiles_covering({box.min_lon, box.min_lat, box.max_lon, box.max_lat}, z);
    const std::uint64_t n =
        std::uint64_t(range.max_x - range.min_x + 1) * (range.max_y - range.min_y + 1);
    if (n <= 4096) {
      for (auto x = range.min_x; x <= range.max_x; ++x) {
        for (auto y = range.min_y; y <= range.max_y; ++y) {
          tiles_to_check.push_back(tiles::make_tile(z, x, y));
        }
      }
    } else {
      std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> counts;
      for (const auto& item : view.items()) {
        const auto t = tiles::tile_at(item->resource().lon, item->resource().lat, z);
        ++counts[{t.x, t.y}];
      }
      std::vector<std::pair<std::size_t, std::pair<std::uint32_t, std::uint32_t>>> by_count;
      for (const auto& [xy, c] : counts) by_count.emplace_back(c, xy);
      std::sort(by_count.rbegin(), by_count.rend());
      for (std::size_t k = 0; k < std::min<std::size_t>(10, by_count.size()); ++k) {
        tiles_to_check.push_back(
            tiles::make_tile(z, by_count[k].second.first, by_count[k].second.second));
      }
    }
    std::size_t counted = 0;
    for (const auto& t : tiles_to_check) {
      const auto tile =
          service.build(*snap, tiles::Layer::resources, t, geo::Audience::public_, all);
      EXPECT_LE(tile->gzip.size(), kMaxBytes) << scale << " z" << z << "/" << t.x << "/" << t.y;
      EXPECT_LE(tile->features, kMaxFeatures) << scale << " z" << z;
      biggest = std::max(biggest, tile->gzip.size());
      if (z <= 6 && !tile->mvt.empty()) {
        for (const auto& f : decode_tile(tile->mvt, t.z, t.x, t.y)) {
          counted += f.props.count("count") != 0 ? std::stoul(f.props.at("count")) : 1;
        }
      }
    }
    if (z <= 6) {
      EXPECT_EQ(counted, expected) << scale << ": clusters at z" << z;
    }
  }
  ::testing::Test::RecordProperty("biggest_tile_gzip_bytes", static_cast<int>(biggest));
}

TEST(TileBudget, CityScale) {
  check_scale("city", 20'000);
}

TEST(TileBudget, JapanScale) {
  check_scale("japan", 200'000);
}

}  // namespace
}  // namespace tsunagi::test
