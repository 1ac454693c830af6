#include "geo/analysis/siting.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "geo/analysis/milp.hpp"

namespace tsunagi::geo::gap {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The problem checked, with the open and openable sites as flags and sorted lists.
struct Sites {
  std::vector<char> existing_flag;
  std::vector<char> candidate_flag;
  std::vector<std::uint32_t> existing;
  std::vector<std::uint32_t> candidates;
};

Sites check(const SitingProblem& p, const char* model) {
  const std::string where = std::string(model) + ": ";
  if (p.costs == nullptr) throw InvalidArgument(where + "no cost matrix");
  const CostMatrix& m = *p.costs;
  if (p.demand_weight.size() != m.n_origins) {
    throw InvalidArgument(where + std::to_string(p.demand_weight.size()) + " demand weights for " +
                          std::to_string(m.n_origins) + " origins");
  }
  for (std::size_t i = 0; i < p.demand_weight.size(); ++i) {
    if (!std::isfinite(p.demand_weight[i]) || p.demand_weight[i] < 0) {
      throw InvalidArgument(where + "the demand weight of origin " + std::to_string(i) +
                            " is not a finite number >= 0");
    }
  }
  Sites s;
  s.existing_flag.assign(m.n_dests, 0);
  s.candidate_flag.assign(m.n_dests, 0);
  for (const auto j : p.existing) {
    if (j >= m.n_dests) {
      throw InvalidArgument(where + "existing site " + std::to_string(j) + " out of range");
    }
    s.existing_flag[j] = 1;
  }
  if (p.candidates.empty()) {
    for (std::uint32_t j = 0; j < m.n_dests; ++j) s.candidate_flag[j] = s.existing_flag[j] ? 0 : 1;
  } else {
    for (const auto j : p.candidates) {
      if (j >= m.n_dests) {
        throw InvalidArgument(where + "candidate site " + std::to_string(j) + " out of range");
      }
      if (!s.existing_flag[j]) s.candidate_flag[j] = 1;
    }
  }
  for (std::uint32_t j = 0; j < m.n_dests; ++j) {
    if (s.existing_flag[j]) s.existing.push_back(j);
    if (s.candidate_flag[j]) s.candidates.push_back(j);
  }
  if (p.k > s.candidates.size()) {
    throw InvalidArgument(where + "k (" + std::to_string(p.k) + ") is larger than the " +
                          std::to_string(s.candidates.size()) + " candidate sites");
  }
  return s;
}

// Per candidate site: the entries (origin, cost) of its column, for the origins that matter.
struct Columns {
  std::vector<std::uint32_t> start;  // n_dests + 1
  std::vector<std::uint32_t> origin;
  std::vector<double> cost;
  [[nodiscard]] std::uint32_t begin(std::uint32_t j) const { return start[j]; }
  [[nodiscard]] std::uint32_t end(std::uint32_t j) const { return start[j + 1]; }
};

Columns transpose(const CostMatrix& m,
                  const std::function<bool(std::size_t, std::uint32_t)>& keep) {
  Columns c;
  c.start.assign(m.n_dests + 1, 0);
  for (std::size_t o = 0; o < m.n_origins; ++o) {
    for (std::uint32_t e = m.row_start[o]; e < m.row_start[o + 1]; ++e) {
      if (keep(o, e)) ++c.start[m.dest[e] + 1];
    }
  }
  for (std::size_t j = 0; j < m.n_dests; ++j) c.start[j + 1] += c.start[j];
  c.origin.resize(c.start.back());
  c.cost.resize(c.start.back());
  std::vector<std::uint32_t> fill(c.start.begin(), c.start.end() - 1);
  for (std::size_t o = 0; o < m.n_origins; ++o) {
    for (std::uint32_t e = m.row_start[o]; e < m.row_start[o + 1]; ++e) {
      if (!keep(o, e)) continue;
      const auto at = fill[m.dest[e]]++;
      c.origin[at] = static_cast<std::uint32_t>(o);
      c.cost[at] = m.cost[e];
    }
  }
  return c;
}

std::vector<std::uint32_t> chosen_from(const std::vector<char>& open_flag,
                                       const std::vector<std::uint32_t>& candidates) {
  std::vector<std::uint32_t> out;
  for (const auto j : candidates) {
    if (open_flag[j]) out.push_back(j);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MCLP

struct Mclp {
  const SitingProblem& p;
  const Sites& sites;
  std::vector<char> by_existing;  // per origin: within the radius of an existing site
  double existing_weight = 0;     // the weight they carry
  double coverable_weight = 0;    // weight any open or openable site could cover
  Columns cols;                   // candidate -> origins it covers (not covered by existing)
};

Mclp prepare_mclp(const SitingProblem& p, const Sites& sites) {
  const CostMatrix& m = *p.costs;
  Mclp x{p, sites, std::vector<char>(m.n_origins, 0), 0, 0, {}};
  for (std::size_t o = 0; o < m.n_origins; ++o) {
    bool any = false;
    for (std::uint32_t e = m.row_start[o]; e < m.row_start[o + 1]; ++e) {
      if (m.cost[e] > p.radius) continue;
      if (sites.existing_flag[m.dest[e]]) x.by_existing[o] = 1;
      if (sites.candidate_flag[m.dest[e]]) any = true;
    }
    if (x.by_existing[o]) x.existing_weight += p.demand_weight[o];
    if (x.by_existing[o] || any) x.coverable_weight += p.demand_weight[o];
  }
  x.cols = transpose(m, [&](std::size_t o, std::uint32_t e) {
    return !x.by_existing[o] && m.cost[e] <= p.radius && sites.candidate_flag[m.dest[e]] != 0;
  });
  return x;
}

// Covered weight and uncovered origins of an answer (existing sites included).
void mclp_evaluate(const Mclp& x, const std::vector<std::uint32_t>& chosen, SitingResult& r) {
  const auto n = x.p.costs->n_origins;
  std::vector<char> covered(x.by_existing);
  for (const auto j : chosen) {
    for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) covered[x.cols.origin[e]] = 1;
  }
  r.covered_weight = 0;
  r.uncovered_origins.clear();
  for (std::size_t o = 0; o < n; ++o) {
    if (covered[o]) {
      r.covered_weight += x.p.demand_weight[o];
    } else {
      r.uncovered_origins.push_back(static_cast<std::uint32_t>(o));
    }
  }
  r.objective = r.covered_weight;
}

struct GreedyAnswer {
  std::vector<std::uint32_t> chosen;
  double bound = 0;
};

GreedyAnswer mclp_greedy_swap(const Mclp& x, Progress* progress, double from, double to) {
  const auto& w = x.p.demand_weight;
  const auto& cands = x.sites.candidates;
  const CostMatrix& m = *x.p.costs;
  std::vector<std::uint32_t> count(m.n_origins, 0);  // open candidates covering each origin
  std::vector<char> open(m.n_dests, 0);
  auto gain_of = [&](std::uint32_t j) {
    double g = 0;
    for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
      if (count[x.cols.origin[e]] == 0) g += w[x.cols.origin[e]];
    }
    return g;
  };
  auto set_open = [&](std::uint32_t j, bool on) {
    open[j] = on ? 1 : 0;
    for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
      if (on) {
        ++count[x.cols.origin[e]];
      } else {
        --count[x.cols.origin[e]];
      }
    }
  };
  for (std::size_t step = 0; step < x.p.k; ++step) {
    detail::step(progress,
                 from + (to - from) * 0.3 * static_cast<double>(step) / static_cast<double>(x.p.k),
                 "greedy");
    double best = -1;
    std::uint32_t best_j = 0;
    for (const auto j : cands) {
      if (open[j]) continue;
      const double g = gain_of(j);
      if (g > best) {
        best = g;
        best_j = j;
      }
    }
    set_open(best_j, true);
  }
  // 1-opt swaps, the best for each open site in turn, until a whole pass improves nothing.
  const double eps = 1e-12 * std::max(1.0, x.coverable_weight);
  std::vector<char> by_s(m.n_origins, 0);
  for (std::size_t pass = 0;; ++pass) {
    detail::step(progress,
                 from + (to - from) * (0.3 + 0.6 * (1.0 - 1.0 / static_cast<double>(pass + 2))),
                 "swap");
    bool improved = false;
    for (const auto s : chosen_from(open, cands)) {
      if (progress != nullptr && progress->cancelled()) throw Cancelled("cancelled during swap");
      double loss = 0;
      for (auto e = x.cols.begin(s); e < x.cols.end(s); ++e) {
        const auto o = x.cols.origin[e];
        by_s[o] = 1;
        if (count[o] == 1) loss += w[o];
      }
      double best = eps;
      std::uint32_t best_j = s;
      for (const auto j : cands) {
        if (open[j]) continue;
        double g = 0;
        for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
          const auto o = x.cols.origin[e];
          if (count[o] == 0 || (count[o] == 1 && by_s[o])) g += w[o];
        }
        if (g - loss > best) {
          best = g - loss;
          best_j = j;
        }
      }
      for (auto e = x.cols.begin(s); e < x.cols.end(s); ++e) by_s[x.cols.origin[e]] = 0;
      if (best_j != s) {
        set_open(s, false);
        set_open(best_j, true);
        improved = true;
      }
    }
    if (!improved) break;
  }
  GreedyAnswer a;
  a.chosen = chosen_from(open, cands);
  // f(OPT) <= f(S) + sum of the k largest marginal gains w.r.t. S (submodular, monotone).
  std::vector<double> gains;
  double covered = x.existing_weight;
  for (std::size_t o = 0; o < m.n_origins; ++o) {
    if (!x.by_existing[o] && count[o] > 0) covered += w[o];
  }
  for (const auto j : cands) {
    if (!open[j]) gains.push_back(gain_of(j));
  }
  std::sort(gains.begin(), gains.end(), std::greater<>());
  double bound = covered;
  for (std::size_t i = 0; i < std::min(gains.size(), x.p.k); ++i) bound += gains[i];
  a.bound = std::min(bound, x.coverable_weight);
  return a;
}

}  // namespace

