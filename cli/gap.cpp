// tsunagi gap: the analysis methods of geo/analysis on plain files — accessibility (2SFCA family)
// and siting (MCLP, p-median). Three parts, kept apart so that store-based modes can reuse the last
// two: reading and checking the files (ids -> indices), running (CostMatrix in, numbers out), and
// writing the answer (indices -> ids). Every file error names the file and line and exits 2
// before anything is printed on stdout.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/commands.hpp"
#include "geo/analysis/accessibility.hpp"
#include "geo/analysis/gap.hpp"
#include "geo/analysis/siting.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/csv.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

namespace gap = geo::gap;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: tsunagi gap coverage|access|rank|site --db FILE --kinds K1,K2 [--target KEY]\n"
    "                  [--max-walk-min N | --max-m M] [--slow] [--area-type T]\n"
    "                  [--demand-area-type T] [--network auto|walking|straight_line]\n"
    "                  [--method 2sfca|e2sfca|g2sfca|3sfca] [--supply sites|capacity]\n"
    "                  [--candidate-kinds K --k K --model mclp|pmedian [--greedy]]\n"
    "                  [--as public|partners|internal] [--format json|csv|geojson]\n"
    "       tsunagi gap access --method METHOD --costs COSTS.csv --demand DEMAND.csv\n"
    "                          --supply SUPPLY.csv [--max-cost C] [--weight W] [--format csv]\n"
    "       tsunagi gap site --model mclp|pmedian --costs COSTS.csv --demand DEMAND.csv --k K\n"
    "                        [--radius R] [--existing ID,...] [--candidates FILE]\n"
    "                        [--time-limit S] [--greedy] [--format json]\n"
    "\n"
    "With --db: the analyses on a store's areas and places, as POST /api/gap/jobs answers them\n"
    "(the same JSON), read as a planner sees them (--as partners; internal = staff). Demand is\n"
    "the area figure --target (default aged_75) at each area's representative point; supply the\n"
    "places of --kinds; walking distances on the stored network (else straight lines, said so).\n"
    "coverage: who is within the limit (default 15 min); rank: areas by people left out, then\n"
    "access; site: where --k new places among --candidate-kinds venues reach the most.\n"
    "\n"
    "access: floating catchment accessibility per demand location (pysal/access's conventions),\n"
    "printed as CSV 'id,access' in DEMAND.csv order.\n"
    "  --method           2sfca | e2sfca | g2sfca | 3sfca\n"
    "  --max-cost C       catchment cut-off, inclusive (default: none)\n"
    "  --weight W         gravity:SCALE:ALPHA[:MIN_DIST] (alpha as given: -1 for 1/c),\n"
    "                     step:10=1,20=0.68,30=0.22 (weight up to each bound), or none;\n"
    "                     default: e2sfca and 3sfca their pysal steps, 2sfca none;\n"
    "                     g2sfca needs a gravity weight\n"
    "site: where to open K new sites (the COSTS.csv destinations), printed as JSON.\n"
    "  --model            mclp (maximal covering within --radius) | pmedian (least total\n"
    "                     demand x cost to the nearest open site)\n"
    "  --radius R         mclp: covered when cost <= R (required); pmedian: only reported\n"
    "  --existing IDS     sites that are open already (they do not count in K)\n"
    "  --candidates FILE  the sites that may be opened, one id a line (default: all others)\n"
    "  --time-limit S     for the exact solver (GLPK), seconds (default 60)\n"
    "  --greedy           greedy + swap instead of the exact solver\n"
    "\n"
    "COSTS.csv has the header origin,dest,cost (origin: a DEMAND.csv id; dest: a SUPPLY.csv id,\n"
    "or a site). DEMAND.csv and SUPPLY.csv have the header id,value. Costs and values are\n"
    "numbers >= 0. Exit code 2 on bad usage or bad input.\n";

