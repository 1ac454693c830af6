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

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace tsunagi::geo::gap {

namespace {

constexpr double kDeg = M_PI / 180;
/// Step 1's pairs are kept for step 2 (4 bytes each) up to this many: 256 MiB.
constexpr std::size_t kMaxKeptPairs = std::size_t{1} << 26;

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

double chord2_of(double metres) {
  const double c = 2 * std::sin(metres / (2 * kSphereRadiusM));
  return c * c;
}
double metres_of(double c2) {
  return 2 * kSphereRadiusM * std::asin(std::sqrt(c2) / 2);
}

/// Lets the kernel back [p, p + bytes) with huge pages where it can: these buffers are tens of
/// MiB written once, and faulting them in 4 KiB at a time costs more than the search (0.1 s for
/// 36 MiB on the 2-core VM). Only whole 2 MiB pages inside the range are advised.
void advise_huge(const void* p, std::size_t bytes) {
#ifdef __linux__
  constexpr std::uintptr_t kHuge = std::uintptr_t{1} << 21;
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t lead = (kHuge - a % kHuge) % kHuge;  // to the first 2 MiB boundary
  if (bytes <= lead) return;
  const std::uintptr_t whole = (bytes - lead) & ~(kHuge - 1);
  // Pointer arithmetic from p (not a pointer made from an integer).
  if (whole > 0) madvise(static_cast<char*>(const_cast<void*>(p)) + lead, whole, MADV_HUGEPAGE);
#else
  static_cast<void>(p);
  static_cast<void>(bytes);
#endif
}

/// A vector of n copies of v whose memory is advised before it is first written.
template <typename T>
std::vector<T> big_vector(std::size_t n, T v = T{}) {
  std::vector<T> out;
  out.reserve(n);
  advise_huge(out.data(), n * sizeof(T));
  out.assign(n, v);
  return out;
}

/// push_back that grows by doubling through advised memory.
template <typename T>
void push(std::vector<T>& v, T x) {
  if (v.size() == v.capacity()) {
    const std::size_t n = std::max<std::size_t>(std::size_t{1} << 16, 2 * v.capacity());
    std::vector<T> w;
    w.reserve(n);
    advise_huge(w.data(), n * sizeof(T));
    w.assign(v.begin(), v.end());
    v = std::move(w);
  }
  v.push_back(x);
}

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

/// Runs f(begin, end) over [0, n) in one contiguous piece per thread (f must not throw).
template <typename F>
void parallel_for(std::size_t n, unsigned threads, F&& f) {
  if (threads <= 1 || n < 100000) {
    f(std::size_t{0}, n);
    return;
  }
  std::vector<std::jthread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 1; t < threads; ++t) {
    const std::size_t b = std::min(n, t * chunk);
    const std::size_t e = std::min(n, b + chunk);
    if (b < e) pool.emplace_back([&f, b, e] { f(b, e); });
  }
  f(std::size_t{0}, std::min(n, chunk));
}

/// Points bucketed by cell (a counting sort): the points of cell c are [start[c], start[c+1]).
struct Bucketed {
  std::vector<std::uint32_t> start;  ///< per cell + 1
  std::vector<std::uint32_t> id;     ///< original index, in cell order
  std::vector<Xyz> xyz;              ///< in cell order; empty for queries (made as they are asked)

  Bucketed(const Cells& cells, std::span<const LonLat> pts, unsigned threads, bool targets) {
    const auto n = static_cast<std::size_t>(cells.nx * cells.ny);
    start = big_vector<std::uint32_t>(n + 1);
    auto cell = big_vector<std::uint32_t>(pts.size());
    parallel_for(pts.size(), threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) cell[i] = static_cast<std::uint32_t>(cells.index(pts[i]));
    });
    for (const auto c : cell) ++start[c + 1];
    for (std::size_t c = 0; c < n; ++c) start[c + 1] += start[c];
    // Filling moves start[c] from cell c's first slot to its end, that is to start[c + 1].
    id = big_vector<std::uint32_t>(pts.size());
    for (std::uint32_t i = 0; i < pts.size(); ++i) id[start[cell[i]]++] = i;
    std::copy_backward(start.begin(), start.end() - 1, start.end());
    start[0] = 0;
    if (!targets) return;
    xyz = big_vector<Xyz>(pts.size());
    parallel_for(pts.size(), threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t k = b; k < e; ++k) xyz[k] = to_xyz(pts[id[k]]);
    });
  }
};