SitingResult solve_mclp(const SitingProblem& problem, const SolveOptions& options,
                        Progress* progress) {
  const auto t0 = Clock::now();
  const Sites sites = check(problem, "MCLP");
  if (std::isnan(problem.radius) || problem.radius < 0) {
    throw InvalidArgument("MCLP: the service radius is missing or negative");
  }
  detail::step(progress, 0, "preparing");
  const Mclp x = prepare_mclp(problem, sites);
  SitingResult r;
  if (problem.k == 0 || problem.k == sites.candidates.size()) {
    // Only one answer: open none, or every candidate.
    r.solver = "none";
    r.optimal = true;
    if (problem.k > 0) r.chosen = sites.candidates;
    mclp_evaluate(x, r.chosen, r);
    r.bound = r.objective;
    r.seconds = seconds_since(t0);
    return r;
  }

  // The model: origins not covered by existing sites, with weight, grouped by covering set.
  std::map<std::vector<std::uint32_t>, double> groups;
  std::size_t pairs = 0;
  {
    const CostMatrix& m = *problem.costs;
    std::vector<std::uint32_t> cover;
    for (std::size_t o = 0; o < m.n_origins; ++o) {
      if (x.by_existing[o] || problem.demand_weight[o] == 0) continue;
      cover.clear();
      for (std::uint32_t e = m.row_start[o]; e < m.row_start[o + 1]; ++e) {
        if (m.cost[e] <= problem.radius && sites.candidate_flag[m.dest[e]]) {
          cover.push_back(m.dest[e]);
        }
      }
      if (cover.empty()) continue;
      pairs += cover.size();
      groups[cover] += problem.demand_weight[o];
    }
  }

  detail::Milp milp;
  milp.maximize = true;
  std::vector<std::uint32_t> col_of(problem.costs->n_dests, 0);
  auto build = [&] {
    for (const auto j : sites.candidates) col_of[j] = milp.add_column(0, 0, 1, true);
    for (const auto& [cover, weight] : groups) {
      const auto y = milp.add_column(weight, 0, 1, false);
      milp.add_entry(y, 1);
      for (const auto j : cover) milp.add_entry(col_of[j], -1);
      milp.close_row(-kInf, 0);
    }
    for (const auto j : sites.candidates) milp.add_entry(col_of[j], 1);
    const auto k = static_cast<double>(problem.k);
    milp.close_row(k, k);
  };
  // The LP relaxation bounds a greedy answer; infinite when it is not computed.
  auto lp_bound = [&]() -> double {
    if (pairs > options.lp_bound_max_pairs) return kInf;
    const auto lp = detail::lp_relaxation_with_glpk(milp);
    return lp ? x.existing_weight + *lp : kInf;
  };

  const bool exact = !options.force_greedy && pairs <= options.exact_max_pairs;
  if (exact) {
    build();

    const auto solved = detail::solve_with_glpk(milp, options.time_limit_s, progress, 0.05, 0.95);
    if (solved.status == detail::MilpResult::Status::optimal ||
        solved.status == detail::MilpResult::Status::feasible) {
      std::vector<std::uint32_t> chosen;
      for (const auto j : sites.candidates) {
        if (solved.x[col_of[j]] > 0.5) chosen.push_back(j);
      }
      r.solver = "glpk";
      r.chosen = chosen;
      mclp_evaluate(x, chosen, r);
      if (solved.status == detail::MilpResult::Status::optimal) {
        r.optimal = true;
        r.bound = r.objective;
        r.seconds = seconds_since(t0);
        detail::step(progress, 1, "done");
        return r;
      }
    }
    // Stopped by the time limit: the better of GLPK's incumbent and greedy + swap, with the
    // tighter of the two bounds.
    const auto greedy = mclp_greedy_swap(x, progress, 0.95, 1.0);
    SitingResult g;
    g.solver = "greedy+swap";
    g.chosen = greedy.chosen;
    mclp_evaluate(x, greedy.chosen, g);
    if (r.solver.empty() || g.objective > r.objective) r = g;
    r.optimal = false;
    r.bound = std::max(r.objective,
                       std::min({greedy.bound, x.existing_weight + solved.bound, lp_bound()}));
    r.seconds = seconds_since(t0);
    detail::step(progress, 1, "done");
    return r;
  }

  const auto greedy = mclp_greedy_swap(x, progress, 0.05, 0.9);
  r.solver = "greedy+swap";
  r.optimal = false;
  r.chosen = greedy.chosen;
  mclp_evaluate(x, greedy.chosen, r);
  double bound = greedy.bound;
  if (pairs <= options.lp_bound_max_pairs) {
    detail::step(progress, 0.9, "LP relaxation bound");
    build();
    bound = std::min(bound, lp_bound());
  }
  // Rounding in the LP must not put the bound below an answer we hold.
  r.bound = std::max(r.objective, bound);
  r.seconds = seconds_since(t0);
  detail::step(progress, 1, "done");
  return r;
}