/// A problem in the input: the message names the file and line. Exit code 2.
struct InputError : std::runtime_error {
  using runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// Reading the files

/// Ids in file order, and their indices.
struct Ids {
  std::vector<std::string> ids;
  std::unordered_map<std::string, std::uint32_t> index;
  std::optional<std::uint32_t> find(const std::string& id) const {
    const auto it = index.find(id);
    if (it == index.end()) return std::nullopt;
    return it->second;
  }
  std::uint32_t add(const std::string& id) {
    const auto [it, added] = index.emplace(id, static_cast<std::uint32_t>(ids.size()));
    if (added) ids.push_back(id);
    return it->second;
  }
};

struct IdValues {
  Ids ids;
  std::vector<double> values;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

/// A CSV file read record by record (geo::csv::Reader: a UTF-8 BOM, CRLF and quoted cells are
/// accepted, cells are trimmed, blank lines skipped); errors name the file and the line.
class CsvReader {
 public:
  explicit CsvReader(fs::path path)
      : path_(std::move(path)), in_(path_, std::ios::binary), reader_(in_, {.trim = true}) {
    if (!in_) throw InputError(path_.string() + ": cannot open the file");
  }
  /// The next non-blank record's cells, or false at the end.
  bool next(std::vector<std::string>& cells) {
    try {
      return reader_.next(cells);
    } catch (const geo::csv::ReadError& e) {
      throw InputError(path_.string() + ":" + std::to_string(e.line()) + ": " + e.reason());
    }
  }
  [[nodiscard]] std::string where() const {
    return path_.string() + ":" + std::to_string(reader_.line());
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

  /// Reads the header and returns the position of each wanted column.
  std::vector<std::size_t> header(const std::vector<std::string>& wanted) {
    std::vector<std::string> cells;
    if (!next(cells)) {
      throw InputError(path_.string() + ": the file is empty (expected the header " + join(wanted) +
                       ")");
    }
    std::vector<std::size_t> at;
    for (const auto& w : wanted) {
      const auto it = std::find(cells.begin(), cells.end(), w);
      if (it == cells.end()) {
        throw InputError(where() + ": the header has no column '" + w + "' (expected " +
                         join(wanted) + ")");
      }
      at.push_back(static_cast<std::size_t>(it - cells.begin()));
    }
    width_ = cells.size();
    return at;
  }
  void check_width(const std::vector<std::string>& cells) const {
    if (cells.size() != width_) {
      throw InputError(where() + ": " + std::to_string(cells.size()) +
                       " cells where the header has " + std::to_string(width_));
    }
  }

 private:
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }

