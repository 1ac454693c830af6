// One town of a store serving several (a prefecture 社協 or a 広域連合 running one instance for
// many towns): the municipalities a snapshot knows — its areas of kind `municipality` — and the
// checks of a `municipality=` code. A town's map, tiles, lists and figures are a query filter on
// the resources' and areas' lg_code, applied after the one visibility rule (the audience's view
// is filtered; the rule itself is never replaced).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/catalog/snapshot.hpp"

namespace tsunagi::geo {

/// A municipality loaded in the store: its code, name and the extent of its boundary.
struct Municipality {
  std::string lg_code;     ///< 6 digits, check digit included
  std::string name;        ///< as stored, e.g. 青森県南津軽郡藤崎町 (N03's full name)
  std::string short_name;  ///< as the town calls itself: 藤崎町 (municipality_short_name)
  std::string area_id;     ///< "municipality:023612"
  std::optional<BBox> extent;
};

/// A municipality's name without its prefecture and 郡: 青森県南津軽郡藤崎町 → 藤崎町,
/// 福島県郡山市 → 郡山市, 大阪府大阪市北区 → 大阪市北区; a name without them stays as it is.
[[nodiscard]] std::string municipality_short_name(std::string_view full);

/// The municipalities of the area layer (areas of kind municipality), in the layer's order.
[[nodiscard]] std::vector<Municipality> municipalities(const AreaLayer& layer);

/// What is wrong with a `municipality=` value, if anything.
enum class MunicipalityProblem : unsigned char { none, malformed, unknown };

struct MunicipalityLookup {
  std::optional<Municipality> town;
  MunicipalityProblem problem = MunicipalityProblem::none;
  std::string message;  ///< English, names the value and the towns there are
};

/// Reads a 全国地方公共団体コード as a URL or a command line gives it: exactly six ASCII digits
/// with a right check digit (no repair: a link must name one town), and one of the layer's
/// municipalities.
[[nodiscard]] MunicipalityLookup find_municipality(const AreaLayer& layer, std::string_view code);

/// The municipality (lg_code) whose boundary holds the point (lon, lat), or "" when no boundary
/// of the layer does (or the layer has no municipality boundaries, or the boundary holding it has
/// no well-formed 6-digit code, as the demo town's). For single edits: it reads the boundaries
/// each call.
[[nodiscard]] std::string municipality_at(const AreaLayer& layer, double lon, double lat);

}  // namespace tsunagi::geo
