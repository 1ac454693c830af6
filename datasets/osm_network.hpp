// The walking network from OpenStreetMap (.osm.pbf or .osm XML, read with libosmium): the ways
// people can walk, split at every node, with their lengths on the ellipsoid; flights of steps
// marked. Clipped to a box (the store's boundary with a margin) so a regional extract works.
// Every way read is accounted for: kept, or dropped with its reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "geo/catalog/snapshot.hpp"  // BBox
#include "geo/spatial/network.hpp"

namespace tsunagi::datasets {

struct OsmNetworkReport {
  std::uint64_t nodes_read = 0;
  std::uint64_t ways_read = 0;
  std::uint64_t ways_kept = 0;
  std::uint64_t ways_cut = 0;  ///< kept, with their parts outside the clip box cut off
  std::map<std::string, std::uint64_t> ways_dropped;  ///< reason → count
  std::uint64_t nodes_kept = 0;
  std::uint64_t edges = 0;
  std::uint64_t steps_edges = 0;
  std::uint64_t missing_locations = 0;  ///< way nodes the extract does not hold
  std::size_t components = 0;
  std::size_t largest_component = 0;
  double length_km = 0;
  std::optional<geo::BBox> clip;
  [[nodiscard]] std::string json() const;
};

/// Why a way with these tags is not walked, or nullopt when it is: "no highway tag",
/// "highway=motorway", "foot=no", "access=private"… (exposed for tests).
std::optional<std::string> walk_refusal(const std::map<std::string, std::string>& tags);

/// Reads `file`. With `clip`, every segment is cut at the box: the parts outside it are left out
/// (a way ending outside ends at the box), and ways with no part inside are dropped ("outside
/// the area").
/// @throws geo::InvalidArgument when the file cannot be read as OSM data.
geo::NetworkData read_osm_network(const std::filesystem::path& file,
                                  const std::optional<geo::BBox>& clip, OsmNetworkReport& report);

}  // namespace tsunagi::datasets