/// The 3×3 block of cells around (x, y) as up to three runs of consecutive targets.
struct Block {
  std::array<std::pair<std::uint32_t, std::uint32_t>, 3> runs{};
  std::array<std::int64_t, 3> row{};  ///< the row of cells of each run
  std::size_t n = 0;
  Block(const Cells& cells, const Bucketed& targets, std::int64_t x, std::int64_t y) {
    for (std::int64_t yy = std::max<std::int64_t>(0, y - 1); yy <= std::min(cells.ny - 1, y + 1);
         ++yy) {
      const auto a = static_cast<std::size_t>(yy * cells.nx + std::max<std::int64_t>(0, x - 1));
      const auto b = static_cast<std::size_t>(yy * cells.nx + std::min(cells.nx - 1, x + 1)) + 1;
      if (targets.start[a] != targets.start[b]) {
        row[n] = yy;
        runs[n++] = {targets.start[a], targets.start[b]};
      }
    }
  }
  /// f(t) for each target t of the block within chord² `limit` of `q` (`xyz`: the targets').
  template <typename F>
  void each_within(const std::vector<Xyz>& xyz, const Xyz& q, double limit, F&& f) const {
    for (std::size_t r = 0; r < n; ++r) {
      for (auto t = runs[r].first; t < runs[r].second; ++t) {
        if (chord2(q, xyz[t]) <= limit) f(t);
      }
    }
  }
};

/// For each cell of rows [y0, y1) that holds points of `from`: f(y, q0, q1, block), with the
/// cell's points q0..q1 of `from` and the block of `other`'s points in and around the cell.
template <typename F>
void each_cell(const Cells& cells, const Bucketed& from, const Bucketed& other, std::int64_t y0,
               std::int64_t y1, F&& f) {
  for (std::int64_t y = y0; y < y1; ++y) {
    for (std::int64_t x = 0; x < cells.nx; ++x) {
      const auto c = static_cast<std::size_t>(y * cells.nx + x);
      const auto q0 = from.start[c];
      const auto q1 = from.start[c + 1];
      if (q0 == q1) continue;
      f(y, q0, q1, Block(cells, other, x, y));
    }
  }
}

