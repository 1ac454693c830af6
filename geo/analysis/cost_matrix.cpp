#include "geo/analysis/cost_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo::gap {

CostMatrix CostMatrix::from_triples(
    std::size_t n_origins, std::size_t n_dests,
    std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> t) {
  for (const auto& [o, d, c] : t) {
    if (o >= n_origins) {
      throw InvalidArgument("cost matrix: origin " + std::to_string(o) + " out of range (" +
                            std::to_string(n_origins) + " origins)");
    }
    if (d >= n_dests) {
      throw InvalidArgument("cost matrix: destination " + std::to_string(d) + " out of range (" +
                            std::to_string(n_dests) + " destinations)");
    }
    if (!std::isfinite(c) || c < 0) {
      throw InvalidArgument("cost matrix: cost " + std::to_string(c) + " from origin " +
                            std::to_string(o) + " to destination " + std::to_string(d) +
                            " is not a finite number >= 0");
    }
  }
  std::sort(t.begin(), t.end(), [](const auto& a, const auto& b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                            : std::get<1>(a) < std::get<1>(b);
  });
  CostMatrix m;
  m.n_origins = n_origins;
  m.n_dests = n_dests;
  m.row_start.assign(n_origins + 1, 0);
  m.dest.reserve(t.size());
  m.cost.reserve(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto& [o, d, c] = t[i];
    if (i > 0 && std::get<0>(t[i - 1]) == o && std::get<1>(t[i - 1]) == d) {
      throw InvalidArgument("cost matrix: the pair origin " + std::to_string(o) + ", destination " +
                            std::to_string(d) + " is given twice");
    }
    ++m.row_start[o + 1];
    m.dest.push_back(d);
    m.cost.push_back(c);
  }
  for (std::size_t o = 0; o < n_origins; ++o) m.row_start[o + 1] += m.row_start[o];
  return m;
}

}  // namespace tsunagi::geo::gap
