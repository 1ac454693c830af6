// Vector tiles over HTTP:
//   GET /tiles/{layer}.json              TileJSON 3.0.0 (the filter travels in the tile URL)
//   GET /tiles/{layer}/{z}/{x}/{y}.mvt   one tile (MVT 2.1), for the caller's audience
// Layers: `resources` (filtered with the query parameters of GET /api/resources, clustered at
// low zooms) and `areas`. gzip when the client accepts it, ETag / 304, 204 for an empty tile,
// Cache-Control public for the public's tiles and private for staff's.
#pragma once

#include <vector>

#include "server/context.hpp"
#include "server/router.hpp"

namespace tsunagi::server {

std::vector<Route> tile_routes(ServerContext& context);

}  // namespace tsunagi::server
