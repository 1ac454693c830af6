// The demo town as OpenStreetMap data (.osm.pbf, written with libosmium), so that the same
// `tsunagi import --basemap` path builds its basemap: its generated streets (a few named main
// streets, steps on the hillside, the two bridges), the river as a line and a water area, the
// railway and its station, the town's and its 町丁's names, and its 公民館 and schools. All of it
// is fictional, as the rest of the demo.
#pragma once

#include <cstdint>
#include <filesystem>

#include "datasets/demo_town.hpp"

namespace tsunagi::datasets {

struct DemoOsmSummary {
  std::uint64_t nodes = 0;
  std::uint64_t ways = 0;
};

/// Writes the town's map to `out` (replaced). @throws geo::InvalidArgument when it cannot be
/// written.
DemoOsmSummary write_demo_osm(const DemoOptions& options, const std::filesystem::path& out);

}  // namespace tsunagi::datasets
