#include "geo/gap/straight_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>

#include "geo/error.hpp"

namespace tsunagi::geo::gap {

namespace {

constexpr double kDeg = M_PI / 180;

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

/// Points sorted by a lat/lon cell at least `max_m` wide everywhere; a point's neighbours within
/// max_m lie in its cell's 3×3 block.
class Grid {
 public:
  Grid(std::span<const LonLat> pts, double max_m, double max_abs_lat) {
    cell_lat_ = std::max(max_m / 110000.0, 1e-6);
    const double c = std::cos(std::min(89.0, max_abs_lat + 1) * kDeg);
    cell_lon_ = std::max(max_m / (110000.0 * std::max(c, 0.01)), 1e-6);
    entries_.reserve(pts.size());
    xyz_.reserve(pts.size());
    for (std::uint32_t i = 0; i < pts.size(); ++i) {
      entries_.push_back({key(pts[i]), i});
      xyz_.push_back(to_xyz(pts[i]));
    }
    std::sort(entries_.begin(), entries_.end());
  }
  template <typename F>
  void near(LonLat p, F&& f) const {
    const auto [cy, cx] = cell(p);
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
      for (std::int64_t dx = -1; dx <= 1; ++dx) {
        const std::uint64_t k = pack(cy + dy, cx + dx);
        auto it = std::lower_bound(entries_.begin(), entries_.end(),
                                   std::pair<std::uint64_t, std::uint32_t>{k, 0});
        for (; it != entries_.end() && it->first == k; ++it) f(it->second, xyz_[it->second]);
      }
    }
  }

 private:
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> cell(LonLat p) const {
    return {static_cast<std::int64_t>(std::floor(p.lat / cell_lat_)),
            static_cast<std::int64_t>(std::floor(p.lon / cell_lon_))};
  }
  static std::uint64_t pack(std::int64_t y, std::int64_t x) {
    return (static_cast<std::uint64_t>(y + (1 << 30)) << 32) |
           static_cast<std::uint64_t>(x + (1 << 30));
  }
  [[nodiscard]] std::uint64_t key(LonLat p) const {
    const auto [y, x] = cell(p);
    return pack(y, x);
  }
  double cell_lat_ = 0;
  double cell_lon_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries_;
  std::vector<Xyz> xyz_;
};

double max_abs_lat(std::span<const LonLat> a, std::span<const LonLat> b) {
  double m = 0;
  for (const auto& p : a) m = std::max(m, std::abs(p.lat));
  for (const auto& p : b) m = std::max(m, std::abs(p.lat));
  return m;
}

void check(std::span<const LonLat> pts, const char* what) {
  for (const auto& p : pts) {
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || std::abs(p.lat) > 90) {
      throw InvalidArgument(std::string(what) + ": a point is not a lon/lat position");
    }
  }
}

/// Runs f(begin, end) over [0, n) in `threads` chunks; progress from the first chunk.
template <typename F>
void parallel(std::size_t n, unsigned threads, F&& f) {
  threads = std::max(1U, std::min<unsigned>(threads, 16));
  if (threads == 1 || n < 10000) {
    f(std::size_t{0}, n, true);
    return;
  }
  std::vector<std::jthread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  std::exception_ptr error;
  std::mutex mu;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t b = t * chunk;
    const std::size_t e = std::min(n, b + chunk);
    if (b >= e) break;
    pool.emplace_back([&, b, e, t] {
      try {
        f(b, e, t == 0);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
      }
    });
  }
  pool.clear();  // join
  if (error) std::rethrow_exception(error);
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
  std::vector<double> out(demand.size(), std::numeric_limits<double>::infinity());
  detail::step(p, 0.0, "grid");
  const Grid grid(supply, max_m, max_abs_lat(demand, supply));
  const double limit = chord2_of(max_m);
  parallel(demand.size(), threads, [&](std::size_t b, std::size_t e, bool first) {
    for (std::size_t i = b; i < e; ++i) {
      if (first && (i - b) % 65536 == 0) {
        detail::step(p, 0.1 + 0.9 * static_cast<double>(i - b) / static_cast<double>(e - b),
                     "coverage");
      }
      const Xyz d = to_xyz(demand[i]);
      double best = limit;
      bool found = false;
      grid.near(demand[i], [&](std::uint32_t, const Xyz& s) {
        const double c = chord2(d, s);
        if (c <= best) {
          best = c;
          found = true;
        }
      });
      if (found) out[i] = metres_of(best);
    }
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
  const double lat = max_abs_lat(demand, supply);
  const double limit = chord2_of(max_m);
  detail::step(p, 0.0, "grid");
  const Grid demand_grid(demand, max_m, lat);
  // Step 1: per place, the demand in its catchment.
  std::vector<double> ratio(supply.size(), 0);
  parallel(supply.size(), threads, [&](std::size_t b, std::size_t e, bool first) {
    for (std::size_t j = b; j < e; ++j) {
      if (first && (j - b) % 16384 == 0) {
        detail::step(p, 0.05 + 0.45 * static_cast<double>(j - b) / static_cast<double>(e - b),
                     "2SFCA step 1");
      }
      const Xyz s = to_xyz(supply[j]);
      double sum = 0;
      demand_grid.near(supply[j], [&](std::uint32_t i, const Xyz& d) {
        if (chord2(s, d) <= limit) sum += pop[i];
      });
      ratio[j] = sum > 0 ? cap[j] / sum : 0.0;
    }
  });
  // Step 2: per demand point, the ratios of the places in reach.
  const Grid supply_grid(supply, max_m, lat);
  std::vector<double> out(demand.size(), 0);
  parallel(demand.size(), threads, [&](std::size_t b, std::size_t e, bool first) {
    for (std::size_t i = b; i < e; ++i) {
      if (first && (i - b) % 65536 == 0) {
        detail::step(p, 0.5 + 0.5 * static_cast<double>(i - b) / static_cast<double>(e - b),
                     "2SFCA step 2");
      }
      const Xyz d = to_xyz(demand[i]);
      double sum = 0;
      supply_grid.near(demand[i], [&](std::uint32_t j, const Xyz& s) {
        if (chord2(d, s) <= limit) sum += ratio[j];
      });
      out[i] = sum;
    }
  });
  return out;
}

}  // namespace tsunagi::geo::gap
