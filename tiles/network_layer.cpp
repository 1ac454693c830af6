#include "tiles/network_layer.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::tiles {

namespace {

constexpr std::uint32_t kGridZoom = kNetworkMaxZoom;
constexpr double kGridCells = double(1U << kGridZoom);

/// Web Mercator as fractions of the world: x 0 (180° W) … 1, y 0 (north edge) … 1.
std::pair<double, double> world_fraction(double lon, double lat) {
  const double clamped = std::clamp(lat, -kMaxLatitude, kMaxLatitude);
  const double x = (lon + 180.0) / 360.0;
  const double s = std::sin(clamped * std::numbers::pi / 180.0);
  const double y = 0.5 - std::log((1 + s) / (1 - s)) / (4 * std::numbers::pi);
  return {x, y};
}

std::uint64_t cell_key(std::uint32_t x, std::uint32_t y) {
  return (std::uint64_t{x} << 32U) | y;
}

/// The grid cells (at kGridZoom) a box of world fractions touches, clamped to the world.
struct CellRange {
  std::uint32_t x0, y0, x1, y1;
};
CellRange cells_of(double min_x, double min_y, double max_x, double max_y) {
  const auto cell = [](double v) {
    return static_cast<std::uint32_t>(std::clamp(std::floor(v * kGridCells), 0.0, kGridCells - 1));
  };
  return {cell(min_x), cell(min_y), cell(max_x), cell(max_y)};
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

NetworkTiles::NetworkTiles(std::shared_ptr<const geo::WalkGraph> graph, std::int64_t generation)
    : graph_(std::move(graph)), generation_(generation) {
  if (!graph_) throw geo::InvalidArgument("network tiles: there is no network");
  const std::size_t n = graph_->node_count();
  wx_.resize(n);
  wy_.resize(n);
  if (n > 0) bounds_ = {graph_->lon(0), graph_->lat(0), graph_->lon(0), graph_->lat(0)};
  for (std::uint32_t i = 0; i < n; ++i) {
    const double lon = graph_->lon(i);
    const double lat = graph_->lat(i);
    std::tie(wx_[i], wy_[i]) = world_fraction(lon, lat);
    bounds_ = {std::min(bounds_[0], lon), std::min(bounds_[1], lat), std::max(bounds_[2], lon),
               std::max(bounds_[3], lat)};
  }
  // Each edge in every grid cell its box, grown by a z14 tile's buffer, touches: so the cells of
  // a z14 tile hold every edge that reaches into its buffered square.
  const double pad = double(kBuffer) / kExtent / kGridCells;
  const auto& edges = graph_->data().edges;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
  entries.reserve(edges.size() * 2);
  for (std::uint32_t e = 0; e < edges.size(); ++e) {
    const auto [a, b] = std::pair{edges[e].a, edges[e].b};
    const CellRange r = cells_of(std::min(wx_[a], wx_[b]) - pad, std::min(wy_[a], wy_[b]) - pad,
                                 std::max(wx_[a], wx_[b]) + pad, std::max(wy_[a], wy_[b]) + pad);
    for (std::uint32_t x = r.x0; x <= r.x1; ++x) {
      for (std::uint32_t y = r.y0; y <= r.y1; ++y) entries.emplace_back(cell_key(x, y), e);
    }
  }
  std::sort(entries.begin(), entries.end());
  cell_edges_.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i == 0 || entries[i].first != entries[i - 1].first) {
      cells_.push_back(entries[i].first);
      cell_start_.push_back(static_cast<std::uint32_t>(i));
    }
    cell_edges_.push_back(entries[i].second);
  }
  cell_start_.push_back(static_cast<std::uint32_t>(entries.size()));
}

const std::string& NetworkTiles::source() const {
  return graph_->data().source;
}

std::string NetworkTiles::attribution() const {
  const std::string& s = source();
  if (ends_with(s, ".osm.pbf") || ends_with(s, ".osm") || ends_with(s, ".pbf") ||
      ends_with(s, ".osm.bz2")) {
    return "© OpenStreetMap contributors (ODbL 1.0)・歩行ネットワーク " + s;
  }
  return s.empty() ? std::string("歩行ネットワーク") : "歩行ネットワーク：" + s;
}

