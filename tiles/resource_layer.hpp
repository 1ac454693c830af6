// The `resources` tile layer: what one audience may know of the resources (a snapshot's
// AudienceView — positions already generalised, hidden resources already absent), filtered
// with the same matcher as GET /api/resources, as points; at low zooms aggregated into clusters
// with a count per kind, computed over the filtered set so that a filtered map's counts agree
// with the listing's numberMatched.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geo/catalog/resource_query.hpp"
#include "geo/catalog/snapshot.hpp"
#include "tiles/mvt.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::tiles {

inline constexpr std::string_view kResourcesLayer = "resources";

struct ClusterRules {
  /// Zooms up to this one are clustered; above it every resource is its own point.
  std::uint32_t max_zoom = 11;
  /// Clusters gather the points of one cell of a 2^cell_shift × 2^cell_shift grid per tile
  /// (3: 8 × 8 cells of 512 units, 64 px on a 512 px tile). Cells are aligned to the world grid,
  /// so a cluster is the same in every tile and at every request.
  std::uint32_t cell_shift = 3;
  /// The tile budget above max_zoom: a tile whose filtered points outnumber this is clustered
  /// too. The map draws a point as a round 13 px badge (10 px at zoom 11–12) on a 512 px tile: a
  /// thousand of them cover a third to a half of it, and beyond that a tile is a carpet of
  /// overlapping badges, where a cluster's count per kind tells more (MapLibre's own clustering
  /// merges points closer than 50 px up to zoom 14). It also keeps a tile under ~25 KB gzipped
  /// for a phone, where 5,000 points took up to 130 KB (japan scale, bench/TILES.md).
  std::size_t max_points = 1000;
};

/// Which properties a resource point carries besides its `id` and `kind` (clusters carry their
/// counts whatever is asked). The map draws an icon per kind and opens a resource by its id, so
/// it asks for none and gets smaller tiles (a quarter smaller at bench's japan scale, whose names
/// are short; the ids it needs are most of the rest); a desktop GIS that labels points by name
/// asks for `name`, and a tile URL without `fields=` gets every property the audience may see.
struct ResourceFields {
  /// The optional properties, in the order of kResourceFieldNames.
  enum class Field : std::uint8_t {
    name,
    activity,
    barrier_free,
    has_vacancy,
    unconfirmed,
    publish,
    status
  };
  std::uint8_t mask = 0x7F;  ///< bit i: Field i is carried (absent from `a`'s view is absent)

  [[nodiscard]] bool has(Field f) const { return (mask >> static_cast<unsigned>(f) & 1U) != 0; }
  [[nodiscard]] bool all() const { return mask == 0x7F; }
  /// The `fields=` of a resources tile request: "" = none, "all" = every one, else keys separated
  /// by commas, each a property `a` may see. @throws geo::InvalidArgument naming an unknown (or,
  /// for `a`, hidden: the two are indistinguishable) key and listing the keys `a` may ask for.
  static ResourceFields parse(geo::Audience a, std::string_view list);
};
inline constexpr std::array<std::string_view, 7> kResourceFieldNames = {
    "name", "activity", "barrier_free", "has_vacancy", "unconfirmed", "publish", "status"};

/// The served positions of one view in Z-order (Morton code of their world position), so that
/// the points of any tile, and of any cell within it, are one contiguous run. Built once per
/// view (AudienceView::generation) and shared by every tile of that view.
class PointIndex {
 public:
  explicit PointIndex(std::shared_ptr<const geo::AudienceView> view);
  [[nodiscard]] const geo::AudienceView& view() const { return *view_; }
  [[nodiscard]] std::uint64_t generation() const { return view_->generation(); }

  struct Entry {
    std::uint64_t morton;  ///< interleaved 32-bit world x (bit 2i) and y (bit 2i+1)
    std::uint32_t index;   ///< into view().items()
    double x;              ///< world position: fractions of the Web Mercator square, east
    double y;              ///< and south
    std::uint8_t kind;     ///< the resource's kind (counted in clusters without reading it)
    bool closed;           ///< (staff views hold closed resources)
  };
  /// The entries inside tile t (z ≤ 32), in Z-order.
  [[nodiscard]] std::pair<const Entry*, const Entry*> in_tile(const TileId& t) const;

  /// The layer's keys and shared values (kind and activity codes, booleans, publish levels…),
  /// encoded once for this view: a tile's points copy them by index.
  [[nodiscard]] const LayerDictionary& dictionary() const { return dict_; }
  /// The dictionary's (key, value) pairs of the resource at view index i: every property but
  /// its id and name.
  [[nodiscard]] std::span<const std::uint16_t> shared_tags(std::uint32_t i) const {
    return std::span<const std::uint16_t>(tags_).subspan(tag_begin_[i],
                                                         tag_begin_[i + 1] - tag_begin_[i]);
  }
  /// Dictionary keys and values the layer's features name.
  struct Names {
    std::uint16_t id, name, kind, cluster, count, yes;
    /// The optional field (ResourceFields::Field) of each dictionary key; kAlways for id and kind.
    std::vector<std::uint8_t> field_of_key;
    std::vector<std::uint16_t> count_of_kind;  ///< "count_<kind>" per kind
    std::vector<std::uint16_t> kind_value;     ///< the kind's code per kind
  };
  [[nodiscard]] const Names& names() const { return names_; }
  static constexpr std::uint8_t kAlways = 0xFF;

 private:
  std::shared_ptr<const geo::AudienceView> view_;
  std::vector<Entry> entries_;
  LayerDictionary dict_;
  Names names_{};
  std::vector<std::uint16_t> tags_;
  std::vector<std::uint32_t> tag_begin_;  ///< per view index, and one past the last
};

/// Adds the resources of tile t that `matches` accepts to `out` (points with `id`, `kind` and the
/// `fields` among `name`, `activity`, `barrier_free`, `has_vacancy`, `unconfirmed`, and for
/// staff `publish` and `status`), or
/// at z ≤ rules.max_zoom their clusters (`cluster`, `count`, `kind` = the most frequent kind,
/// `count_<kind>`); a cell holding one resource gives the resource itself. Points within the
/// buffer of the tile are included above the cluster zooms, unless they are more than
/// rules.max_points: then that tile is clustered as well.
void add_resources(LayerBuilder& out, const PointIndex& index, const geo::ResourceMatcher& matches,
                   const TileId& t, const ClusterRules& rules = {},
                   const ResourceFields& fields = {});

/// The names and types of the layer's fields that `a` gets with `fields`, for TileJSON's
/// vector_layers.
std::vector<std::pair<std::string, std::string>> resource_fields(geo::Audience a,
                                                                 const ResourceFields& fields = {});

}  // namespace tsunagi::tiles
