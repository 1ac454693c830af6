#include "datasets/demo_town.hpp"
#include "geo/spatial/point.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>

#include "datasets/address_table.hpp"
#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::datasets {

namespace {

using geo::Accommodation;
using geo::Activity;
using geo::CapacityUnit;
using geo::DurationKind;
using geo::Fee;
using geo::FeePer;
using geo::Geometry;
using geo::Insurance;
using geo::OfferKind;
using geo::OperatorType;
using geo::PersonKind;
using geo::PlacementOffer;
using geo::PositionAccuracy;
using geo::PreparedGeometry;
using geo::PublishLevel;
using geo::Resource;
using geo::ResourceKind;
using geo::ResourceStatus;
using geo::RewardType;
using geo::Schedule;
using geo::TargetGroup;
using geo::TaskTag;
using geo::VenueKind;
using geo::Weekday;

// ---------------------------------------------------------------------------------------------
// Deterministic random numbers. std::uniform_*_distribution is implementation-defined, so the
// transforms are our own: splitmix64 seeds xoshiro256**, integers by rejection, doubles from 53
// bits. Each part of the town draws from its own stream so that changing one part (say, the
// number of 子ども食堂) does not reshuffle the others.

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (auto& s : s_) s = splitmix64(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform integer in [lo, hi] (inclusive), without modulo bias.
  int uniform_int(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi) - lo) + 1;
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % span);
    std::uint64_t v = next();
    while (v >= limit) v = next();
    return static_cast<int>(static_cast<std::int64_t>(lo) + static_cast<std::int64_t>(v % span));
  }
  std::size_t index(std::size_t n) {
    return static_cast<std::size_t>(uniform_int(0, static_cast<int>(n) - 1));
  }
  /// Uniform double in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  bool chance(double p) { return unit() < p; }

  template <typename T, std::size_t N>
  T pick(const std::array<T, N>& items) {
    return items[index(N)];
  }
  /// Index drawn with probability proportional to weights (all >= 0, at least one > 0).
  std::size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = unit() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    for (std::size_t i = weights.size(); i > 0; --i) {
      if (weights[i - 1] > 0) return i - 1;
    }
    return 0;
  }
  template <typename T>
  void shuffle(std::vector<T>& v, std::size_t from = 0) {
    for (std::size_t i = v.size(); i > from + 1; --i) {
      const std::size_t j = from + index(i - from);
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

enum Stream : std::uint64_t {
  kGridStream = 1,
  kPopulationStream = 2,
  kOfficeStream = 3,
  kNetworkStream = 4,
  kResourceStreamBase = 100,  // + the ResourceKind's index
};

// ---------------------------------------------------------------------------------------------
// Dates, as days since 1970-01-01 (H. Hinnant's civil calendar algorithms: integer only).

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::string civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y0 = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = y0 + (m <= 2 ? 1 : 0);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::int64_t parse_iso_date(const std::string& text) {
  const auto fail = [&]() -> std::int64_t {
    throw geo::InvalidArgument("as_of must be an ISO date such as 2026-04-01, got '" + text + "'");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return fail();
  const auto number = [&](std::size_t pos, std::size_t len) {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc() || p != text.data() + pos + len) fail();
    return v;
  };
  const unsigned y = number(0, 4);
  const unsigned m = number(5, 2);
  const unsigned d = number(8, 2);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) return fail();
  const std::int64_t days = days_from_civil(y, m, d);
  if (civil_from_days(days) != text) return fail();  // 2026-02-30 and the like
  return days;
}

// ---------------------------------------------------------------------------------------------
// Where the town is. A local frame in kilometres (x east, y north) whose origin sits in the
// Chugoku mountains (inland 岡山県北部, far from any coast); the town need not match the real
// terrain there. Degrees per km are fixed constants at 35.1°N so that no libm call enters the
// coordinates.

constexpr double kOriginLon = 133.585;
constexpr double kOriginLat = 35.075;
constexpr double kKmPerDegLon = 91.08;  // 111.32 km × cos 35.1°
constexpr double kKmPerDegLat = 110.95;
constexpr double kKm2PerDeg2 = kKmPerDegLon * kKmPerDegLat;

/// Rounds to 1e-7° (~1 cm): shared grid nodes stay bit-identical and the WKT stays short.
double round7(double v) {
  return std::round(v * 1e7) / 1e7;
}
double round6(double v) {
  return std::round(v * 1e6) / 1e6;
}

using geo::LonLat;

LonLat to_lonlat(double x_km, double y_km) {
  return {round7(kOriginLon + x_km / kKmPerDegLon), round7(kOriginLat + y_km / kKmPerDegLat)};
}

/// The town boundary, drawn by hand in the km frame (~6.4 × 4.9 km, ~23 km²): a ridge-line
/// outline, wider along the river valley that crosses it from west to east.
constexpr std::array<std::array<double, 2>, 34> kBoundaryKm = {{
    {6.52, 2.60}, {6.60, 3.10}, {6.24, 3.53}, {5.75, 3.84}, {5.40, 4.18}, {5.05, 4.53},
    {4.55, 4.74}, {3.99, 4.80}, {3.47, 4.86}, {2.93, 4.92}, {2.40, 4.82}, {1.90, 4.65},
    {1.33, 4.55}, {0.67, 4.41}, {0.23, 4.05}, {0.21, 3.51}, {0.35, 3.02}, {0.38, 2.60},
    {0.40, 2.19}, {0.56, 1.79}, {0.74, 1.40}, {0.92, 0.96}, {1.25, 0.57}, {1.80, 0.39},
    {2.38, 0.33}, {2.91, 0.17}, {3.51, 0.00}, {4.11, 0.10}, {4.56, 0.45}, {4.91, 0.82},
    {5.26, 1.12}, {5.58, 1.44}, {5.82, 1.80}, {6.14, 2.17},
}};

std::string coord_text(LonLat p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7f %.7f", p.lon, p.lat);
  return buf;
}

std::string polygon_wkt(const std::vector<LonLat>& ring) {
  std::string wkt = "POLYGON((";
  for (std::size_t i = 0; i < ring.size(); ++i) {
    if (i > 0) wkt += ", ";
    wkt += coord_text(ring[i]);
  }
  wkt += ", " + coord_text(ring.front()) + "))";
  return wkt;
}

Geometry boundary_geometry() {
  std::vector<LonLat> ring;
  ring.reserve(kBoundaryKm.size());
  // Clockwise in the table; GEOS does not mind the orientation.
  for (const auto& v : kBoundaryKm) ring.push_back(to_lonlat(v[0], v[1]));
  return Geometry::from_wkt(polygon_wkt(ring));
}

// ---------------------------------------------------------------------------------------------
// The 町丁. A grid of quadrilaterals whose shared nodes are jittered by the seed, with one row
// shaped as the river band, intersected with the boundary: neighbouring cells share their nodes
// exactly, so the cells tile the boundary with no gap and no overlap. Cells that fall (almost)
// outside the boundary are merged into their neighbour towards the centre.

/// What a neighbourhood is like; drives population density, age structure and household size.
enum class Quarter : std::uint8_t {
  station,
  central,
  residential,
  newtown_young,  // 1990s 分譲地: families with children
  newtown_old,    // 1970s 団地 on the hill: the first generation has grown old together
  farm,
  river,
  hillside,
};

struct QuarterTraits {
  double density;  // people per km² before scaling to the town total
  double tilt;     // age tilt: < 0 younger than the town, > 0 older
  double household_size;
};

QuarterTraits traits(Quarter q) {
  switch (q) {
    case Quarter::station:
      return {1700, -0.45, 2.0};
    case Quarter::central:
      return {1050, -0.12, 2.3};
    case Quarter::residential:
      return {700, -0.05, 2.5};
    case Quarter::newtown_young:
      return {950, -0.40, 2.8};
    case Quarter::newtown_old:
      return {1150, 0.60, 2.0};
    case Quarter::farm:
      return {270, 0.25, 2.9};
    case Quarter::river:
      return {70, 0.20, 2.7};
    case Quarter::hillside:
      return {180, 0.55, 2.3};
  }
  return {500, 0, 2.5};
}

/// Column lines (km) and the river's centre line at each of them.
constexpr std::array<double, 9> kColumnX = {-1.0, 1.0, 1.8, 2.6, 3.4, 4.2, 5.0, 5.8, 7.6};
constexpr std::array<double, 9> kRiverY = {2.20, 2.20, 2.35, 2.45, 2.35, 2.25, 2.35, 2.55, 2.70};
constexpr std::array<double, 9> kSouthWave = {0.0, 0.05, -0.05, 0.10, 0.0, -0.08, 0.05, 0.12, 0.0};
constexpr std::array<double, 9> kNorthWave = {0.0, -0.05, 0.08, 0.0, 0.10, 0.02, -0.06, 0.0, 0.0};
constexpr double kRiverHalfWidth = 0.18;
constexpr double kCentralDepth = 0.80;
constexpr std::size_t kRowLines = 7;
constexpr std::size_t kColumnLines = kColumnX.size();
constexpr std::size_t kRiverRow = 2;
/// A cell whose part inside the boundary (before jitter) is smaller than this is merged.
constexpr double kMinCellKm2 = 0.15;

struct ChomeName {
  std::string_view name;
  Quarter quarter;
};

/// Names per row, south (row 0) to north (row 5), west to east; the river row has 4 cells.
const std::array<std::vector<ChomeName>, 6>& chome_names() {
  static const std::array<std::vector<ChomeName>, 6> names = {{
      {{"竹ノ内", Quarter::hillside},
       {"小谷", Quarter::hillside},
       {"日向", Quarter::hillside},
       {"南台", Quarter::newtown_old},
       {"平山", Quarter::hillside},
       {"坂本", Quarter::hillside},
       {"岩井", Quarter::hillside},
       {"野口", Quarter::hillside}},
      {{"島", Quarter::farm},
       {"下村", Quarter::farm},
       {"新田", Quarter::farm},
       {"川南一丁目", Quarter::residential},
       {"川南二丁目", Quarter::residential},
       {"宮前", Quarter::farm},
       {"田中", Quarter::farm},
       {"上村", Quarter::farm}},
      {{"下河原", Quarter::river},
       {"川原町", Quarter::river},
       {"中洲", Quarter::river},
       {"上河原", Quarter::river}},
      {{"西本町", Quarter::central},
       {"本町一丁目", Quarter::central},
       {"本町二丁目", Quarter::central},
       {"駅前一丁目", Quarter::station},
       {"駅前二丁目", Quarter::station},
       {"栄町", Quarter::central},
       {"中町", Quarter::central},
       {"東本町", Quarter::central}},
      {{"西町", Quarter::residential},
       {"旭町", Quarter::residential},
       {"北町一丁目", Quarter::residential},
       {"北町二丁目", Quarter::residential},
       {"緑町", Quarter::residential},
       {"桜ヶ丘", Quarter::newtown_young},
       {"若葉町", Quarter::residential},
       {"東町", Quarter::residential}},
      {{"奥谷", Quarter::hillside},
       {"北山", Quarter::hillside},
       {"上ノ山", Quarter::hillside},
       {"大平", Quarter::hillside},
       {"杉ノ木", Quarter::hillside},
       {"向山", Quarter::hillside},
       {"柿ノ木", Quarter::hillside},
       {"峠", Quarter::hillside}},
  }};
  return names;
}

struct GridNodes {
  // y[j][i], x[j][i] in km for row line j and column line i.
  std::array<std::array<double, kColumnLines>, kRowLines> x{};
  std::array<std::array<double, kColumnLines>, kRowLines> y{};
};

GridNodes grid_nodes(Rng* jitter) {
  GridNodes g;
  for (std::size_t i = 0; i < kColumnLines; ++i) {
    const bool outer_column = i == 0 || i + 1 == kColumnLines;
    const double river_shift = (jitter && !outer_column) ? jitter->uniform(-0.06, 0.06) : 0.0;
    const double river = kRiverY[i] + river_shift;
    const std::array<double, kRowLines> ys = {
        -1.0,
        1.05 + kSouthWave[i],
        river - kRiverHalfWidth,
        river + kRiverHalfWidth,
        river + kRiverHalfWidth + kCentralDepth,
        4.0 + kNorthWave[i],
        6.0,
    };
    for (std::size_t j = 0; j < kRowLines; ++j) {
      const bool outer = outer_column || j == 0 || j + 1 == kRowLines;
      double dx = 0;
      double dy = 0;
      if (jitter && !outer) {
        dx = jitter->uniform(-0.10, 0.10);
        // The river's two banks move together (river_shift) so the band keeps its width.
        if (j != 2 && j != 3) dy = jitter->uniform(-0.08, 0.08);
      }
      g.x[j][i] = kColumnX[i] + dx;
      g.y[j][i] = ys[j] + dy;
    }
  }
  return g;
}

struct CellRef {
  std::size_t row;
  std::size_t col;  // index within the row
};

std::size_t cells_in_row(std::size_t row) {
  return row == kRiverRow ? 4 : 8;
}

/// The quadrilateral (with the intermediate nodes of its edges) of one cell.
Geometry cell_polygon(const GridNodes& g, CellRef c) {
  const std::size_t span = c.row == kRiverRow ? 2 : 1;
  const std::size_t a = c.col * span;
  const std::size_t b = a + span;
  const std::size_t lo = c.row;
  const std::size_t hi = c.row + 1;
  std::vector<LonLat> ring;
  for (std::size_t i = a; i <= b; ++i) ring.push_back(to_lonlat(g.x[lo][i], g.y[lo][i]));
  for (std::size_t i = b + 1; i-- > a;) ring.push_back(to_lonlat(g.x[hi][i], g.y[hi][i]));
  return Geometry::from_wkt(polygon_wkt(ring));
}

struct Chome {
  std::size_t index = 0;  // 0-based; the id is chome:demo-<index+1>
  std::string id;
  std::string name;
  Quarter quarter = Quarter::residential;
  std::size_t row = 0;
  Geometry geometry = Geometry::point(0, 0);
  double area_km2 = 0;
  LonLat label{};
  std::int64_t population = 0;
  std::int64_t population_65plus = 0;
};

std::vector<Chome> build_chome(const Geometry& boundary, Rng& rng) {
  // Which cells stand alone is decided on the unjittered grid, so every seed yields the same set
  // of 町丁 (and --force can replace them one for one).
  const GridNodes plain = grid_nodes(nullptr);
  std::vector<CellRef> cells;
  std::vector<bool> kept;
  for (std::size_t row = 0; row < 6; ++row) {
    for (std::size_t col = 0; col < cells_in_row(row); ++col) {
      cells.push_back({row, col});
      const double km2 =
          cell_polygon(plain, {row, col}).intersection(boundary).area() * kKm2PerDeg2;
      kept.push_back(km2 >= kMinCellKm2);
    }
  }
  const auto cell_index = [&](std::size_t row, std::size_t col) {
    std::size_t k = 0;
    for (std::size_t r = 0; r < row; ++r) k += cells_in_row(r);
    return k + col;
  };
  // Each dropped cell joins its neighbour towards the row's centre (repeatedly, if that one was
  // dropped too).
  std::vector<std::size_t> owner(cells.size());
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const CellRef c = cells[k];
    const std::size_t n = cells_in_row(c.row);
    const bool eastwards = c.col < n / 2;
    std::size_t col = c.col;
    while (!kept[cell_index(c.row, col)]) {
      if (eastwards ? col + 1 >= n : col == 0) {
        throw geo::GeometryError("demo town: row " + std::to_string(c.row) +
                                 " has no cell inside the boundary");
      }
      col = eastwards ? col + 1 : col - 1;
    }
    owner[k] = cell_index(c.row, col);
  }

  const GridNodes jittered = grid_nodes(&rng);
  std::vector<Chome> out;
  // Numbered north to south, west to east, as town lists usually run from the station's side.
  for (std::size_t row = 6; row-- > 0;) {
    for (std::size_t col = 0; col < cells_in_row(row); ++col) {
      const std::size_t k = cell_index(row, col);
      if (owner[k] != k) continue;
      std::vector<Geometry> parts;
      for (std::size_t m = 0; m < cells.size(); ++m) {
        if (owner[m] == k) parts.push_back(cell_polygon(jittered, cells[m]));
      }
      Geometry raw = parts.size() == 1 ? std::move(parts.front()) : Geometry::union_all(parts);
      Geometry clipped = raw.intersection(boundary).as_multi_polygon();
      if (clipped.is_empty()) continue;
      Chome ch;
      ch.index = out.size();
      char id[32];
      std::snprintf(id, sizeof id, "%02zu", ch.index + 1);
      ch.id = std::string(kDemoChomeIdPrefix) + id;
      const ChomeName& nm = chome_names()[row][col];
      ch.name = std::string(nm.name);
      ch.quarter = nm.quarter;
      ch.row = row;
      ch.area_km2 = clipped.area() * kKm2PerDeg2;
      const auto [lx, ly] = clipped.point_on_surface();
      ch.label = {round7(lx), round7(ly)};
      ch.geometry = std::move(clipped);
      out.push_back(std::move(ch));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Population by 5-year band and sex: an aging rural town (about 38% aged 65+), older on the
// hills and in the old 団地, younger around the station and in the newer 分譲地.

constexpr std::size_t kBands = 18;  // 0–4 … 80–84, 85+
/// Share of each band in the town (per mille, roughly a 2020 中国山地 town).
constexpr std::array<double, kBands> kBasePyramid = {30, 34, 37, 39, 30, 32, 36, 41, 47,
                                                     55, 56, 60, 68, 80, 90, 72, 62, 68};
/// Share of men in each band (women outlive men).
constexpr std::array<double, kBands> kMaleShare = {0.512, 0.513, 0.512, 0.515, 0.52,  0.515,
                                                   0.51,  0.505, 0.50,  0.50,  0.495, 0.49,
                                                   0.49,  0.48,  0.465, 0.44,  0.40,  0.32};

/// Splits `total` into integers proportional to `weights` (largest remainder, ties by index).
std::vector<std::int64_t> apportion(std::int64_t total, std::span<const double> weights) {
  double sum = 0;
  for (double w : weights) sum += w;
  std::vector<std::int64_t> out(weights.size(), 0);
  if (total <= 0 || sum <= 0) return out;
  std::vector<std::pair<double, std::size_t>> remainders;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    const double floor = std::floor(exact);
    out[i] = static_cast<std::int64_t>(floor);
    given += out[i];
    remainders.emplace_back(exact - floor, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < total; ++k, ++given) {
    ++out[remainders[k % remainders.size()].second];
  }
  return out;
}

constexpr std::string_view kPopulationRefDate = "2020-10-01";

std::vector<geo::AreaPopulation> build_population(std::vector<Chome>& chome, Rng& rng) {
  std::vector<double> weights;
  std::vector<double> tilts;
  std::vector<double> household_sizes;
  for (const auto& c : chome) {
    const QuarterTraits t = traits(c.quarter);
    weights.push_back(t.density * c.area_km2 * rng.uniform(0.85, 1.15));
    tilts.push_back(t.tilt + rng.uniform(-0.08, 0.08));
    household_sizes.push_back(t.household_size * rng.uniform(0.95, 1.05));
  }
  const std::int64_t town_total = 12000 + rng.uniform_int(-250, 250);
  const std::vector<std::int64_t> totals = apportion(town_total, weights);

  std::vector<geo::AreaPopulation> out;
  geo::AreaPopulation town;
  town.area_id = std::string(kDemoTownAreaId);
  town.ref_date = std::string(kPopulationRefDate);
  town.households = 0;
  for (std::size_t b = 0; b < kBands; ++b) {
    geo::AgeBandCount band;
    band.age_from = static_cast<int>(b * 5);
    if (b + 1 < kBands) band.age_to = band.age_from + 4;
    town.bands.push_back(band);
  }
  for (std::size_t k = 0; k < chome.size(); ++k) {
    std::vector<double> cells;  // male, female per band
    for (std::size_t b = 0; b < kBands; ++b) {
      const double mid = b + 1 < kBands ? static_cast<double>(b * 5) + 2.5 : 89.0;
      const double w = kBasePyramid[b] * std::max(0.05, 1.0 + tilts[k] * (mid - 45.0) / 45.0);
      cells.push_back(w * kMaleShare[b]);
      cells.push_back(w * (1.0 - kMaleShare[b]));
    }
    const std::vector<std::int64_t> counts = apportion(totals[k], cells);
    geo::AreaPopulation p;
    p.area_id = chome[k].id;
    p.ref_date = std::string(kPopulationRefDate);
    for (std::size_t b = 0; b < kBands; ++b) {
      geo::AgeBandCount band = town.bands[b];
      band.male = counts[2 * b];
      band.female = counts[2 * b + 1];
      town.bands[b].male += band.male;
      town.bands[b].female += band.female;
      p.bands.push_back(band);
    }
    const std::int64_t total = p.total();
    p.households = std::max<std::int64_t>(
        total > 0 ? 1 : 0, std::llround(static_cast<double>(total) / household_sizes[k]));
    *town.households += *p.households;
    chome[k].population = total;
    chome[k].population_65plus = p.aged_at_least(65);
    out.push_back(std::move(p));
  }
  out.push_back(std::move(town));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resources.

constexpr std::string_view kTownName = "つなぎ町";
constexpr std::string_view kFictionalMark = "（架空）";
constexpr std::string_view kFictionalNote =
    "架空のデモデータです（tsunagi demo が生成）。実在の施設ではありません。";
/// 市外局番 0867 is 岡山県北部's; a 市内局番 never begins with 0 (0 is the trunk prefix), so no
/// number 0867-00-xxxx can ever be assigned to anyone.
constexpr std::string_view kPhonePrefix = "0867-00-";
/// RFC 2606 reserves the .example top-level domain.
constexpr std::string_view kWebBase = "https://town.tsunagi-demo.example/";

/// Hand-made schedules.
Schedule weekly(geo::WeekdaySet days, int start, int end, std::string note = {}) {
  Schedule s;
  s.rule = Schedule::Rule::weekly;
  s.weekdays = days;
  s.start_minute = start;
  s.end_minute = end;
  s.note = std::move(note);
  return s;
}
Schedule biweekly(Weekday day, int start, int end, std::string note = {}) {
  Schedule s = weekly({day}, start, end, std::move(note));
  s.interval_weeks = 2;
  return s;
}
/// nth: list of 1..5 (第n), 0 for 最終.
Schedule monthly(std::initializer_list<int> nth, Weekday day, int start, int end,
                 std::string note = {}) {
  Schedule s;
  s.rule = Schedule::Rule::monthly_nth;
  s.weekdays = {day};
  for (int n : nth) s.nth = static_cast<std::uint8_t>(s.nth | (1U << n));
  s.start_minute = start;
  s.end_minute = end;
  s.note = std::move(note);
  return s;
}
Schedule daily(int start, int end, std::string note = {}) {
  Schedule s;
  s.rule = Schedule::Rule::daily;
  s.start_minute = start;
  s.end_minute = end;
  s.note = std::move(note);
  return s;
}
Schedule irregular(std::string note) {
  Schedule s;
  s.rule = Schedule::Rule::irregular;
  s.note = std::move(note);
  return s;
}
constexpr int hm(int h, int m = 0) {
  return h * 60 + m;
}

const geo::WeekdaySet kWeekdays = {Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu,
                                   Weekday::fri};
const geo::WeekdaySet kMonToSat = {Weekday::mon, Weekday::tue, Weekday::wed,
                                   Weekday::thu, Weekday::fri, Weekday::sat};

Fee fee(PersonKind who, std::optional<int> yen, FeePer per = FeePer::session,
        std::string note = {}) {
  return Fee{who, yen, per, std::move(note)};
}

/// A place already chosen: a building other resources can share (a 公民館 hosting 通いの場).
struct Venue {
  std::size_t chome = 0;
  LonLat at{};
  std::string building;
  std::string address;
  geo::BarrierFree barrier_free;
  std::string parking;
  /// What groups meeting here call their place (「北地区」 for 北地区公民館); empty = the 町丁.
  std::string label;
};

class TownBuilder {
 public:
  TownBuilder(const DemoOptions& options, std::int64_t as_of_days, std::vector<Chome>& chome)
      : options_(options), as_of_days_(as_of_days), chome_(chome) {
    for (const auto& c : chome_) prepared_.emplace_back(c.geometry.clone());
    Rng office(options.seed, kOfficeStream);
    shakyo_phone_ = phone(office);
    hokatsu_phone_ = phone(office);
    town_hall_phone_ = phone(office);
  }

  std::vector<Resource> build() {
    // Places other resources share (a 公民館 hosting 通いの場, a 特養 hosting a サロン) come first.
    build_kominkan();
    build_public_facilities();
    build_shafuku();
    build_kosodate();
    build_kaigo();
    build_kyoten();
    build_sodan();
    build_ibasho();
    build_kodomo_shokudo();
    build_kayoi();
    build_placements();
    build_nofuku();
    std::sort(out_.begin(), out_.end(),
              [](const Resource& a, const Resource& b) { return a.source_key < b.source_key; });
    return std::move(out_);
  }

 private:
  // ---- shared helpers ----

  Rng rng_for(ResourceKind kind) const {
    return Rng(options_.seed, kResourceStreamBase + static_cast<std::uint64_t>(kind));
  }

  std::string phone(Rng& rng) {
    for (;;) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04d", rng.uniform_int(1000, 9999));
      std::string p = std::string(kPhonePrefix) + buf;
      if (phones_.insert(p).second) return p;
    }
  }

  std::string date_days_ago(std::int64_t days) const { return civil_from_days(as_of_days_ - days); }

  /// Most checks are recent; about one in five is more than a year old, as in real inventories.
  std::string verified(Rng& rng) const {
    const int days = rng.chance(0.22) ? rng.uniform_int(370, 730) : rng.uniform_int(3, 330);
    return date_days_ago(days);
  }

  static bool is_chome_style(const Chome& c) {
    return c.name.ends_with("丁目") || c.name.ends_with("町") || c.name.ends_with("台") ||
           c.name.ends_with("ヶ丘");
  }

  /// 「つなぎ町本町二丁目3-5（架空）」 in town, 「つなぎ町上ノ山1234（架空）」 for 字 names.
  std::string address(const Chome& c, Rng& rng) const {
    std::string a = std::string(kTownName) + c.name;
    if (is_chome_style(c)) {
      a += std::to_string(rng.uniform_int(1, 12)) + "-" + std::to_string(rng.uniform_int(1, 30));
    } else {
      a += std::to_string(rng.uniform_int(100, 2400));
    }
    return a + std::string(kFictionalMark);
  }

  /// Only the 町丁: for 個人宅, whose exact place is never published.
  std::string chome_address(const Chome& c) const {
    return std::string(kTownName) + c.name + "（個人宅のため町丁目まで）" +
           std::string(kFictionalMark);
  }

  /// A point well inside the 町丁 (at least ~30 m from its edge), so that it is in exactly one.
  LonLat point_in(std::size_t chome, Rng& rng) const {
    const auto env = chome_[chome].geometry.envelope();
    const double margin_lon = 0.03 / kKmPerDegLon;
    const double margin_lat = 0.03 / kKmPerDegLat;
    const PreparedGeometry& pg = prepared_[chome];
    for (int attempt = 0; attempt < 2000; ++attempt) {
      const LonLat p{round6(rng.uniform(env.min_x, env.max_x)),
                     round6(rng.uniform(env.min_y, env.max_y))};
      if (pg.contains_point(p.lon, p.lat) && pg.contains_point(p.lon + margin_lon, p.lat) &&
          pg.contains_point(p.lon - margin_lon, p.lat) &&
          pg.contains_point(p.lon, p.lat + margin_lat) &&
          pg.contains_point(p.lon, p.lat - margin_lat)) {
        return p;
      }
    }
    return chome_[chome].label;  // a sliver of a 町丁: its label point is inside by construction
  }

  std::size_t pick_chome(Rng& rng, const std::function<double(const Chome&)>& weight) const {
    std::vector<double> w;
    for (const auto& c : chome_) w.push_back(std::max(0.0, weight(c)));
    return rng.weighted(w);
  }

  std::size_t pick_chome_in(Rng& rng, std::initializer_list<Quarter> quarters) const {
    return pick_chome(rng, [&](const Chome& c) {
      for (Quarter q : quarters) {
        if (c.quarter == q) return static_cast<double>(c.population) + 1.0;
      }
      return 0.0;
    });
  }

  static geo::BarrierFree random_barrier_free(Rng& rng, double yes_share) {
    const auto flag = [&](double unknown) -> std::optional<bool> {
      if (rng.chance(unknown)) return std::nullopt;
      return rng.chance(yes_share);
    };
    geo::BarrierFree bf;
    bf.step_free = flag(0.15);
    bf.accessible_toilet = flag(0.25);
    bf.elevator = flag(0.5);
    bf.parking_accessible = flag(0.4);
    bf.hearing_support = flag(0.7);
    return bf;
  }

  static geo::BarrierFree full_barrier_free() {
    return geo::BarrierFree{true, true, true, true, true};
  }

  Venue new_venue(std::size_t chome, Rng& rng, std::string building, double barrier_yes) {
    Venue v;
    v.chome = chome;
    v.at = point_in(chome, rng);
    v.building = std::move(building);
    v.address = address(chome_[chome], rng);
    v.barrier_free = random_barrier_free(rng, barrier_yes);
    const int cars = rng.uniform_int(0, 4) * 5;
    v.parking =
        cars == 0 ? (rng.chance(0.5) ? "なし" : "") : "あり（" + std::to_string(cars) + "台）";
    return v;
  }

  /// A resource with the common fields filled in and its place set.
  Resource base(ResourceKind kind, int n, const Venue& v, Rng& rng) {
    Resource r;
    char key[64];
    std::snprintf(key, sizeof key, "demo-%.*s-%02d", static_cast<int>(geo::code_id(kind).size()),
                  geo::code_id(kind).data(), n);
    r.source_key = key;
    r.kind = kind;
    r.lon = v.at.lon;
    r.lat = v.at.lat;
    r.accuracy = PositionAccuracy::exact;
    r.address = v.address;
    r.building = v.building;
    r.barrier_free = v.barrier_free;
    r.parking = v.parking;
    r.verified_at = verified(rng);
    r.note = std::string(kFictionalNote);
    return r;
  }

  /// Dedupes names: the second 「本町一丁目お茶のみ会」 becomes
  /// 「本町一丁目お茶のみ会（第2会場）」.
  std::string unique_name(std::string name) {
    if (names_.insert(name).second) return name;
    for (int k = 2;; ++k) {
      std::string alt = name + "（第" + std::to_string(k) + "会場）";
      if (names_.insert(alt).second) return alt;
    }
  }

  void add(Resource r) {
    r.name = unique_name(std::move(r.name));
    if (r.capacity && r.vacancy) r.vacancy_as_of = r.verified_at;
    out_.push_back(std::move(r));
  }

  std::string url(std::string_view path) const { return std::string(kWebBase) + std::string(path); }

  // ---- 公民館・集会所 ----

  void build_kominkan() {
    Rng rng = rng_for(ResourceKind::kominkan);
    int n = 0;
    // The three 地区公民館: in the centre, north of it (row 4) and south of the river (row 1).
    const std::array<std::pair<std::string_view, std::size_t>, 3> halls = {{
        {"つなぎ町中央公民館", 3},
        {"北地区公民館", 4},
        {"南地区公民館", 1},
    }};
    std::set<std::size_t> used;
    for (const auto& [name, row] : halls) {
      const std::size_t c = pick_chome(rng, [&, row = row](const Chome& ch) {
        return ch.row == row ? static_cast<double>(ch.population) + 1.0 : 0.0;
      });
      used.insert(c);
      Venue v = new_venue(c, rng, std::string(name), 0.8);
      v.label = name.starts_with("つなぎ町中央") ? "中央"
                                                 : std::string(name.substr(0, name.find("公民館")));
      v.barrier_free.step_free = true;
      v.barrier_free.accessible_toilet = true;
      v.parking = "あり（" + std::to_string(rng.uniform_int(3, 8) * 5) + "台）";
      Resource r = base(ResourceKind::kominkan, ++n, v, rng);
      r.name = std::string(name);
      r.subtype = "公民館";
      r.venue = VenueKind::kominkan_shukaijo;
      r.operator_type = OperatorType::gyosei;
      r.operator_name = "つなぎ町教育委員会";
      r.phone = phone(rng);
      r.description =
          "講座・サークル活動・地域行事に使える町立公民館。大会議室、和室、調理室があります。";
      r.activities = {Activity::shogai_gakushu, Activity::shumi};
      r.main_activity = Activity::shogai_gakushu;
      r.targets = {TargetGroup::everyone};
      r.schedules = {weekly(
          {Weekday::tue, Weekday::wed, Weekday::thu, Weekday::fri, Weekday::sat, Weekday::sun},
          hm(9), hm(21), "月曜日・祝日の翌日・年末年始は休館")};
      r.capacity = rng.uniform_int(8, 15) * 10;
      r.reservation_required = true;
      r.fee_note = "部屋の使用料は町の条例による（町内の住民活動は減免あり）";
      r.url = url("kominkan/");
      venues_.push_back(v);
      hall_uses_.push_back(0);
      named_.emplace(v.building, v);
      add(std::move(r));
    }
    // 集会所 where most older people live: that is where 通いの場 meet.
    static constexpr std::array<std::string_view, 4> kHallWords = {"集会所", "自治会館", "公会堂",
                                                                   "ふれあいセンター"};
    for (int k = 0; k < 15; ++k) {
      const std::size_t c = pick_chome(rng, [&](const Chome& ch) {
        return used.contains(ch.index) ? 0.0 : static_cast<double>(ch.population_65plus) + 5.0;
      });
      used.insert(c);
      const Chome& ch = chome_[c];
      const std::string_view word =
          ch.quarter == Quarter::newtown_young || ch.quarter == Quarter::newtown_old
              ? std::string_view("コミュニティハウス")
              : rng.pick(kHallWords);
      const std::string name = ch.name + std::string(word);
      Venue v = new_venue(c, rng, name, 0.35);
      Resource r = base(ResourceKind::kominkan, ++n, v, rng);
      r.name = name;
      r.subtype = "集会所";
      r.venue = VenueKind::kominkan_shukaijo;
      r.operator_type = OperatorType::jumin_dantai;
      r.operator_name = ch.name + "自治会";
      r.description = "自治会が管理する集会所。通いの場やサロン、自治会の会合に使われています。";
      r.targets = {TargetGroup::everyone};
      r.schedules = {irregular("利用は自治会に申し込み（空いていれば随時）")};
      r.capacity = rng.uniform_int(3, 6) * 10;
      r.reservation_required = true;
      r.residency_restriction = ch.name + "の住民・団体";
      venues_.push_back(v);
      hall_uses_.push_back(0);
      add(std::move(r));
    }
  }

  // ---- 公共施設 ----

  void build_public_facilities() {
    Rng rng = rng_for(ResourceKind::public_facility);
    struct Spec {
      std::string_view name;
      std::string_view subtype;
      std::vector<Quarter> quarters;
      VenueKind venue;
      std::string_view description;
      bool weekday_office;
    };
    const std::vector<Spec> specs = {
        {"つなぎ町役場",
         "庁舎",
         {Quarter::central},
         VenueKind::office,
         "町の本庁舎。福祉課・健康づくり課・子育て支援課があります。",
         true},
        {"つなぎ町保健福祉センター",
         "保健福祉施設",
         {Quarter::central, Quarter::station},
         VenueKind::office,
         "健診・健康相談・介護予防教室の会場。地域包括支援センターが入っています。",
         true},
        {"つなぎ町立図書館",
         "図書館",
         {Quarter::station, Quarter::central},
         VenueKind::other,
         "約8万冊。大活字本や読み聞かせ会があります。",
         false},
        {"町民体育館",
         "体育施設",
         {Quarter::residential},
         VenueKind::other,
         "アリーナとトレーニング室。高齢者向けの健康体操教室も開かれます。",
         false},
        {"つなぎ町文化ホール",
         "文化施設",
         {Quarter::central},
         VenueKind::other,
         "400席のホールと展示室。",
         false},
        {"つなぎ町役場 南支所",
         "支所",
         {Quarter::farm, Quarter::residential},
         VenueKind::office,
         "住民票などの窓口と、南部の地域づくりの拠点。",
         true},
        {"つなぎ町立つなぎ小学校",
         "小学校",
         {Quarter::residential, Quarter::central},
         VenueKind::school,
         "町の北部を校区とする小学校。",
         true},
        {"つなぎ町立南小学校",
         "小学校",
         {Quarter::farm},
         VenueKind::school,
         "町の南部を校区とする小学校。",
         true},
        {"つなぎ町立つなぎ中学校",
         "中学校",
         {Quarter::residential},
         VenueKind::school,
         "町内唯一の中学校。",
         true},
        {"川原町河川公園",
         "公園",
         {Quarter::river},
         VenueKind::park,
         "川沿いの芝生広場と遊歩道。ベンチと多目的トイレがあります。",
         false},
        {"つなぎ町歴史民俗資料館",
         "資料館",
         {Quarter::hillside},
         VenueKind::other,
         "旧庄屋屋敷を使った資料館。",
         false},
        {"つなぎ駅観光交流センター",
         "観光・交流施設",
         {Quarter::station},
         VenueKind::commercial,
         "駅舎内の観光案内所と交流スペース。",
         false},
    };
    int n = 0;
    for (const auto& s : specs) {
      const auto named_chome = chome_in_name(s.name);
      const std::size_t c = named_chome ? *named_chome : pick_chome(rng, [&](const Chome& ch) {
        return std::find(s.quarters.begin(), s.quarters.end(), ch.quarter) != s.quarters.end()
                   ? static_cast<double>(ch.population) + 1.0
                   : 0.0;
      });
      Venue v = new_venue(c, rng, std::string(s.name), 0.9);
      v.barrier_free.step_free = true;
      Resource r = base(ResourceKind::public_facility, ++n, v, rng);
      r.name = std::string(s.name);
      r.subtype = std::string(s.subtype);
      r.venue = s.venue;
      r.operator_type = OperatorType::gyosei;
      r.operator_name = std::string(kTownName);
      r.description = std::string(s.description);
      r.targets = {TargetGroup::everyone};
      r.phone = s.name == "つなぎ町役場" ? town_hall_phone_ : phone(rng);
      r.url = url("facilities/" + std::to_string(n) + "/");
      if (s.subtype == "公園") {
        r.schedules = {daily(0, hm(24))};
        r.fees = {fee(PersonKind::any, 0)};
      } else if (s.weekday_office) {
        r.schedules = {weekly(kWeekdays, hm(8, 30), hm(17, 15), "土日祝・年末年始は休み")};
      } else {
        r.schedules = {weekly(
            {Weekday::tue, Weekday::wed, Weekday::thu, Weekday::fri, Weekday::sat, Weekday::sun},
            hm(9), hm(18), "月曜日・年末年始は休館")};
      }
      named_.emplace(v.building, v);
      if (s.name == "つなぎ町保健福祉センター") health_center_ = v;
      if (s.name == "つなぎ町役場") town_hall_ = v;
      if (s.name == "つなぎ町役場 南支所") south_office_ = v;
      add(std::move(r));
    }
  }

  /// A venue among the 公民館・集会所, preferring places where older people live.
  /// Each use makes a hall less likely to be picked again, so groups spread over the town.
  Venue pick_hall(Rng& rng, const std::function<bool(const Chome&)>& where = {}) {
    std::vector<double> w;
    for (std::size_t i = 0; i < venues_.size(); ++i) {
      const Chome& c = chome_[venues_[i].chome];
      const bool allowed = !where || where(c);
      w.push_back(allowed ? (static_cast<double>(c.population_65plus) + 20.0) /
                                (1.0 + 3.0 * static_cast<double>(hall_uses_[i]))
                          : 0.0);
    }
    const std::size_t k = rng.weighted(w);
    ++hall_uses_[k];
    return venues_[k];
  }

  /// The 町丁 a name refers to (「上ノ山の家」 → 上ノ山), longest name first.
  std::optional<std::size_t> chome_in_name(std::string_view text) const {
    std::optional<std::size_t> best;
    for (const auto& c : chome_) {
      if (text.find(c.name) != std::string_view::npos &&
          (!best || c.name.size() > chome_[*best].name.size())) {
        best = c.index;
      }
    }
    return best;
  }

  /// A place several resources share, created on first use.
  Venue shared_venue(const std::string& key, Rng& rng, const std::function<std::size_t()>& where,
                     double barrier_yes) {
    if (const auto it = named_.find(key); it != named_.end()) return it->second;
    Venue v = new_venue(where(), rng, key, barrier_yes);
    named_.emplace(key, v);
    return v;
  }

  const Venue& named(const std::string& key) const {
    const auto it = named_.find(key);
    if (it == named_.end()) throw std::logic_error("demo town: no place named " + key);
    return it->second;
  }

  // ---- 通いの場 (the MHLW survey's shares: 体操 54%, 趣味 21%, 茶話会 13%, 認知症予防 4%;
  // 公民館・集会所 83%; 住民団体 70%, 住民個人 18%, 社協 5%) ----

  void build_kayoi() {
    Rng rng = rng_for(ResourceKind::kayoi_no_ba);
    constexpr int kCount = 40;
    std::vector<Activity> mains;
    // The first two are fixed so every town has a Wednesday-morning 体操 and a 第1・第3水曜日
    // afternoon 茶話会 (the example every coordinator knows).
    mains.push_back(Activity::taiso);
    mains.push_back(Activity::sawakai);
    const auto push = [&](Activity a, int k) {
      for (int i = 0; i < k; ++i) mains.push_back(a);
    };
    push(Activity::taiso, 21);
    push(Activity::shumi, 8);
    push(Activity::sawakai, 4);
    push(Activity::ninchisho_yobo, 2);
    push(Activity::kaishoku, 1);
    push(Activity::nosagyo, 1);
    push(Activity::tasedai_koryu, 1);
    rng.shuffle(mains, 2);

    std::vector<VenueKind> venues(kCount, VenueKind::kominkan_shukaijo);
    {
      std::vector<VenueKind> others = {VenueKind::private_home,        VenueKind::private_home,
                                       VenueKind::private_home,        VenueKind::vacant_house_shop,
                                       VenueKind::care_facility_space, VenueKind::religious};
      std::vector<std::size_t> slots;
      for (std::size_t i = 2; i < kCount; ++i) {
        if (mains[i] == Activity::nosagyo) {
          venues[i] = VenueKind::farm;
        } else {
          slots.push_back(i);
        }
      }
      rng.shuffle(slots);
      for (std::size_t k = 0; k < others.size(); ++k) venues[slots[k]] = others[k];
    }
    // Operators: 個人宅 → 住民個人, care space → 介護事業者; then 4 more 住民個人, 2 社協, 1 NPO.
    std::vector<OperatorType> operators(kCount, OperatorType::jumin_dantai);
    {
      std::vector<std::size_t> free;
      for (std::size_t i = 0; i < kCount; ++i) {
        if (venues[i] == VenueKind::private_home) operators[i] = OperatorType::jumin_kojin;
        if (venues[i] == VenueKind::care_facility_space)
          operators[i] = OperatorType::kaigo_jigyosha;
        if (i >= 2 && operators[i] == OperatorType::jumin_dantai) free.push_back(i);
      }
      rng.shuffle(free);
      const std::array<OperatorType, 7> extra = {
          OperatorType::jumin_kojin, OperatorType::jumin_kojin, OperatorType::jumin_kojin,
          OperatorType::jumin_kojin, OperatorType::shakyo,      OperatorType::shakyo,
          OperatorType::npo};
      for (std::size_t k = 0; k < extra.size(); ++k) operators[free[k]] = extra[k];
    }
    // Two paused, one closed (never the fixed examples).
    std::vector<std::size_t> lifecycle;
    for (std::size_t i = 2; i < kCount; ++i) lifecycle.push_back(i);
    rng.shuffle(lifecycle);

    static constexpr std::array<std::string_view, 5> kTaiso = {
        "いきいき百歳体操 {}会場", "{}元気体操クラブ", "ころばん体操 {}", "{}しゃんしゃん体操の会",
        "{}いきいき健康体操"};
    static constexpr std::array<std::string_view, 8> kShumi = {
        "{}手芸サークル",   "{}歌声サロン",     "{}健康マージャンの会", "{}絵手紙の会",
        "{}カラオケ同好会", "{}囲碁・将棋の会", "{}生け花の会",         "{}俳句の会"};
    static constexpr std::array<std::string_view, 4> kSawakai = {
        "{}お茶のみ会", "{}ふれあい茶話会", "{}おしゃべりの会", "{}茶話会 ひだまり"};
    static constexpr std::array<std::string_view, 2> kNinchi = {"脳いきいき教室 {}",
                                                                "{}脳トレ倶楽部"};
    static constexpr std::array<std::string_view, 3> kHome = {"{}お茶の間サロン", "{}縁側の会",
                                                              "{}ご近所の集い"};
    const auto fill = [](std::string_view pattern, const std::string& place) {
      std::string s(pattern);
      const auto at = s.find("{}");
      return s.replace(at, 2, place);
    };

    for (std::size_t i = 0; i < kCount; ++i) {
      const Activity main = mains[i];
      Venue v;
      if (venues[i] == VenueKind::kominkan_shukaijo) {
        v = pick_hall(rng);
      } else {
        const std::size_t c = venues[i] == VenueKind::farm
                                  ? pick_chome_in(rng, {Quarter::farm, Quarter::hillside})
                                  : pick_chome(rng, [](const Chome& ch) {
                                      return static_cast<double>(ch.population_65plus) + 1.0;
                                    });
        switch (venues[i]) {
          case VenueKind::private_home:
            // Never the house itself: the 町丁's label point, and an address without 番地.
            v.chome = c;
            v.at = chome_[c].label;
            v.address = chome_address(chome_[c]);
            v.building = "個人宅";
            break;
          case VenueKind::vacant_house_shop:
            v = new_venue(c, rng, "旧" + chome_[c].name + "商店（空き店舗）", 0.3);
            break;
          case VenueKind::care_facility_space:
            v = named("デイサービス さとやま");
            v.building += " 地域交流室";
            break;
          case VenueKind::religious: {
            const std::string temple(
                rng.pick(std::array<std::string_view, 3>{"福泉寺", "八幡神社", "光明寺"}));
            v = shared_venue(
                temple, rng, [&] { return c; }, 0.2);
            v.building = temple + (temple == "八幡神社" ? " 社務所" : " 本堂");
            break;
          }
          case VenueKind::farm:
            v = new_venue(c, rng, chome_[c].name + "ふれあい農園", 0.1);
            v.barrier_free.step_free = false;
            break;
          default:
            v = new_venue(c, rng, chome_[c].name + "集会所", 0.3);
            break;
        }
      }
      const Chome& ch = chome_[v.chome];
      const std::string place = v.label.empty() ? ch.name : v.label;
      Resource r = base(ResourceKind::kayoi_no_ba, static_cast<int>(i + 1), v, rng);
      r.venue = venues[i];
      if (venues[i] == VenueKind::private_home) r.accuracy = PositionAccuracy::chome;
      r.main_activity = main;
      r.activities = {main};
      if (main == Activity::taiso) {
        if (rng.chance(0.5)) r.activities.insert(Activity::sawakai);
        if (rng.chance(0.25)) r.activities.insert(Activity::ninchisho_yobo);
      } else if (rng.chance(0.3)) {
        r.activities.insert(Activity::sawakai);
      }
      if (main == Activity::kaishoku) r.activities.insert(Activity::sawakai);

      // Name.
      if (venues[i] == VenueKind::private_home) {
        r.name = fill(rng.pick(kHome), place);
      } else {
        switch (main) {
          case Activity::taiso:
            r.name = fill(rng.pick(kTaiso), place);
            break;
          case Activity::shumi:
            r.name = fill(rng.pick(kShumi), place);
            break;
          case Activity::sawakai:
            r.name = fill(rng.pick(kSawakai), place);
            break;
          case Activity::ninchisho_yobo:
            r.name = fill(rng.pick(kNinchi), place);
            break;
          case Activity::kaishoku:
            r.name = place + "ふれあい会食会";
            break;
          case Activity::nosagyo:
            r.name = place + "ふれあい畑の会";
            break;
          default:
            r.name = place + "三世代交流の会";
            break;
        }
      }

      // When: 体操 mostly weekly mornings; the others mostly once or twice a month, afternoons.
      if (i == 0) {
        r.schedules = {weekly({Weekday::wed}, hm(10), hm(11, 30), "祝日は休み")};
      } else if (i == 1) {
        r.schedules = {monthly({1, 3}, Weekday::wed, hm(13, 30), hm(15))};
      } else {
        const Weekday day =
            static_cast<Weekday>(rng.chance(0.06) ? 5 : rng.uniform_int(0, 4));  // 土 now and then
        const bool taiso = main == Activity::taiso;
        const int start =
            taiso ? (rng.chance(0.75) ? rng.pick(std::array<int, 3>{hm(9, 30), hm(10), hm(10)})
                                      : hm(13, 30))
                  : (main == Activity::kaishoku
                         ? hm(11)
                         : rng.pick(std::array<int, 3>{hm(13), hm(13, 30), hm(14)}));
        const int length = taiso ? rng.pick(std::array<int, 3>{60, 60, 90})
                                 : rng.pick(std::array<int, 3>{90, 120, 120});
        const double u = rng.unit();
        const double weekly_share = taiso ? 0.65 : 0.10;
        if (u < weekly_share) {
          if (taiso && rng.chance(0.12)) {
            const Weekday second = static_cast<Weekday>((static_cast<int>(day) + 3) % 5);
            r.schedules = {weekly({day, second}, start, start + length)};
          } else {
            r.schedules = {weekly({day}, start, start + length)};
          }
        } else if (u < weekly_share + (1 - weekly_share) * 0.40) {
          if (rng.chance(0.25)) {
            r.schedules = {biweekly(day, start, start + length)};
          } else {
            if (rng.chance(0.5)) {
              r.schedules = {monthly({1, 3}, day, start, start + length)};
            } else {
              r.schedules = {monthly({2, 4}, day, start, start + length)};
            }
          }
        } else {
          r.schedules = {monthly({rng.uniform_int(1, 4)}, day, start, start + length,
                                 rng.chance(0.3) ? "8月・1月は休み" : "")};
        }
      }

      r.operator_type = operators[i];
      switch (operators[i]) {
        case OperatorType::jumin_dantai:
          r.operator_name =
              ch.name +
              std::string(rng.pick(std::array<std::string_view, 5>{
                  "自治会", "老人クラブ", "いきいきクラブ", "女性会", "健康づくり推進員の会"}));
          break;
        case OperatorType::shakyo:
          r.operator_name = "つなぎ町社会福祉協議会";
          break;
        case OperatorType::npo:
          r.operator_name = "NPO法人つなぎネット";
          break;
        case OperatorType::kaigo_jigyosha:
          r.operator_name = "株式会社さとやまケア";
          break;
        default:
          break;  // 住民個人: the representative's name is never published
      }
      // Inquiries go to the 地域包括, as on most municipal 通いの場 lists.
      r.phone = hokatsu_phone_;
      r.description = std::string(geo::code_ja(main)) + "を中心とした住民主体の通いの場です。" +
                      (venues[i] == VenueKind::private_home
                           ? "個人宅で開いているため、場所は問い合わせ先でご案内します。"
                           : "");

      r.targets = {TargetGroup::elderly};
      if (rng.chance(0.2)) r.targets.insert(TargetGroup::everyone);
      if (main == Activity::tasedai_koryu)
        r.targets = {TargetGroup::everyone, TargetGroup::children};
      if (rng.chance(0.3)) r.age_min = 65;
      const double residency = rng.unit();
      if (residency < 0.4) {
        r.residency_restriction = ch.name + "在住の方";
      } else if (residency < 0.6) {
        r.residency_restriction = "町内在住の方";
      }
      if (i >= 2 && main == Activity::taiso && rng.chance(0.08)) {
        r.description += "男性限定の会です。";
      }

      const double f = rng.unit();
      if (f < 0.5) {
        r.fees = {fee(PersonKind::any, 0)};
        r.fee_note = "無料";
      } else if (f < 0.85) {
        r.fees = {fee(PersonKind::any, 100)};
      } else if (f < 0.95) {
        r.fees = {fee(PersonKind::any, 200, FeePer::session, "お茶代込み")};
      } else {
        r.fees = {fee(PersonKind::any, std::nullopt, FeePer::session, "材料費実費")};
        r.fee_note = "材料費実費";
      }
      if (main == Activity::kaishoku) r.fees = {fee(PersonKind::any, 300, FeePer::meal)};
      r.meal_provided = main == Activity::kaishoku;
      r.reservation_required = main == Activity::kaishoku || rng.chance(0.08);

      r.capacity =
          venues[i] == VenueKind::private_home ? rng.uniform_int(6, 10) : rng.uniform_int(15, 35);
      if (rng.chance(0.6)) r.vacancy = rng.uniform_int(0, *r.capacity / 3);

      if (i >= 2) {
        if (i == lifecycle[0] || i == lifecycle[1]) {
          r.status = ResourceStatus::paused;
          r.note += i == lifecycle[0] ? " 担い手不足のため休止中。"
                                      : " 会場の改修工事のため休止中（再開時期未定）。";
        } else if (i == lifecycle[2]) {
          r.status = ResourceStatus::closed;
          r.note += " 参加者の減少により活動を終了。";
          r.vacancy.reset();
        }
      }
      add(std::move(r));
    }
  }

  // ---- 居場所・サロン ----

  void build_ibasho() {
    Rng rng = rng_for(ResourceKind::ibasho);
    struct Spec {
      std::string name;  // "{}" is replaced by the 町丁 name
      std::string subtype;
      Activity main;
      geo::EnumSet<Activity> activities;
      geo::EnumSet<TargetGroup> targets;
      VenueKind venue;
      OperatorType op;
      std::string op_name;
      std::string description;
      int kind_of_schedule;  // 0 weekly, 1 monthly, 2 twice a month, 3 daily, 4 irregular
      PublishLevel publish = PublishLevel::public_;
    };
    const std::vector<Spec> specs = {
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai, Activity::shumi},
         {TargetGroup::elderly, TargetGroup::everyone},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "おしゃべりと季節の小物作り。",
         1},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "お茶とおしゃべり、ラジオ体操。",
         2},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai, Activity::kaishoku},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "月1回の昼食会付きサロン。",
         1},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::elderly, TargetGroup::disabled},
         VenueKind::kominkan_shukaijo,
         OperatorType::shakyo,
         "つなぎ町社会福祉協議会",
         "社協の生活支援コーディネーターが立ち上げを支援したサロン。",
         1},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::elderly},
         VenueKind::private_home,
         OperatorType::jumin_kojin,
         "",
         "個人宅の居間を開放したサロン。",
         0},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai, Activity::shumi},
         {TargetGroup::everyone},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "誰でも参加できるサロン。",
         2},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "民生委員と自治会が運営。",
         1},
        {"{}ふれあいサロン",
         "ふれあい・いきいきサロン",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "冬季は隣の町丁と合同開催。",
         1},
        {"地域カフェ えんがわ",
         "地域カフェ",
         Activity::sawakai,
         {Activity::sawakai, Activity::tasedai_koryu},
         {TargetGroup::everyone},
         VenueKind::vacant_house_shop,
         OperatorType::npo,
         "NPO法人つなぎネット",
         "空き店舗を改装したカフェ。誰でも立ち寄れて、よろず相談も受けています。",
         3},
        {"まちなかカフェ つどい",
         "地域カフェ",
         Activity::sawakai,
         {Activity::sawakai, Activity::shumi, Activity::sodan},
         {TargetGroup::everyone},
         VenueKind::commercial,
         OperatorType::jumin_dantai,
         "本町商店会",
         "商店街の一角の休憩所兼カフェ。",
         0},
        {"寺カフェ 和み",
         "地域カフェ",
         Activity::sawakai,
         {Activity::sawakai},
         {TargetGroup::everyone},
         VenueKind::religious,
         OperatorType::other,
         "光明寺",
         "お寺の客殿で開くカフェ。住職との雑談も。",
         1},
        {"コミュニティカフェ よりみち",
         "地域カフェ",
         Activity::sawakai,
         {Activity::sawakai, Activity::tasedai_koryu},
         {TargetGroup::everyone},
         VenueKind::vacant_house_shop,
         OperatorType::jumin_dantai,
         "よりみちの会",
         "空き家を活用した多世代のたまり場。",
         0},
        {"ひきこもり当事者の居場所 ほっとスペース",
         "ひきこもりの居場所",
         Activity::sawakai,
         {Activity::sawakai, Activity::shumi},
         {TargetGroup::hikikomori, TargetGroup::youth},
         VenueKind::kominkan_shukaijo,
         OperatorType::shakyo,
         "つなぎ町社会福祉協議会",
         "何もしなくてもいい居場所。見学は事前に連絡を。",
         2},
        {"家族のつどい ひだまりの会",
         "ひきこもりの居場所",
         Activity::sodan,
         {Activity::sodan, Activity::sawakai},
         {TargetGroup::hikikomori},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "ひきこもり家族会 ひだまり",
         "ひきこもりの家族の会。",
         1,
         PublishLevel::partners},
        {"若者の居場所 ベース",
         "若者の居場所",
         Activity::shumi,
         {Activity::shumi, Activity::gakushu_shien},
         {TargetGroup::youth},
         VenueKind::vacant_house_shop,
         OperatorType::npo,
         "NPO法人こどもの森",
         "10代〜20代が放課後や夜に過ごせる場所。ゲーム・勉強・雑談。",
         0},
        {"みんなのサロン にじ",
         "共生型サロン",
         Activity::shumi,
         {Activity::shumi, Activity::sawakai},
         {TargetGroup::disabled, TargetGroup::everyone},
         VenueKind::care_facility_space,
         OperatorType::shafuku_hojin,
         "社会福祉法人やまびこ会",
         "障がいのある人もない人も一緒に過ごすサロン。",
         2},
        {"多世代交流スペース わいわい広場",
         "多世代交流",
         Activity::tasedai_koryu,
         {Activity::tasedai_koryu, Activity::shumi},
         {TargetGroup::everyone, TargetGroup::children},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "昔遊びと宿題の見守り。",
         0},
        {"三世代ふれあいの家 {}",
         "多世代交流",
         Activity::tasedai_koryu,
         {Activity::tasedai_koryu, Activity::kaishoku},
         {TargetGroup::everyone},
         VenueKind::vacant_house_shop,
         OperatorType::jumin_dantai,
         "",
         "古民家を使った交流の家。",
         1},
        {"オレンジカフェ {}",
         "認知症カフェ",
         Activity::ninchisho_yobo,
         {Activity::ninchisho_yobo, Activity::sawakai, Activity::sodan},
         {TargetGroup::elderly, TargetGroup::everyone},
         VenueKind::care_facility_space,
         OperatorType::shafuku_hojin,
         "社会福祉法人つなぎ福祉会",
         "認知症の人と家族、地域の人が集うカフェ。専門職が相談に応じます。",
         1},
        {"オレンジカフェ {}",
         "認知症カフェ",
         Activity::ninchisho_yobo,
         {Activity::ninchisho_yobo, Activity::sawakai},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::hokatsu,
         "つなぎ町地域包括支援センター",
         "地域包括支援センターが開く認知症カフェ。",
         1},
        {"子育てひろば {}",
         "子育てサロン",
         Activity::tasedai_koryu,
         {Activity::tasedai_koryu},
         {TargetGroup::parents_infants},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "",
         "未就園児と保護者のサロン。主任児童委員が運営に協力。",
         1},
        {"おとこの台所",
         "男性の居場所",
         Activity::kaishoku,
         {Activity::kaishoku, Activity::shumi},
         {TargetGroup::elderly},
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "おとこの台所の会",
         "男性限定の料理教室兼居場所。作って食べておしゃべり。",
         1},
    };
    std::vector<std::size_t> lifecycle(specs.size());
    for (std::size_t i = 0; i < lifecycle.size(); ++i) lifecycle[i] = i;
    rng.shuffle(lifecycle);
    int n = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Spec& s = specs[i];
      Venue v;
      if (s.venue == VenueKind::kominkan_shukaijo) {
        v = pick_hall(rng);
      } else if (s.venue == VenueKind::care_facility_space) {
        v = named(s.op_name == "社会福祉法人やまびこ会" ? "障害者支援施設 やまびこ園"
                                                        : "特別養護老人ホーム つなぎの里");
        v.building += " 地域交流スペース";
      } else if (s.venue == VenueKind::religious) {
        v = shared_venue(
            "光明寺", rng, [&] { return pick_chome_in(rng, {Quarter::central}); }, 0.2);
        v.building = "光明寺 客殿";
      } else if (s.venue == VenueKind::private_home) {
        const std::size_t c = pick_chome(
            rng, [](const Chome& ch) { return static_cast<double>(ch.population_65plus) + 1.0; });
        v.chome = c;
        v.at = chome_[c].label;
        v.address = chome_address(chome_[c]);
        v.building = "個人宅";
      } else {
        const std::size_t c = (s.venue == VenueKind::commercial || s.op == OperatorType::npo)
                                  ? pick_chome_in(rng, {Quarter::station, Quarter::central})
                                  : pick_chome(rng, [](const Chome& ch) {
                                      return static_cast<double>(ch.population) + 1.0;
                                    });
        std::string building;
        switch (s.venue) {
          case VenueKind::vacant_house_shop:
            building = "旧" + chome_[c].name + "の空き家・空き店舗";
            break;
          case VenueKind::commercial:
            building = "つなぎ本町商店街 休憩所";
            break;
          default:
            building = chome_[c].name + "会場";
            break;
        }
        v = new_venue(c, rng, building, 0.5);
      }
      const Chome& ch = chome_[v.chome];
      Resource r = base(ResourceKind::ibasho, ++n, v, rng);
      std::string name = s.name;
      if (const auto at = name.find("{}"); at != std::string::npos)
        name.replace(at, 2, v.label.empty() ? ch.name : v.label);
      r.name = std::move(name);
      named_.emplace(r.name, v);
      if (s.venue == VenueKind::private_home) r.accuracy = PositionAccuracy::chome;
      r.subtype = s.subtype;
      r.venue = s.venue;
      r.main_activity = s.main;
      r.activities = s.activities;
      r.targets = s.targets;
      r.operator_type = s.op;
      r.operator_name =
          s.op_name.empty() && s.op == OperatorType::jumin_dantai ? ch.name + "自治会" : s.op_name;
      r.description = s.description;
      r.publish = s.publish;
      const Weekday day = static_cast<Weekday>(rng.uniform_int(0, 4));
      const int start = rng.pick(std::array<int, 3>{hm(10), hm(13), hm(13, 30)});
      switch (s.kind_of_schedule) {
        case 0:
          r.schedules = {weekly({day}, start, start + 180)};
          break;
        case 1:
          r.schedules = {monthly({rng.uniform_int(1, 4)}, day, start, start + 120)};
          break;
        case 2:
          r.schedules = {monthly({1, 3}, day, start, start + 120)};
          break;
        case 3:
          r.schedules = {daily(hm(10), hm(16), "水曜日と年末年始は休み")};
          break;
        default:
          r.schedules = {irregular("不定期（町の広報でお知らせ）")};
          break;
      }
      if (s.subtype == "若者の居場所") {
        r.schedules = {weekly({Weekday::tue, Weekday::fri}, hm(16), hm(21))};
        r.age_min = 13;
        r.age_max = 29;
      }
      if (s.name == "おとこの台所") {
        r.fees = {fee(PersonKind::any, 500, FeePer::session, "材料費")};
        r.meal_provided = true;
        r.reservation_required = true;
      } else if (s.activities.contains(Activity::kaishoku)) {
        r.fees = {fee(PersonKind::any, 300, FeePer::meal)};
        r.meal_provided = true;
        r.reservation_required = true;
      } else if (s.subtype == "地域カフェ") {
        r.fees = {fee(PersonKind::any, 100, FeePer::session, "飲み物代")};
        r.meal_provided = false;
        r.reservation_required = false;
      } else if (s.targets.contains(TargetGroup::hikikomori) || s.subtype == "若者の居場所") {
        r.fees = {fee(PersonKind::any, 0)};
        r.fee_note = "無料";
        r.reservation_required = s.subtype != "若者の居場所";
      } else {
        r.fees = {rng.chance(0.6) ? fee(PersonKind::any, 100) : fee(PersonKind::any, 0)};
        r.reservation_required = false;
      }
      r.phone = s.op == OperatorType::jumin_dantai || s.op == OperatorType::jumin_kojin
                    ? shakyo_phone_
                    : phone(rng);
      r.capacity =
          s.venue == VenueKind::private_home ? rng.uniform_int(6, 10) : rng.uniform_int(10, 30);
      if (rng.chance(0.5)) r.vacancy = rng.uniform_int(0, *r.capacity / 2);
      if (i == lifecycle[0]) {
        r.status = ResourceStatus::paused;
        r.note += " 代表者の交代準備のため休止中。";
      } else if (i == lifecycle[1]) {
        r.status = ResourceStatus::closed;
        r.note += " 会場の閉鎖により終了。";
        r.vacancy.reset();
      }
      add(std::move(r));
    }
  }

  // ---- 子ども食堂・地域食堂 ----

  void build_kodomo_shokudo() {
    Rng rng = rng_for(ResourceKind::kodomo_shokudo);
    struct Spec {
      std::string_view name;
      VenueKind venue;
      OperatorType op;
      std::string_view op_name;
      int schedule;  // 0: 第2・第4土曜 昼, 1: 第3金曜 夜, 2: 毎週水曜 夕方, 3: 月1 日曜 昼, 4:
                     // 不定期
      geo::EnumSet<TargetGroup> targets;
    };
    const std::vector<Spec> specs = {
        {"みんなの食堂 ひだまり",
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "ひだまり食堂の会",
         0,
         {TargetGroup::children, TargetGroup::parents_infants, TargetGroup::everyone}},
        {"こども食堂 にこにこ",
         VenueKind::religious,
         OperatorType::other,
         "福泉寺",
         1,
         {TargetGroup::children, TargetGroup::parents_infants}},
        {"地域食堂 わいわい",
         VenueKind::vacant_house_shop,
         OperatorType::npo,
         "NPO法人こどもの森",
         2,
         {TargetGroup::children, TargetGroup::everyone, TargetGroup::elderly}},
        {"つなぎ子ども食堂 おひさま",
         VenueKind::kominkan_shukaijo,
         OperatorType::shakyo,
         "つなぎ町社会福祉協議会",
         3,
         {TargetGroup::children, TargetGroup::parents_infants}},
        {"食堂 もぐもぐ",
         VenueKind::commercial,
         OperatorType::kigyo,
         "洋食屋 かわせみ",
         1,
         {TargetGroup::children, TargetGroup::everyone}},
        {"みなみ地域食堂",
         VenueKind::kominkan_shukaijo,
         OperatorType::jumin_dantai,
         "南地区まちづくり協議会",
         4,
         {TargetGroup::everyone, TargetGroup::elderly}},
    };
    int n = 0;
    const std::size_t paused = rng.index(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Spec& s = specs[i];
      Venue v;
      const auto town_centre = [&] {
        return pick_chome_in(rng, {Quarter::central, Quarter::station, Quarter::residential,
                                   Quarter::newtown_young});
      };
      if (s.venue == VenueKind::kominkan_shukaijo) {
        // The 南地区 group cooks south of the river (rows 0–1).
        v = s.op_name.starts_with("南地区")
                ? pick_hall(rng, [](const Chome& c) { return c.row <= 1; })
                : pick_hall(rng);
      } else if (s.venue == VenueKind::religious) {
        v = shared_venue("福泉寺", rng, town_centre, 0.2);
        v.building = "福泉寺 庫裏";
      } else {
        const std::size_t c = town_centre();
        v = new_venue(c, rng,
                      s.venue == VenueKind::commercial ? "洋食屋 かわせみ（定休日に開催）"
                                                       : "旧" + chome_[c].name + "の空き店舗",
                      0.5);
      }
      Resource r = base(ResourceKind::kodomo_shokudo, ++n, v, rng);
      r.name = std::string(s.name);
      named_.emplace(r.name, v);
      r.venue = s.venue;
      r.operator_type = s.op;
      r.operator_name = std::string(s.op_name);
      r.main_activity = Activity::kaishoku;
      r.activities = {Activity::kaishoku, Activity::tasedai_koryu};
      if (s.schedule == 2) r.activities.insert(Activity::gakushu_shien);
      r.targets = s.targets;
      r.description = "子どもはもちろん、地域の誰でも食べに来られる食堂です。";
      switch (s.schedule) {
        case 0:
          r.schedules = {monthly({2, 4}, Weekday::sat, hm(11, 30), hm(13, 30))};
          break;
        case 1:
          r.schedules = {monthly({3}, Weekday::fri, hm(17), hm(19))};
          break;
        case 2:
          r.schedules = {weekly({Weekday::wed}, hm(16), hm(19, 30), "学校の長期休みは昼に開催")};
          break;
        case 3:
          r.schedules = {monthly({1}, Weekday::sun, hm(11), hm(13))};
          break;
        default:
          r.schedules = {irregular("3か月に1回程度（開催日は町の広報とLINEでお知らせ）")};
          break;
      }
      const int adult = rng.chance(0.7) ? 300 : 200;
      r.fees = {fee(PersonKind::child, s.schedule == 1 ? 100 : 0, FeePer::meal, "高校生まで"),
                fee(PersonKind::adult, adult, FeePer::meal)};
      r.fee_note = std::string(s.schedule == 1 ? "子ども100円" : "子ども（高校生まで）無料") +
                   "・大人" + std::to_string(adult) + "円";
      r.meal_provided = true;
      r.reservation_required = rng.chance(0.5);
      r.capacity = rng.uniform_int(3, 6) * 10;
      r.capacity_unit = CapacityUnit::meal;
      if (rng.chance(0.6)) r.vacancy = rng.uniform_int(0, *r.capacity / 3);
      r.phone = phone(rng);
      if (i == paused) {
        r.status = ResourceStatus::paused;
        r.note += " 食材費の高騰とボランティア不足のため休止中。";
      }
      add(std::move(r));
    }
  }

  // ---- 拠点: 地域子育て支援拠点, 地域活動支援センター, 地域包括支援センター, 自立相談支援 ----

  void build_kyoten() {
    {
      Rng rng = rng_for(ResourceKind::chiiki_kosodate_shien_kyoten);
      Venue v1 = new_venue(pick_chome_in(rng, {Quarter::station}), rng, "つなぎ駅前ビル 2階", 1.0);
      v1.barrier_free = full_barrier_free();
      Resource r = base(ResourceKind::chiiki_kosodate_shien_kyoten, 1, v1, rng);
      r.name = "地域子育て支援拠点 すくすく";
      r.subtype = "一般型";
      r.venue = VenueKind::commercial;
      r.operator_type = OperatorType::npo;
      r.operator_name = "NPO法人こどもの森（町委託）";
      r.main_activity = Activity::tasedai_koryu;
      r.activities = {Activity::tasedai_koryu, Activity::sodan};
      r.targets = {TargetGroup::parents_infants};
      r.age_min = 0;
      r.age_max = 3;
      r.description = "0〜3歳の子と保護者が自由に遊べるひろば。子育て相談、一時預かりの案内も。";
      r.schedules = {weekly(kMonToSat, hm(9), hm(16), "日曜・祝日・年末年始は休み")};
      r.fees = {fee(PersonKind::any, 0)};
      r.fee_note = "無料";
      r.reservation_required = false;
      r.capacity = 15;
      r.capacity_unit = CapacityUnit::group;
      r.phone = phone(rng);
      r.url = url("kosodate/sukusuku/");
      add(std::move(r));

      Venue v2 = named("認定こども園 つなぎの森");
      v2.building += " 子育て支援室";
      Resource r2 = base(ResourceKind::chiiki_kosodate_shien_kyoten, 2, v2, rng);
      r2.name = "子育て支援センター ぽかぽか";
      r2.subtype = "連携型";
      r2.venue = VenueKind::school;
      r2.operator_type = OperatorType::shafuku_hojin;
      r2.operator_name = "社会福祉法人つなぎ福祉会";
      r2.main_activity = Activity::tasedai_koryu;
      r2.activities = {Activity::tasedai_koryu, Activity::sodan};
      r2.targets = {TargetGroup::parents_infants};
      r2.age_min = 0;
      r2.age_max = 5;
      r2.description = "こども園に併設。園庭開放と育児講座。";
      r2.schedules = {weekly(kWeekdays, hm(9, 30), hm(15), "祝日・年末年始は休み")};
      r2.fees = {fee(PersonKind::any, 0)};
      r2.reservation_required = false;
      r2.capacity = 10;
      r2.capacity_unit = CapacityUnit::group;
      r2.phone = phone(rng);
      add(std::move(r2));
    }
    {
      Rng rng = rng_for(ResourceKind::chiiki_katsudo_shien_center);
      Venue v1 = new_venue(pick_chome_in(rng, {Quarter::central}), rng, "つなぎ福祉会館 1階", 0.9);
      Resource r = base(ResourceKind::chiiki_katsudo_shien_center, 1, v1, rng);
      r.name = "地域活動支援センター つむぎ";
      r.subtype = "I型";
      r.venue = VenueKind::office;
      r.operator_type = OperatorType::shafuku_hojin;
      r.operator_name = "社会福祉法人やまびこ会（町委託）";
      r.main_activity = Activity::sodan;
      r.activities = {Activity::sodan, Activity::shumi, Activity::shuroteki_katsudo};
      r.targets = {TargetGroup::disabled, TargetGroup::hikikomori};
      r.description = "障がいのある方の日中の居場所と創作活動、相談。精神保健福祉士が常駐。";
      r.schedules = {weekly(kWeekdays, hm(9, 30), hm(16), "祝日・年末年始は休み")};
      r.fees = {fee(PersonKind::any, 0, FeePer::session, "昼食は実費")};
      r.capacity = 20;
      r.vacancy = rng.uniform_int(2, 6);
      r.phone = phone(rng);
      add(std::move(r));

      Venue v2 =
          new_venue(pick_chome_in(rng, {Quarter::farm, Quarter::hillside}), rng, "ひかり工房", 0.5);
      Resource r2 = base(ResourceKind::chiiki_katsudo_shien_center, 2, v2, rng);
      r2.name = "地域活動支援センター ひかり";
      r2.subtype = "III型";
      r2.venue = VenueKind::vacant_house_shop;
      r2.operator_type = OperatorType::npo;
      r2.operator_name = "NPO法人ひかり";
      r2.main_activity = Activity::shuroteki_katsudo;
      r2.activities = {Activity::shuroteki_katsudo, Activity::sawakai};
      r2.targets = {TargetGroup::disabled};
      r2.description = "古民家での軽作業（袋詰め・木工）と交流。";
      r2.schedules = {weekly({Weekday::mon, Weekday::wed, Weekday::fri}, hm(10), hm(15))};
      r2.fees = {fee(PersonKind::any, 0)};
      r2.capacity = 10;
      r2.vacancy = rng.uniform_int(0, 3);
      r2.phone = phone(rng);
      add(std::move(r2));
    }
    {
      Rng rng = rng_for(ResourceKind::chiiki_hokatsu_shien_center);
      Venue v1 = health_center_;
      v1.building = "つなぎ町保健福祉センター 1階";
      Resource r = base(ResourceKind::chiiki_hokatsu_shien_center, 1, v1, rng);
      r.name = "つなぎ町地域包括支援センター";
      r.subtype = "直営";
      r.venue = VenueKind::office;
      r.operator_type = OperatorType::gyosei;
      r.operator_name = std::string(kTownName);
      r.main_activity = Activity::sodan;
      r.activities = {Activity::sodan};
      r.targets = {TargetGroup::elderly};
      r.description =
          "高齢者の総合相談、介護予防ケアマネジメント、権利擁護。通いの場の問い合わせ先。";
      r.schedules = {
          weekly(kWeekdays, hm(8, 30), hm(17, 15), "土日祝・年末年始は休み（緊急時は役場へ）")};
      r.fees = {fee(PersonKind::any, 0)};
      r.phone = hokatsu_phone_;
      r.url = url("hokatsu/");
      add(std::move(r));

      Venue v2 = named("特別養護老人ホーム つなぎの里");
      v2.building += " 相談室";
      Resource r2 = base(ResourceKind::chiiki_hokatsu_shien_center, 2, v2, rng);
      r2.name = "つなぎ町地域包括支援センター 南部ブランチ";
      r2.subtype = "ブランチ（委託）";
      r2.venue = VenueKind::care_facility_space;
      r2.operator_type = OperatorType::shafuku_hojin;
      r2.operator_name = "社会福祉法人つなぎ福祉会";
      r2.main_activity = Activity::sodan;
      r2.activities = {Activity::sodan};
      r2.targets = {TargetGroup::elderly};
      r2.description = "川の南側の相談窓口。訪問相談にも応じます。";
      r2.schedules = {weekly(kWeekdays, hm(8, 30), hm(17, 30), "土日祝は休み")};
      r2.fees = {fee(PersonKind::any, 0)};
      r2.phone = phone(rng);
      add(std::move(r2));
    }
    {
      Rng rng = rng_for(ResourceKind::jiritsu_sodan_shien);
      Venue v =
          new_venue(pick_chome_in(rng, {Quarter::central}), rng, "つなぎ町総合福祉会館 2階", 1.0);
      v.barrier_free = full_barrier_free();
      Resource r = base(ResourceKind::jiritsu_sodan_shien, 1, v, rng);
      r.name = "つなぎ町くらし・しごと相談センター";
      r.subtype = "自立相談支援機関（社協委託）";
      r.venue = VenueKind::office;
      r.operator_type = OperatorType::shakyo;
      r.operator_name = "つなぎ町社会福祉協議会（町委託）";
      r.main_activity = Activity::sodan;
      r.activities = {Activity::sodan, Activity::shuroteki_katsudo};
      r.targets = {TargetGroup::seikatsu_konkyu, TargetGroup::hikikomori, TargetGroup::everyone};
      r.description =
          "お金・仕事・住まいの困りごと相談。家計改善支援、就労準備支援、参加支援の窓口。";
      r.schedules = {weekly(kWeekdays, hm(8, 30), hm(17, 15), "夜間・休日は予約制で対応")};
      r.fees = {fee(PersonKind::any, 0)};
      r.reservation_required = false;
      r.phone = shakyo_phone_;
      r.url = url("kurashi/");
      add(std::move(r));
    }
  }

  // ---- その他相談窓口 ----

  void build_sodan() {
    Rng rng = rng_for(ResourceKind::sodan_shien_other);
    struct Spec {
      std::string_view name;
      std::string_view subtype;
      geo::EnumSet<TargetGroup> targets;
      std::string_view description;
      int where;  // 0 town hall, 1 health centre, 2 new venue, 3 south office
      bool monthly;
    };
    const std::vector<Spec> specs = {
        {"つなぎ町ふくしまるごと相談窓口",
         "包括的相談支援（重層的支援体制整備事業）",
         {TargetGroup::everyone},
         "分野を問わず、どこに相談したらよいかわからない困りごとを受け止めます。",
         0,
         false},
        {"つなぎ町基幹相談支援センター",
         "基幹相談支援センター",
         {TargetGroup::disabled},
         "障がいのある方と家族の相談、相談支援事業所の後方支援。",
         1,
         false},
        {"つなぎ町こども家庭センター",
         "こども家庭センター",
         {TargetGroup::children, TargetGroup::parents_infants, TargetGroup::youth},
         "妊娠期から子育て期、ヤングケアラーの相談。",
         1,
         false},
        {"ひきこもり相談 ほっとルーム",
         "ひきこもり相談",
         {TargetGroup::hikikomori, TargetGroup::youth},
         "本人・家族の個別相談（予約制）。オンライン相談も可。",
         3,
         true},
    };
    int n = 0;
    for (const auto& s : specs) {
      Venue v = s.where == 0   ? town_hall_
                : s.where == 1 ? health_center_
                : s.where == 3
                    ? south_office_
                    : new_venue(pick_chome_in(rng, {Quarter::central}), rng, "相談室", 0.8);
      Resource r = base(ResourceKind::sodan_shien_other, ++n, v, rng);
      r.name = std::string(s.name);
      r.subtype = std::string(s.subtype);
      r.venue = VenueKind::office;
      r.operator_type = OperatorType::gyosei;
      r.operator_name = std::string(kTownName);
      r.main_activity = Activity::sodan;
      r.activities = {Activity::sodan};
      r.targets = s.targets;
      r.description = std::string(s.description);
      r.fees = {fee(PersonKind::any, 0)};
      if (s.monthly) {
        r.schedules = {monthly({2}, Weekday::tue, hm(13), hm(16), "要予約")};
        r.reservation_required = true;
      } else {
        r.schedules = {weekly(kWeekdays, hm(8, 30), hm(17, 15), "土日祝・年末年始は休み")};
      }
      r.phone = s.where == 0 ? town_hall_phone_ : phone(rng);
      add(std::move(r));
    }
  }

  // ---- 社会福祉法人施設 ----

  void build_shafuku() {
    Rng rng = rng_for(ResourceKind::shafuku_facility);
    struct Spec {
      std::string_view name;
      std::string_view subtype;
      std::string_view op_name;
      geo::EnumSet<TargetGroup> targets;
      int capacity;
      PublishLevel publish;
      Quarter quarter;
    };
    const std::vector<Spec> specs = {
        {"特別養護老人ホーム つなぎの里",
         "特別養護老人ホーム",
         "社会福祉法人つなぎ福祉会",
         {TargetGroup::elderly},
         80,
         PublishLevel::public_,
         Quarter::farm},
        {"障害者支援施設 やまびこ園",
         "障害者支援施設",
         "社会福祉法人やまびこ会",
         {TargetGroup::disabled},
         50,
         PublishLevel::public_,
         Quarter::hillside},
        {"就労継続支援B型事業所 わかば作業所",
         "就労継続支援B型",
         "社会福祉法人やまびこ会",
         {TargetGroup::disabled},
         20,
         PublishLevel::public_,
         Quarter::residential},
        // Group homes' addresses are usually not published.
        {"グループホーム かわせみ",
         "共同生活援助",
         "社会福祉法人やまびこ会",
         {TargetGroup::disabled},
         7,
         PublishLevel::partners,
         Quarter::residential},
        {"放課後等デイサービス そら",
         "放課後等デイサービス",
         "社会福祉法人つなぎ福祉会",
         {TargetGroup::children, TargetGroup::disabled},
         10,
         PublishLevel::public_,
         Quarter::central},
    };
    int n = 0;
    for (const auto& s : specs) {
      Venue v = new_venue(pick_chome_in(rng, {s.quarter}), rng, std::string(s.name), 0.95);
      named_.emplace(v.building, v);
      v.barrier_free.step_free = true;
      v.barrier_free.accessible_toilet = true;
      Resource r = base(ResourceKind::shafuku_facility, ++n, v, rng);
      r.name = std::string(s.name);
      r.subtype = std::string(s.subtype);
      r.venue = VenueKind::care_facility_space;
      r.operator_type = OperatorType::shafuku_hojin;
      r.operator_name = std::string(s.op_name);
      r.targets = s.targets;
      r.publish = s.publish;
      r.capacity = s.capacity;
      r.vacancy = rng.uniform_int(0, std::max(1, s.capacity / 10));
      r.phone = phone(rng);
      if (s.subtype == "就労継続支援B型") {
        r.main_activity = Activity::shuroteki_katsudo;
        r.activities = {Activity::shuroteki_katsudo};
        r.schedules = {weekly(kWeekdays, hm(9, 30), hm(15, 30))};
        r.description = "農産物の加工、部品の組み立て。工賃は月平均1万6千円。";
      } else if (s.subtype == "放課後等デイサービス") {
        r.activities = {Activity::gakushu_shien, Activity::shumi};
        r.main_activity = Activity::gakushu_shien;
        r.age_min = 6;
        r.age_max = 18;
        r.schedules = {weekly(kMonToSat, hm(13), hm(18), "学校休業日は9:30から")};
        r.description = "障がいのある小中高生の放課後の居場所。送迎あり。";
      } else {
        r.schedules = {daily(0, hm(24), "面会は9:00〜19:00")};
        r.description = "入所施設。地域交流スペースをサロンや認知症カフェに開放しています。";
      }
      add(std::move(r));
    }
  }

  // ---- 介護サービス事業所 ----

  void build_kaigo() {
    Rng rng = rng_for(ResourceKind::kaigo_jigyosho);
    struct Spec {
      std::string_view service;  // サービスの種類
      std::string_view name;
      OperatorType op;
      std::string_view op_name;
      int capacity;  // 0: not applicable (訪問系)
      int schedule;  // 0: 月〜土 通所, 1: 毎日 訪問, 2: 平日 事務所, 3: 24時間
    };
    const std::vector<Spec> specs = {
        {"通所介護", "デイサービスセンター つなぎの里", OperatorType::shafuku_hojin,
         "社会福祉法人つなぎ福祉会", 30, 0},
        {"通所介護", "デイサービス さとやま", OperatorType::kigyo, "株式会社さとやまケア", 25, 0},
        {"地域密着型通所介護", "リハビリデイ かわら", OperatorType::kigyo, "合同会社かわらリハ", 18,
         0},
        {"通所リハビリテーション", "つなぎ中央クリニック 通所リハビリ", OperatorType::other,
         "医療法人つなぎ会", 20, 0},
        {"訪問介護", "ヘルパーステーション つなぎ", OperatorType::shakyo, "つなぎ町社会福祉協議会",
         0, 1},
        {"訪問介護", "さとやまケア 訪問介護事業所", OperatorType::kigyo, "株式会社さとやまケア", 0,
         1},
        {"訪問看護", "訪問看護ステーション やまなみ", OperatorType::other, "医療法人つなぎ会", 0,
         1},
        {"居宅介護支援", "居宅介護支援事業所 つなぎ", OperatorType::shakyo,
         "つなぎ町社会福祉協議会", 0, 2},
        {"居宅介護支援", "ケアプランセンター ひまわり", OperatorType::kyodo_kumiai,
         "つなぎ農業協同組合", 0, 2},
        {"小規模多機能型居宅介護", "小規模多機能ホーム 上ノ山の家", OperatorType::npo,
         "NPO法人つなぎネット", 29, 3},
        {"認知症対応型共同生活介護", "グループホーム ほほえみ", OperatorType::shafuku_hojin,
         "社会福祉法人つなぎ福祉会", 18, 3},
        {"短期入所生活介護", "ショートステイ つなぎの里", OperatorType::shafuku_hojin,
         "社会福祉法人つなぎ福祉会", 20, 3},
        {"福祉用具貸与", "福祉用具センター すまいる", OperatorType::kigyo, "株式会社すまいる", 0,
         2},
        {"通所介護", "デイサービス ひなた", OperatorType::kigyo, "株式会社ひなた", 15, 0},
    };
    // Services of one operator often share a building with its main facility.
    const std::map<std::string_view, std::string> beside = {
        {"デイサービスセンター つなぎの里", "特別養護老人ホーム つなぎの里"},
        {"ショートステイ つなぎの里", "特別養護老人ホーム つなぎの里"},
        {"さとやまケア 訪問介護事業所", "デイサービス さとやま"},
    };
    int n = 0;
    // Never デイサービス さとやま (index 1), whose space hosts a 通いの場.
    const std::size_t closed = 2 + rng.index(specs.size() - 2);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Spec& s = specs[i];
      Venue v;
      if (const auto it = beside.find(s.name); it != beside.end()) {
        v = named(it->second);
        v.building = it->second + " 併設";
      } else {
        const auto named_chome = chome_in_name(s.name);
        const std::size_t c = named_chome ? *named_chome : pick_chome(rng, [](const Chome& ch) {
          return static_cast<double>(ch.population_65plus) + 1.0;
        });
        v = new_venue(c, rng, std::string(s.name), 0.9);
        named_.emplace(v.building, v);
      }
      Resource r = base(ResourceKind::kaigo_jigyosho, ++n, v, rng);
      r.name = std::string(s.name);
      r.subtype = std::string(s.service);
      r.venue = VenueKind::office;
      r.operator_type = s.op;
      r.operator_name = std::string(s.op_name);
      // 都道府県コード 99 does not exist: the number cannot be a real 介護事業所番号.
      char official[16];
      std::snprintf(official, sizeof official, "99%08d", rng.uniform_int(70000000, 79999999));
      r.official_id = official;
      r.targets = {TargetGroup::elderly};
      if (s.capacity > 0) {
        r.capacity = s.capacity;
        r.vacancy = rng.uniform_int(0, std::max(1, s.capacity / 6));
      }
      switch (s.schedule) {
        case 0:
          r.schedules = {weekly(kMonToSat, hm(8, 30), hm(17, 30), "年末年始は休み")};
          break;
        case 1:
          r.schedules = {daily(hm(8), hm(18), "緊急時は24時間連絡可")};
          break;
        case 2:
          r.schedules = {weekly(kWeekdays, hm(8, 30), hm(17, 30))};
          break;
        default:
          r.schedules = {daily(0, hm(24))};
          break;
      }
      r.phone = phone(rng);
      r.fax = phone(rng);
      r.description = "介護保険の" + std::string(s.service) + "事業所。";
      if (i == closed) {
        r.status = ResourceStatus::closed;
        r.note += " 事業所の廃止届が出されています。";
        r.vacancy.reset();
      }
      add(std::move(r));
    }
  }

  // ---- 子育て施設 (自治体標準オープンデータセットの種別) ----

  void build_kosodate() {
    Rng rng = rng_for(ResourceKind::kosodate_shisetsu);
    struct Spec {
      std::string_view name;
      std::string_view subtype;
      OperatorType op;
      std::string_view op_name;
      int capacity;
      int age_max;
      std::vector<Quarter> quarters;
    };
    const std::vector<Spec> specs = {
        {"つなぎ町立中央保育所",
         "認可公立保育所",
         OperatorType::gyosei,
         "つなぎ町",
         120,
         5,
         {Quarter::central, Quarter::station}},
        {"つなぎ町立南保育所",
         "認可公立保育所",
         OperatorType::gyosei,
         "つなぎ町",
         60,
         5,
         {Quarter::farm}},
        {"認定こども園 つなぎの森",
         "認定こども園（幼保連携型）",
         OperatorType::shafuku_hojin,
         "社会福祉法人つなぎ福祉会",
         150,
         5,
         {Quarter::residential, Quarter::newtown_young}},
        {"わかば幼稚園",
         "私立幼稚園",
         OperatorType::other,
         "学校法人わかば学園",
         90,
         5,
         {Quarter::residential}},
        {"企業主導型保育園 ひよこ",
         "認可外保育所",
         OperatorType::kigyo,
         "株式会社つなぎ精工",
         19,
         2,
         {Quarter::station, Quarter::central}},
        {"桜ヶ丘保育園",
         "認可私立保育所",
         OperatorType::shafuku_hojin,
         "社会福祉法人こばと会",
         90,
         5,
         {Quarter::newtown_young, Quarter::residential}},
    };
    int n = 0;
    for (const auto& s : specs) {
      const auto named_chome = chome_in_name(s.name);
      const std::size_t c = named_chome ? *named_chome : pick_chome(rng, [&](const Chome& ch) {
        return std::find(s.quarters.begin(), s.quarters.end(), ch.quarter) != s.quarters.end()
                   ? static_cast<double>(ch.population) + 1.0
                   : 0.0;
      });
      Venue v = new_venue(c, rng, std::string(s.name), 0.85);
      named_.emplace(v.building, v);
      Resource r = base(ResourceKind::kosodate_shisetsu, ++n, v, rng);
      r.name = std::string(s.name);
      r.subtype = std::string(s.subtype);
      r.venue = VenueKind::school;
      r.operator_type = s.op;
      r.operator_name = std::string(s.op_name);
      r.targets = {TargetGroup::children, TargetGroup::parents_infants};
      r.age_min = 0;
      if (s.subtype == "私立幼稚園") r.age_min = 3;
      r.age_max = s.age_max;
      r.capacity = s.capacity;
      r.vacancy = rng.uniform_int(0, s.capacity / 10);
      r.schedules = {s.subtype == "私立幼稚園"
                         ? weekly(kWeekdays, hm(9), hm(14), "預かり保育 7:30〜18:30")
                         : weekly(kMonToSat, hm(7, 30), hm(18, 30), "日曜・祝日・年末年始は休み")};
      r.description =
          s.subtype == "私立幼稚園" ? "3〜5歳の幼稚園。" : "0〜5歳の保育施設。一時預かりあり。";
      r.phone = phone(rng);
      add(std::move(r));
    }
  }

  // ---- 参加支援受入れ先 ----

  struct OfferSpec {
    std::string_view name;
    std::string_view place;  // a place already in town, or the building of a new one
    std::string_view host;   // operator name
    OperatorType op;
    VenueKind venue;
    std::vector<Quarter> quarters;
    OfferKind kind;
    geo::EnumSet<TaskTag> tasks;
    std::string_view task_description;
    geo::EnumSet<Accommodation> accommodations;
    RewardType reward;
    std::string_view reward_note;
    std::string_view contact_role;
    DurationKind duration;
    double min_hours;
    double max_hours;
    PublishLevel publish;
  };

  void build_offer_site(ResourceKind kind, int n, const OfferSpec& s, Rng& rng) {
    const auto where = [&] {
      if (const auto named_chome = chome_in_name(s.place)) return *named_chome;
      return pick_chome(rng, [&](const Chome& ch) {
        return std::find(s.quarters.begin(), s.quarters.end(), ch.quarter) != s.quarters.end()
                   ? static_cast<double>(ch.population) + 10.0
                   : 0.0;
      });
    };
    const Venue v = shared_venue(std::string(s.place), rng, where,
                                 kind == ResourceKind::nofuku_site ? 0.2 : 0.6);
    const std::size_t c = v.chome;
    Resource r = base(kind, n, v, rng);
    r.name = std::string(s.name);
    r.subtype = std::string(geo::code_ja(s.kind));
    r.venue = s.venue;
    r.operator_type = s.op;
    r.operator_name = std::string(s.host);
    r.publish = s.publish;
    r.main_activity = kind == ResourceKind::nofuku_site ? Activity::nosagyo
                      : s.kind == OfferKind::volunteer  ? Activity::volunteer
                                                        : Activity::shuroteki_katsudo;
    r.activities = {*r.main_activity};
    r.targets = {TargetGroup::hikikomori, TargetGroup::seikatsu_konkyu, TargetGroup::youth};
    if (rng.chance(0.5)) r.targets.insert(TargetGroup::disabled);
    r.age_min = s.kind == OfferKind::chukanteki_koyo ? 18 : 15;
    r.description = "参加支援の受入れ先（" + std::string(geo::code_ja(s.kind)) + "）。" +
                    std::string(s.task_description);
    // Placements are arranged through the 相談センター, never by calling the host directly.
    r.phone = shakyo_phone_;
    const std::array<Weekday, 5> days = {Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu,
                                         Weekday::fri};
    geo::WeekdaySet open;
    const int n_days = rng.uniform_int(2, 5);
    std::vector<Weekday> order(days.begin(), days.end());
    rng.shuffle(order);
    for (int k = 0; k < n_days; ++k) open.insert(order[static_cast<std::size_t>(k)]);
    const int start = kind == ResourceKind::nofuku_site
                          ? hm(9)
                          : rng.pick(std::array<int, 3>{hm(9), hm(10), hm(13)});
    const int end = start + static_cast<int>(s.max_hours * 60.0) + (s.max_hours >= 5 ? 60 : 0);
    r.schedules = {weekly(open, start, std::min(end, hm(18)),
                          kind == ResourceKind::nofuku_site ? "雨天・農閑期は作業なし" : "")};

    PlacementOffer o;
    o.kind = s.kind;
    o.tasks = s.tasks;
    o.task_description = std::string(s.task_description);
    o.slots_total = rng.uniform_int(1, 4);
    o.slots_open = rng.uniform_int(0, *o.slots_total);
    o.min_hours_per_day = s.min_hours;
    o.max_hours_per_day = s.max_hours;
    o.duration = s.duration;
    o.trial_visit_ok = !rng.chance(0.1);
    o.eligibility_note = rng.pick(std::array<std::string_view, 4>{
        "", "くらし・しごと相談センターを通じた紹介に限る", "15歳以上（中学生不可）",
        "体力に自信がなくても可。最初は見学から"});
    o.accommodations = s.accommodations;
    o.reward = s.reward;
    o.reward_note = std::string(s.reward_note);
    o.insurance = s.reward == RewardType::wage ? Insurance::rousai : Insurance::volunteer;
    o.pickup = kind == ResourceKind::nofuku_site ? std::optional<bool>(rng.chance(0.5))
                                                 : std::optional<bool>(false);
    if (rng.chance(0.15)) o.pickup.reset();
    o.nearest_stop = chome_[c].quarter == Quarter::station || chome_[c].quarter == Quarter::central
                         ? "つなぎ駅"
                         : chome_[c].name + "バス停";
    o.walk_min_from_stop = rng.uniform_int(2, 15);
    o.contact_role = std::string(s.contact_role);
    r.offer = o;
    r.capacity = *o.slots_total;
    r.vacancy = *o.slots_open;
    add(std::move(r));
  }

  void build_placements() {
    Rng rng = rng_for(ResourceKind::placement_site);
    using A = Accommodation;
    using T = TaskTag;
    const std::vector<OfferSpec> specs = {
        {"リサイクルショップ えこ 就労体験",
         "リサイクルショップ えこ",
         "つなぎ町社会福祉協議会",
         OperatorType::shakyo,
         VenueKind::commercial,
         {Quarter::central},
         OfferKind::shuro_taiken,
         {T::seiso, T::keisagyo, T::sekkyaku},
         "寄付品の仕分け・値付け・店内清掃。",
         {A::short_hours, A::step_by_step, A::breaks},
         RewardType::thanks_in_kind,
         "図書カード（月1回）",
         "店長",
         DurationKind::ongoing,
         1.0,
         4.0,
         PublishLevel::partners},
        {"道の駅 つなぎ 売店の就労体験",
         "道の駅 つなぎ",
         "株式会社つなぎ観光",
         OperatorType::kigyo,
         VenueKind::commercial,
         {Quarter::farm, Quarter::residential},
         OfferKind::chukanteki_koyo,
         {T::sekkyaku, T::keisagyo},
         "品出し、野菜の袋詰め、レジ補助。",
         {A::short_hours, A::flexible_attendance},
         RewardType::wage,
         "最低賃金以上の時給",
         "売店主任",
         DurationKind::ongoing,
         2.0,
         6.0,
         PublishLevel::partners},
        {"町立図書館 配架・本の修理ボランティア",
         "つなぎ町立図書館",
         "つなぎ町教育委員会",
         OperatorType::gyosei,
         VenueKind::other,
         {Quarter::station, Quarter::central},
         OfferKind::volunteer,
         {T::keisagyo, T::jimu},
         "返却本の配架、破れた本の修理。静かな作業。",
         {A::short_hours, A::quiet_space, A::low_contact, A::step_by_step},
         RewardType::none,
         "",
         "司書（ボランティア担当）",
         DurationKind::ongoing,
         1.0,
         3.0,
         PublishLevel::public_},
        {"特養つなぎの里 環境整備ボランティア",
         "特別養護老人ホーム つなぎの里",
         "社会福祉法人つなぎ福祉会",
         OperatorType::shafuku_hojin,
         VenueKind::care_facility_space,
         {Quarter::farm},
         OfferKind::volunteer,
         {T::seiso, T::mimamori},
         "中庭の草取り、利用者の話し相手。",
         {A::short_hours, A::breaks, A::companion_ok},
         RewardType::thanks_in_kind,
         "昼食の提供",
         "地域交流担当",
         DurationKind::ongoing,
         1.0,
         3.0,
         PublishLevel::partners},
        {"地域カフェ えんがわ 調理補助",
         "地域カフェ えんがわ",
         "NPO法人つなぎネット",
         OperatorType::npo,
         VenueKind::vacant_house_shop,
         {Quarter::central, Quarter::station},
         OfferKind::chukanteki_hikoyo,
         {T::chori, T::sekkyaku, T::seiso},
         "仕込み、盛り付け、皿洗い。慣れたら接客も。",
         {A::short_hours, A::step_by_step, A::flexible_attendance},
         RewardType::kouchin,
         "1時間300円の工賃",
         "カフェ責任者",
         DurationKind::ongoing,
         2.0,
         4.0,
         PublishLevel::partners},
        {"つなぎ印刷 軽作業体験",
         "つなぎ印刷 工場",
         "つなぎ印刷株式会社",
         OperatorType::kigyo,
         VenueKind::office,
         {Quarter::central, Quarter::residential},
         OfferKind::chukanteki_hikoyo,
         {T::keisagyo, T::seisaku},
         "チラシの折り・封入、製本の補助。",
         {A::low_contact, A::quiet_space, A::step_by_step},
         RewardType::kouchin,
         "出来高の工賃",
         "工場長",
         DurationKind::ongoing,
         2.0,
         5.0,
         PublishLevel::partners},
        {"町民体育館 清掃ボランティア",
         "町民体育館",
         "つなぎ町教育委員会",
         OperatorType::gyosei,
         VenueKind::other,
         {Quarter::residential},
         OfferKind::volunteer,
         {T::seiso},
         "開館前のフロアモップがけと用具の整理。",
         {A::short_hours, A::low_contact},
         RewardType::none,
         "",
         "施設管理係",
         DurationKind::ongoing,
         1.0,
         2.0,
         PublishLevel::partners},
        {"地域食堂 わいわい 配膳・片付けの役割",
         "地域食堂 わいわい",
         "NPO法人こどもの森",
         OperatorType::npo,
         VenueKind::vacant_house_shop,
         {Quarter::central, Quarter::residential},
         OfferKind::yakuwari,
         {T::chori, T::seiso, T::sekkyaku},
         "食堂の日の配膳と片付け。",
         {A::short_hours, A::companion_ok, A::breaks},
         RewardType::thanks_in_kind,
         "まかない",
         "食堂スタッフ代表",
         DurationKind::ongoing,
         2.0,
         3.0,
         PublishLevel::partners},
        {"本町商店会 配達補助",
         "本町商店会 事務所",
         "本町商店会",
         OperatorType::jumin_dantai,
         VenueKind::commercial,
         {Quarter::central, Quarter::station},
         OfferKind::shuro_taiken,
         {T::haitatsu, T::sekkyaku},
         "高齢のお客さんへの買い物品の配達（徒歩・自転車）。",
         {A::short_hours, A::flexible_attendance},
         RewardType::thanks_in_kind,
         "商品券",
         "商店会事務局",
         DurationKind::ongoing,
         1.0,
         3.0,
         PublishLevel::partners},
        {"NPO法人つなぎネット 事務・IT補助",
         "NPO法人つなぎネット 事務所",
         "NPO法人つなぎネット",
         OperatorType::npo,
         VenueKind::office,
         {Quarter::station, Quarter::central},
         OfferKind::chukanteki_hikoyo,
         {T::jimu, T::it},
         "会員名簿の入力、チラシ作り、ホームページ更新の補助。",
         {A::short_hours, A::quiet_space, A::low_contact, A::flexible_attendance},
         RewardType::kouchin,
         "1時間350円の工賃",
         "事務局長",
         DurationKind::ongoing,
         1.5,
         4.0,
         PublishLevel::partners},
        {"さとやま工房 木工の制作体験",
         "さとやま工房",
         "さとやま工房",
         OperatorType::kigyo,
         VenueKind::other,
         {Quarter::hillside, Quarter::farm},
         OfferKind::shuro_taiken,
         {T::seisaku, T::keisagyo},
         "間伐材のコースターや積み木の磨き・組み立て。",
         {A::quiet_space, A::step_by_step, A::breaks, A::low_contact},
         RewardType::kouchin,
         "出来高の工賃",
         "工房長",
         DurationKind::ongoing,
         2.0,
         5.0,
         PublishLevel::partners},
        {"つなぎ温泉 清掃スタッフ（中間的就労）",
         "つなぎ温泉",
         "株式会社つなぎ観光",
         OperatorType::kigyo,
         VenueKind::commercial,
         {Quarter::hillside, Quarter::farm},
         OfferKind::chukanteki_koyo,
         {T::seiso},
         "開館前の浴場と休憩室の清掃。",
         {A::short_hours, A::step_by_step},
         RewardType::wage,
         "時給制（最低賃金以上）",
         "施設支配人",
         DurationKind::ongoing,
         2.0,
         4.0,
         PublishLevel::internal},
        {"学習支援教室 まなびや 見守りボランティア",
         "学習支援教室 まなびや",
         "NPO法人こどもの森",
         OperatorType::npo,
         VenueKind::kominkan_shukaijo,
         {Quarter::residential, Quarter::central},
         OfferKind::gakushu,
         {T::mimamori},
         "中学生の自習の見守りと話し相手。",
         {A::short_hours, A::companion_ok},
         RewardType::none,
         "",
         "教室コーディネーター",
         DurationKind::ongoing,
         1.5,
         2.0,
         PublishLevel::partners},
        {"シルバー人材センター 軽作業体験",
         "つなぎ町シルバー人材センター",
         "公益社団法人つなぎ町シルバー人材センター",
         OperatorType::other,
         VenueKind::office,
         {Quarter::central, Quarter::residential},
         OfferKind::shuro_taiken,
         {T::keisagyo, T::seiso},
         "公園の草刈りの手伝い、チラシのポスティング。",
         {A::short_hours, A::breaks, A::companion_ok},
         RewardType::thanks_in_kind,
         "謝礼（1回1,000円）",
         "業務担当",
         DurationKind::seasonal,
         2.0,
         4.0,
         PublishLevel::internal},
    };
    const std::size_t paused = rng.index(specs.size());
    for (std::size_t i = 0; i < specs.size(); ++i) {
      build_offer_site(ResourceKind::placement_site, static_cast<int>(i + 1), specs[i], rng);
      if (i == paused) {
        out_.back().status = ResourceStatus::paused;
        out_.back().note += " 受入れ担当者の異動のため、当面は新規受入れを休止。";
        out_.back().offer->slots_open = 0;
        out_.back().vacancy = 0;
      }
    }
  }

  // ---- 農福連携農園 ----

  void build_nofuku() {
    Rng rng = rng_for(ResourceKind::nofuku_site);
    using A = Accommodation;
    using T = TaskTag;
    const std::vector<OfferSpec> specs = {
        {"就労体験 みのり農園",
         "みのり農園",
         "みのり農園",
         OperatorType::kigyo,
         VenueKind::farm,
         {Quarter::farm},
         OfferKind::nofuku_itaku,
         {T::nosagyo, T::keisagyo},
         "野菜の収穫と袋詰め。ほ場は平坦、休憩小屋とトイレあり。",
         {A::short_hours, A::breaks, A::companion_ok, A::step_by_step},
         RewardType::kouchin,
         "作業受託料から工賃（1時間400円程度）",
         "農園主任",
         DurationKind::ongoing,
         2.0,
         4.0,
         PublishLevel::partners},
        {"棚田の里 上ノ山 農作業ボランティア",
         "上ノ山の棚田",
         "上ノ山棚田保存会",
         OperatorType::jumin_dantai,
         VenueKind::farm,
         {Quarter::hillside},
         OfferKind::volunteer,
         {T::nosagyo},
         "田植え・稲刈りの手伝い。斜面と段差あり、長靴貸出あり。",
         {A::breaks, A::companion_ok},
         RewardType::thanks_in_kind,
         "新米のおすそ分け",
         "保存会事務局",
         DurationKind::seasonal,
         2.0,
         5.0,
         PublishLevel::public_},
        {"ひまわりファーム 農福連携",
         "ひまわりファーム",
         "株式会社ひまわりファーム",
         OperatorType::kigyo,
         VenueKind::farm,
         {Quarter::farm},
         OfferKind::chukanteki_koyo,
         {T::nosagyo, T::keisagyo, T::haitatsu},
         "ハウスでのトマトの誘引・収穫、出荷作業。",
         {A::short_hours, A::flexible_attendance, A::step_by_step},
         RewardType::wage,
         "時給制（最低賃金以上）",
         "作業班長",
         DurationKind::ongoing,
         3.0,
         6.0,
         PublishLevel::partners},
        {"つなぎ椎茸生産組合 作業体験",
         "つなぎ椎茸生産組合 作業場",
         "つなぎ椎茸生産組合",
         OperatorType::kyodo_kumiai,
         VenueKind::farm,
         {Quarter::hillside},
         OfferKind::shuro_taiken,
         {T::nosagyo, T::keisagyo},
         "原木の運搬、椎茸の選別とパック詰め。屋内作業中心。",
         {A::quiet_space, A::low_contact, A::breaks},
         RewardType::kouchin,
         "1パック10円の工賃",
         "組合事務局",
         DurationKind::ongoing,
         2.0,
         4.0,
         PublishLevel::partners},
        {"川原町ハーブ園 作業体験",
         "川原町ハーブ園",
         "NPO法人ひかり",
         OperatorType::npo,
         VenueKind::farm,
         {Quarter::river},
         OfferKind::nofuku_itaku,
         {T::nosagyo, T::seisaku},
         "ハーブの摘み取りと乾燥、ポプリ作り。平坦で車いすも可。",
         {A::short_hours, A::breaks, A::quiet_space, A::companion_ok},
         RewardType::kouchin,
         "月ごとの工賃",
         "園の世話役",
         DurationKind::seasonal,
         1.0,
         3.0,
         PublishLevel::public_},
        {"大平ブルーベリー園 収穫の手伝い",
         "大平ブルーベリー園",
         "大平ブルーベリー園",
         OperatorType::kigyo,
         VenueKind::farm,
         {Quarter::hillside},
         OfferKind::shuro_taiken,
         {T::nosagyo},
         "7〜8月のブルーベリー摘み。早朝作業なし、日よけテントあり。",
         {A::short_hours, A::breaks, A::flexible_attendance},
         RewardType::thanks_in_kind,
         "収穫物のおすそ分けと謝礼",
         "園主",
         DurationKind::seasonal,
         1.5,
         3.0,
         PublishLevel::partners},
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
      build_offer_site(ResourceKind::nofuku_site, static_cast<int>(i + 1), specs[i], rng);
      out_.back().parking = "あり（農園内）";
    }
  }

  const DemoOptions& options_;
  std::int64_t as_of_days_;
  std::vector<Chome>& chome_;
  std::vector<PreparedGeometry> prepared_;
  std::vector<Venue> venues_;  // 公民館・集会所
  std::vector<int> hall_uses_;
  std::map<std::string, Venue> named_;
  Venue health_center_;
  Venue town_hall_;
  Venue south_office_;
  std::string shakyo_phone_;
  std::string hokatsu_phone_;
  std::string town_hall_phone_;
  std::set<std::string> phones_;
  std::set<std::string> names_;
  std::vector<Resource> out_;
};

}  // namespace

