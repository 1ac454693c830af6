// Siting timings for bench/gap_methods.sh: exact MCLP (GLPK, through geo::gap::solve_mclp) and
// greedy + swap, on spopt's San Francisco example and on a generated instance (random demand
// points and candidate sites in a square, Euclidean costs); time, objective, bound and gap. It
// can also write the generated MCLP as an LP file (the textbook model, no reductions) so that
// the script can time GLPK's and CBC's own solvers on exactly the same model.
//
// usage: tsunagi_gap_timing [--spopt DIR] [--demand N] [--sites M] [--k K] [--radius R]
//                           [--side M] [--seed S] [--time-limit S] [--write-lp FILE] [--pmedian]
//                           [--pmedian-exact-max-pairs N]
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "geo/analysis/siting.hpp"

namespace gap = tsunagi::geo::gap;

namespace {

struct Instance {
  std::string name;
  gap::CostMatrix costs;
  std::vector<double> weight;
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  throw std::runtime_error("no column " + name);
}

Instance load_spopt(const std::filesystem::path& dir) {
  Instance inst;
  inst.name = "spopt-sf";
  std::map<std::string, std::uint32_t> tracts;
  std::ifstream d(dir / "SF_demand_205_centroid_uniform_weight.csv");
  std::string line;
  std::getline(d, line);
  auto h = split_csv(line);
  const auto name_at = column(h, "NAME");
  const auto pop_at = column(h, "POP2000");
  while (std::getline(d, line)) {
    const auto c = split_csv(line);
    tracts.emplace(c[name_at], static_cast<std::uint32_t>(inst.weight.size()));
    inst.weight.push_back(std::stod(c[pop_at]));
  }
  std::ifstream n(dir / "SF_network_distance_candidateStore_16_censusTract_205_new.csv");
  std::getline(n, line);
  h = split_csv(line);
  const auto dist_at = column(h, "distance");
  const auto store_at = column(h, "name");
  const auto tract_at = column(h, "DestinationName");
  std::map<std::string, std::uint32_t> stores;
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> t;
  while (std::getline(n, line)) {
    const auto c = split_csv(line);
    const auto s = stores.emplace(c[store_at], static_cast<std::uint32_t>(stores.size())).first;
    t.emplace_back(tracts.at(c[tract_at]), s->second, std::stod(c[dist_at]));
  }
  inst.costs = gap::CostMatrix::from_triples(tracts.size(), stores.size(), std::move(t));
  return inst;
}

// n demand points (weight 1..500) and m sites, uniform in a side x side square; pairs up to
// `reach` apart are in the matrix.
Instance generate(std::size_t n, std::size_t m, double side, double reach, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> xy(0, side);
  std::uniform_int_distribution<int> w(1, 500);
  Instance inst;
  inst.name = "generated";
  std::vector<std::pair<double, double>> o(n);
  std::vector<std::pair<double, double>> s(m);
  for (auto& p : o) {
    p = {xy(rng), xy(rng)};
    inst.weight.push_back(w(rng));
  }
  for (auto& p : s) p = {xy(rng), xy(rng)};
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> t;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      const double d = std::hypot(o[i].first - s[j].first, o[i].second - s[j].second);
      if (d <= reach) t.emplace_back(i, j, d);
    }
  }
  inst.costs = gap::CostMatrix::from_triples(n, m, std::move(t));
  return inst;
}

