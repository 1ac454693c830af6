#include "geo/spatial/network.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"

namespace tsunagi::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using Point2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<Point2>;
using Entry = std::pair<Box2, std::uint32_t>;

constexpr double kMetresPerDegreeLat = 110574.0;

}  // namespace

// Edges as boxes in a local plane (metres, equirectangular at the network's mean latitude):
// good to a fraction of a percent over a municipality, and only used to find candidates.
struct WalkGraph::SegmentIndex {
  double mx = 111320.0;  ///< metres per degree of longitude here
  bgi::rtree<Entry, bgi::rstar<16>> tree;
};

WalkGraph::WalkGraph(NetworkData data)
    : data_(std::move(data)), index_(std::make_unique<SegmentIndex>()) {
  lon_ = data_.lon;
  lat_ = data_.lat;
  const auto n = static_cast<std::uint32_t>(lon_.size());
  if (lat_.size() != lon_.size()) throw InvalidArgument("network: as many lats as lons needed");
  std::vector<std::uint32_t> degree(n + 1, 0);
  for (const auto& e : data_.edges) {
    if (e.a >= n || e.b >= n) throw InvalidArgument("network: an edge names a missing node");
    if (!(e.length_m >= 0) || !std::isfinite(e.length_m)) {
      throw InvalidArgument("network: an edge has no valid length");
    }
    ++degree[e.a];
    ++degree[e.b];
    edge_a_.push_back(e.a);
    edge_b_.push_back(e.b);
  }
  offset_.assign(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) offset_[i + 1] = offset_[i] + degree[i];
  head_.resize(offset_[n]);
  length_.resize(offset_[n]);
  steps_.resize(offset_[n]);
  std::vector<std::uint32_t> fill(offset_.begin(), offset_.end() - 1);
  for (const auto& e : data_.edges) {
    for (const auto& [from, to] : {std::pair{e.a, e.b}, std::pair{e.b, e.a}}) {
      const std::uint32_t k = fill[from]++;
      head_[k] = to;
      length_[k] = e.length_m;
      steps_[k] = e.steps ? 1 : 0;
    }
  }
  double lat_sum = 0;
  for (const double v : lat_) lat_sum += v;
  const double lat0 = n > 0 ? lat_sum / n : 35.0;
  index_->mx = 111320.0 * std::cos(lat0 * M_PI / 180.0);
  std::vector<Entry> boxes;
  boxes.reserve(edge_a_.size());
  for (std::uint32_t i = 0; i < edge_a_.size(); ++i) {
    const double x1 = lon_[edge_a_[i]] * index_->mx;
    const double y1 = lat_[edge_a_[i]] * kMetresPerDegreeLat;
    const double x2 = lon_[edge_b_[i]] * index_->mx;
    const double y2 = lat_[edge_b_[i]] * kMetresPerDegreeLat;
    boxes.emplace_back(
        Box2({std::min(x1, x2), std::min(y1, y2)}, {std::max(x1, x2), std::max(y1, y2)}), i);
  }
  index_->tree = bgi::rtree<Entry, bgi::rstar<16>>(boxes);
}

WalkGraph::~WalkGraph() = default;

std::optional<WalkGraph::Snap> WalkGraph::snap(double lon, double lat, double max_m) const {
  const double px = lon * index_->mx;
  const double py = lat * kMetresPerDegreeLat;
  std::optional<Snap> best;
  double best_d = std::numeric_limits<double>::infinity();
  // Nearest boxes first; a box farther than the best segment so far cannot hold a nearer one.
  for (auto it = index_->tree.qbegin(bgi::nearest(Point2(px, py), 64)); it != index_->tree.qend();
       ++it) {
    const double box_d = bg::distance(Point2(px, py), it->first);
    if (box_d > best_d || box_d > max_m) break;
    const std::uint32_t e = it->second;
    const double ax = lon_[edge_a_[e]] * index_->mx;
    const double ay = lat_[edge_a_[e]] * kMetresPerDegreeLat;
    const double bx = lon_[edge_b_[e]] * index_->mx;
    const double by = lat_[edge_b_[e]] * kMetresPerDegreeLat;
    const double dx = bx - ax;
    const double dy = by - ay;
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double sx = ax + t * dx;
    const double sy = ay + t * dy;
    const double d = std::hypot(px - sx, py - sy);
    if (d < best_d && d <= max_m) {
      best_d = d;
      Snap s;
      s.edge = e;
      s.a = edge_a_[e];
      s.b = edge_b_[e];
      // The stored length (geodesic, along the real way) split in the planar proportion.
      const double length = data_.edges[e].length_m;
      s.to_a_m = t * length;
      s.to_b_m = (1 - t) * length;
      s.off_network_m = d;
      s.lon = sx / index_->mx;
      s.lat = sy / kMetresPerDegreeLat;
      best = s;
    }
  }
  return best;
}

