// JSON form of resources, used by the store (nested parts), the API and the exporters.
// Two views: `staff` (everything) and `public_view` (what a resident without an account may see).
#pragma once

#include <nlohmann/json.hpp>

#include "geo/resource.hpp"

namespace tsunagi::geo {

enum class View : std::uint8_t {
  public_view,  ///< no placement offer, no internal note, no e-mail, no provenance; a 個人宅 venue
                ///< is blurred (no street address, coordinates rounded to ~100 m) and a 住民個人
                ///< operator's name is withheld
  staff,  ///< every field
};

/// The properties object of a resource (no geometry). Code-list values are ids; each also gets a
/// "<field>_ja" label where a person reads it (kind_ja, activities_ja...).
nlohmann::json to_json(const Resource& r, View view = View::staff);

/// The GeoJSON Feature of a resource.
nlohmann::json to_geojson_feature(const Resource& r, View view = View::staff);

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
