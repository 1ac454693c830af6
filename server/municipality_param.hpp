// `municipality=023612`: one town of a store serving several. Read and checked in one place for
// every route that takes it (/api/resources, the tiles and their TileJSON, the OGC API items, the
// annual report): six digits with the right check digit and one of the snapshot's municipalities,
// else 400 unknown_municipality naming the towns there are.
#pragma once

#include <optional>

#include "geo/catalog/municipality_scope.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

/// The town `municipality=` names, or nullopt when the query has no such key.
/// @throws ApiError(unknown_municipality) for a malformed or unknown code.
std::optional<geo::Municipality> parse_municipality(const QueryParams& query,
                                                    const geo::Snapshot& snapshot);

}  // namespace tsunagi::server
