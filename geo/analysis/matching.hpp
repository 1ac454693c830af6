// 参加支援 matching: the places a person can really walk to, ranked by a transparent score, with
// the close places that were left out and why. Works on what the caller's audience may know (a
// snapshot's AudienceView) and on the snapshot's walking network; without a network, distances
// are a straight line times a detour factor and the answer says so.
//
// The request holds no personal data: an approximate place (a point, or a 町丁's representative
// point), wishes and constraints. The same JSON in and out serves POST /api/match and
// `tsunagi match --json`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/json_input.hpp"

namespace tsunagi::geo {

/// Walking speeds: a standard adult's 80 m/min (the 不動産 convention), and a slower 50 m/min for
/// older people or anyone who walks slowly.
inline constexpr double kWalkStandardMPerMin = 80.0;
inline constexpr double kWalkSlowMPerMin = 50.0;
/// Without a network: the walk is taken as the straight line times this (a common urban factor).
inline constexpr double kDetourFactor = 1.3;

struct MatchRequest {
  double lon = 0;
  double lat = 0;
  std::string place;  ///< how the place was given, for the answer ("point", "area chome:…")
  EnumSet<ResourceKind> kinds;  ///< empty: the kinds a person is placed in or joins
  EnumSet<Activity> activities;
  EnumSet<TaskTag> tasks;
  std::vector<OpenWindow> availability;  ///< empty: any time
  int max_walk_min = 20;
  bool step_free = false;
  bool short_hours = false;
  bool low_contact = false;
  bool companion = false;
  std::optional<int> age_from;  ///< from the age band: "50s" → 50–59
  std::optional<int> age_to;
  double speed_m_per_min = kWalkStandardMPerMin;
  std::string profile = "standard";
  std::size_t limit = 20;
};

/// The keys of a match request at every depth (availability entries are "火曜の午前" or
/// {day, from, to}).
const JsonShape& match_request_shape();

/// Reads the JSON body of a match request; an area is resolved to its representative point in
/// `snap`. Unknown keys are refused (no personal field can slip in).
/// @throws InvalidArgument naming the key and what it accepts.
MatchRequest parse_match_request(const nlohmann::json& body, const Snapshot& snap);

struct MatchCandidate {
  const ServedResource* item = nullptr;
  double walk_m = 0;
  double straight_m = 0;
  double walk_min = 0;
  double score = 0;                                     ///< 0–100
  std::vector<std::pair<std::string, double>> factors;  ///< factor → points
  std::vector<std::string> reasons;                     ///< Japanese, one per factor
  std::vector<std::pair<double, double>> route;         ///< lon/lat, when walked on the network
};

struct MatchExcluded {
  const ServedResource* item = nullptr;
  std::optional<double> walk_m;  ///< nullopt: not reachable on foot within the limit
  double straight_m = 0;
  std::vector<std::string> reasons;
};

struct MatchResult {
  bool walking = false;  ///< distances on the walking network (else straight line × detour)
  std::string note;      ///< why straight line, or how far the place was from the network
  double origin_lon = 0;
  double origin_lat = 0;
  std::optional<double> origin_off_network_m;
  MatchRequest request;
  std::vector<MatchCandidate> candidates;          ///< best first
  std::vector<MatchExcluded> excluded;             ///< nearest first
  std::vector<std::pair<double, double>> reached;  ///< network nodes within the limit
};

/// Runs the match over what audience `a` may know. @throws InvalidArgument for a bad request.
MatchResult match(const Snapshot& snap, Audience a, const MatchRequest& request);

/// The answer as JSON (what the API returns and the CLI prints). The catchment is the concave
/// hull of the reached network (GEOS), or a circle of the straight-line limit without one.
nlohmann::json match_json(const MatchResult& result);

}  // namespace tsunagi::geo