/// Calls work(y0, y1, part) for the rows of cells in pieces of a few rows, taken in turn by up
/// to `threads` threads (clustered points make equal halves of the rows very unequal work).
/// Part numbers follow the rows, so results kept per part can be combined in row order.
template <typename W>
void by_rows(const Cells& cells, unsigned threads, Progress* p, std::string_view stage,
             std::size_t parts, W&& work) {
  const std::int64_t rows = cells.ny;
  const auto per_part =
      static_cast<std::int64_t>((static_cast<std::size_t>(rows) + parts - 1) / parts);
  std::atomic<std::size_t> next{0};
  auto run = [&](bool first) {
    for (;;) {
      const std::size_t k = next.fetch_add(1, std::memory_order_relaxed);
      if (k >= parts) return;
      if (first) detail::step(p, static_cast<double>(k) / static_cast<double>(parts), stage);
      const auto y0 = static_cast<std::int64_t>(k) * per_part;
      const auto y1 = std::min(rows, y0 + per_part);
      if (y0 < y1) work(y0, y1, k);
    }
  };
  threads = std::max(1U, std::min<unsigned>(threads, 16));
  if (threads == 1 || parts == 1) {
    run(true);
    return;
  }
  std::exception_ptr error;
  std::mutex mu;
  auto guarded = [&](bool first) {
    try {
      run(first);
    } catch (...) {
      next = parts;  // the others stop at their next piece
      std::lock_guard lock(mu);
      if (!error) error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([&] { guarded(false); });
    guarded(true);
  }
  if (error) std::rethrow_exception(error);
}

std::size_t parts_of(const Cells& cells) {
  return static_cast<std::size_t>(std::min<std::int64_t>(cells.ny, 256));
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
  const Bucketed d(cells, demand, threads, false);
  const Bucketed s(cells, supply, threads, true);
  const double limit = chord2_of(max_m);
  auto best = big_vector<double>(demand.size(), std::numeric_limits<double>::infinity());
  by_rows(cells, threads, p, "coverage", parts_of(cells),
          [&](std::int64_t y0, std::int64_t y1, std::size_t) {
            each_cell(
                cells, d, s, y0, y1,
                [&](std::int64_t y, std::uint32_t q0, std::uint32_t q1, const Block& block) {
                  // The latitudes where the rows above and below begin.
                  const double below = cells.min_lat + static_cast<double>(y) * cells.cell_lat;
                  const double above = below + cells.cell_lat;
                  for (auto q = q0; q < q1; ++q) {
                    const LonLat pt = demand[d.id[q]];
                    const Xyz qx = to_xyz(pt);
                    double b = limit;
                    bool found = false;
                    auto scan = [&](std::size_t r) {
                      for (auto t = block.runs[r].first; t < block.runs[r].second; ++t) {
                        const double c2 = chord2(qx, s.xyz[t]);
                        if (c2 <= b) {
                          b = c2;
                          found = true;
                        }
                      }
                    };
                    // The own row first; then a row above or below only if it may hold a nearer
                    // place: no point there is nearer than the latitude between (less 1e-9° for
                    // points rounded into the row), and 2·sin(g/2) ≥ g − g³/24 bounds its chord.
                    for (std::size_t r = 0; r < block.n; ++r) {
                      if (block.row[r] == y) scan(r);
                    }
                    for (std::size_t r = 0; r < block.n; ++r) {
                      if (block.row[r] == y) continue;
                      const double gap =
                          ((block.row[r] > y ? above - pt.lat : pt.lat - below) - 1e-9) * kDeg;
                      if (gap > 0) {
                        const double lb = gap * (1 - gap * gap / 24) * (1 - 1e-12);
                        if (lb * lb > b) continue;
                      }
                      scan(r);
                    }
                    if (found) best[d.id[q]] = metres_of(b);
                  }
                });
          });
  return best;
}

std::vector<char> covered_within(std::span<const LonLat> demand, std::span<const LonLat> supply,
                                 double max_m, unsigned threads, Progress* p) {
  check(demand, "demand");
  check(supply, "supply");
  if (!(max_m > 0)) throw InvalidArgument("the distance limit must be positive");
  detail::step(p, 0.0, "grid");
  const Cells cells(demand, supply, max_m);
  const Bucketed d(cells, demand, threads, false);
  const Bucketed s(cells, supply, threads, true);
  const double limit = chord2_of(max_m);
  auto out = big_vector<char>(demand.size(), 0);
  by_rows(cells, threads, p, "coverage", parts_of(cells),
          [&](std::int64_t y0, std::int64_t y1, std::size_t) {
            each_cell(
                cells, d, s, y0, y1,
                [&](std::int64_t /*y*/, std::uint32_t q0, std::uint32_t q1, const Block& block) {
                  for (auto q = q0; q < q1; ++q) {
                    const Xyz qx = to_xyz(demand[d.id[q]]);
                    bool hit = false;
                    for (std::size_t r = 0; r < block.n && !hit; ++r) {
                      for (auto t = block.runs[r].first; t < block.runs[r].second; ++t) {
                        if (chord2(qx, s.xyz[t]) <= limit) {
                          hit = true;
                          break;
                        }
                      }
                    }
                    if (hit) out[d.id[q]] = 1;
                  }
                });
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
  const Bucketed d(cells, demand, threads, true);
  const Bucketed s(cells, supply, threads, true);
  const double limit = chord2_of(max_m);
  // Demand in cell order, so that step 1 reads it where it reads the points.
  auto pop_c = big_vector<double>(demand.size());
  for (std::size_t k = 0; k < demand.size(); ++k) pop_c[k] = pop[d.id[k]];
  // Step 1: per place (in cell order), the demand in its catchment, and which demand points
  // those are (their cell-order index, 4 bytes each) so that step 2 is one pass over them.
  const std::size_t parts = parts_of(cells);
  std::vector<double> ratio_c(supply.size(), 0);
  std::vector<std::vector<std::uint32_t>> reach(parts);  // per part, per place in order
  std::vector<std::vector<std::uint32_t>> count(parts);
  std::atomic<std::size_t> kept{0};
  std::atomic<bool> keep{true};
  by_rows(cells, threads, p, "2SFCA step 1", parts,
          [&](std::int64_t y0, std::int64_t y1, std::size_t part) {
            auto& out = reach[part];
            auto& n = count[part];
            const bool keeping = keep.load(std::memory_order_relaxed);
            each_cell(
                cells, s, d, y0, y1,
                [&](std::int64_t /*y*/, std::uint32_t q0, std::uint32_t q1, const Block& block) {
                  for (auto q = q0; q < q1; ++q) {
                    const Xyz qx = s.xyz[q];
                    double sum = 0;
                    const std::size_t before = out.size();
                    block.each_within(d.xyz, qx, limit, [&](std::uint32_t t) {
                      sum += pop_c[t];
                      if (keeping) push(out, t);
                    });
                    n.push_back(static_cast<std::uint32_t>(out.size() - before));
                    ratio_c[q] = sum > 0 ? cap[s.id[q]] / sum : 0.0;
                  }
                });
            if (kept.fetch_add(out.size()) + out.size() > kMaxKeptPairs) keep = false;
            if (!keep) out = {};
          });
  auto out_c = big_vector<double>(demand.size(), 0.0);
  if (keep) {
    // Step 2: per demand point, the ratios of the places in reach, in step 1's order.
    detail::step(p, 0.9, "2SFCA step 2");
    std::uint32_t q = 0;
    for (std::size_t part = 0; part < parts; ++part) {
      const std::uint32_t* t = reach[part].data();
      for (const auto n : count[part]) {
        const double r = ratio_c[q++];
        for (const auto* e = t + n; t < e; ++t) out_c[*t] += r;
      }
    }
  } else {
    // Too many pairs to keep: search again from the demand side.
    reach = {};
    by_rows(cells, threads, p, "2SFCA step 2", parts,
            [&](std::int64_t y0, std::int64_t y1, std::size_t) {
              each_cell(
                  cells, d, s, y0, y1,
                  [&](std::int64_t /*y*/, std::uint32_t q0, std::uint32_t q1, const Block& block) {
                    for (auto q = q0; q < q1; ++q) {
                      const Xyz qx = d.xyz[q];
                      double a = 0;
                      block.each_within(s.xyz, qx, limit,
                                        [&](std::uint32_t t) { a += ratio_c[t]; });
                      out_c[q] = a;
                    }
                  });
            });
  }
  auto out = big_vector<double>(demand.size());
  for (std::size_t k = 0; k < demand.size(); ++k) out[d.id[k]] = out_c[k];
  return out;
}

}  // namespace tsunagi::geo::gap