namespace {

// Scratch space of one search, per thread: distances and stamps sized to the largest graph seen.
struct Scratch {
  std::vector<float> dist;
  std::vector<std::uint32_t> pred;
  std::vector<std::uint32_t> stamp;  ///< == current: dist/pred valid for this search
  std::vector<std::uint8_t> done;
  std::uint32_t current = 0;
  void prepare(std::size_t n) {
    if (dist.size() < n) {
      dist.resize(n);
      pred.resize(n);
      stamp.assign(n, 0);
      done.resize(n);
      current = 0;
    }
    if (++current == 0) {  // wrapped: forget every stamp
      std::fill(stamp.begin(), stamp.end(), 0);
      current = 1;
    }
  }
};

}  // namespace

WalkGraph::Reach WalkGraph::reach(const Snap& origin, double limit_m, bool avoid_steps) const {
  thread_local Scratch s;
  s.prepare(node_count());
  Reach r;
  r.graph_ = this;
  r.origin_ = origin;
  r.limit_m_ = limit_m;
  r.avoid_steps_ = avoid_steps;
  using Item = std::pair<float, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  const auto relax = [&](std::uint32_t node, float d, std::uint32_t from) {
    if (d > limit_m) return;
    if (s.stamp[node] != s.current) {
      s.stamp[node] = s.current;
      s.done[node] = 0;
      s.dist[node] = d;
      s.pred[node] = from;
      heap.emplace(d, node);
    } else if (!s.done[node] && d < s.dist[node]) {
      s.dist[node] = d;
      s.pred[node] = from;
      heap.emplace(d, node);
    }
  };
  const bool origin_on_steps = avoid_steps && data_.edges[origin.edge].steps;
  if (!origin_on_steps) {
    const auto start = static_cast<float>(origin.off_network_m);
    relax(origin.a, start + static_cast<float>(origin.to_a_m), origin.a);
    relax(origin.b, start + static_cast<float>(origin.to_b_m), origin.b);
  }
  while (!heap.empty()) {
    const auto [d, u] = heap.top();
    heap.pop();
    if (s.done[u] || d > s.dist[u]) continue;
    s.done[u] = 1;
    r.settled_.push_back(u);
    r.dist_.push_back(d);
    r.pred_.push_back(s.pred[u]);
    for (std::uint32_t k = offset_[u]; k < offset_[u + 1]; ++k) {
      if (avoid_steps && steps_[k] != 0) continue;
      relax(head_[k], d + length_[k], u);
    }
  }
  r.by_node_.reserve(r.settled_.size());
  for (std::uint32_t i = 0; i < r.settled_.size(); ++i) r.by_node_.emplace_back(r.settled_[i], i);
  std::sort(r.by_node_.begin(), r.by_node_.end());
  return r;
}

WalkGraph::Nearest WalkGraph::nearest(const std::vector<Snap>& sources, double limit_m) const {
  Nearest r;
  r.limit_m_ = limit_m;
  r.sources_ = sources;
  r.dist_.assign(node_count(), std::numeric_limits<float>::infinity());
  r.source_.assign(node_count(), 0);
  std::vector<std::uint8_t> done(node_count(), 0);
  using Item = std::pair<float, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  const auto relax = [&](std::uint32_t node, float d, std::uint32_t src) {
    if (d > limit_m || done[node] != 0 || !(d < r.dist_[node])) return;
    r.dist_[node] = d;
    r.source_[node] = src;
    heap.emplace(d, node);
  };
  for (std::uint32_t i = 0; i < sources.size(); ++i) {
    const auto& o = sources[i];
    const auto start = static_cast<float>(o.off_network_m);
    relax(o.a, start + static_cast<float>(o.to_a_m), i);
    relax(o.b, start + static_cast<float>(o.to_b_m), i);
    r.on_edge_.emplace_back(o.edge, i);
  }
  std::sort(r.on_edge_.begin(), r.on_edge_.end());
  while (!heap.empty()) {
    const auto [d, u] = heap.top();
    heap.pop();
    if (done[u] != 0 || d > r.dist_[u]) continue;
    done[u] = 1;
    for (std::uint32_t k = offset_[u]; k < offset_[u + 1]; ++k) {
      relax(head_[k], d + length_[k], r.source_[u]);
    }
  }
  return r;
}

