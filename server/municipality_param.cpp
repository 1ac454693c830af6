#include "server/municipality_param.hpp"

#include "server/errors.hpp"

namespace tsunagi::server {

std::optional<geo::Municipality> parse_municipality(const QueryParams& query,
                                                    const geo::Snapshot& snapshot) {
  const auto* v = query.get("municipality");
  if (v == nullptr) return std::nullopt;
  const auto& layer = snapshot.area_layer();
  if (!layer) {
    throw ApiError(ErrorCode::unknown_municipality,
                   "municipality: this server has no municipality boundary loaded");
  }
  auto found = geo::find_municipality(*layer, *v);
  if (!found.town) throw ApiError(ErrorCode::unknown_municipality, found.message);
  return std::move(found.town);
}

namespace {

std::optional<geo::Municipality> known_town(const geo::Snapshot* snapshot,
                                            std::string_view lg_code) {
  if (snapshot == nullptr || !snapshot->area_layer() || lg_code.empty()) return std::nullopt;
  for (auto& t : geo::municipalities(*snapshot->area_layer())) {
    if (t.lg_code == lg_code) return t;
  }
  return std::nullopt;
}

}  // namespace

std::string town_label(const geo::Snapshot* snapshot, std::string_view lg_code) {
  if (lg_code.empty()) return "no known municipality (no lg_code)";
  if (const auto t = known_town(snapshot, lg_code)) return t->short_name + " (" + t->lg_code + ")";
  return std::string(lg_code);
}

nlohmann::json towns_json(const geo::Snapshot* snapshot, const geo::MunicipalScope& scope) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& code : scope.codes()) {
    const auto t = known_town(snapshot, code);
    out.push_back({{"lg_code", code}, {"name", t ? nlohmann::json(t->short_name) : nullptr}});
  }
  return out;
}

void require_covered(const geo::MunicipalScope& scope, const geo::Snapshot* snapshot,
                     std::string_view lg_code, std::string_view what) {
  if (scope.covers(lg_code)) return;
  std::string mine;
  for (const auto& code : scope.codes()) {
    if (!mine.empty()) mine += ", ";
    mine += town_label(snapshot, code);
  }
  throw ApiError(ErrorCode::outside_municipality, std::string(what) + " is in " +
                                                      town_label(snapshot, lg_code) +
                                                      ", outside the towns you work for: " + mine);
}

std::optional<geo::Municipality> parse_municipality_in_scope(const QueryParams& query,
                                                             const geo::Snapshot& snapshot,
                                                             const geo::MunicipalScope& scope) {
  auto town = parse_municipality(query, snapshot);
  if (town) require_covered(scope, &snapshot, town->lg_code, "municipality=" + town->lg_code);
  return town;
}

}  // namespace tsunagi::server
