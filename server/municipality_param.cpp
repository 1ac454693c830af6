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

}  // namespace tsunagi::server