void validate_demo_options(const DemoOptions& options) {
  (void)parse_iso_date(options.as_of);
}

DemoTown make_demo_town(const DemoOptions& options) {
  const std::int64_t as_of_days = parse_iso_date(options.as_of);
  DemoTown town;

  town.source.key = std::string(kDemoSourceKey);
  town.source.title = "つなぎ町（架空）デモデータ";
  town.source.publisher = "tsunagi demo generator";
  town.source.url = "";
  town.source.license = "fictional";
  town.source.attribution =
      "架空のデモデータです（tsunagi demo が seed " + std::to_string(options.seed) +
      " で生成）。実在の町・施設・団体・人物とは関係ありません。 Fictional demo data generated by "
      "tsunagi; not a real town.";
  town.source.vintage = "demo-seed-" + std::to_string(options.seed) + "-" + options.as_of;

  const Geometry boundary = boundary_geometry();
  Rng grid_rng(options.seed, kGridStream);
  std::vector<Chome> chome = build_chome(boundary, grid_rng);
  Rng population_rng(options.seed, kPopulationStream);
  town.populations = build_population(chome, population_rng);

  town.town.id = std::string(kDemoTownAreaId);
  town.town.kind = geo::AreaKind::municipality;
  town.town.code = "demo";
  town.town.name = std::string(kTownName) + std::string(kFictionalMark);
  town.town.vintage = "demo";
  const Geometry town_multi = boundary.as_multi_polygon();
  town.town.wkb = town_multi.wkb();
  const auto [tx, ty] = boundary.point_on_surface();
  town.town.label_lon = round7(tx);
  town.town.label_lat = round7(ty);

  for (const auto& c : chome) {
    geo::Area a;
    a.id = c.id;
    a.kind = geo::AreaKind::chome;
    a.code = c.id.substr(std::string_view("chome:").size());
    a.name = c.name;
    a.parent_id = town.town.id;
    a.vintage = "demo";
    a.wkb = c.geometry.wkb();
    a.label_lon = c.label.lon;
    a.label_lat = c.label.lat;
    town.chome.push_back(std::move(a));
  }

  TownBuilder builder(options, as_of_days, chome);
  town.resources = builder.build();
  return town;
}

