// The demo town: つなぎ町（架空）, a fictional but realistic rural town placed inland in the
// Chugoku mountains, generated from a seed with the project's own code. It has a boundary, ~40 町丁
// small areas that tile it exactly, population by 5-year age band and sex, and ~150 resources of
// every kind with schedules, fees, capacities, target groups and placement conditions. Everything
// it writes is labelled fictional: the source's licence is "fictional", the town's name carries
// （架空）, every address ends with （架空）, phone numbers use a 市内局番 that is never assigned.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/core/area.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/resource.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

/// The source key of every row the demo writes; re-running the demo updates these rows.
inline constexpr std::string_view kDemoSourceKey = "demo:tsunagi-town";
/// Area ids of the town and its 町丁 ("chome:demo-01", "chome:demo-02", …).
inline constexpr std::string_view kDemoTownAreaId = "municipality:demo";
inline constexpr std::string_view kDemoChomeIdPrefix = "chome:demo-";
/// The actor written into the change history.
inline constexpr std::string_view kDemoActor = "demo";

struct DemoOptions {
  /// Same seed and same as_of → the same town, byte for byte.
  std::uint64_t seed = 42;
  /// ISO date the demo pretends to be generated on: verified_at dates fall in the two years before
  /// it (some more than a year old, as in any real inventory). Fixed by default so that the output
  /// does not depend on the clock; the CLI passes today's date unless told otherwise.
  std::string as_of = "2026-04-01";
};

/// Everything the demo writes, before it is written (areas in id order, resources in key order).
struct DemoTown {
  geo::SourceInfo source;
  geo::Area town;
  std::vector<geo::Area> chome;
  /// One per 町丁 (in 町丁 order), then the town's (the band-by-band sum of its 町丁).
  std::vector<geo::AreaPopulation> populations;
  /// source_key set, id empty (the store assigns it).
  std::vector<geo::Resource> resources;
};

struct DemoSummary {
  std::int64_t source_id = 0;
  std::string town_name;
  int chome_count = 0;
  std::int64_t population = 0;
  std::int64_t population_65plus = 0;
  std::int64_t households = 0;
  /// Resources written, per kind, in code-list order (every kind is present).
  std::vector<std::pair<geo::ResourceKind, int>> resources_per_kind;
  int resources = 0;
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;
  /// Demo rows left over from an earlier run whose key the generator no longer makes; closed.
  int closed_leftovers = 0;
};

/// Checks the options without building anything (the CLI calls it before touching a store).
/// @throws geo::InvalidArgument when options.as_of is not an ISO date (YYYY-MM-DD).
void validate_demo_options(const DemoOptions& options);

/// Builds the town in memory. Pure: no store, no clock, no global random state.
/// @throws geo::InvalidArgument when options.as_of is not an ISO date (YYYY-MM-DD).
/// @throws geo::GeometryError if a geometry operation fails.
DemoTown make_demo_town(const DemoOptions& options);

/// The town's walking network (generated streets; the river crossed by two bridges only).
geo::NetworkData make_demo_network(const DemoOptions& options);

/// What else the town's map shows (its basemap: datasets/demo_osm.hpp writes it as OSM), in
/// lon/lat: the river's centre line and the railway, west to east, and the station.
struct DemoMapFeatures {
  std::vector<std::pair<double, double>> river;
  std::vector<std::pair<double, double>> railway;
  std::pair<double, double> station;
};
DemoMapFeatures make_demo_map_features();

/// Builds the town and writes it into `store` in one transaction: the source (licence
/// "fictional"), the town boundary and 町丁 (put_area), their populations (put_population) and the
/// resources (upsert_imported with actor "demo"). Re-running updates the demo's own rows (areas by
/// id, resources by source key) and leaves rows of other sources alone. Whether a store that
/// already holds data may be written to is the caller's decision (the CLI asks for --force).
/// @throws geo::InvalidArgument on bad options; geo::StoreError if the store cannot be written
///         (nothing is written then).
DemoSummary generate_demo_town(geo::Store& store, const DemoOptions& options);

}  // namespace tsunagi::datasets
