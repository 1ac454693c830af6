#include "datasets/osm_network.hpp"

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"

namespace tsunagi::datasets {

namespace {

// highway values a person walks along (besides those only with an explicit foot=yes).
const std::set<std::string, std::less<>> kWalkable = {
    "footway", "path",         "pedestrian", "steps",         "residential", "living_street",
    "service", "unclassified", "tertiary",   "tertiary_link", "secondary",   "secondary_link",
    "primary", "primary_link", "track",      "road",          "corridor",    "platform"};
// Walked only when foot is allowed explicitly (or, for trunk roads, a sidewalk is mapped on it).
const std::set<std::string, std::less<>> kWithFootYes = {"cycleway", "bridleway", "trunk",
                                                         "trunk_link"};
const std::set<std::string, std::less<>> kFootAllowed = {"yes", "designated", "permissive"};
const std::set<std::string, std::less<>> kSidewalk = {"both", "left", "right", "yes"};

std::string tag(const std::map<std::string, std::string>& tags, const std::string& k) {
  const auto it = tags.find(k);
  return it == tags.end() ? std::string() : it->second;
}

}  // namespace

std::optional<std::string> walk_refusal(const std::map<std::string, std::string>& tags) {
  const std::string highway = tag(tags, "highway");
  if (highway.empty()) return "no highway tag (buildings, waterways, boundaries…)";
  const std::string foot = tag(tags, "foot");
  if (foot == "no" || foot == "use_sidepath") return "foot=" + foot;
  const bool foot_allowed = kFootAllowed.count(foot) != 0;
  const std::string access = tag(tags, "access");
  if ((access == "private" || access == "no") && !foot_allowed) return "access=" + access;
  if (kWalkable.count(highway) != 0) return std::nullopt;
  if (kWithFootYes.count(highway) != 0) {
    if (foot_allowed) return std::nullopt;
    if ((highway == "trunk" || highway == "trunk_link") &&
        kSidewalk.count(tag(tags, "sidewalk")) != 0) {
      return std::nullopt;
    }
    return "highway=" + highway + " without foot=yes";
  }
  return "highway=" + highway;  // motorway, construction, proposed, raceway…
}

namespace {

using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;

class Collector : public osmium::handler::Handler {
 public:
  Collector(geo::NetworkData& out, OsmNetworkReport& report, const std::optional<geo::BBox>& clip)
      : out_(out), report_(report), clip_(clip) {}

  void node(const osmium::Node& /*n*/) { ++report_.nodes_read; }

  void way(const osmium::Way& w) {
    ++report_.ways_read;
    std::map<std::string, std::string> tags;
    for (const auto& t : w.tags()) {
      const std::string_view k = t.key();
      if (k == "highway" || k == "foot" || k == "access" || k == "sidewalk") {
        tags.emplace(t.key(), t.value());
      }
    }
    if (const auto why = walk_refusal(tags)) {
      ++report_.ways_dropped[*why];
      return;
    }
    const auto& nodes = w.nodes();
    if (clip_ && !overlaps_clip(nodes)) {
      ++report_.ways_dropped[kOutside];
      return;
    }
    const bool steps = tags["highway"] == "steps";
    // The previous node of the way: its location and, once an edge used it, its index.
    struct End {
      osmium::unsigned_object_id_type ref = 0;
      double lon = 0, lat = 0;
    };
    End prev;
    bool has_prev = false;
    std::size_t used = 0;
    bool cut = false;
    bool any_segment = false;  // two consecutive nodes with their locations
    for (const auto& nr : nodes) {
      if (!nr.location().valid()) {
        ++report_.missing_locations;
        has_prev = false;  // do not bridge a gap
        continue;
      }
      const End here{nr.positive_ref(), nr.location().lon(), nr.location().lat()};
      if (has_prev && prev.ref != here.ref) {
        any_segment = true;
        // The part of the segment inside the clip box: a way running from the town to the
        // poles keeps its metres inside the box, not the 40,000 km beyond it.
        double t0 = 0;
        double t1 = 1;
        if (!clip_ || clip_segment(prev.lon, prev.lat, here.lon, here.lat, t0, t1)) {
          const auto at = [&](double t) {
            return std::pair{prev.lon + (t * (here.lon - prev.lon)),
                             prev.lat + (t * (here.lat - prev.lat))};
          };
          const auto [alon, alat] = at(t0);
          const auto [blon, blat] = at(t1);
          const std::uint32_t a = t0 == 0 ? node_index(prev.ref, alon, alat) : cut_node(alon, alat);
          const std::uint32_t b = t1 == 1 ? node_index(here.ref, blon, blat) : cut_node(blon, blat);
          if (t0 != 0 || t1 != 1) cut = true;
          const double len = geo::geodesic_distance_m(alon, alat, blon, blat);
          out_.edges.push_back({a, b, static_cast<float>(len), steps});
          report_.length_km += len / 1000.0;
          if (steps) ++report_.steps_edges;
          ++used;
        }
      }
      prev = here;
      has_prev = true;
    }
    if (used == 0) {
      ++report_.ways_dropped[any_segment
                                 ? kOutside
                                 : "no usable segment (its nodes are missing from the extract)"];
      return;
    }
    if (cut) ++report_.ways_cut;
    ++report_.ways_kept;
  }

