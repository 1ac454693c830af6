// A sparse origin (demand) × destination (supply or candidate site) cost matrix, compressed by
// origin (CSR). Ids are indices; the callers keep the mapping to their own ids. A missing pair
// means "not reachable" — never cost 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

namespace tsunagi::geo::gap {

struct CostMatrix {
  std::size_t n_origins = 0, n_dests = 0;
  std::vector<std::uint32_t> row_start;  ///< n_origins+1
  std::vector<std::uint32_t> dest;       ///< per entry, ascending within a row
  std::vector<double> cost;              ///< per entry, finite and >= 0

  /// Builds the matrix from (origin, dest, cost) triples in any order.
  /// @throws geo::InvalidArgument for an index out of range, a negative, NaN or infinite cost, or
  ///         the same (origin, dest) pair twice.
  static CostMatrix from_triples(std::size_t n_origins, std::size_t n_dests,
                                 std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> t);

  [[nodiscard]] std::size_t entries() const { return dest.size(); }
  [[nodiscard]] std::span<const std::uint32_t> dests_of(std::size_t origin) const {
    return {dest.data() + row_start[origin], dest.data() + row_start[origin + 1]};
  }
  [[nodiscard]] std::span<const double> costs_of(std::size_t origin) const {
    return {cost.data() + row_start[origin], cost.data() + row_start[origin + 1]};
  }
};

}  // namespace tsunagi::geo::gap
