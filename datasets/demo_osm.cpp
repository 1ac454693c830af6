#include "datasets/demo_osm.hpp"

#include <osmium/builder/attr.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/box.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::datasets {

namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

class OsmBuffer {
 public:
  std::int64_t node(double lon, double lat, const Tags& tags = {}) {
    using namespace osmium::builder::attr;
    const std::int64_t id = ++last_node_;
    osmium::builder::add_node(buffer_, _id(id), _version(1), _location(lon, lat),
                              _tags(to_list(tags)));
    box_.extend(osmium::Location(lon, lat));
    ++nodes;
    return id;
  }
  void way(const std::vector<std::int64_t>& refs, const Tags& tags) {
    ways_.emplace_back(refs, tags);
  }
  /// Nodes first, then ways (the order tilemaker reads them in).
  void write(const std::filesystem::path& out) {
    using namespace osmium::builder::attr;
    std::int64_t id = 0;
    for (const auto& [refs, tags] : ways_) {
      std::vector<osmium::object_id_type> ids(refs.begin(), refs.end());
      osmium::builder::add_way(buffer_, _id(++id), _version(1), _nodes(ids), _tags(to_list(tags)));
    }
    osmium::io::Header header;
    header.set("generator", "tsunagi demo");
    header.add_box(box_);
    osmium::io::Writer writer(out.string(), header, osmium::io::overwrite::allow);
    writer(std::move(buffer_));
    writer.close();
  }
  std::uint64_t nodes = 0;
  [[nodiscard]] std::uint64_t way_count() const { return ways_.size(); }

 private:
  static std::vector<std::pair<std::string, std::string>> to_list(const Tags& t) { return t; }
  osmium::memory::Buffer buffer_{1024 * 1024, osmium::memory::Buffer::auto_grow::yes};
  std::int64_t last_node_ = 0;
  osmium::Box box_;
  std::vector<std::pair<std::vector<std::int64_t>, Tags>> ways_;
};

/// The river's centre latitude at `lon` (its line runs west to east).
double river_lat(const std::vector<std::pair<double, double>>& river, double lon) {
  if (lon <= river.front().first) return river.front().second;
  for (std::size_t i = 1; i < river.size(); ++i) {
    if (lon <= river[i].first) {
      const double t = (lon - river[i - 1].first) / (river[i].first - river[i - 1].first);
      return river[i - 1].second + t * (river[i].second - river[i - 1].second);
    }
  }
  return river.back().second;
}

}  // namespace

DemoOsmSummary write_demo_osm(const DemoOptions& options, const std::filesystem::path& out) {
  const geo::NetworkData net = make_demo_network(options);
  const DemoMapFeatures f = make_demo_map_features();
  const DemoTown town = make_demo_town(options);
  OsmBuffer osm;

  // Streets: one way per generated edge. Every tenth grid line is a named main street.
  std::vector<std::int64_t> node_id(net.lon.size());
  for (std::size_t i = 0; i < net.lon.size(); ++i) node_id[i] = osm.node(net.lon[i], net.lat[i]);
  const double lat0 = *std::min_element(net.lat.begin(), net.lat.end());
  const double lon0 = *std::min_element(net.lon.begin(), net.lon.end());
  constexpr double kStepLat = 0.1 / 110.95;  // the generator's 100 m grid
  constexpr double kStepLon = 0.1 / 91.08;
  static const std::array<const char*, 6> kStreetNames = {"南通り",   "川南通り", "本町通り",
                                                          "駅前通り", "北通り",   "山手通り"};
  static const std::array<const char*, 8> kAvenueNames = {"一番町筋", "二番町筋", "三番町筋",
                                                          "四番町筋", "五番町筋", "六番町筋",
                                                          "七番町筋", "八番町筋"};
  for (const auto& e : net.edges) {
    const double la = net.lat[e.a];
    const double lb = net.lat[e.b];
    const double oa = net.lon[e.a];
    const double ob = net.lon[e.b];
    Tags tags;
    const bool across = (la - river_lat(f.river, oa)) * (lb - river_lat(f.river, ob)) < 0;
    const bool east_west = std::abs(la - lb) < std::abs(oa - ob);
    const long row = std::lround(((la + lb) / 2 - lat0) / kStepLat);
    const long col = std::lround(((oa + ob) / 2 - lon0) / kStepLon);
    if (e.steps) {
      tags = {{"highway", "steps"}};
    } else if (across) {
      tags = {{"highway", "tertiary"},
              {"bridge", "yes"},
              {"layer", "1"},
              {"name", oa < 133.585 + 3.0 / 91.08 ? "西橋" : "東橋"}};
    } else if (east_west && row % 10 == 5) {
      tags = {{"highway", "tertiary"},
              {"name", kStreetNames[static_cast<std::size_t>(row / 10) % kStreetNames.size()]}};
    } else if (!east_west && col % 10 == 5) {
      tags = {{"highway", "residential"},
              {"name", kAvenueNames[static_cast<std::size_t>(col / 10) % kAvenueNames.size()]}};
    } else {
      tags = {{"highway", "residential"}};
    }
    osm.way({node_id[e.a], node_id[e.b]}, tags);
  }

  // The river: its line, and a water area 30 m wide along it.
  std::vector<std::int64_t> river;
  for (const auto& [lon, lat] : f.river) river.push_back(osm.node(lon, lat));
  osm.way(river, {{"waterway", "river"}, {"name", "つなぎ川"}});
  constexpr double kHalfWidthLat = 0.015 / 110.95;
  std::vector<std::int64_t> ring;
  for (const auto& [lon, lat] : f.river) ring.push_back(osm.node(lon, lat + kHalfWidthLat));
  for (auto it = f.river.rbegin(); it != f.river.rend(); ++it) {
    ring.push_back(osm.node(it->first, it->second - kHalfWidthLat));
  }
  ring.push_back(ring.front());
  osm.way(ring, {{"natural", "water"}, {"water", "river"}});

  // The railway and its station.
  std::vector<std::int64_t> rail;
  for (const auto& [lon, lat] : f.railway) rail.push_back(osm.node(lon, lat));
  osm.way(rail, {{"railway", "rail"}, {"name", "つなぎ線"}});
  osm.node(f.station.first, f.station.second,
           {{"railway", "station"}, {"public_transport", "station"}, {"name", "つなぎ駅"}});

  // Names: the town and its 町丁 at their label points; 公民館 and schools where the demo has them.
  osm.node(town.town.label_lon, town.town.label_lat, {{"place", "town"}, {"name", town.town.name}});
  for (const auto& c : town.chome) {
    osm.node(c.label_lon, c.label_lat, {{"place", "neighbourhood"}, {"name", c.name}});
  }
  for (const auto& r : town.resources) {
    if (r.kind == geo::ResourceKind::kominkan) {
      osm.node(r.lon, r.lat, {{"amenity", "community_centre"}, {"name", r.name}});
    }
  }
  try {
    osm.write(out);
  } catch (const std::exception& e) {
    throw geo::InvalidArgument("demo: cannot write " + out.string() + ": " + e.what());
  }
  return {osm.nodes, osm.way_count()};
}

}  // namespace tsunagi::datasets