// ---------------------------------------------------------------------------------------------
// p-median

namespace {

struct Pmedian {
  const SitingProblem& p;
  const Sites& sites;
  std::vector<double> d_existing;  // per origin: cost to the nearest existing site (inf: none)
  Columns cols;                    // candidate -> (origin, cost) strictly cheaper than existing
};

// Sum of weight * nearest open cost, and the origins with no open site.
struct PmedianValue {
  std::size_t unreached = 0;
  double cost = 0;
  bool operator<(const PmedianValue& o) const {
    return unreached != o.unreached ? unreached < o.unreached : cost < o.cost;
  }
};

std::vector<double> nearest_open(const Pmedian& x, const std::vector<std::uint32_t>& chosen) {
  std::vector<double> d(x.d_existing);
  for (const auto j : chosen) {
    for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
      d[x.cols.origin[e]] = std::min(d[x.cols.origin[e]], x.cols.cost[e]);
    }
  }
  return d;
}

void pmedian_evaluate(const Pmedian& x, const std::vector<std::uint32_t>& chosen, SitingResult& r) {
  const auto d = nearest_open(x, chosen);
  const auto& w = x.p.demand_weight;
  std::vector<std::uint32_t> unreached;
  r.objective = 0;
  r.covered_weight = 0;
  r.uncovered_origins.clear();
  for (std::size_t o = 0; o < d.size(); ++o) {
    if (!std::isfinite(d[o])) {
      unreached.push_back(static_cast<std::uint32_t>(o));
      continue;
    }
    r.objective += w[o] * d[o];
    if (std::isnan(x.p.radius) || d[o] <= x.p.radius) {
      r.covered_weight += w[o];
    } else {
      r.uncovered_origins.push_back(static_cast<std::uint32_t>(o));
    }
  }
  if (!unreached.empty()) {
    throw Infeasible("p-median: no " + std::to_string(x.p.k) + " new sites reach every origin (" +
                         std::to_string(unreached.size()) + " left without a site)",
                     unreached);
  }
}

