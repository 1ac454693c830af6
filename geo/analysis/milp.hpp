// The one boundary to the MILP solver (GLPK, milp_glpk.cpp): a model as plain arrays in, values
// and bounds out. Internal to geo/gap.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "geo/analysis/progress.hpp"

namespace tsunagi::geo::gap::detail {

struct Milp {
  bool maximize = false;
  std::vector<double> objective;  ///< per column
  std::vector<double> col_lo, col_hi;
  std::vector<char> integer;  ///< per column: 1 = integer
  /// Rows as CSR: row r has the entries row_start[r] .. row_start[r+1]-1.
  std::vector<std::uint32_t> row_start{0};
  std::vector<std::uint32_t> row_col;
  std::vector<double> row_val;
  std::vector<double> row_lo, row_hi;  ///< +-infinity for a side without a bound

  std::uint32_t add_column(double obj, double lo, double hi, bool is_integer) {
    objective.push_back(obj);
    col_lo.push_back(lo);
    col_hi.push_back(hi);
    integer.push_back(is_integer ? 1 : 0);
    return static_cast<std::uint32_t>(objective.size() - 1);
  }
  /// Call add_entry for the row's entries first, then close_row.
  void add_entry(std::uint32_t col, double value) {
    row_col.push_back(col);
    row_val.push_back(value);
  }
  void close_row(double lo, double hi) {
    row_start.push_back(static_cast<std::uint32_t>(row_col.size()));
    row_lo.push_back(lo);
    row_hi.push_back(hi);
  }
};

struct MilpResult {
  enum class Status { optimal, feasible, infeasible, no_solution };
  Status status = Status::no_solution;  ///< feasible: stopped by the time limit with a solution
  std::vector<double> x;                ///< per column, when a solution exists
  double objective = 0;
  double bound = 0;  ///< the best bound proven (== objective when optimal)
};

/// Solves with GLPK's branch and cut (glp_intopt, presolver on), reporting progress between
/// `from` and `to` of the whole run.
/// @throws Cancelled when progress says so; geo::Error when GLPK fails.
MilpResult solve_with_glpk(const Milp& model, double time_limit_s, Progress* progress, double from,
                           double to);

/// The optimum of the LP relaxation (integrality dropped; GLPK's simplex with its presolver):
/// a bound on the MILP's optimum. nullopt when the LP has no optimum.
/// @throws geo::Error when GLPK fails.
std::optional<double> lp_relaxation_with_glpk(const Milp& model);

}  // namespace tsunagi::geo::gap::detail
