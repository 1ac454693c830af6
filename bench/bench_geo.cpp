// Micro-benchmarks of the geo core: the per-point and per-row operations that imports, matching
// and the HTTP API repeat thousands of times. Figures are for comparing a change with the code
// before it on the same machine (`build/release/bench/tsunagi_bench`), never absolute goals.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "datasets/demo_town.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/lg_code.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/core/schedule.hpp"
#include "geo/core/text_normalize.hpp"
#include "geo/spatial/crs.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {
namespace {

// Points spread over Honshu, Shikoku and Kyushu, the same for every run.
std::vector<XY> points(std::size_t n) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon(130.0, 141.0);
  std::uniform_real_distribution<double> lat(31.0, 41.0);
  std::vector<XY> out(n);
  for (auto& p : out) p = {lon(rng), lat(rng)};
  return out;
}

void MeshCellAt3rdLevel(benchmark::State& state) {
  const auto ps = points(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& p = ps[i++ & 4095];
    benchmark::DoNotOptimize(mesh_cell_at(p.x, p.y, MeshLevel::third));
  }
}
BENCHMARK(MeshCellAt3rdLevel);

void MeshCodeParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(mesh_cell("53394611323"));
}
BENCHMARK(MeshCodeParse);

void LgCodeWithCheckDigit(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_lg_code("372013"));
}
BENCHMARK(LgCodeWithCheckDigit);

void ProjJgd2011ToPlaneZone(benchmark::State& state) {
  const Transformer t("EPSG:6668", jgd2011_plane_zone_epsg(4));
  const auto ps = points(4096);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t.forward(ps[i++ & 4095]));
}
BENCHMARK(ProjJgd2011ToPlaneZone);

void GeodesicDistance(benchmark::State& state) {
  const auto ps = points(4096);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& a = ps[i & 4095];
    const auto& b = ps[(i + 1) & 4095];
    ++i;
    benchmark::DoNotOptimize(geodesic_distance_m(a.x, a.y, b.x, b.y));
  }
}
BENCHMARK(GeodesicDistance);

void PreparedPolygonContainsPoint(benchmark::State& state) {
  // A 64-gon around a town centre, the shape of a municipality boundary at low detail.
  std::string wkt = "POLYGON((";
  for (int k = 0; k <= 64; ++k) {
    const double a = 2 * 3.141592653589793 * (k % 64) / 64;
    const double r = 0.05 + 0.01 * (((k % 64) * 7) % 5);
    wkt += std::to_string(134.05 + r * std::cos(a)) + " " + std::to_string(34.34 + r * std::sin(a));
    wkt += k < 64 ? "," : "))";
  }
  const PreparedGeometry boundary(Geometry::from_wkt(wkt));
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> lon(133.98, 134.12);
  std::uniform_real_distribution<double> lat(34.27, 34.41);
  std::vector<XY> ps(4096);
  for (auto& p : ps) p = {lon(rng), lat(rng)};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& p = ps[i++ & 4095];
    benchmark::DoNotOptimize(boundary.contains_point(p.x, p.y));
  }
}
BENCHMARK(PreparedPolygonContainsPoint);

void ScheduleParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(parse_schedules("第1・第3水曜日 13:30〜15:00"));
}
BENCHMARK(ScheduleParse);

void SearchNormalisation(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(normalize_for_search("ﾌﾚｱｲ・サロン　本町２丁目（カフェ）"));
  }
}
BENCHMARK(SearchNormalisation);

// The demo town in a store, for the snapshot and JSON benchmarks.
class DemoTown {
 public:
  DemoTown() {
    dir_ = std::filesystem::temp_directory_path() / ("tsunagi-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto store = Store::open(dir_ / "town.db", Store::Mode::create_if_missing);
    datasets::generate_demo_town(store, {});
    snapshot_ = Snapshot::build(store);
  }
  DemoTown(const DemoTown&) = delete;
  DemoTown& operator=(const DemoTown&) = delete;
  ~DemoTown() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  [[nodiscard]] const Snapshot& snapshot() const { return *snapshot_; }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<const Snapshot> snapshot_;
};

const DemoTown& demo() {
  static const DemoTown town;
  return town;
}

void SnapshotWithinBox(benchmark::State& state) {
  const auto& s = demo().snapshot().view(Audience::public_);
  const auto extent = *s.extent();
  const BBox quarter{extent.min_lon, extent.min_lat, (extent.min_lon + extent.max_lon) / 2,
                     (extent.min_lat + extent.max_lat) / 2};
  for (auto _ : state) benchmark::DoNotOptimize(s.within(quarter));
}
BENCHMARK(SnapshotWithinBox);

void SnapshotTenNearest(benchmark::State& state) {
  const auto& s = demo().snapshot().view(Audience::public_);
  const auto extent = *s.extent();
  const double lon = (extent.min_lon + extent.max_lon) / 2;
  const double lat = (extent.min_lat + extent.max_lat) / 2;
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.nearest(lon, lat, 10, [](std::uint32_t) { return true; }));
  }
}
BENCHMARK(SnapshotTenNearest);

void PublicGeoJsonFeature(benchmark::State& state) {
  const auto& view = demo().snapshot().view(Audience::public_);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& r = view.resource(static_cast<std::uint32_t>(i++ % view.size()));
    benchmark::DoNotOptimize(to_geojson_feature(r, Audience::public_).dump());
  }
}
BENCHMARK(PublicGeoJsonFeature);

}  // namespace
}  // namespace tsunagi::geo