std::optional<std::pair<double, std::uint32_t>> WalkGraph::Nearest::to(const Snap& t) const {
  std::optional<std::pair<double, std::uint32_t>> best;
  auto offer = [&](double d, std::uint32_t src) {
    if (d <= limit_m_ && (!best || d < best->first)) best = {{d, src}};
  };
  // A source on the target's own edge: straight along it.
  for (auto it = std::lower_bound(on_edge_.begin(), on_edge_.end(),
                                  std::pair<std::uint32_t, std::uint32_t>{t.edge, 0});
       it != on_edge_.end() && it->first == t.edge; ++it) {
    const auto& o = sources_[it->second];
    offer(o.off_network_m + std::abs(o.to_a_m - t.to_a_m) + t.off_network_m, it->second);
  }
  for (const auto& [node, along] : {std::pair{t.a, t.to_a_m}, std::pair{t.b, t.to_b_m}}) {
    if (std::isinf(dist_[node])) continue;
    offer(static_cast<double>(dist_[node]) + along + t.off_network_m, source_[node]);
  }
  return best;
}

std::optional<std::uint32_t> WalkGraph::Reach::index_of(std::uint32_t n) const {
  const auto it = std::lower_bound(by_node_.begin(), by_node_.end(),
                                   std::pair<std::uint32_t, std::uint32_t>{n, 0});
  if (it == by_node_.end() || it->first != n) return std::nullopt;
  return it->second;
}

std::optional<double> WalkGraph::Reach::to_node(std::uint32_t n) const {
  const auto i = index_of(n);
  if (!i) return std::nullopt;
  return dist_[*i];
}

std::optional<double> WalkGraph::Reach::to(const Snap& t) const {
  std::optional<double> best;
  const bool on_steps = avoid_steps_ && graph_->data_.edges[t.edge].steps;
  // On the origin's own edge the walk may go straight along it.
  if (t.edge == origin_.edge && !on_steps) {
    best = origin_.off_network_m + std::abs(origin_.to_a_m - t.to_a_m) + t.off_network_m;
  }
  for (const auto& [node, along] : {std::pair{t.a, t.to_a_m}, std::pair{t.b, t.to_b_m}}) {
    if (on_steps && along > 1.0) continue;  // up or down the steps
    if (const auto d = to_node(node)) {
      const double total = *d + along + t.off_network_m;
      if (!best || total < *best) best = total;
    }
  }
  if (best && *best > limit_m_) return std::nullopt;
  return best;
}

std::vector<std::pair<double, double>> WalkGraph::Reach::route_to(const Snap& t) const {
  std::vector<std::pair<double, double>> out;
  const auto total = to(t);
  if (!total) return out;
  if (t.edge == origin_.edge &&
      std::abs(*total - (origin_.off_network_m + std::abs(origin_.to_a_m - t.to_a_m) +
                         t.off_network_m)) < 1e-6) {
    return {{origin_.lon, origin_.lat}, {t.lon, t.lat}};
  }
  // The end node the walk arrives by.
  std::uint32_t end = t.a;
  const auto da = to_node(t.a);
  const auto db = to_node(t.b);
  if (!da || (db && *db + t.to_b_m < *da + t.to_a_m)) end = t.b;
  std::vector<std::uint32_t> nodes;
  for (std::uint32_t n = end;;) {
    nodes.push_back(n);
    const std::uint32_t p = pred_[*index_of(n)];
    if (p == n) break;
    n = p;
  }
  std::reverse(nodes.begin(), nodes.end());
  out.emplace_back(origin_.lon, origin_.lat);
  for (const auto n : nodes) out.emplace_back(graph_->lon(n), graph_->lat(n));
  out.emplace_back(t.lon, t.lat);
  return out;
}

WalkGraph::Components WalkGraph::components() const {
  const auto n = static_cast<std::uint32_t>(node_count());
  std::vector<std::uint32_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0U);
  const auto find = [&](std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::uint32_t i = 0; i < edge_a_.size(); ++i) {
    const auto a = find(edge_a_[i]);
    const auto b = find(edge_b_[i]);
    if (a != b) parent[a] = b;
  }
  std::vector<std::size_t> size(n, 0);
  Components c;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto root = find(i);
    if (size[root]++ == 0) ++c.count;
    c.largest = std::max(c.largest, size[root]);
  }
  return c;
}

}  // namespace tsunagi::geo