  fs::path path_;
  std::ifstream in_;
  geo::csv::Reader reader_;
  std::size_t width_ = 0;
};

/// A finite number >= 0, the whole cell.
std::optional<double> parse_non_negative(const std::string& s) {
  double v = 0;
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || p != end || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

double number_cell(const CsvReader& csv, const std::string& cell, const char* what) {
  const auto v = parse_non_negative(cell);
  if (!v) {
    throw InputError(csv.where() + ": " + what + " '" + cell + "' is not a number >= 0");
  }
  return *v;
}

/// DEMAND.csv / SUPPLY.csv: id,value.
IdValues read_id_values(const fs::path& path) {
  CsvReader csv(path);
  const auto at = csv.header({"id", "value"});
  IdValues out;
  std::vector<std::string> cells;
  while (csv.next(cells)) {
    csv.check_width(cells);
    const auto& id = cells[at[0]];
    if (id.empty()) throw InputError(csv.where() + ": the id is empty");
    if (out.ids.find(id)) throw InputError(csv.where() + ": the id '" + id + "' is given twice");
    out.ids.add(id);
    out.values.push_back(number_cell(csv, cells[at[1]], "the value"));
  }
  if (out.values.empty()) throw InputError(path.string() + ": no rows after the header");
  return out;
}

/// COSTS.csv: origin,dest,cost. Origins must be ids of `origins`; destinations ids of `dests`
/// when given, otherwise they are collected (sites) into `found_dests`.
gap::CostMatrix read_costs(const fs::path& path, const Ids& origins,
                           const std::string& origins_file, const Ids* dests,
                           const std::string& dests_file, Ids& found_dests) {
  CsvReader csv(path);
  const auto at = csv.header({"origin", "dest", "cost"});
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> triples;
  std::unordered_map<std::uint64_t, std::size_t> seen;  // (origin, dest) -> line
  std::vector<std::string> cells;
  while (csv.next(cells)) {
    csv.check_width(cells);
    const auto& o_id = cells[at[0]];
    const auto& d_id = cells[at[1]];
    const auto o = origins.find(o_id);
    if (!o) {
      throw InputError(csv.where() + ": origin '" + o_id + "' is not an id of " + origins_file);
    }
    std::uint32_t d = 0;
    if (dests != nullptr) {
      const auto found = dests->find(d_id);
      if (!found) {
        throw InputError(csv.where() + ": dest '" + d_id + "' is not an id of " + dests_file);
      }
      d = *found;
    } else {
      if (d_id.empty()) throw InputError(csv.where() + ": the dest id is empty");
      d = found_dests.add(d_id);
    }
    const double c = number_cell(csv, cells[at[2]], "the cost");
    const auto key = (static_cast<std::uint64_t>(*o) << 32U) | d;
    if (!seen.emplace(key, triples.size()).second) {
      throw InputError(csv.where() + ": the pair origin '" + o_id + "', dest '" + d_id +
                       "' is given twice");
    }
    triples.emplace_back(*o, d, c);
  }
  if (triples.empty()) throw InputError(path.string() + ": no rows after the header");
  const std::size_t n_dests = dests != nullptr ? dests->ids.size() : found_dests.ids.size();
  return gap::CostMatrix::from_triples(origins.ids.size(), n_dests, std::move(triples));
}

/// --candidates FILE: one site id a line; a first line 'id' is a header.
std::vector<std::uint32_t> read_candidates(const fs::path& path, const Ids& sites) {
  CsvReader csv(path);
  std::vector<std::string> cells;
  std::vector<std::uint32_t> out;
  std::vector<char> seen(sites.ids.size(), 0);
  bool first = true;
  while (csv.next(cells)) {
    if (first && cells.size() == 1 && cells[0] == "id" && !sites.find("id")) {
      first = false;
      continue;
    }
    first = false;
    if (cells.size() != 1) throw InputError(csv.where() + ": one site id a line");
    const auto j = sites.find(cells[0]);
    if (!j) throw InputError(csv.where() + ": site '" + cells[0] + "' is not a dest of the costs");
    if (seen[*j]) throw InputError(csv.where() + ": site '" + cells[0] + "' is given twice");
    seen[*j] = 1;
    out.push_back(*j);
  }
  if (out.empty()) throw InputError(path.string() + ": no candidate sites");
  return out;
}

double parse_number_arg(const std::string& flag, const std::string& v) {
  const auto n = parse_non_negative(v);
  if (!n) throw InputError(flag + " needs a number >= 0, not '" + v + "'");
  return *n;
}

/// --weight gravity:SCALE:ALPHA[:MIN_DIST] | step:B=W,B=W... | none
gap::Weight parse_weight(const std::string& v) {
  auto number = [&](const std::string& s) {
    double x = 0;
    const auto* end = s.data() + s.size();
    const auto [p, ec] = std::from_chars(s.data(), end, x);
    if (s.empty() || ec != std::errc() || p != end || !std::isfinite(x)) {
      throw InputError("--weight: '" + s + "' is not a number (in '" + v + "')");
    }
    return x;
  };
  auto split = [](const std::string& s, char sep) {
    std::vector<std::string> parts(1);
    for (const char c : s) {
      if (c == sep) {
        parts.emplace_back();
      } else {
        parts.back() += c;
      }
    }
    return parts;
  };
  if (v == "none") return gap::Weight::none();
  if (v.rfind("gravity:", 0) == 0) {
    const auto p = split(v.substr(8), ':');
    if (p.size() < 2 || p.size() > 3) {
      throw InputError("--weight gravity needs SCALE:ALPHA[:MIN_DIST], e.g. gravity:60:-1");
    }
    return gap::Weight::gravity(number(p[0]), number(p[1]), p.size() == 3 ? number(p[2]) : 0.0);
  }
  if (v.rfind("step:", 0) == 0) {
    std::vector<std::pair<double, double>> steps;
    for (const auto& s : split(v.substr(5), ',')) {
      const auto kv = split(s, '=');
      if (kv.size() != 2) {
        throw InputError("--weight step needs BOUND=WEIGHT pairs, e.g. step:10=1,20=0.68");
      }
      steps.emplace_back(number(kv[0]), number(kv[1]));
    }
    return gap::Weight::step(std::move(steps));
  }
  throw InputError("--weight must be gravity:SCALE:ALPHA[:MIN_DIST], step:B=W,... or none");
}

// ---------------------------------------------------------------------------------------------
// A progress bar on stderr, drawn only on a terminal.

class TerminalBar : public gap::Progress {
 public:
  TerminalBar() : on_(isatty(STDERR_FILENO) != 0) {}
  TerminalBar(const TerminalBar&) = delete;
  TerminalBar& operator=(const TerminalBar&) = delete;
  ~TerminalBar() override { clear(); }
  void report(double fraction, std::string_view stage) override {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) return;
    last_ = now;
    drawn_ = true;
    constexpr int kWidth = 30;
    const int full = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * kWidth);
    std::fprintf(stderr, "\r%3d%% [%s%s] %-40.*s", static_cast<int>(fraction * 100),
                 std::string(static_cast<std::size_t>(full), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - full), ' ').c_str(),
                 static_cast<int>(std::min<std::size_t>(stage.size(), 40)), stage.data());
    std::fflush(stderr);
  }
  void clear() {
    if (on_ && drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }

 private:
  bool on_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// ---------------------------------------------------------------------------------------------
// Running: indices in, numbers out (no files, no ids).

std::vector<double> run_access(const gap::CostMatrix& costs, std::span<const double> demand,
                               std::span<const double> supply, const gap::AccessOptions& options,
                               gap::Progress* progress) {
  return gap::accessibility(costs, demand, supply, options, progress);
}

enum class SiteModel { mclp, pmedian };

gap::SitingResult run_site(SiteModel model, const gap::SitingProblem& problem,
                           const gap::SolveOptions& options, gap::Progress* progress) {
  return model == SiteModel::mclp ? gap::solve_mclp(problem, options, progress)
                                  : gap::solve_pmedian(problem, options, progress);
}

// ---------------------------------------------------------------------------------------------
// Writing the answer: indices back to ids.

std::string format_number(double v) {
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, p) : std::to_string(v);
}

std::string access_csv(const Ids& demand, const std::vector<double>& access) {
  std::string out = "id,access\n";
  for (std::size_t i = 0; i < access.size(); ++i) {
    geo::csv::append_row(out, {demand.ids[i], format_number(access[i])}, "\n");
  }
  return out;
}

nlohmann::ordered_json site_json(const gap::SitingResult& r, const Ids& sites, const Ids& demand) {
  nlohmann::ordered_json chosen = nlohmann::ordered_json::array();
  for (const auto j : r.chosen) chosen.push_back(sites.ids[j]);
  nlohmann::ordered_json uncovered = nlohmann::ordered_json::array();
  for (const auto i : r.uncovered_origins) uncovered.push_back(demand.ids[i]);
  return {{"solver", r.solver},
          {"optimal", r.optimal},
          {"chosen", chosen},
          {"objective", r.objective},
          {"bound", r.bound},
          {"covered_weight", r.covered_weight},
          {"uncovered_demand_ids", uncovered},
          {"seconds", r.seconds}};
}

// ---------------------------------------------------------------------------------------------
// The subcommands

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi gap: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

int input_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi gap: %s\n", message.c_str());
  return 2;
}

