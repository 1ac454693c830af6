// Where to open k new sites: maximal covering (MCLP) and p-median, over a sparse cost matrix whose
// destinations are the sites. Existing sites are always open and do not count against k. Solved
// exactly as a MILP with GLPK (glp_intopt with its presolver) when the instance is small enough
// and the time limit allows, otherwise by greedy construction and 1-opt swaps until no swap
// improves; the result says which, whether it is proven optimal, and a bound on the optimum.
// Pure computation: no store access, no logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "geo/analysis/cost_matrix.hpp"
#include "geo/analysis/progress.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo::gap {

struct SitingProblem {
  const CostMatrix* costs = nullptr;      ///< origins = demand, dests = sites
  std::span<const double> demand_weight;  ///< per origin, finite and >= 0
  std::size_t k = 0;                      ///< new sites to open
  /// MCLP: an origin is covered by a site when cost <= radius (inclusive, as spopt). Required for
  /// MCLP; for p-median only used to report covered_weight / uncovered_origins (NaN: every
  /// assigned origin counts as covered).
  double radius = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::uint32_t> existing;  ///< sites always open; k NEW ones are chosen
  /// Sites that may be opened; empty = all dests not existing. Existing sites and repeats in
  /// the list are ignored.
  std::vector<std::uint32_t> candidates;
};

struct SolveOptions {
  double time_limit_s = 60;  ///< for the exact solver; then the best found, optimal = false
  /// MCLP instances with more (origin, site) pairs in the model than this skip the exact solver.
  std::size_t exact_max_pairs = 400'000;
  /// The same for p-median, whose model has a variable and a row per pair (GLPK needs minutes
  /// at 60,000 pairs: bench/GAP.md).
  std::size_t pmedian_exact_max_pairs = 20'000;
  /// Greedy MCLP answers get the LP relaxation as their bound up to this many pairs (the
  /// marginal-gain bound beyond).
  std::size_t lp_bound_max_pairs = 2'000'000;
  bool force_greedy = false;  ///< greedy + swap even when the exact solver would do
};

struct SitingResult {
  std::string solver;  ///< "glpk" | "greedy+swap" | "none" (k = 0 or all candidates: one answer)
  bool optimal = false;
  std::vector<std::uint32_t> chosen;  ///< the new sites, ascending (existing ones not repeated)
  /// MCLP: the demand weight covered (existing sites' coverage included), maximised.
  /// p-median: sum of demand * cost to the nearest open site, minimised.
  double objective = 0;
  /// The best proven bound on the optimum: >= objective for MCLP, <= objective for p-median.
  /// Equal to the objective when optimal.
  double bound = 0;
  double covered_weight = 0;
  std::vector<std::uint32_t> uncovered_origins;  ///< ascending
  double seconds = 0;                            ///< wall time of the solve
};

/// A p-median (or MCLP) instance with no feasible answer: origins that no allowed site reaches.
class Infeasible : public InvalidArgument {
 public:
  Infeasible(const std::string& message, std::vector<std::uint32_t> origins)
      : InvalidArgument(message), origins_(std::move(origins)) {}
  [[nodiscard]] const std::vector<std::uint32_t>& origins() const { return origins_; }

 private:
  std::vector<std::uint32_t> origins_;
};

/// Maximal covering: open k candidates maximising the demand weight within `radius` of an open
/// site. The exact model: max sum w_i y_i, y_i <= sum_{j covers i} x_j, y_i <= 1, sum x_j = k, x
/// binary; origins covered by existing sites are fixed, origins with the same covering set merged.
/// Greedy bound: the lower of the LP relaxation's optimum and f(S) + the k largest marginal gains
/// w.r.t. the answer S (valid by submodularity), capped by the weight any site could cover.
/// @throws geo::InvalidArgument for a missing matrix, weights that do not match it, a radius that
///         is missing or negative, a site index out of range, or k larger than the candidates.
/// @throws Cancelled when progress says so.
/// @throws geo::Error when the solver fails for another reason.
SitingResult solve_mclp(const SitingProblem& problem, const SolveOptions& options,
                        Progress* progress = nullptr);

/// p-median: open k candidates minimising sum demand * cost to the nearest open site; only the
/// (origin, site) pairs in the matrix are allowed assignments. Exact: the strong formulation
/// (x_ij <= y_j). Greedy + swap (Teitz–Bart): greedy adds, then 1-opt swaps; bound: a
/// Lagrangian relaxation of the assignment constraints, maximised by subgradient steps (never
/// looser than "each origin at its nearest allowed site").
/// @throws Infeasible when some origin reaches no existing or candidate site, or when no k sites
///         reach every origin.
/// @throws geo::InvalidArgument, Cancelled, geo::Error as solve_mclp.
SitingResult solve_pmedian(const SitingProblem& problem, const SolveOptions& options,
                           Progress* progress = nullptr);

}  // namespace tsunagi::geo::gap
