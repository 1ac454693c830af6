// `municipality=023612`: one town of a store serving several. Read and checked in one place for
// every route that takes it (/api/resources, the tiles and their TileJSON, the OGC API items, the
// annual report): six digits with the right check digit and one of the snapshot's municipalities,
// else 400 unknown_municipality naming the towns there are.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "geo/catalog/municipality_scope.hpp"
#include "geo/core/municipal_scope.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

/// The town `municipality=` names, or nullopt when the query has no such key.
/// @throws ApiError(unknown_municipality) for a malformed or unknown code.
std::optional<geo::Municipality> parse_municipality(const QueryParams& query,
                                                    const geo::Snapshot& snapshot);

/// The name of town `lg_code` for a message: "藤崎町 (023612)", or the code alone when the
/// snapshot has no such municipality ("" → "no known municipality").
std::string town_label(const geo::Snapshot* snapshot, std::string_view lg_code);

/// The towns of `scope` as JSON [{lg_code, name}] (name: the short name, null when unknown);
/// an empty array for every town.
nlohmann::json towns_json(const geo::Snapshot* snapshot, const geo::MunicipalScope& scope);

/// Refuses what lies in a town `scope` does not cover: `what` says what it is ("the resource
/// サロン").
/// @throws ApiError(outside_municipality) naming the town.
void require_covered(const geo::MunicipalScope& scope, const geo::Snapshot* snapshot,
                     std::string_view lg_code, std::string_view what);

/// The town of `municipality=` for a caller working for `scope`: a scoped caller may name only
/// one of their towns (403 outside_municipality otherwise).
std::optional<geo::Municipality> parse_municipality_in_scope(const QueryParams& query,
                                                             const geo::Snapshot& snapshot,
                                                             const geo::MunicipalScope& scope);

}  // namespace tsunagi::server
