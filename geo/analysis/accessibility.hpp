// Floating catchment accessibility (2SFCA and its family) over a sparse cost matrix, with the
// conventions of pysal/access (fca.py, weights.py at 541de01), so that results can be checked
// against that library:
//   - the catchment is inclusive: a pair counts when cost <= max_cost; max_cost defaults to no
//     cut-off at all (pysal's None) — step weights are 0 past their last threshold anyway;
//   - R_j = S_j / sum_k P_k w(c_kj) g_kj over the demand k in j's catchment,
//     A_i = sum_j R_j w(c_ij) g_ij over the supply j in i's catchment (g = 1 except in 3SFCA);
//   - 3SFCA: g_ij = w(c_ij) / sum of w(c_ik) over ALL destinations k of origin i in the matrix,
//     computed before the max_cost cut-off;
//   - a step weight is the weight of the smallest threshold t with cost <= t, 0 past the last;
//   - gravity: w(c) = (max(c, min_dist) / scale)^alpha, alpha's sign is not flipped.
// Where pysal divides by zero we return numbers, never NaN: a site whose weighted demand is 0 has
// R_j = 0 (pysal: S/0 = inf or NaN, which pandas' sum then drops or spreads as inf to the
// zero-demand origins beside it); an origin that reaches no supply has access 0 (pysal: NaN from
// the join); a 3SFCA origin whose weights all are 0 has g = 0 (pysal: 0/0 dropped by the sum).
#pragma once

#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "geo/analysis/cost_matrix.hpp"
#include "geo/analysis/progress.hpp"

namespace tsunagi::geo::gap {

enum class AccessMethod { two_sfca, e2sfca, g2sfca, three_sfca };

/// How a cost turns into a weight inside the catchment.
struct Weight {
  enum class Kind {
    method_default,  ///< 2SFCA: none; E2SFCA, 3SFCA: their default steps; G2SFCA: an error
    none,            ///< 1 inside the cut-off
    step,            ///< steps: {upper bound (inclusive) -> weight}, 0 past the last bound
    gravity          ///< (max(c, min_dist) / scale)^alpha
  };
  Kind kind = Kind::method_default;
  std::vector<std::pair<double, double>> steps;  ///< any order; weights >= 0
  double scale = 1, alpha = -1, min_dist = 0;

  static Weight none() { return Weight{Kind::none, {}, 1, -1, 0}; }
  static Weight step(std::vector<std::pair<double, double>> steps) {
    return Weight{Kind::step, std::move(steps), 1, -1, 0};
  }
  static Weight gravity(double scale, double alpha, double min_dist = 0) {
    return Weight{Kind::gravity, {}, scale, alpha, min_dist};
  }
  /// pysal's E2SFCA default, {10: 1, 20: 0.68, 30: 0.22}.
  static Weight e2sfca_default();
  /// pysal's 3SFCA default, {10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}.
  static Weight three_sfca_default();

  /// The weight of one cost (kind must not be method_default).
  [[nodiscard]] double operator()(double cost) const;
};

struct AccessOptions {
  AccessMethod method = AccessMethod::two_sfca;
  double max_cost = std::numeric_limits<double>::infinity();  ///< inclusive; default: none
  Weight weight;  ///< default: the method's own (see Weight::Kind::method_default)
};

/// The weight a method uses with these options (the method's default resolved).
/// @throws geo::InvalidArgument for G2SFCA without a gravity weight, a gravity scale <= 0, a
///         negative min_dist, a negative or non-finite step weight, or a NaN max_cost.
Weight effective_weight(const AccessOptions& options);

/// Access of every origin (demand location), in origin order. demand has n_origins values,
/// supply n_dests, both finite and >= 0.
/// @throws geo::InvalidArgument for sizes that do not match the matrix, negative or non-finite
///         values, bad options (see effective_weight), or a weight that is infinite at some cost
///         in the catchment (gravity with alpha < 0 at cost 0: give min_dist > 0).
/// @throws Cancelled when progress says so.
std::vector<double> accessibility(const CostMatrix& costs, std::span<const double> demand,
                                  std::span<const double> supply, const AccessOptions& options,
                                  Progress* progress = nullptr);

}  // namespace tsunagi::geo::gap
