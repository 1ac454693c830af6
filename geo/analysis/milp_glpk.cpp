// GLPK behind detail::solve_with_glpk: the only file that includes glpk.h. GLPK is quiet here
// (terminal output off), its problem object lives in a unique_ptr and its per-thread environment
// is freed after each call.
#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "geo/analysis/milp.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo::gap::detail {

namespace {

struct ProbDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};

struct CallbackState {
  Progress* progress = nullptr;
  double from = 0, to = 1;
  double time_limit_s = 0;
  std::chrono::steady_clock::time_point start;
  bool has_bound = false;
  double bound = 0;
  bool cancelled = false;
};

void on_tree(glp_tree* tree, void* info) {
  auto* s = static_cast<CallbackState*>(info);
  const int best = glp_ios_best_node(tree);
  if (best != 0) {
    s->bound = glp_ios_node_bound(tree, best);
    s->has_bound = true;
  }
  if (s->progress == nullptr) return;
  if (s->progress->cancelled()) {
    s->cancelled = true;
    glp_ios_terminate(tree);
    return;
  }
  if (glp_ios_reason(tree) == GLP_ISELECT) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - s->start).count();
    const double f = std::min(1.0, elapsed / std::max(1e-3, s->time_limit_s));
    s->progress->report(s->from + (s->to - s->from) * f, "branch and cut (GLPK)");
  }
}

int bound_type(double lo, double hi) {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi) return lo == hi ? GLP_FX : GLP_DB;
  if (has_lo) return GLP_LO;
  if (has_hi) return GLP_UP;
  return GLP_FR;
}

double finite_or_zero(double v) {
  return std::isfinite(v) ? v : 0.0;
}

using Problem = std::unique_ptr<glp_prob, ProbDeleter>;

// GLPK keeps an environment per thread, created on first use and otherwise never freed: a job
// thread that ends would leak it. Declared before the problem, so that it goes after it.
struct EnvironmentGuard {
  EnvironmentGuard() = default;
  EnvironmentGuard(const EnvironmentGuard&) = delete;
  EnvironmentGuard& operator=(const EnvironmentGuard&) = delete;
  ~EnvironmentGuard() { glp_free_env(); }
};

Problem load(const Milp& model) {
  glp_term_out(GLP_OFF);
  Problem prob(glp_create_prob());
  glp_prob* p = prob.get();
  glp_set_obj_dir(p, model.maximize ? GLP_MAX : GLP_MIN);

  const auto n_cols = static_cast<int>(model.objective.size());
  const auto n_rows = static_cast<int>(model.row_lo.size());
  if (n_cols == 0) throw Error("MILP with no variables");
  glp_add_cols(p, n_cols);
  for (int c = 1; c <= n_cols; ++c) {
    const auto i = static_cast<std::size_t>(c - 1);
    glp_set_obj_coef(p, c, model.objective[i]);
    glp_set_col_bnds(p, c, bound_type(model.col_lo[i], model.col_hi[i]),
                     finite_or_zero(model.col_lo[i]), finite_or_zero(model.col_hi[i]));
    glp_set_col_kind(p, c, model.integer[i] != 0 ? GLP_IV : GLP_CV);
  }
  if (n_rows > 0) glp_add_rows(p, n_rows);
  // GLPK's arrays are 1-based: element 0 is unused.
  std::vector<int> ia(1, 0);
  std::vector<int> ja(1, 0);
  std::vector<double> ar(1, 0.0);
  ia.reserve(model.row_col.size() + 1);
  ja.reserve(model.row_col.size() + 1);
  ar.reserve(model.row_col.size() + 1);
  for (int r = 1; r <= n_rows; ++r) {
    const auto i = static_cast<std::size_t>(r - 1);
    glp_set_row_bnds(p, r, bound_type(model.row_lo[i], model.row_hi[i]),
                     finite_or_zero(model.row_lo[i]), finite_or_zero(model.row_hi[i]));
    for (std::uint32_t e = model.row_start[i]; e < model.row_start[i + 1]; ++e) {
      ia.push_back(r);
      ja.push_back(static_cast<int>(model.row_col[e]) + 1);
      ar.push_back(model.row_val[e]);
    }
  }
  glp_load_matrix(p, static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  return prob;
}

}  // namespace

std::optional<double> lp_relaxation_with_glpk(const Milp& model) {
  const EnvironmentGuard env;
  const Problem prob = load(model);
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  const int rc = glp_simplex(prob.get(), &parm);
  if (rc == GLP_ENOPFS || rc == GLP_ENODFS) return std::nullopt;
  if (rc != 0) throw Error("GLPK glp_simplex failed (code " + std::to_string(rc) + ")");
  if (glp_get_status(prob.get()) != GLP_OPT) return std::nullopt;
  return glp_get_obj_val(prob.get());
}

MilpResult solve_with_glpk(const Milp& model, double time_limit_s, Progress* progress, double from,
                           double to) {
  const EnvironmentGuard env;
  const Problem prob = load(model);
  glp_prob* p = prob.get();
  const auto n_cols = static_cast<int>(model.objective.size());

  CallbackState state;
  state.progress = progress;
  state.from = from;
  state.to = to;
  state.time_limit_s = time_limit_s;
  state.start = std::chrono::steady_clock::now();

  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  parm.mip_gap = 0.0;
  const double limit_ms =
      std::clamp(time_limit_s * 1000.0, 1.0, static_cast<double>(std::numeric_limits<int>::max()));
  parm.tm_lim = static_cast<int>(limit_ms);
  parm.cb_func = on_tree;
  parm.cb_info = &state;

  const int rc = glp_intopt(p, &parm);
  if (state.cancelled) throw Cancelled("cancelled during branch and cut (GLPK)");

  MilpResult result;
  if (rc == GLP_ENOPFS) {
    result.status = MilpResult::Status::infeasible;
    return result;
  }
  if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_EMIPGAP) {
    throw Error("GLPK glp_intopt failed (code " + std::to_string(rc) + ")");
  }
  const int status = glp_mip_status(p);
  if (status == GLP_NOFEAS) {
    result.status = MilpResult::Status::infeasible;
    return result;
  }
  if (status != GLP_OPT && status != GLP_FEAS) {
    result.status = MilpResult::Status::no_solution;
    result.bound = state.has_bound  ? state.bound
                   : model.maximize ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
    return result;
  }
  result.status =
      status == GLP_OPT && rc == 0 ? MilpResult::Status::optimal : MilpResult::Status::feasible;
  result.objective = glp_mip_obj_val(p);
  result.x.resize(static_cast<std::size_t>(n_cols));
  for (int c = 1; c <= n_cols; ++c)
    result.x[static_cast<std::size_t>(c - 1)] = glp_mip_col_val(p, c);
  if (result.status == MilpResult::Status::optimal || !state.has_bound) {
    result.bound = result.objective;
    if (result.status != MilpResult::Status::optimal) {
      // No node bound was seen: the only bound we can vouch for is none at all.
      result.bound = model.maximize ? std::numeric_limits<double>::infinity()
                                    : -std::numeric_limits<double>::infinity();
    }
  } else {
    result.bound = model.maximize ? std::max(state.bound, result.objective)
                                  : std::min(state.bound, result.objective);
  }
  return result;
}

}  // namespace tsunagi::geo::gap::detail
