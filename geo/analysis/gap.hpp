// Gap analyses on a snapshot: who is within reach of which places (coverage), floating-catchment
// accessibility, the areas ranked by need and lack of access, and where k new places would reach
// the most uncovered people (siting). Demand comes from area figures and supply from resources,
// both read as one audience may see them — figures through served_area_figures, resources
// through the audience's view — so an analysis can never reveal what its reader may not know.
//
// Demand is placed at each area's representative point (the finest area type that has the
// target figure, or the one asked for) and reported per area of any type, by which area holds
// the point. Costs are walking metres on the network when the snapshot has one (each place and
// demand point snapped to its nearest walkable edge; bounded Dijkstra from every place), else
// straight-line metres (geodesic), and every answer says which.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "geo/analysis/progress.hpp"
#include "geo/analysis/straight_line.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/json_input.hpp"
#include "geo/spatial/network.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo::gap {

struct AnalysisRequest {
  std::string analysis;                 ///< "coverage", "access", "rank", "site"
  EnumSet<ResourceKind> kinds;          ///< the places that count as supply
  std::string target = "aged_75";       ///< the area figure that is demand
  std::optional<AreaKind> demand_kind;  ///< default: the most detailed with the target
  std::optional<AreaKind> report_kind;  ///< default: the demand kind
  double threshold = 15;                ///< in `unit`
  bool minutes = true;                  ///< threshold in walking minutes (else metres)
  double speed_m_per_min = 80;          ///< walking speed (50 for the slow profile)
  std::string network = "auto";         ///< "auto", "walking", "straight_line"
  std::string method = "2sfca";         ///< access: 2sfca, e2sfca, g2sfca, 3sfca
  /// One town's figures (its 6-digit lg_code): demand from its areas only and, for siting, its
  /// own venues as candidates; the places of every town still count as supply (people near a
  /// border walk to the neighbour's). "" = every town of the store.
  std::string municipality;
  bool supply_from_capacity = false;  ///< access: a place's capacity, else 1 per place
  // siting
  std::size_t k = 2;
  EnumSet<ResourceKind> candidate_kinds;  ///< e.g. kominkan: venues a new place could use
  std::string model = "mclp";             ///< mclp | pmedian
  bool greedy = false;
  double time_limit_s = 30;
};

/// Walking (demand, place, metres) pairs within `max_m`: one bounded search from every place,
/// demand points found through the nodes at the ends of the edge they snap to. `unsnapped`
/// counts demand points with no walkable edge within 2 km.
std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> walking_pairs(
    const WalkGraph& g, std::span<const LonLat> demand, std::span<const LonLat> places,
    double max_m, Progress* p, std::size_t& unsnapped);

/// Per demand point reached within `max_m`, its nearest place on foot: (demand, place, metres),
/// from one multi-source search over the network (each node settled once).
std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> walking_nearest(
    const WalkGraph& g, std::span<const LonLat> demand, std::span<const LonLat> places,
    double max_m, Progress* p, std::size_t& unsnapped);

/// The keys of an analysis request (kinds and candidate_kinds are lists of codes).
const JsonShape& analysis_request_shape();

/// The longest walk an analysis takes (the cap of matching, /api/match), and the longest
/// distance: a walk of 120 minutes at 80 m/min is 9.6 km; farther makes every demand point reach
/// the whole network and the job run for nothing.
inline constexpr int kMaxWalkMin = 120;
inline constexpr int kMaxMetres = 10'000;

/// Parses a request (JSON object as the API takes it; unknown keys are refused; max_walk_min and
/// max_m at most kMaxWalkMin and kMaxMetres). @throws InvalidArgument naming the key.
AnalysisRequest parse_analysis_request(const std::string& json_text);

/// Runs one analysis on `snap` as audience `a` sees it; returns the answer as JSON text.
/// @throws InvalidArgument (no areas with the target, no places of the kinds…), Cancelled.
/// `sources`: the store's sources; the answer names those of the figures it used (with their
/// attribution, which must travel with every copy of the numbers).
std::string run_analysis(const Snapshot& snap, Audience a, const AnalysisRequest& r,
                         const std::vector<SourceInfo>& sources, Progress* progress = nullptr);

/// The answer's per-area rows as CSV (UTF-8 with a BOM for Excel; after the rows, a blank line
/// and one 出典 row per source with its attribution) or as a GeoJSON FeatureCollection with the
/// areas' boundaries (`uncovered_only`: the layer of who is left out). `japanese_header`: a row
/// of the columns' Japanese names (answer_labels.hpp) first, the keys in the row below it.
std::string answer_csv(const std::string& answer_json, bool japanese_header = false);
std::string answer_geojson(const Snapshot& snap, Audience a, const std::string& answer_json,
                           bool uncovered_only);

}  // namespace tsunagi::geo::gap
