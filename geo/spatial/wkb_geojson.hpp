// WKB (ISO or EWKB, 2D; Z and M dropped) to a GeoJSON geometry object, with its envelope: the
// one reader behind OGC API area features and the coming vector tiles.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "geo/spatial/point.hpp"

namespace tsunagi::geo {

struct WkbGeoJson {
  nlohmann::json geometry;       ///< null for empty input
  std::optional<BBox> envelope;  ///< of the finite coordinates; nullopt when there are none
};

/// @throws GeometryError on truncated or malformed WKB (nesting deeper than 16, counts that
/// exceed the data, non-finite coordinates, trailing bytes).
WkbGeoJson wkb_to_geojson(std::string_view wkb);

}  // namespace tsunagi::geo
