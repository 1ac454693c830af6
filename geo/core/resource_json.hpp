// JSON form of resources, used by the store (nested parts), the API and the exporters: every field.
// What an audience may see of it is decided by geo/catalog/visibility, whose to_json(r, audience)
// leaves out the fields that audience may not see.
#pragma once

#include <nlohmann/json.hpp>

#include "geo/core/json_input.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/resource_fields.hpp"

namespace tsunagi::geo {

/// The properties object of a resource (no geometry). Code-list values are ids; each also gets a
/// "<field>_ja" label where a person reads it (kind_ja, activities_ja...). Every field: what staff
/// of the internal audience read and what the store's history compares.
nlohmann::json to_json(const Resource& r);
/// The properties of `r` for the fields in `shown` (indices of resource_fields(); a code's
/// "<key>_ja" label goes with its field). geo/catalog/visibility passes an audience's fields.
nlohmann::json to_json(const Resource& r, const FieldMask& shown);

/// The GeoJSON Feature of a resource whose properties (to_json, or a projection of it) are `props`.
nlohmann::json geojson_feature(const Resource& r, nlohmann::json props);

/// The keys of a resource as the API takes it, at every depth: its properties (with the *_ja
/// labels to_json writes, ignored on input), or a GeoJSON Feature of them with a Point geometry.
const JsonShape& resource_shape();

/// Reads a resource from the API's JSON (the same shape to_json writes; *_ja fields are ignored).
/// Geometry comes from "lon"/"lat" or a GeoJSON "geometry" Point. Unknown keys are rejected.
/// @throws InvalidArgument naming the field and what is expected of it.
Resource resource_from_json(const nlohmann::json& j);

/// Schedules, fees and offers alone (the store keeps them as JSON columns).
nlohmann::json schedules_to_json(const std::vector<Schedule>& s);
std::vector<Schedule> schedules_from_json(const nlohmann::json& j);
nlohmann::json fees_to_json(const std::vector<Fee>& f);
std::vector<Fee> fees_from_json(const nlohmann::json& j);
nlohmann::json offer_to_json(const PlacementOffer& o);
PlacementOffer offer_from_json(const nlohmann::json& j);
nlohmann::json barrier_free_to_json(const BarrierFree& b);
BarrierFree barrier_free_from_json(const nlohmann::json& j);

}  // namespace tsunagi::geo
