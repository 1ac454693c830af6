// Straight-line coverage and 2SFCA at national scale (bench/gap_scale.sh): reads gen_synth.py's
// resources.csv (supply: capacity) and meshes.csv (demand: pop65 at each 250 m cell's centre),
// writes the exact points it used (for the peers), runs geo::gap::covered_within,
// two_sfca_within and nearest_within — the code tsunagi's analyses run — and prints times, peak
// memory and totals;
// the per-point answers go to coverage.csv and access.csv for the identity check.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "geo/analysis/gap.hpp"
#include "geo/analysis/straight_line.hpp"
#include "geo/spatial/network.hpp"

namespace gap = tsunagi::geo::gap;

namespace {

/// The numbers inside a WKT ("POINT (x y)" / "POLYGON ((x y, ...))"), in order.
std::vector<double> wkt_numbers(const std::string& wkt) {
  std::vector<double> out;
  const char* p = wkt.c_str();
  while (*p != 0) {
    if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '.') {
      char* end = nullptr;
      out.push_back(std::strtod(p, &end));
      p = end;
    } else {
      ++p;
    }
  }
  return out;
}

/// CSV fields; a quoted field may hold commas (the WKT column).
std::vector<std::string> fields(const std::string& line) {
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

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  std::string out = ".";
  double max_m = 1000;
  unsigned threads = 2;
  std::string network;  // a gen_network.py directory: walking coverage instead
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--network") network = argv[i + 1];
    if (a == "--data") dir = argv[i + 1];
    if (a == "--out") out = argv[i + 1];
    if (a == "--max-m") max_m = std::stod(argv[i + 1]);
    if (a == "--threads") threads = static_cast<unsigned>(std::stoul(argv[i + 1]));
  }
  const auto t_read = std::chrono::steady_clock::now();
  std::vector<tsunagi::geo::LonLat> supply;
  std::vector<double> cap;
  {
    std::ifstream in(dir + "/resources.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = fields(line);
      const auto xy = wkt_numbers(f.at(5));
      supply.push_back({xy.at(0), xy.at(1)});
      cap.push_back(std::stod(f.at(2)));
    }
  }
  std::vector<tsunagi::geo::LonLat> demand;
  std::vector<double> pop;
  {
    std::ifstream in(dir + "/meshes.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto f = fields(line);
      const auto c = wkt_numbers(f.at(3));
      // The cell's centre: the mean of its four corners (the ring repeats the first).
      double x = 0;
      double y = 0;
      for (std::size_t k = 0; k < 8; k += 2) {
        x += c.at(k);
        y += c.at(k + 1);
      }
      demand.push_back({x / 4, y / 4});
      pop.push_back(std::stod(f.at(2)));
    }
  }
  const double read_s = seconds_since(t_read);
  {
    std::ofstream d(out + "/demand_points.csv");
    d.precision(12);
    d << "id,lon,lat,value\n";
    for (std::size_t i = 0; i < demand.size(); ++i) {
      d << i << ',' << demand[i].lon << ',' << demand[i].lat << ',' << pop[i] << '\n';
    }
    std::ofstream s(out + "/supply_points.csv");
    s.precision(12);
    s << "id,lon,lat,value\n";
    for (std::size_t j = 0; j < supply.size(); ++j) {
      s << j << ',' << supply[j].lon << ',' << supply[j].lat << ',' << cap[j] << '\n';
    }
  }

  if (!network.empty()) {
    // Walking-network coverage: the pairs within max_m on foot, then who has one.
    tsunagi::geo::NetworkData nd;
    std::ifstream nodes(network + "/nodes.csv");
    std::string line;
    std::getline(nodes, line);
    while (std::getline(nodes, line)) {
      const auto f = fields(line);
      nd.lon.push_back(std::stod(f.at(1)));
      nd.lat.push_back(std::stod(f.at(2)));
    }
    std::ifstream edges(network + "/edges.csv");
    std::getline(edges, line);
    while (std::getline(edges, line)) {
      const auto f = fields(line);
      nd.edges.push_back({static_cast<std::uint32_t>(std::stoul(f.at(1)) - 1),
                          static_cast<std::uint32_t>(std::stoul(f.at(2)) - 1), std::stof(f.at(3)),
                          false});
    }
    const auto t_graph = std::chrono::steady_clock::now();
    const tsunagi::geo::WalkGraph g(std::move(nd));
    const double graph_s = seconds_since(t_graph);
    // Coverage as the store analysis runs it: one multi-source search for the nearest place.
    const auto t_walk = std::chrono::steady_clock::now();
    std::size_t unsnapped = 0;
    const auto nearest = gap::walking_nearest(g, demand, supply, max_m, nullptr, unsnapped);
    std::vector<char> covered(demand.size(), 0);
    for (const auto& [i, j, m] : nearest) covered[i] = 1;
    const double walk_s = seconds_since(t_walk);
    // Every pair within the limit (what access and siting need): one search per place.
    const auto t_pairs = std::chrono::steady_clock::now();
    std::size_t unsnapped2 = 0;
    const auto pairs = gap::walking_pairs(g, demand, supply, max_m, nullptr, unsnapped2);
    std::vector<char> covered2(demand.size(), 0);
    for (const auto& [i, j, m] : pairs) covered2[i] = 1;
    const double pairs_s = seconds_since(t_pairs);
    if (covered != covered2) std::printf("DIFFERENT coverage from the two methods\n");
    double cov_pop = 0;
    double total = 0;
    for (std::size_t i = 0; i < demand.size(); ++i) {
      total += pop[i];
      if (covered[i] != 0) cov_pop += pop[i];
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf(
        "walking: nodes %zu edges %zu demand %zu places %zu max_m %.0f\ngraph_s %.3f "
        "walking_coverage_s %.3f all_pairs_s %.3f pairs %zu unsnapped %zu peak_rss_mib %.1f\n"
        "covered_pop %.0f of "
        "%.0f\n",
        g.node_count(), g.edge_count(), demand.size(), supply.size(), max_m, graph_s, walk_s,
        pairs_s, pairs.size(), unsnapped, static_cast<double>(ru.ru_maxrss) / 1024.0, cov_pop,
        total);
    return 0;
  }

  const auto t_cov = std::chrono::steady_clock::now();
  const auto covered_flags = gap::covered_within(demand, supply, max_m, threads);
  const double cov_s = seconds_since(t_cov);
  const auto t_acc = std::chrono::steady_clock::now();
  const auto access = gap::two_sfca_within(demand, pop, supply, cap, max_m, threads);
  const double acc_s = seconds_since(t_acc);
  // The nearest place's distance, what scipy's query(k=1) gives: every place in reach is looked
  // at, not just the first.
  const auto t_near = std::chrono::steady_clock::now();
  const auto nearest = gap::nearest_within(demand, supply, max_m, threads);
  const double near_s = seconds_since(t_near);
  std::size_t near_differs = 0;
  for (std::size_t i = 0; i < demand.size(); ++i) {
    if (std::isfinite(nearest[i]) != (covered_flags[i] != 0)) ++near_differs;
  }

  double covered = 0;
  double total = 0;
  std::size_t covered_cells = 0;
  double access_sum = 0;
  for (std::size_t i = 0; i < demand.size(); ++i) {
    total += pop[i];
    if (covered_flags[i] != 0) {
      covered += pop[i];
      ++covered_cells;
    }
    access_sum += access[i];
  }
  {
    std::ofstream c(out + "/coverage.csv");
    c << "id,covered\n";
    for (std::size_t i = 0; i < demand.size(); ++i)
      c << i << ',' << static_cast<int>(covered_flags[i]) << '\n';
    std::ofstream a(out + "/access.csv");
    a.precision(17);
    a << "id,access\n";
    for (std::size_t i = 0; i < demand.size(); ++i) a << i << ',' << access[i] << '\n';
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "demand %zu supply %zu max_m %.0f threads %u\nread_s %.3f coverage_s %.3f access_s %.3f "
      "analysis_s %.3f peak_rss_mib %.1f\ncovered_pop %.0f of %.0f (cells %zu) access_sum %.9g\n",
      demand.size(), supply.size(), max_m, threads, read_s, cov_s, acc_s, cov_s + acc_s,
      static_cast<double>(ru.ru_maxrss) / 1024.0, covered, total, covered_cells, access_sum);
  // Its own line: bench/runner reads "coverage_s … access_s …" from the line above.
  std::printf("nearest_s %.3f (nearest_within; cells whose coverage it contradicts: %zu)\n", near_s,
              near_differs);
  return 0;
}