// A lower bound on the p-median optimum by Lagrangian relaxation of "each origin is assigned
// once" (multipliers lambda_i), maximised by subgradient steps towards `upper` (an answer's
// value). For any lambda, L = sum_i lambda_i + sum_i min(0, w_i d_i - lambda_i) over the nearest
// existing site + the k most negative rho_j = sum_i min(0, w_i c_ij - lambda_i) over candidates.
// It starts at lambda_i = w_i * (cost to the nearest allowed site), whose L is the bound "every
// candidate open", so the result is never looser than that.
double pmedian_lagrangian_bound(const Pmedian& x, double upper, Progress* progress) {
  const auto& w = x.p.demand_weight;
  const auto& cands = x.sites.candidates;
  const auto n = x.p.costs->n_origins;
  std::vector<double> lambda(n);
  {
    std::vector<double> lowest(x.d_existing);
    for (const auto j : cands) {
      for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
        lowest[x.cols.origin[e]] = std::min(lowest[x.cols.origin[e]], x.cols.cost[e]);
      }
    }
    for (std::size_t o = 0; o < n; ++o) lambda[o] = w[o] * lowest[o];
  }
  std::vector<double> rho(x.p.costs->n_dests, 0.0);
  std::vector<std::uint32_t> order(cands);
  std::vector<double> g(n);
  double best = -kInf;
  double theta = 2.0;
  int since_better = 0;
  for (int it = 0; it < 1000 && theta > 1e-4; ++it) {
    if (it % 64 == 0 && progress != nullptr && progress->cancelled()) {
      throw Cancelled("cancelled during the p-median bound");
    }
    double value = 0;
    for (std::size_t o = 0; o < n; ++o) {
      value += lambda[o];
      g[o] = 1;
      if (std::isfinite(x.d_existing[o]) && w[o] * x.d_existing[o] < lambda[o]) {
        value += w[o] * x.d_existing[o] - lambda[o];
        g[o] -= 1;
      }
    }
    for (const auto j : cands) {
      double r = 0;
      for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
        r += std::min(0.0, w[x.cols.origin[e]] * x.cols.cost[e] - lambda[x.cols.origin[e]]);
      }
      rho[j] = r;
    }
    const auto k = static_cast<std::ptrdiff_t>(x.p.k);
    std::nth_element(order.begin(), order.begin() + k, order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return rho[a] < rho[b]; });
    for (std::ptrdiff_t i = 0; i < k; ++i) {
      const auto j = order[static_cast<std::size_t>(i)];
      value += rho[j];
      for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
        const auto o = x.cols.origin[e];
        if (w[o] * x.cols.cost[e] < lambda[o]) g[o] -= 1;
      }
    }
    if (it == 0 || value > best + 1e-12 * std::fabs(best)) {
      best = value;
      since_better = 0;
    } else if (++since_better >= 20) {
      theta /= 2;
      since_better = 0;
    }
    if (upper - best <= 1e-9 * std::max(1.0, std::fabs(upper))) break;
    double norm = 0;
    for (const double v : g) norm += v * v;
    if (norm == 0) break;  // lambda is optimal for the relaxation
    const double step = theta * (upper - value) / norm;
    for (std::size_t o = 0; o < n; ++o) lambda[o] += step * g[o];
  }
  return best;
}

