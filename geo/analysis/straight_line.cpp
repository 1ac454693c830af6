#include "geo/analysis/straight_line.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

#include "geo/core/error.hpp"

namespace tsunagi::geo::gap {

namespace {

constexpr double kDeg = M_PI / 180;
constexpr std::size_t kMaxKeptPairs = std::size_t{1} << 25;  // 256 MiB of pairs at most

struct Xyz {
  double x, y, z;
};

Xyz to_xyz(LonLat p) {
  const double la = p.lat * kDeg;
  const double lo = p.lon * kDeg;
  return {std::cos(la) * std::cos(lo), std::cos(la) * std::sin(lo), std::sin(la)};
}

double chord2(const Xyz& a, const Xyz& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  const double dz = a.z - b.z;
  return dx * dx + dy * dy + dz * dz;
}

/// Squared unit chord of a great-circle distance in metres.
double chord2_of(double metres) {
  const double c = 2 * std::sin(metres / (2 * kSphereRadiusM));
  return c * c;
}
double metres_of(double c2) {
  return 2 * kSphereRadiusM * std::asin(std::sqrt(c2) / 2);
}

/// The cells: a lat/lon grid over the box of every point, each cell at least `max_m` wide
/// everywhere in it, so a point's neighbours within max_m lie in its cell's 3×3 block.
struct Cells {
  double min_lon = 0;
  double min_lat = 0;
  double cell_lon = 0;
  double cell_lat = 0;
  std::int64_t nx = 1;
  std::int64_t ny = 1;

  Cells(std::span<const LonLat> a, std::span<const LonLat> b, double max_m) {
    double lo0 = 180;
    double lo1 = -180;
    double la0 = 90;
    double la1 = -90;
    double abs_lat = 0;
    for (const auto pts : {a, b}) {
      for (const auto& p : pts) {
        lo0 = std::min(lo0, p.lon);
        lo1 = std::max(lo1, p.lon);
        la0 = std::min(la0, p.lat);
        la1 = std::max(la1, p.lat);
        abs_lat = std::max(abs_lat, std::abs(p.lat));
      }
    }
    if (lo0 > lo1) lo0 = lo1 = la0 = la1 = 0;  // no points
    cell_lat = std::max(max_m / 110000.0, 1e-6);
    const double c = std::cos(std::min(89.0, abs_lat + 1) * kDeg);
    cell_lon = std::max(max_m / (110000.0 * std::max(c, 0.01)), 1e-6);
    // Never more than ~64M cells: wider cells are still correct, only slower.
    for (;;) {
      nx = static_cast<std::int64_t>(std::floor((lo1 - lo0) / cell_lon)) + 1;
      ny = static_cast<std::int64_t>(std::floor((la1 - la0) / cell_lat)) + 1;
      if (nx * ny <= (std::int64_t{1} << 26)) break;
      cell_lon *= 2;
      cell_lat *= 2;
    }
    min_lon = lo0;
    min_lat = la0;
  }
  [[nodiscard]] std::int64_t x_of(LonLat p) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((p.lon - min_lon) / cell_lon), 0,
                                    nx - 1);
  }
  [[nodiscard]] std::int64_t y_of(LonLat p) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((p.lat - min_lat) / cell_lat), 0,
                                    ny - 1);
  }
  [[nodiscard]] std::size_t index(LonLat p) const {
    return static_cast<std::size_t>(y_of(p) * nx + x_of(p));
  }
};

/// Points bucketed by cell (a counting sort): the points of cell c are [start[c], start[c+1]).
struct Bucketed {
  std::vector<std::uint32_t> start;  ///< per cell + 1
  std::vector<std::uint32_t> id;     ///< original index, in cell order
  std::vector<Xyz> xyz;              ///< in cell order