struct Options {
  std::unordered_map<std::string, std::string> values;
  bool greedy = false;
};

/// Flags with a value, from `allowed`; --greedy where `allow_greedy`.
Options parse_flags(Args args, const std::vector<std::string>& allowed, bool allow_greedy) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string a(args[i]);
    if (allow_greedy && a == "--greedy") {
      o.greedy = true;
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), a) == allowed.end()) {
      throw std::invalid_argument("unknown option '" + a + "'");
    }
    if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
    if (!o.values.emplace(a, std::string(args[++i])).second) {
      throw std::invalid_argument(a + " is given twice");
    }
  }
  return o;
}

std::string require(const Options& o, const std::string& flag) {
  const auto it = o.values.find(flag);
  if (it == o.values.end()) throw std::invalid_argument(flag + " is required");
  return it->second;
}

std::optional<std::string> optional(const Options& o, const std::string& flag) {
  const auto it = o.values.find(flag);
  if (it == o.values.end()) return std::nullopt;
  return it->second;
}

int gap_access(Args args) {
  Options o;
  gap::AccessOptions options;
  std::string costs_file, demand_file, supply_file;
  try {
    o = parse_flags(
        args, {"--method", "--costs", "--demand", "--supply", "--max-cost", "--weight", "--format"},
        false);
    const auto method = require(o, "--method");
    if (method == "2sfca") {
      options.method = gap::AccessMethod::two_sfca;
    } else if (method == "e2sfca") {
      options.method = gap::AccessMethod::e2sfca;
    } else if (method == "g2sfca") {
      options.method = gap::AccessMethod::g2sfca;
    } else if (method == "3sfca") {
      options.method = gap::AccessMethod::three_sfca;
    } else {
      throw std::invalid_argument("--method must be 2sfca, e2sfca, g2sfca or 3sfca, not '" +
                                  method + "'");
    }
    costs_file = require(o, "--costs");
    demand_file = require(o, "--demand");
    supply_file = require(o, "--supply");
    if (const auto f = optional(o, "--format"); f && *f != "csv") {
      throw std::invalid_argument("gap access writes --format csv only");
    }
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  try {
    if (const auto v = optional(o, "--max-cost"))
      options.max_cost = parse_number_arg("--max-cost", *v);
    if (const auto v = optional(o, "--weight")) options.weight = parse_weight(*v);
    // The options are checked before any file is read.
    static_cast<void>(gap::effective_weight(options));
    const IdValues demand = read_id_values(demand_file);
    const IdValues supply = read_id_values(supply_file);
    Ids unused;
    const auto costs =
        read_costs(costs_file, demand.ids, demand_file, &supply.ids, supply_file, unused);
    TerminalBar bar;
    const auto access = run_access(costs, demand.values, supply.values, options, &bar);
    bar.clear();
    std::fputs(access_csv(demand.ids, access).c_str(), stdout);
    return 0;
  } catch (const InputError& e) {
    return input_error(e.what());
  } catch (const geo::InvalidArgument& e) {
    return input_error(e.what());
  }
}

int gap_site(Args args) {
  Options o;
  SiteModel model = SiteModel::mclp;
  try {
    o = parse_flags(args,
                    {"--model", "--costs", "--demand", "--k", "--radius", "--existing",
                     "--candidates", "--time-limit", "--format"},
                    true);
    const auto m = require(o, "--model");
    if (m == "mclp") {
      model = SiteModel::mclp;
    } else if (m == "pmedian") {
      model = SiteModel::pmedian;
    } else {
      throw std::invalid_argument("--model must be mclp or pmedian, not '" + m + "'");
    }
    require(o, "--costs");
    require(o, "--demand");
    require(o, "--k");
    if (model == SiteModel::mclp && !optional(o, "--radius")) {
      throw std::invalid_argument("--radius is required for --model mclp");
    }
    if (const auto f = optional(o, "--format"); f && *f != "json") {
      throw std::invalid_argument("gap site writes --format json only");
    }
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  IdValues demand;
  Ids sites;
  try {
    gap::SitingProblem problem;
    gap::SolveOptions options;
    options.force_greedy = o.greedy;
    const auto k_text = require(o, "--k");
    std::size_t k = 0;
    {
      const auto* end = k_text.data() + k_text.size();
      const auto [p, ec] = std::from_chars(k_text.data(), end, k);
      if (k_text.empty() || ec != std::errc() || p != end) {
        throw InputError("--k needs a whole number >= 0, not '" + k_text + "'");
      }
    }
    problem.k = k;
    if (const auto v = optional(o, "--radius")) problem.radius = parse_number_arg("--radius", *v);
    if (const auto v = optional(o, "--time-limit")) {
      options.time_limit_s = parse_number_arg("--time-limit", *v);
      if (options.time_limit_s <= 0) throw InputError("--time-limit must be more than 0 seconds");
    }
    demand = read_id_values(require(o, "--demand"));
    const auto costs =
        read_costs(require(o, "--costs"), demand.ids, require(o, "--demand"), nullptr, "", sites);
    if (const auto v = optional(o, "--existing")) {
      std::string id;
      std::vector<char> seen(sites.ids.size(), 0);
      for (std::size_t i = 0; i <= v->size(); ++i) {
        if (i < v->size() && (*v)[i] != ',') {
          id += (*v)[i];
          continue;
        }
        id = trim(id);
        const auto j = sites.find(id);
        if (!j) throw InputError("--existing: site '" + id + "' is not a dest of the costs");
        if (!seen[*j]) problem.existing.push_back(*j);
        seen[*j] = 1;
        id.clear();
      }
    }
    if (const auto v = optional(o, "--candidates")) problem.candidates = read_candidates(*v, sites);
    problem.costs = &costs;
    problem.demand_weight = demand.values;
    TerminalBar bar;
    const auto result = run_site(model, problem, options, &bar);
    bar.clear();
    std::puts(site_json(result, sites, demand.ids)
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
    return 0;
  } catch (const InputError& e) {
    return input_error(e.what());
  } catch (const gap::Infeasible& e) {
    std::string ids;
    for (std::size_t i = 0; i < e.origins().size() && i < 10; ++i) {
      ids += (i > 0 ? ", " : "") + demand.ids.ids[e.origins()[i]];
    }
    if (e.origins().size() > 10) ids += ", ...";
    return input_error(std::string(e.what()) + (ids.empty() ? "" : ": demand ids " + ids));
  } catch (const geo::InvalidArgument& e) {
    return input_error(e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// Store-based analyses: the same request and answer as POST /api/gap/jobs.

int gap_store(std::string_view mode, Args args) {
  std::string db;
  std::string format = "json";
  std::string audience = "partners";
  json request{{"analysis", std::string(mode)}};
  auto split = [](const std::string& v) {
    json out = json::array();
    std::size_t at = 0;
    while (at <= v.size()) {
      const auto comma = v.find(',', at);
      const auto part = v.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    return out;
  };
  auto number = [](const std::string& flag, const std::string& v) {
    double d = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || end != v.data() + v.size()) {
      throw std::invalid_argument(flag + " must be a number, not '" + v + "'");
    }
    return d;
  };
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string a(args[i]);
      if (a == "--greedy") {
        request["greedy"] = true;
        continue;
      }
      if (a == "--slow") {
        request["walking_profile"] = "slow";
        continue;
      }
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      const std::string v(args[++i]);
      if (a == "--db") {
        db = v;
      } else if (a == "--format") {
        format = v;
      } else if (a == "--as") {
        audience = v;
      } else if (a == "--kinds") {
        request["kinds"] = split(v);
      } else if (a == "--candidate-kinds") {
        request["candidate_kinds"] = split(v);
      } else if (a == "--target") {
        request["target"] = v;
      } else if (a == "--max-walk-min") {
        request["max_walk_min"] = number(a, v);
      } else if (a == "--max-m") {
        request["max_m"] = number(a, v);
      } else if (a == "--area-type") {
        request["area_type"] = v;
      } else if (a == "--demand-area-type") {
        request["demand_area_type"] = v;
      } else if (a == "--network") {
        request["network"] = v;
      } else if (a == "--method") {
        request["method"] = v;
      } else if (a == "--supply") {
        request["supply"] = v;
      } else if (a == "--model") {
        request["model"] = v;
      } else if (a == "--k") {
        request["k"] = static_cast<std::int64_t>(number(a, v));
      } else if (a == "--time-limit") {
        request["time_limit_s"] = number(a, v);
      } else {
        throw std::invalid_argument("unknown option '" + a + "'");
      }
    }
    if (format != "json" && format != "csv" && format != "geojson") {
      throw std::invalid_argument("--format must be json, csv or geojson");
    }
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  const auto who = geo::parse_audience(audience);
  if (!who) return usage_error("--as must be public, partners (planners) or internal (staff)");
  if (!geo::Store::exists(db)) return input_error(db + " does not exist");
  try {
    const auto store = geo::Store::open(db, geo::Store::Mode::read_only);
    const auto snapshot = geo::Snapshot::build(store);
    const auto parsed = gap::parse_analysis_request(request.dump());
    TerminalBar bar;
    const std::string answer = gap::run_analysis(*snapshot, *who, parsed, store.sources(), &bar);
    bar.clear();
    std::string out;
    if (format == "csv") {
      out = gap::answer_csv(answer);
    } else if (format == "geojson") {
      out = gap::answer_geojson(*snapshot, *who, answer, false);
    } else {
      out = answer;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (format != "csv") std::fputc('\n', stdout);
    return 0;
  } catch (const geo::InvalidArgument& e) {
    return input_error(e.what());
  } catch (const std::exception& e) {
    return input_error(e.what());
  }
}

}  // namespace

int gap(Args args) {
  if (args.empty()) return usage_error("give a mode: access or site");
  const std::string_view mode = args[0];
  if (mode == "--help" || mode == "-h" || mode == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  for (const auto a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  const bool store_mode = std::find(args.begin(), args.end(), "--db") != args.end();
  const bool file_mode = std::any_of(args.begin(), args.end(), [](std::string_view a) {
    return a == "--costs" || a == "--demand" || a == "--supply";
  });
  if (store_mode && file_mode) {
    return usage_error("--db (a store) and --costs/--demand/--supply (files) cannot be combined");
  }
  if (store_mode && (mode == "coverage" || mode == "access" || mode == "rank" || mode == "site")) {
    return gap_store(mode, args.subspan(1));
  }
  if (mode == "access") return gap_access(args.subspan(1));
  if (mode == "site") return gap_site(args.subspan(1));
  return usage_error("unknown mode '" + std::string(mode) +
                     "' (access or site on files; coverage, access, rank or site with --db)");
}

}  // namespace tsunagi::cli