GreedyAnswer pmedian_greedy_swap(const Pmedian& x, Progress* progress, double from, double to) {
  const auto& w = x.p.demand_weight;
  const auto& cands = x.sites.candidates;
  const auto n = x.p.costs->n_origins;
  std::vector<char> open(x.p.costs->n_dests, 0);
  std::vector<double> d(x.d_existing);
  auto value_of = [&](const std::vector<double>& dist) {
    PmedianValue v;
    for (std::size_t o = 0; o < n; ++o) {
      if (std::isfinite(dist[o])) {
        v.cost += w[o] * dist[o];
      } else {
        ++v.unreached;
      }
    }
    return v;
  };
  // Adding j to distances `base` (valued `v`): the value after.
  auto with = [&](const std::vector<double>& base, PmedianValue v, std::uint32_t j) {
    for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
      const auto o = x.cols.origin[e];
      const double c = x.cols.cost[e];
      if (!std::isfinite(base[o])) {
        --v.unreached;
        v.cost += w[o] * c;
      } else if (c < base[o]) {
        v.cost -= w[o] * (base[o] - c);
      }
    }
    return v;
  };
  for (std::size_t step = 0; step < x.p.k; ++step) {
    detail::step(progress,
                 from + (to - from) * 0.3 * static_cast<double>(step) / static_cast<double>(x.p.k),
                 "greedy");
    const PmedianValue now = value_of(d);
    PmedianValue best{n + 1, kInf};
    std::uint32_t best_j = 0;
    for (const auto j : cands) {
      if (open[j]) continue;
      const auto v = with(d, now, j);
      if (v < best) {
        best = v;
        best_j = j;
      }
    }
    open[best_j] = 1;
    for (auto e = x.cols.begin(best_j); e < x.cols.end(best_j); ++e) {
      d[x.cols.origin[e]] = std::min(d[x.cols.origin[e]], x.cols.cost[e]);
    }
  }
  // Teitz–Bart: for each open site, the best swap with a closed candidate, until none improves.
  for (std::size_t pass = 0;; ++pass) {
    detail::step(progress,
                 from + (to - from) * (0.3 + 0.6 * (1.0 - 1.0 / static_cast<double>(pass + 2))),
                 "swap");
    bool improved = false;
    for (const auto s : chosen_from(open, cands)) {
      if (progress != nullptr && progress->cancelled()) throw Cancelled("cancelled during swap");
      auto others = chosen_from(open, cands);
      others.erase(std::find(others.begin(), others.end(), s));
      const auto without = nearest_open(x, others);
      const PmedianValue base = value_of(without);
      const PmedianValue current = value_of(d);
      PmedianValue best = current;
      std::uint32_t best_j = s;
      for (const auto j : cands) {
        if (open[j]) continue;
        const auto v = with(without, base, j);
        // A relative margin so that rounding cannot make two equal answers swap forever.
        if (v.unreached < best.unreached ||
            (v.unreached == best.unreached && v.cost < best.cost - 1e-12 * (1 + best.cost))) {
          best = v;
          best_j = j;
        }
      }
      if (best_j != s) {
        open[s] = 0;
        open[best_j] = 1;
        others.push_back(best_j);
        d = nearest_open(x, others);
        improved = true;
      }
    }
    if (!improved) break;
  }
  GreedyAnswer a;
  a.chosen = chosen_from(open, cands);
  a.bound = pmedian_lagrangian_bound(x, value_of(d).cost, progress);
  return a;
}

}  // namespace