  Bucketed(const Cells& cells, std::span<const LonLat> pts) {
    const auto n = static_cast<std::size_t>(cells.nx * cells.ny);
    start.assign(n + 1, 0);
    std::vector<std::uint32_t> cell(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
      cell[i] = static_cast<std::uint32_t>(cells.index(pts[i]));
      ++start[cell[i] + 1];
    }
    for (std::size_t c = 0; c < n; ++c) start[c + 1] += start[c];
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    id.resize(pts.size());
    xyz.resize(pts.size());
    for (std::uint32_t i = 0; i < pts.size(); ++i) {
      const auto at = fill[cell[i]]++;
      id[at] = i;
      xyz[at] = to_xyz(pts[i]);
    }
  }
};

/// Calls f(thread, query, target, chord²) for every pair within `limit` (squared unit chord),
/// query by query in cell order; each query is seen by one thread only, so f may write per
/// query. When f returns true, the rest of that query's pairs are skipped.
template <typename F>
void pairs_within(const Cells& cells, const Bucketed& queries, const Bucketed& targets,
                  double limit, unsigned threads, Progress* p, std::string_view stage, F&& f) {
  const std::int64_t rows = cells.ny;
  auto work = [&](std::int64_t y0, std::int64_t y1, unsigned thread) {
    const bool first = thread == 0;
    for (std::int64_t y = y0; y < y1; ++y) {
      if (first && (y - y0) % 64 == 0) {
        detail::step(p, static_cast<double>(y - y0) / static_cast<double>(y1 - y0), stage);
      }
      for (std::int64_t x = 0; x < cells.nx; ++x) {
        const auto c = static_cast<std::size_t>(y * cells.nx + x);
        const auto q0 = queries.start[c];
        const auto q1 = queries.start[c + 1];
        if (q0 == q1) continue;
        // The 3×3 block as up to three runs of consecutive cells.
        std::array<std::pair<std::uint32_t, std::uint32_t>, 3> runs{};
        std::size_t n_runs = 0;
        for (std::int64_t yy = std::max<std::int64_t>(0, y - 1);
             yy <= std::min(cells.ny - 1, y + 1); ++yy) {
          const auto a = static_cast<std::size_t>(yy * cells.nx + std::max<std::int64_t>(0, x - 1));
          const auto b =
              static_cast<std::size_t>(yy * cells.nx + std::min(cells.nx - 1, x + 1)) + 1;
          if (targets.start[a] != targets.start[b]) {
            runs[n_runs++] = {targets.start[a], targets.start[b]};
          }
        }
        for (auto q = q0; q < q1; ++q) {
          const Xyz& qx = queries.xyz[q];
          bool done = false;
          for (std::size_t r = 0; r < n_runs && !done; ++r) {
            for (auto t = runs[r].first; t < runs[r].second; ++t) {
              const double c2 = chord2(qx, targets.xyz[t]);
              if (c2 <= limit && f(thread, queries.id[q], targets.id[t], c2)) {
                done = true;
                break;
              }
            }
          }
        }
      }
    }
  };
  threads = std::max(1U, std::min<unsigned>(threads, 16));
  if (threads == 1 || rows < 64) {
    work(0, rows, 0);
    return;
  }
  std::vector<std::jthread> pool;
  std::exception_ptr error;
  std::mutex mu;
  const std::int64_t chunk = (rows + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const std::int64_t y0 = t * chunk;
    const std::int64_t y1 = std::min(rows, y0 + chunk);
    if (y0 >= y1) break;
    pool.emplace_back([&, y0, y1, t] {
      try {
        work(y0, y1, t);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
      }
    });
  }
  pool.clear();  // join
  if (error) std::rethrow_exception(error);
}

void check(std::span<const LonLat> pts, const char* what) {
  for (const auto& p : pts) {
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || std::abs(p.lat) > 90) {
      throw InvalidArgument(std::string(what) + ": a point is not a lon/lat position");
    }
  }
}

}  // namespace

double great_circle_m(LonLat a, LonLat b) {
  return metres_of(chord2(to_xyz(a), to_xyz(b)));
}