// ---------------------------------------------------------------------------------------------
// The walking network: streets on a ~100 m grid over the town (and 300 m beyond its boundary),
// jittered, with some blocks merged (edges removed) and a few flights of steps on the northern
// hillside. The river stops every street but two: the bridges of 西橋 (x = 1.6 km) and 東橋
// (x = 4.6 km). So a place just across the water can be a long walk away.

namespace {

constexpr double kStreetStepKm = 0.1;
constexpr std::array<double, 2> kBridgeXKm = {1.6, 4.6};

double river_y_km(double x) {
  if (x <= kColumnX.front()) return kRiverY.front();
  for (std::size_t i = 1; i < kColumnX.size(); ++i) {
    if (x <= kColumnX[i]) {
      const double t = (x - kColumnX[i - 1]) / (kColumnX[i] - kColumnX[i - 1]);
      return kRiverY[i - 1] + t * (kRiverY[i] - kRiverY[i - 1]);
    }
  }
  return kRiverY.back();
}

}  // namespace

geo::NetworkData make_demo_network(const DemoOptions& options) {
  std::string km_ring = "POLYGON((";
  for (std::size_t i = 0; i <= kBoundaryKm.size(); ++i) {
    const auto& v = kBoundaryKm[i % kBoundaryKm.size()];
    km_ring += (i > 0 ? ", " : "") + std::to_string(v[0]) + " " + std::to_string(v[1]);
  }
  km_ring += "))";
  const geo::PreparedGeometry town(Geometry::from_wkt(km_ring));
  Rng rng(options.seed, kNetworkStream);
  const int nx = static_cast<int>(std::lround(7.0 / kStreetStepKm));
  const int ny = static_cast<int>(std::lround(5.4 / kStreetStepKm));
  std::vector<std::int64_t> id(static_cast<std::size_t>((nx + 1) * (ny + 1)), -1);
  std::vector<double> xs;
  std::vector<double> ys;
  geo::NetworkData net;
  const auto at = [&](int i, int j) -> std::int64_t& {
    return id[static_cast<std::size_t>(j) * static_cast<std::size_t>(nx + 1) +
              static_cast<std::size_t>(i)];
  };
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      const double x = i * kStreetStepKm;
      const double y = -0.2 + j * kStreetStepKm;
      const double jx = rng.uniform(-0.015, 0.015);
      const double jy = rng.uniform(-0.015, 0.015);
      if (town.distance_to_point(x, y) > 0.3) continue;
      at(i, j) = static_cast<std::int64_t>(xs.size());
      xs.push_back(x + jx);
      ys.push_back(y + jy);
      const LonLat ll = to_lonlat(x + jx, y + jy);
      net.lon.push_back(ll.lon);
      net.lat.push_back(ll.lat);
    }
  }
  const auto on_bridge = [](double x) {
    return std::any_of(kBridgeXKm.begin(), kBridgeXKm.end(),
                       [&](double b) { return std::abs(x - b) < kStreetStepKm / 2; });
  };
  const auto add = [&](std::int64_t a, std::int64_t b, bool bridge) {
    if (a < 0 || b < 0) return;
    const auto ua = static_cast<std::size_t>(a);
    const auto ub = static_cast<std::size_t>(b);
    const bool crosses = (ys[ua] - river_y_km(xs[ua])) * (ys[ub] - river_y_km(xs[ub])) < 0;
    if (crosses && !bridge) return;                   // the river
    if (!bridge && rng.uniform(0, 1) < 0.08) return;  // a merged block, a dead end
    const bool steps = !bridge && ys[ua] > 3.9 && rng.uniform(0, 1) < 0.06;
    net.edges.push_back({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b),
                         static_cast<float>(geo::geodesic_distance_m(net.lon[ua], net.lat[ua],
                                                                     net.lon[ub], net.lat[ub])),
                         steps});
  };
  for (int j = 0; j <= ny; ++j) {
    for (int i = 0; i <= nx; ++i) {
      if (i < nx) add(at(i, j), at(i + 1, j), false);
      if (j < ny) add(at(i, j), at(i, j + 1), on_bridge(i * kStreetStepKm));
    }
  }
  net.source = "デモ：つなぎ町（架空）の生成した道路（seed " + std::to_string(options.seed) + "）";
  net.report_json = "{\"generated\":true,\"bridges\":2}";
  return net;
}

