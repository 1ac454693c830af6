#include "geo/analysis/accessibility.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo::gap {

namespace {

// How many origins between two progress reports / cancellation checks.
constexpr std::size_t kCheckEvery = 4096;

std::string number(double v) {
  return std::to_string(v);
}

void check_values(std::span<const double> values, std::size_t expected, const char* what) {
  if (values.size() != expected) {
    throw InvalidArgument(std::string("accessibility: ") + what + " has " +
                          std::to_string(values.size()) + " values for " +
                          std::to_string(expected) + " locations");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]) || values[i] < 0) {
      throw InvalidArgument(std::string("accessibility: ") + what + " of location " +
                            std::to_string(i) + " is " + number(values[i]) +
                            ", not a finite number >= 0");
    }
  }
}

}  // namespace

Weight Weight::e2sfca_default() {
  return step({{10, 1}, {20, 0.68}, {30, 0.22}});
}

Weight Weight::three_sfca_default() {
  return step({{10, 0.962}, {20, 0.704}, {30, 0.377}, {60, 0.042}});
}

double Weight::operator()(double cost) const {
  switch (kind) {
    case Kind::none:
      return 1.0;
    case Kind::step:
      // steps are sorted by effective_weight; the first threshold the cost does not exceed.
      for (const auto& [bound, w] : steps) {
        if (cost <= bound) return w;
      }
      return 0.0;
    case Kind::gravity:
      return std::pow(std::max(cost, min_dist) / scale, alpha);
    case Kind::method_default:
      break;
  }
  throw InvalidArgument("accessibility: the weight of a method default must be resolved first");
}

Weight effective_weight(const AccessOptions& options) {
  if (std::isnan(options.max_cost)) throw InvalidArgument("accessibility: max_cost is NaN");
  Weight w = options.weight;
  if (w.kind == Weight::Kind::method_default) {
    switch (options.method) {
      case AccessMethod::two_sfca:
        w = Weight::none();
        break;
      case AccessMethod::e2sfca:
        w = Weight::e2sfca_default();
        break;
      case AccessMethod::three_sfca:
        w = Weight::three_sfca_default();
        break;
      case AccessMethod::g2sfca:
        throw InvalidArgument(
            "accessibility: G2SFCA needs a gravity weight (scale, alpha, min_dist)");
    }
  }
  if (options.method == AccessMethod::g2sfca && w.kind != Weight::Kind::gravity) {
    throw InvalidArgument("accessibility: G2SFCA takes a gravity weight only");
  }
  if (w.kind == Weight::Kind::gravity) {
    if (!(w.scale > 0) || !std::isfinite(w.scale)) {
      throw InvalidArgument("accessibility: the gravity scale must be a finite number > 0");
    }
    if (!std::isfinite(w.alpha)) throw InvalidArgument("accessibility: alpha must be finite");
    if (!(w.min_dist >= 0) || !std::isfinite(w.min_dist)) {
      throw InvalidArgument("accessibility: min_dist must be a finite number >= 0");
    }
  }
  if (w.kind == Weight::Kind::step) {
    if (w.steps.empty()) throw InvalidArgument("accessibility: a step weight needs steps");
    for (const auto& [bound, weight] : w.steps) {
      if (std::isnan(bound)) throw InvalidArgument("accessibility: a step threshold is NaN");
      if (!std::isfinite(weight) || weight < 0) {
        throw InvalidArgument(
            "accessibility: step weights must be finite and >= 0 (pysal's "
            "step_fn rejects negative weights)");
      }
    }
    std::sort(w.steps.begin(), w.steps.end());
    for (std::size_t i = 1; i < w.steps.size(); ++i) {
      if (w.steps[i].first == w.steps[i - 1].first) {
        throw InvalidArgument("accessibility: the step threshold " + number(w.steps[i].first) +
                              " is given twice");
      }
    }
  }
  return w;
}

std::vector<double> accessibility(const CostMatrix& costs, std::span<const double> demand,
                                  std::span<const double> supply, const AccessOptions& options,
                                  Progress* progress) {
  check_values(demand, costs.n_origins, "demand");
  check_values(supply, costs.n_dests, "supply");
  const Weight weight = effective_weight(options);
  const bool three_stage = options.method == AccessMethod::three_sfca;
  const std::size_t n = costs.entries();
  // Two passes over the origins (three with 3SFCA's preference weights).
  const double passes = three_stage ? 3.0 : 2.0;
  const auto rows = static_cast<double>(costs.n_origins + 1);
  auto tick = [&](std::size_t o, double pass, const char* stage) {
    if (o % kCheckEvery == 0) {
      detail::step(progress, (pass + static_cast<double>(o) / rows) / passes, stage);
    }
  };

  // w(c_ij) (times 3SFCA's g_ij) of every entry in the catchment; 0 outside it. The weight is
  // evaluated on every entry in the catchment and must be finite there.
  std::vector<double> w(n, 0.0);
  for (std::size_t o = 0; o < costs.n_origins; ++o) {
    for (std::uint32_t e = costs.row_start[o]; e < costs.row_start[o + 1]; ++e) {
      const double c = costs.cost[e];
      if (!three_stage && !(c <= options.max_cost)) continue;
      const double v = weight(c);
      if (!std::isfinite(v)) {
        throw InvalidArgument("accessibility: the weight at cost " + number(c) +
                              " is not finite (a gravity weight with alpha < 0 at cost 0 needs "
                              "min_dist > 0)");
      }
      w[e] = v;
    }
  }
  if (three_stage) {
    // g_ij = w_ij / sum over all of i's destinations, before the cut-off (pysal: W3sum).
    for (std::size_t o = 0; o < costs.n_origins; ++o) {
      tick(o, 0, "3SFCA preference weights");
      double sum = 0;
      for (std::uint32_t e = costs.row_start[o]; e < costs.row_start[o + 1]; ++e) sum += w[e];
      for (std::uint32_t e = costs.row_start[o]; e < costs.row_start[o + 1]; ++e) {
        w[e] = (sum > 0 && costs.cost[e] <= options.max_cost) ? w[e] * (w[e] / sum) : 0.0;
      }
    }
  }
  const double first = three_stage ? 1.0 : 0.0;

  // Stage 1: the weighted demand in each site's catchment, then its supply-to-demand ratio.
  std::vector<double> ratio(costs.n_dests, 0.0);
  for (std::size_t o = 0; o < costs.n_origins; ++o) {
    tick(o, first, "weighted demand per site");
    if (demand[o] == 0) continue;
    for (std::uint32_t e = costs.row_start[o]; e < costs.row_start[o + 1]; ++e) {
      ratio[costs.dest[e]] += demand[o] * w[e];
    }
  }
  for (std::size_t d = 0; d < costs.n_dests; ++d) {
    ratio[d] = ratio[d] > 0 ? supply[d] / ratio[d] : 0.0;
  }

  // Stage 2: each origin sums the ratios of the sites in its catchment.
  std::vector<double> access(costs.n_origins, 0.0);
  for (std::size_t o = 0; o < costs.n_origins; ++o) {
    tick(o, first + 1, "access per origin");
    double a = 0;
    for (std::uint32_t e = costs.row_start[o]; e < costs.row_start[o + 1]; ++e) {
      a += ratio[costs.dest[e]] * w[e];
    }
    access[o] = a;
  }
  detail::step(progress, 1.0, "done");
  return access;
}

}  // namespace tsunagi::geo::gap