// The textbook MCLP (max sum w_i y_i; y_i <= sum_{j covers i} x_j; sum x_j = k; x binary,
// 0 <= y <= 1) in CPLEX LP format, which glpsol and cbc both read.
void write_lp(const Instance& inst, std::size_t k, double radius, const std::string& path) {
  std::ofstream f(path);
  f.precision(17);
  f << "Maximize\n obj:";
  const auto& m = inst.costs;
  for (std::size_t i = 0; i < m.n_origins; ++i) f << " + " << inst.weight[i] << " y" << i << "\n";
  f << "Subject To\n";
  for (std::size_t i = 0; i < m.n_origins; ++i) {
    f << " c" << i << ": y" << i;
    for (std::uint32_t e = m.row_start[i]; e < m.row_start[i + 1]; ++e) {
      if (m.cost[e] <= radius) f << " - x" << m.dest[e];
    }
    f << " <= 0\n";
  }
  f << " k:";
  for (std::size_t j = 0; j < m.n_dests; ++j) f << " + x" << j;
  f << " = " << k << "\nBounds\n";
  for (std::size_t i = 0; i < m.n_origins; ++i) f << " 0 <= y" << i << " <= 1\n";
  f << "Binary\n";
  for (std::size_t j = 0; j < m.n_dests; ++j) f << " x" << j << "\n";
  f << "End\n";
}

void report(const Instance& inst, const char* model, std::size_t k, double radius,
            const gap::SitingResult& r) {
  const double gap_pct =
      r.objective != 0 ? 100.0 * std::fabs(r.bound - r.objective) / std::fabs(r.objective) : 0.0;
  std::printf(
      "%-10s %-8s n=%zu m=%zu pairs=%zu k=%zu radius=%g  %-12s optimal=%d  %9.3f s  "
      "objective=%.17g bound=%.17g gap=%.3f%%\n",
      inst.name.c_str(), model, inst.costs.n_origins, inst.costs.n_dests, inst.costs.entries(), k,
      radius, r.solver.c_str(), r.optimal ? 1 : 0, r.seconds, r.objective, r.bound, gap_pct);
  std::fflush(stdout);
}

void run(const Instance& inst, std::size_t k, double radius, double time_limit, bool pmedian,
         std::size_t pmedian_exact_max_pairs) {
  gap::SitingProblem p;
  p.costs = &inst.costs;
  p.demand_weight = inst.weight;
  p.k = k;
  p.radius = radius;
  gap::SolveOptions exact;
  exact.time_limit_s = time_limit;
  exact.exact_max_pairs = std::numeric_limits<std::size_t>::max();
  exact.pmedian_exact_max_pairs = pmedian_exact_max_pairs;
  gap::SolveOptions greedy = exact;
  greedy.force_greedy = true;
  report(inst, "mclp", k, radius, gap::solve_mclp(p, exact));
  report(inst, "mclp", k, radius, gap::solve_mclp(p, greedy));
  if (pmedian) {
    report(inst, "pmedian", k, radius, gap::solve_pmedian(p, exact));
    report(inst, "pmedian", k, radius, gap::solve_pmedian(p, greedy));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string spopt;
  std::string lp;
  std::size_t n = 2000, m = 200, k = 10;
  double radius = 2500, side = 20000, time_limit = 300;
  unsigned seed = 12;
  bool pmedian = false;
  std::size_t pmedian_exact_max_pairs = gap::SolveOptions{}.pmedian_exact_max_pairs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--spopt") {
      spopt = next();
    } else if (a == "--demand") {
      n = std::stoul(next());
    } else if (a == "--sites") {
      m = std::stoul(next());
    } else if (a == "--k") {
      k = std::stoul(next());
    } else if (a == "--radius") {
      radius = std::stod(next());
    } else if (a == "--side") {
      side = std::stod(next());
    } else if (a == "--seed") {
      seed = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--time-limit") {
      time_limit = std::stod(next());
    } else if (a == "--write-lp") {
      lp = next();
    } else if (a == "--pmedian-exact-max-pairs") {
      pmedian_exact_max_pairs = std::stoul(next());
    } else if (a == "--pmedian") {
      pmedian = true;
    } else {
      std::fprintf(stderr, "tsunagi_gap_timing: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (!spopt.empty()) run(load_spopt(spopt), 4, 5000, time_limit, true, pmedian_exact_max_pairs);
  const Instance g = generate(n, m, side, 2 * radius, seed);
  if (!lp.empty()) {
    write_lp(g, k, radius, lp);
    return 0;
  }
  run(g, k, radius, time_limit, pmedian, pmedian_exact_max_pairs);
  return 0;
}