 private:
  static constexpr const char* kOutside =
      "outside the area (the store's boundary with a 2 km margin)";

  /// Whether the box of the way's known nodes overlaps the clip box.
  bool overlaps_clip(const osmium::WayNodeList& nodes) const {
    geo::BBox b{180, 90, -180, -90};
    bool any = false;
    for (const auto& nr : nodes) {
      if (!nr.location().valid()) continue;
      b.grow(nr.location().lon(), nr.location().lat());
      any = true;
    }
    return any && b.min_lon <= clip_->max_lon && b.max_lon >= clip_->min_lon &&
           b.min_lat <= clip_->max_lat && b.max_lat >= clip_->min_lat;
  }

  /// Liang–Barsky: narrows [t0, t1] of the segment a→b to its part inside the clip box; false
  /// when no part is inside.
  bool clip_segment(double alon, double alat, double blon, double blat, double& t0,
                    double& t1) const {
    const double dx = blon - alon;
    const double dy = blat - alat;
    const std::pair<double, double> sides[] = {{-dx, alon - clip_->min_lon},
                                               {dx, clip_->max_lon - alon},
                                               {-dy, alat - clip_->min_lat},
                                               {dy, clip_->max_lat - alat}};
    for (const auto& [p, q] : sides) {
      if (p == 0) {
        if (q < 0) return false;  // parallel to this side and outside it
        continue;
      }
      const double r = q / p;
      if (p < 0) {
        if (r > t1) return false;
        if (r > t0) t0 = r;
      } else {
        if (r < t0) return false;
        if (r < t1) t1 = r;
      }
    }
    return t1 > t0;
  }

  /// A node where a way is cut at the clip box (no OSM id: it ends the way there).
  std::uint32_t cut_node(double lon, double lat) {
    out_.lon.push_back(lon);
    out_.lat.push_back(lat);
    return static_cast<std::uint32_t>(out_.lon.size() - 1);
  }

  std::uint32_t node_index(osmium::unsigned_object_id_type ref, double lon, double lat) {
    const auto [it, added] = ids_.try_emplace(ref, static_cast<std::uint32_t>(out_.lon.size()));
    if (added) {
      out_.lon.push_back(lon);
      out_.lat.push_back(lat);
    }
    return it->second;
  }

  geo::NetworkData& out_;
  OsmNetworkReport& report_;
  const std::optional<geo::BBox>& clip_;
  std::unordered_map<osmium::unsigned_object_id_type, std::uint32_t> ids_;
};

}  // namespace

std::string OsmNetworkReport::json() const {
  nlohmann::json j = {{"nodes_read", nodes_read},
                      {"nodes_kept", nodes_kept},
                      {"ways_read", ways_read},
                      {"ways_kept", ways_kept},
                      {"ways_dropped", ways_dropped},
                      {"edges", edges},
                      {"steps_edges", steps_edges},
                      {"missing_locations", missing_locations},
                      {"ways_cut", ways_cut},
                      {"components", components},
                      {"largest_component_nodes", largest_component},
                      {"length_km", length_km}};
  if (clip) j["clip"] = {clip->min_lon, clip->min_lat, clip->max_lon, clip->max_lat};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

geo::NetworkData read_osm_network(const std::filesystem::path& file,
                                  const std::optional<geo::BBox>& clip, OsmNetworkReport& report) {
  geo::NetworkData out;
  report = {};
  report.clip = clip;
  try {
    osmium::io::Reader reader{file.string(),
                              osmium::osm_entity_bits::node | osmium::osm_entity_bits::way};
    Index index;
    osmium::handler::NodeLocationsForWays<Index> locations{index};
    locations.ignore_errors();  // a way's node missing from a cut extract: counted, not fatal
    Collector collector(out, report, clip);
    osmium::apply(reader, locations, collector);
    reader.close();
  } catch (const std::exception& e) {
    throw geo::InvalidArgument(file.string() +
                               " cannot be read as OpenStreetMap data (.osm.pbf or "
                               ".osm XML): " +
                               e.what());
  }
  if (out.edges.empty()) {
    throw geo::InvalidArgument(file.string() + ": no walkable way" +
                               (clip ? std::string(" inside the store's boundary") : "") +
                               " (read " + std::to_string(report.ways_read) + " ways)");
  }
  report.nodes_kept = out.lon.size();
  report.edges = out.edges.size();
  out.source = file.filename().string();
  const geo::WalkGraph graph{geo::NetworkData(out)};
  const auto c = graph.components();
  report.components = c.count;
  report.largest_component = c.largest;
  out.report_json = report.json();
  return out;
}

}  // namespace tsunagi::datasets