DemoMapFeatures make_demo_map_features() {
  DemoMapFeatures f;
  const auto ll = [](double x, double y) {
    const LonLat p = to_lonlat(x, y);
    return std::pair<double, double>{p.lon, p.lat};
  };
  for (double x = -0.3; x <= 7.3 + 1e-9; x += 0.1) f.river.push_back(ll(x, river_y_km(x)));
  // The station on the northern bank between 駅前一丁目 and 駅前二丁目; the line runs past it.
  const double station_y = river_y_km(3.4) + kRiverHalfWidth + 0.45;
  f.station = ll(3.4, station_y);
  for (double x = -0.3; x <= 7.3 + 1e-9; x += 0.2) {
    f.railway.push_back(ll(x, station_y + 0.04 + 0.12 * std::sin((x - 3.4) / 2.5)));
  }
  return f;
}

DemoSummary generate_demo_town(geo::Store& store, const DemoOptions& options) {
  DemoTown town = make_demo_town(options);

  DemoSummary summary;
  summary.town_name = town.town.name;
  summary.chome_count = static_cast<int>(town.chome.size());

  geo::Store::Transaction tx(store);
  town.source.imported_at = geo::utc_now_iso();
  const std::int64_t source_id = store.upsert_source(town.source);
  summary.source_id = source_id;

  town.town.source_id = source_id;
  store.put_area(town.town);
  for (auto& a : town.chome) {
    a.source_id = source_id;
    store.put_area(a);
  }
  store.put_network(make_demo_network(options));
  for (auto& p : town.populations) {
    p.source_id = source_id;
    store.put_population(p);
    if (p.area_id == kDemoTownAreaId) {
      summary.population = p.total();
      summary.population_65plus = p.aged_at_least(65);
      summary.households = p.households.value_or(0);
    }
  }

  // The geocoder's address table: the 町丁 label points (datasets/address_table.hpp).
  store.put_addresses(demo_addresses(town), source_id);

  std::map<ResourceKind, int> per_kind;
  std::set<std::string> keys;
  for (auto& r : town.resources) {
    r.source_id = source_id;
    keys.insert(r.source_key);
    switch (store.upsert_imported(r, kDemoActor)) {
      case geo::UpsertOutcome::inserted:
        ++summary.inserted;
        break;
      case geo::UpsertOutcome::updated:
        ++summary.updated;
        break;
      case geo::UpsertOutcome::unchanged:
        ++summary.unchanged;
        break;
    }
    ++per_kind[r.kind];
    ++summary.resources;
  }
  // Rows an earlier generator wrote under keys this one no longer makes are closed, never deleted.
  for (const auto& [key, id] : store.source_keys(source_id)) {
    if (keys.contains(key)) continue;
    const auto old = store.resource(id);
    if (old && old->status != ResourceStatus::closed) {
      store.close(id, old->version, kDemoActor);
      ++summary.closed_leftovers;
    }
  }
  tx.commit();

  for (const auto& c : geo::CodeTable<ResourceKind>::entries) {
    summary.resources_per_kind.emplace_back(c.value, per_kind[c.value]);
  }
  return summary;
}

}  // namespace tsunagi::datasets
