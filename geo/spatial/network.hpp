// The walking network: nodes and undirected edges (length in metres, whether it is a flight of
// steps) held as compact arrays — a CSR adjacency — with a segment index to snap points to the
// nearest walkable edge, bounded shortest paths (Dijkstra with an early stop at the walking
// limit), routes, and the catchment of what was reached. Immutable after construction and
// shareable between threads; the per-search scratch space is per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tsunagi::geo {

/// What the store keeps of a network (geo/store/sqlite: table walk_network) and importers produce.
struct NetworkData {
  std::vector<double> lon;  ///< per node
  std::vector<double> lat;
  struct Edge {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    float length_m = 0;
    bool steps = false;  ///< highway=steps: avoided for a step-free walk
  };
  std::vector<Edge> edges;
  std::string source;       ///< e.g. the extract's file name
  std::string report_json;  ///< what the import kept and dropped, and why
};

class WalkGraph {
 public:
  /// @throws InvalidArgument for edges that name missing nodes or have a negative length.
  explicit WalkGraph(NetworkData data);
  ~WalkGraph();
  WalkGraph(const WalkGraph&) = delete;
  WalkGraph& operator=(const WalkGraph&) = delete;

  [[nodiscard]] std::size_t node_count() const { return lon_.size(); }
  [[nodiscard]] std::size_t edge_count() const { return edge_a_.size(); }
  [[nodiscard]] double lon(std::uint32_t n) const { return lon_[n]; }
  [[nodiscard]] double lat(std::uint32_t n) const { return lat_[n]; }
  [[nodiscard]] const NetworkData& data() const { return data_; }

  /// A point placed on its nearest walkable edge.
  struct Snap {
    std::uint32_t edge = 0;  ///< index into the edge list
    std::uint32_t a = 0;     ///< the edge's ends
    std::uint32_t b = 0;
    double to_a_m = 0;  ///< along the edge from the snapped point to a
    double to_b_m = 0;
    double off_network_m = 0;  ///< from the point to the edge (walked straight)
    double lon = 0;            ///< the snapped point
    double lat = 0;
  };
  /// The nearest edge to (lon, lat) within `max_m` metres; nullopt when none is that close.
  [[nodiscard]] std::optional<Snap> snap(double lon, double lat, double max_m = 2000) const;

  /// Walking distances from a snapped origin to every node within `limit_m` (inclusive),
  /// leaving out flights of steps when `avoid_steps`.
  class Reach {
   public:
    /// Metres from the origin to node n, or nullopt when it was not reached within the limit.
    [[nodiscard]] std::optional<double> to_node(std::uint32_t n) const;
    /// Metres from the origin to a snapped point (along its edge, plus its own off-network part;
    /// the origin's off-network part is included too). nullopt when not reached. A point on a
    /// flight of steps, in a step-free search, is reached only at an end of the steps.
    [[nodiscard]] std::optional<double> to(const Snap& target) const;
    /// The nodes reached, in the order they were settled.
    [[nodiscard]] const std::vector<std::uint32_t>& settled() const { return settled_; }
    /// The walking route to a snapped target as lon/lat pairs (origin first); empty when the
    /// target was not reached.
    [[nodiscard]] std::vector<std::pair<double, double>> route_to(const Snap& target) const;
    [[nodiscard]] double limit_m() const { return limit_m_; }

   private:
    friend class WalkGraph;
    const WalkGraph* graph_ = nullptr;
    Snap origin_;
    double limit_m_ = 0;
    bool avoid_steps_ = false;
    std::vector<std::uint32_t> settled_;
    std::vector<float> dist_;          ///< per settled node, same order
    std::vector<std::uint32_t> pred_;  ///< per settled node: the node it came from (self: start)
    std::vector<std::pair<std::uint32_t, std::uint32_t>> by_node_;  ///< (node, index), sorted
    [[nodiscard]] std::optional<std::uint32_t> index_of(std::uint32_t n) const;
  };
  [[nodiscard]] Reach reach(const Snap& origin, double limit_m, bool avoid_steps) const;

  /// The nearest of many sources, for every point at once: one multi-source search (each node
  /// settled once) instead of one search per source.
  class Nearest {
   public:
    /// Metres from the nearest source to a snapped target, and which source (its index in the
    /// list given); nullopt when none is within the limit.
    [[nodiscard]] std::optional<std::pair<double, std::uint32_t>> to(const Snap& target) const;

   private:
    friend class WalkGraph;
    std::vector<float> dist_;            ///< per node; +inf when not reached
    std::vector<std::uint32_t> source_;  ///< per node
    std::vector<Snap> sources_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> on_edge_;  ///< (edge, source), sorted
    double limit_m_ = 0;
  };
  [[nodiscard]] Nearest nearest(const std::vector<Snap>& sources, double limit_m) const;

  /// Nodes in the largest connected component, and how many components there are.
  struct Components {
    std::size_t count = 0;
    std::size_t largest = 0;
  };
  [[nodiscard]] Components components() const;

 private:
  struct SegmentIndex;
  NetworkData data_;
  std::vector<double> lon_;
  std::vector<double> lat_;
  std::vector<std::uint32_t> edge_a_;
  std::vector<std::uint32_t> edge_b_;
  // CSR: the arcs of node n are [offset_[n], offset_[n+1]).
  std::vector<std::uint32_t> offset_;
  std::vector<std::uint32_t> head_;
  std::vector<float> length_;
  std::vector<std::uint8_t> steps_;
  std::unique_ptr<SegmentIndex> index_;
};

}  // namespace tsunagi::geo