void NetworkTiles::add_to(LayerBuilder& out, const TileId& t) const {
  if (t.z < kNetworkMinZoom || t.z > kNetworkMaxZoom || cells_.empty()) return;
  // The tile's buffered square in world fractions, and the grid cells under it.
  const double size = 1.0 / double(1U << t.z);
  const double pad = size * kBuffer / kExtent;
  const double min_x = t.x * size - pad;
  const double min_y = t.y * size - pad;
  const double max_x = (t.x + 1) * size + pad;
  const double max_y = (t.y + 1) * size + pad;
  std::vector<std::uint32_t> found;
  if (t.z == kGridZoom) {
    // The cell itself holds every edge reaching into the buffered tile.
    const auto it = std::lower_bound(cells_.begin(), cells_.end(), cell_key(t.x, t.y));
    if (it == cells_.end() || *it != cell_key(t.x, t.y)) return;
    const auto k = static_cast<std::size_t>(it - cells_.begin());
    found.assign(cell_edges_.begin() + cell_start_[k], cell_edges_.begin() + cell_start_[k + 1]);
  } else {
    const CellRange r = cells_of(min_x, min_y, max_x, max_y);
    for (std::uint32_t x = r.x0; x <= r.x1; ++x) {
      // A column's cells are consecutive keys: one search per column.
      auto it = std::lower_bound(cells_.begin(), cells_.end(), cell_key(x, r.y0));
      for (; it != cells_.end() && *it <= cell_key(x, r.y1); ++it) {
        const auto k = static_cast<std::size_t>(it - cells_.begin());
        found.insert(found.end(), cell_edges_.begin() + cell_start_[k],
                     cell_edges_.begin() + cell_start_[k + 1]);
      }
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
  }
  // World fractions → tile units (y down, the tile's north-west corner at 0,0).
  const double scale = kExtent / size;
  const double ox = t.x * size;
  const double oy = t.y * size;
  const double lo = -double(kBuffer);
  const double hi = double(kExtent + kBuffer);
  const auto& edges = graph_->data().edges;
  const LayerBuilder::Properties street = {{"class", std::string_view("minor")}};
  const LayerBuilder::Properties steps = {{"class", std::string_view("path")},
                                          {"subclass", std::string_view("steps")}};
  std::vector<TileLine> lines;
  for (const std::uint32_t e : found) {
    const auto& edge = edges[e];
    const double ax = (wx_[edge.a] - ox) * scale;
    const double ay = (wy_[edge.a] - oy) * scale;
    const double bx = (wx_[edge.b] - ox) * scale;
    const double by = (wy_[edge.b] - oy) * scale;
    if (std::max(ax, bx) < lo || std::min(ax, bx) > hi || std::max(ay, by) < lo ||
        std::min(ay, by) > hi) {
      continue;
    }
    lines.clear();
    const auto snap = [](double v) { return static_cast<std::int32_t>(std::lround(v)); };
    if (std::min({ax, ay, bx, by}) >= lo && std::max({ax, ay, bx, by}) <= hi) {
      lines.push_back({{snap(ax), snap(ay)}, {snap(bx), snap(by)}});
    } else {
      // Crossing the buffered square's edge: the part inside it, clipped by GEOS.
      try {
        const auto clipped =
            geo::Geometry::line_string({{ax, ay}, {bx, by}}).clip_to_rect(lo, lo, hi, hi);
        for (const auto& part : clipped.line_strings()) {
          TileLine line;
          for (const auto& [x, y] : part) line.push_back({snap(x), snap(y)});
          lines.push_back(std::move(line));
        }
      } catch (const geo::GeometryError&) {
        continue;  // GEOS could not clip this one: leave it out of this tile
      }
    }
    out.add_lines(std::uint64_t{e} + 1, lines, edge.steps ? steps : street);
  }
}

}  // namespace tsunagi::tiles
