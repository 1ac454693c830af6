// Finding resources: the transport-free facade behind GET /api/resources, the OGC API items and
// the CLI. Filters (bbox, kinds, activities, target groups, open on a weekday and time window,
// barrier-free, vacancy, text), publish levels and statuses, distance order from a point, and
// pagination with the total count — over what one audience may know (a snapshot's
// AudienceView), so that no filter, sort or count can see a value the audience may not.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/resource.hpp"

namespace tsunagi::geo {

/// "Open on Wednesday afternoon": a weekday and, optionally, a time window [from, to) in minutes.
struct OpenWindow {
  Weekday day = Weekday::mon;
  std::optional<int> from_minute;
  std::optional<int> to_minute;
  bool operator==(const OpenWindow&) const = default;
};

/// Parses the compact form of an open window:
///   "wed"  "水"  "水曜"  "水曜日"                       the whole day
///   "wed,13:00-15:00"  "水 13:00〜15:00"  "水曜13時-15時"  a time window
///   "水曜の午後"  "wed,afternoon"                         a part of the day:
///       午前/morning 09:00–12:00, 午後/afternoon 12:00–18:00, 夜/夕方/evening 18:00–22:00
/// @throws InvalidArgument saying which part could not be read and what is accepted.
OpenWindow parse_open_window(std::string_view text);

/// The same from separate parts (open_day, open_from, open_to); from/to may be empty.
/// @throws InvalidArgument.
OpenWindow make_open_window(std::string_view day, std::string_view from, std::string_view to);

/// A part of the day as `open=` reads it (午前/morning 09:00–12:00 …): the one list the server
/// filters by and /api/meta gives the pages, so that no page keeps its own copy.
struct DayPart {
  std::string_view ja;
  std::string_view en;
  int from;  ///< minutes after midnight
  int to;
};
std::span<const DayPart> day_parts();

struct ResourceQuery {
  std::optional<BBox> bbox;
  EnumSet<ResourceKind> kinds;     ///< empty = any
  EnumSet<Activity> activities;    ///< any of them; empty = any
  EnumSet<TargetGroup> targets;    ///< any of them; empty = any
  std::optional<OpenWindow> open;  ///< some schedule meets in the window
  bool barrier_free = false;       ///< at least one barrier-free flag is yes
  bool has_vacancy = false;        ///< vacancy > 0 or open placement slots > 0
  std::string text;                ///< words (all must match) in name, kana or address
  /// One town's resources only (its 全国地方公共団体コード; empty = every town of the store): a
  /// filter on what the audience's view already holds, never a visibility rule of its own.
  std::string lg_code;
  std::optional<LonLat> near;  ///< order by geodesic distance from here
  /// Without `near`: order by reading (name_kana, else name; kana and width folded), then id —
  /// an order that does not depend on where anyone looks, so numbers in a list stay the same.
  bool by_name = false;
  /// Which publish levels and statuses to list (within what the audience may know at all).
  EnumSet<PublishLevel> publish_levels{PublishLevel::public_, PublishLevel::partners,
                                       PublishLevel::internal};
  EnumSet<ResourceStatus> statuses{ResourceStatus::active, ResourceStatus::paused};
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct ResourceHit {
  const ServedResource* served = nullptr;
  const Resource* resource = nullptr;  ///< &served->resource()
  std::optional<double> distance_m;    ///< set when the query had `near`
};

struct ResourcePage {
  std::vector<ResourceHit> hits;   ///< at most `limit`, from `offset`
  std::size_t number_matched = 0;  ///< every match, before offset/limit
};

/// Runs a query over what one audience may know. Results are in id order, by reading with
/// `by_name`, or by distance from `near` (to the served position) when it is set.
/// @throws InvalidArgument when the text is not valid UTF-8.
[[nodiscard]] ResourcePage query(const AudienceView& view, const ResourceQuery& q);

/// What `has_vacancy=true` asks for: vacancy > 0, or open placement slots > 0 (as the audience
/// sees them: the public sees no offer).
[[nodiscard]] bool has_vacancy(const Resource& r);

/// True when `r` passes every filter of `q` but bbox and text.
[[nodiscard]] bool matches_attributes(const Resource& r, const ResourceQuery& q);

/// Every filter of a query but bbox, `near` and paging — attributes and text — as one test, so
/// that listings, tiles and cluster counts agree on what matches.
class ResourceMatcher {
 public:
  /// @throws InvalidArgument when the text is not valid UTF-8.
  explicit ResourceMatcher(const ResourceQuery& q);
  [[nodiscard]] bool operator()(const ServedResource& item) const;
  /// True when the query filters on nothing but the default statuses (active and paused, every
  /// publish level the audience may know): then a resource matches exactly when it is not
  /// closed, and callers may decide without reading it.
  [[nodiscard]] bool only_open() const { return only_open_; }

 private:
  const ResourceQuery* q_;
  std::vector<std::string> needles_;
  bool only_open_ = false;
};

}  // namespace tsunagi::geo
