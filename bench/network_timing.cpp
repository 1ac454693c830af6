// Walking catchments on one graph, timed per origin: tsunagi's bounded CSR Dijkstra
// (geo::WalkGraph::reach) and Boost.Graph's dijkstra_shortest_paths on a compressed sparse row
// graph with an early stop (a visitor that stops at the limit) — the choice the issue asks to
// make by measurement. bench/network_bench.sh runs SpatiaLite VirtualRouting and pgRouting on the
// same graph and origins.
//
// usage: tsunagi_network_timing (--db STORE | --nodes nodes.csv --edges edges.csv)
//                               --limit METRES [--origins N] [--repeat K] [--dump DIR]
//                               [--put-into STORE]
// prints: origin_node reached_ours reached_boost us_ours us_boost  (origins are 1-based node
// ids as in nodes.csv; for a store, indexes + 1)
#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "geo/spatial/network.hpp"
#include "geo/store/store.hpp"

namespace {

using namespace tsunagi;

geo::NetworkData read_csv(const std::string& nodes_csv, const std::string& edges_csv) {
  geo::NetworkData d;
  std::ifstream nodes(nodes_csv);
  std::string line;
  std::getline(nodes, line);  // header
  while (std::getline(nodes, line)) {
    std::stringstream s(line);
    std::string id;
    std::string lon;
    std::string lat;
    std::getline(s, id, ',');
    std::getline(s, lon, ',');
    std::getline(s, lat, ',');
    d.lon.push_back(std::stod(lon));
    d.lat.push_back(std::stod(lat));
  }
  std::ifstream edges(edges_csv);
  std::getline(edges, line);
  while (std::getline(edges, line)) {
    std::stringstream s(line);
    std::string id;
    std::string a;
    std::string b;
    std::string len;
    std::getline(s, id, ',');
    std::getline(s, a, ',');
    std::getline(s, b, ',');
    std::getline(s, len, ',');
    d.edges.push_back({static_cast<std::uint32_t>(std::stoul(a) - 1),
                       static_cast<std::uint32_t>(std::stoul(b) - 1), std::stof(len), false});
  }
  return d;
}

struct Weight {
  float w = 0;
};
using Csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Weight>;
struct Stop {};
struct EarlyStop : boost::default_dijkstra_visitor {
  const std::vector<float>* dist;
  float limit;
  std::size_t* reached;
  template <typename V, typename G>
  void examine_vertex(V u, const G& /*g*/) {
    if ((*dist)[u] > limit) throw Stop{};
    ++*reached;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  std::string nodes_csv;
  std::string edges_csv;
  double limit = 1200;
  int origins = 200;
  int repeat = 3;
  std::string dump;      // write nodes.csv and edges.csv of the graph here, for the other peers
  std::string put_into;  // store the graph as this store's walking network (match benchmark)
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--db") db = argv[i + 1];
    if (a == "--nodes") nodes_csv = argv[i + 1];
    if (a == "--edges") edges_csv = argv[i + 1];
    if (a == "--limit") limit = std::stod(argv[i + 1]);
    if (a == "--origins") origins = std::stoi(argv[i + 1]);
    if (a == "--repeat") repeat = std::stoi(argv[i + 1]);
    if (a == "--dump") dump = argv[i + 1];
    if (a == "--put-into") put_into = argv[i + 1];
  }
  geo::NetworkData data;
  if (!db.empty()) {
    const auto store = geo::Store::open(db, geo::Store::Mode::read_only);
    data = *store.network();
  } else {
    data = read_csv(nodes_csv, edges_csv);
  }
  const geo::WalkGraph graph{geo::NetworkData(data)};
  if (!put_into.empty()) {
    auto store = geo::Store::open(put_into, geo::Store::Mode::open_existing);
    data.source = edges_csv.empty() ? "store" : edges_csv;
    store.put_network(data);
  }
  if (!dump.empty()) {
    std::ofstream nodes(dump + "/nodes.csv");
    nodes << "node_id,lon,lat\n";
    for (std::size_t i = 0; i < data.lon.size(); ++i) {
      nodes << i + 1 << ',' << std::to_string(data.lon[i]) << ',' << std::to_string(data.lat[i])
            << '\n';
    }
    std::ofstream edges(dump + "/edges.csv");
    edges << "edge_id,source,target,length_m\n";
    for (std::size_t i = 0; i < data.edges.size(); ++i) {
      edges << i + 1 << ',' << data.edges[i].a + 1 << ',' << data.edges[i].b + 1 << ','
            << data.edges[i].length_m << '\n';
    }
  }

  std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
  std::vector<Weight> weights;
  for (const auto& e : data.edges) {
    arcs.emplace_back(e.a, e.b);
    weights.push_back({e.length_m});
    arcs.emplace_back(e.b, e.a);
    weights.push_back({e.length_m});
  }
  std::vector<std::size_t> order(arcs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto x, auto y) { return arcs[x] < arcs[y]; });
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted_arcs;
  std::vector<Weight> sorted_weights;
  for (const auto i : order) {
    sorted_arcs.push_back(arcs[i]);
    sorted_weights.push_back(weights[i]);
  }
  const Csr csr(boost::edges_are_sorted, sorted_arcs.begin(), sorted_arcs.end(),
                sorted_weights.begin(), graph.node_count());

  // Origins on the largest part of the graph: nodes with at least one edge, spread by a seed.
  std::vector<std::uint32_t> incident(graph.node_count(), 0);
  std::vector<std::uint32_t> edge_of(graph.node_count(), 0);
  for (std::uint32_t i = 0; i < data.edges.size(); ++i) {
    ++incident[data.edges[i].a];
    ++incident[data.edges[i].b];
    edge_of[data.edges[i].a] = i;
    edge_of[data.edges[i].b] = i;
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::uint32_t> pick(
      0, static_cast<std::uint32_t>(graph.node_count() - 1));
  std::vector<float> dist(graph.node_count());
  for (int k = 0; k < origins; ++k) {
    std::uint32_t n = pick(rng);
    while (incident[n] == 0) n = pick(rng);
    const auto& e = data.edges[edge_of[n]];
    geo::WalkGraph::Snap s;
    s.edge = edge_of[n];
    s.a = n;
    s.b = e.a == n ? e.b : e.a;
    s.to_a_m = 0;
    s.to_b_m = e.length_m;
    s.lon = graph.lon(n);
    s.lat = graph.lat(n);
    double best_ours = 1e18;
    double best_boost = 1e18;
    std::size_t reached_ours = 0;
    std::size_t reached_boost = 0;
    for (int r = 0; r < repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      const auto reach = graph.reach(s, limit, false);
      auto t1 = std::chrono::steady_clock::now();
      reached_ours = reach.settled().size();
      best_ours = std::min(best_ours, std::chrono::duration<double, std::micro>(t1 - t0).count());

      reached_boost = 0;
      EarlyStop vis;
      vis.dist = &dist;
      vis.limit = static_cast<float>(limit);
      vis.reached = &reached_boost;
      t0 = std::chrono::steady_clock::now();
      try {
        boost::dijkstra_shortest_paths(csr, n,
                                       boost::weight_map(boost::get(&Weight::w, csr))
                                           .distance_map(boost::make_iterator_property_map(
                                               dist.begin(), boost::get(boost::vertex_index, csr)))
                                           .visitor(vis));
      } catch (const Stop&) {
      }
      t1 = std::chrono::steady_clock::now();
      best_boost = std::min(best_boost, std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::printf("%u %zu %zu %.1f %.1f\n", n + 1, reached_ours, reached_boost, best_ours,
                best_boost);
  }
  return 0;
}