SitingResult solve_pmedian(const SitingProblem& problem, const SolveOptions& options,
                           Progress* progress) {
  const auto t0 = Clock::now();
  const Sites sites = check(problem, "p-median");
  if (!std::isnan(problem.radius) && problem.radius < 0) {
    throw InvalidArgument("p-median: the radius is negative");
  }
  detail::step(progress, 0, "preparing");
  const CostMatrix& m = *problem.costs;
  Pmedian x{problem, sites, std::vector<double>(m.n_origins, kInf), {}};
  std::vector<std::uint32_t> unreachable;
  for (std::size_t o = 0; o < m.n_origins; ++o) {
    bool any = false;
    for (std::uint32_t e = m.row_start[o]; e < m.row_start[o + 1]; ++e) {
      if (sites.existing_flag[m.dest[e]]) x.d_existing[o] = std::min(x.d_existing[o], m.cost[e]);
      if (sites.existing_flag[m.dest[e]] || sites.candidate_flag[m.dest[e]]) any = true;
    }
    if (!any) unreachable.push_back(static_cast<std::uint32_t>(o));
  }
  if (!unreachable.empty()) {
    throw Infeasible("p-median: " + std::to_string(unreachable.size()) +
                         " origins have no existing or candidate site in the cost matrix",
                     unreachable);
  }
  // A candidate matters to an origin only where it is cheaper than the nearest existing site.
  x.cols = transpose(m, [&](std::size_t o, std::uint32_t e) {
    return sites.candidate_flag[m.dest[e]] != 0 && m.cost[e] < x.d_existing[o];
  });
  const std::size_t pairs = x.cols.start.back();

  SitingResult r;
  if (problem.k == 0 || problem.k == sites.candidates.size()) {
    // Only one answer: open none, or every candidate.
    r.solver = "none";
    r.optimal = true;
    if (problem.k > 0) r.chosen = sites.candidates;
    pmedian_evaluate(x, r.chosen, r);
    r.bound = r.objective;
    r.seconds = seconds_since(t0);
    return r;
  }
  if (!options.force_greedy && pairs <= options.pmedian_exact_max_pairs) {
    // min sum w_i c_ij x_ij; sum_j x_ij = 1 (the nearest existing site is one more choice);
    // x_ij <= y_j; sum y_j = k.
    detail::Milp milp;
    std::vector<std::uint32_t> y_of(m.n_dests, 0);
    for (const auto j : sites.candidates) y_of[j] = milp.add_column(0, 0, 1, true);
    // Per origin, its assignment columns: written row by row below.
    std::vector<std::vector<std::uint32_t>> assign(m.n_origins);
    for (const auto j : sites.candidates) {
      for (auto e = x.cols.begin(j); e < x.cols.end(j); ++e) {
        const auto o = x.cols.origin[e];
        const auto col = milp.add_column(problem.demand_weight[o] * x.cols.cost[e], 0, 1, false);
        assign[o].push_back(col);
        milp.add_entry(col, 1);
        milp.add_entry(y_of[j], -1);
        milp.close_row(-kInf, 0);
      }
    }
    for (std::size_t o = 0; o < m.n_origins; ++o) {
      if (std::isfinite(x.d_existing[o])) {
        assign[o].push_back(
            milp.add_column(problem.demand_weight[o] * x.d_existing[o], 0, 1, false));
      }
      for (const auto col : assign[o]) milp.add_entry(col, 1);
      milp.close_row(1, 1);
    }
    for (const auto j : sites.candidates) milp.add_entry(y_of[j], 1);
    const auto k = static_cast<double>(problem.k);
    milp.close_row(k, k);

    const auto solved = detail::solve_with_glpk(milp, options.time_limit_s, progress, 0.05, 0.95);
    if (solved.status == detail::MilpResult::Status::infeasible) {
      throw Infeasible(
          "p-median: no " + std::to_string(problem.k) + " new sites reach every origin", {});
    }
    if (solved.status == detail::MilpResult::Status::optimal) {
      r.solver = "glpk";
      r.optimal = true;
      for (const auto j : sites.candidates) {
        if (solved.x[y_of[j]] > 0.5) r.chosen.push_back(j);
      }
      pmedian_evaluate(x, r.chosen, r);
      r.bound = r.objective;
      r.seconds = seconds_since(t0);
      detail::step(progress, 1, "done");
      return r;
    }
    const auto greedy = pmedian_greedy_swap(x, progress, 0.95, 1.0);
    r.solver = "greedy+swap";
    r.chosen = greedy.chosen;
    pmedian_evaluate(x, r.chosen, r);
    if (solved.status == detail::MilpResult::Status::feasible) {
      SitingResult g;
      g.solver = "glpk";
      for (const auto j : sites.candidates) {
        if (solved.x[y_of[j]] > 0.5) g.chosen.push_back(j);
      }
      pmedian_evaluate(x, g.chosen, g);
      if (g.objective < r.objective) r = g;
    }
    r.optimal = false;
    r.bound = std::min(r.objective, std::max(greedy.bound, solved.bound));
    r.seconds = seconds_since(t0);
    detail::step(progress, 1, "done");
    return r;
  }
  const auto greedy = pmedian_greedy_swap(x, progress, 0.05, 1.0);
  r.solver = "greedy+swap";
  r.optimal = false;
  r.chosen = greedy.chosen;
  pmedian_evaluate(x, r.chosen, r);
  r.bound = std::min(r.objective, greedy.bound);
  r.seconds = seconds_since(t0);
  detail::step(progress, 1, "done");
  return r;
}

}  // namespace tsunagi::geo::gap