std::vector<double> nearest_within(std::span<const LonLat> demand, std::span<const LonLat> supply,
                                   double max_m, unsigned threads, Progress* p) {
  check(demand, "demand");
  check(supply, "supply");
  if (!(max_m > 0)) throw InvalidArgument("the distance limit must be positive");
  detail::step(p, 0.0, "grid");
  const Cells cells(demand, supply, max_m);
  const Bucketed d(cells, demand);
  const Bucketed s(cells, supply);
  std::vector<double> best(demand.size(), std::numeric_limits<double>::infinity());
  pairs_within(cells, d, s, chord2_of(max_m), threads, p, "coverage",
               [&](unsigned, std::uint32_t i, std::uint32_t, double c2) {
                 best[i] = std::min(best[i], c2);
                 return false;
               });
  for (auto& b : best) {
    if (std::isfinite(b)) b = metres_of(b);
  }
  return best;
}

std::vector<char> covered_within(std::span<const LonLat> demand, std::span<const LonLat> supply,
                                 double max_m, unsigned threads, Progress* p) {
  check(demand, "demand");
  check(supply, "supply");
  if (!(max_m > 0)) throw InvalidArgument("the distance limit must be positive");
  detail::step(p, 0.0, "grid");
  const Cells cells(demand, supply, max_m);
  const Bucketed d(cells, demand);
  const Bucketed s(cells, supply);
  std::vector<char> out(demand.size(), 0);
  pairs_within(cells, d, s, chord2_of(max_m), threads, p, "coverage",
               [&](unsigned, std::uint32_t i, std::uint32_t, double) {
                 out[i] = 1;
                 return true;  // one is enough
               });
  return out;
}

std::vector<double> two_sfca_within(std::span<const LonLat> demand, std::span<const double> pop,
                                    std::span<const LonLat> supply, std::span<const double> cap,
                                    double max_m, unsigned threads, Progress* p) {
  check(demand, "demand");
  check(supply, "supply");
  if (pop.size() != demand.size() || cap.size() != supply.size()) {
    throw InvalidArgument("2SFCA: one value per demand and supply point");
  }
  if (!(max_m > 0)) throw InvalidArgument("the distance limit must be positive");
  detail::step(p, 0.0, "grid");
  const Cells cells(demand, supply, max_m);
  const Bucketed d(cells, demand);
  const Bucketed s(cells, supply);
  const double limit = chord2_of(max_m);
  // Step 1: per place, the demand in its catchment. The pairs found are kept (8 bytes each, up
  // to kMaxKeptPairs) so that step 2 is one pass over them instead of a second search.
  threads = std::max(1U, std::min<unsigned>(threads, 16));
  std::vector<double> sum(supply.size(), 0);
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> kept(threads);
  std::atomic<bool> keep{true};
  const std::size_t per_thread_cap = kMaxKeptPairs / threads;
  pairs_within(cells, s, d, limit, threads, p, "2SFCA step 1",
               [&](unsigned t, std::uint32_t j, std::uint32_t i, double) {
                 sum[j] += pop[i];
                 if (keep.load(std::memory_order_relaxed)) {
                   if (kept[t].size() >= per_thread_cap) {
                     keep = false;
                   } else {
                     kept[t].emplace_back(i, j);
                   }
                 }
                 return false;
               });
  std::vector<double> ratio(supply.size(), 0);
  for (std::size_t j = 0; j < supply.size(); ++j) ratio[j] = sum[j] > 0 ? cap[j] / sum[j] : 0.0;
  // Step 2: per demand point, the ratios of the places in reach.
  std::vector<double> out(demand.size(), 0);
  if (keep) {
    detail::step(p, 0.9, "2SFCA step 2");
    for (const auto& part : kept) {
      for (const auto& [i, j] : part) out[i] += ratio[j];
    }
  } else {
    kept = {};
    pairs_within(cells, d, s, limit, threads, p, "2SFCA step 2",
                 [&](unsigned, std::uint32_t i, std::uint32_t j, double) {
                   out[i] += ratio[j];
                   return false;
                 });
  }
  return out;
}

}  // namespace tsunagi::geo::gap
