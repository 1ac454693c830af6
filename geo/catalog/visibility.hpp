// The one visibility rule. Every route — JSON, OGC API, tiles, exports, matching, indicators —
// learns what a reader may know from here, and only from here:
//
//   audience   roles                   publish levels            closed resources
//   public     public (no account)     public                    never
//   partners   planner, matcher        public, partners          when asked for
//   internal   coordinator, admin      public, partners, internal when asked for
//
// visible() says whether an audience may know a resource exists at all; served() projects it to
// what that audience may know of it. Snapshots hold, per audience, only the projected resources
// and their own spatial index, so that every filter, sort, distance, count, ETag, search and
// export works on the projected data alone: a value an audience may not know is not there to be
// probed.
//
// What the projection removes (a field's least audience is its row of geo/core/resource_fields;
// the conditional rules — a private home's point, a private person's name, contact consent — are
// written here):
//   public    a 個人宅 venue: the true point (moved to its 町丁目's representative point, or the
//             centre of its JIS 1/2 mesh cell when no 町丁目 is known — stable, it does not move
//             with each edit), the address and the building. A private person's name as operator.
//             A private host's phone and fax, and any e-mail address, unless `contact_public`
//             says the host agreed.
//             The placement offer (参加支援 slots and conditions), the internal note, provenance
//             (source, created_at), the edit counter and time (version, updated_at), the publish
//             level and the consent flag itself.
//   partners  the internal note.
//   internal  nothing.
// Unconfirmed listings (FreshnessRule): a listing whose last confirmation (verified_at, else its
// creation) is older than the configured age is unconfirmed; every audience gets it flagged
// (ServedResource::unconfirmed(), the "unconfirmed" property 「要確認」), and with
// `unconfirmed_public = hide` the public does not know it exists at all — like a closed one.
// Fields of the past (history) are projected the same way, for the reader's audience at the time
// of reading (history.hpp's project_history()).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/audience.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/resource.hpp"

namespace tsunagi::geo {

/// The audience a role reads as.
Audience audience_for(Role role);

/// The publish levels an audience may know.
EnumSet<PublishLevel> levels_for(Audience a);

/// True when an answer computed from what `computed_for` sees (an analysis job's) may be read by
/// `reader`: the reader knows every publish level it was computed from, and so every figure and
/// field the audiences of those levels see.
bool answer_readable(Audience reader, Audience computed_for);

/// True when `a` may know that `r` exists (its publish level, and the policy for closed ones:
/// the public never sees a closed resource; staff see one when they ask for closed resources or
/// name it by id).
bool visible(Audience a, const Resource& r);

/// How listings nobody has confirmed for a while reach the public (server configuration
/// `unconfirmed_after_days`, `unconfirmed_public`). The default flags nothing and hides nothing.
struct FreshnessRule {
  enum class Public { flag, hide };
  /// A listing last confirmed before this date (YYYY-MM-DD, in Japan) is unconfirmed; empty:
  /// none is.
  std::string confirmed_since;
  Public unconfirmed_public = Public::flag;
  bool operator==(const FreshnessRule&) const = default;
};

/// The rule for today in Japan: unconfirmed after `after_days` days.
FreshnessRule freshness_rule(int after_days, FreshnessRule::Public unconfirmed_public);

/// The date a listing was last confirmed: verified_at, else the date it was created.
std::string last_confirmed(const Resource& r);

/// True when `r` is unconfirmed under `rule` (closed listings never are).
bool unconfirmed(const Resource& r, const FreshnessRule& rule);

/// visible(a, r), and under `rule`: with `hide`, the public does not know an unconfirmed listing.
bool visible(Audience a, const Resource& r, const FreshnessRule& rule);

/// True when a JSON property (a key of to_json()) may be shown to `a`.
bool field_visible(Audience a, std::string_view key);

/// The properties of `r` that `a` may see (to_json() without the fields field_visible() refuses);
/// the values are `r`'s as given, so pass the resource served() for that audience.
nlohmann::json to_json(const Resource& r, Audience audience);
/// The GeoJSON Feature of what `audience` may see of `r`.
nlohmann::json to_geojson_feature(const Resource& r, Audience audience = Audience::internal);

/// A figure about an area as an audience may see it: a statistic or a derived indicator, with
/// its mark (合算, 合算元, 秘匿, 該当なし). A suppressed figure has no value — not here, not in
/// any total computed from here.
struct AreaFigure {
  const IndicatorTable::Column* column = nullptr;
  std::optional<double> value;
  StatStatus status = StatStatus::missing;
  std::string_view merged;  ///< merged: codes included; absorbed: the area that holds the figure
  [[nodiscard]] std::string_view key() const { return column->key; }
};
/// True when `a` may see column `c` at all (its publish level).
bool column_visible(Audience a, const IndicatorTable::Column& c);
/// The figures of area `area` (index in the table's area order) that `a` may see, in the
/// table's column order. Census counts are public; a municipality's own figures only at their
/// publish level, and always after the small-cell rule (IndicatorTable). Every output of area
/// figures — API, tiles, exports, analyses — takes them from here.
std::vector<AreaFigure> served_area_figures(Audience a, const IndicatorTable& t, std::size_t area);
/// One figure (column `col`) of area `area` as `a` may see it; nullopt when `a` may not see the
/// column at all.
std::optional<AreaFigure> served_area_figure(Audience a, const IndicatorTable& t, std::size_t area,
                                             std::size_t col);

/// True when `r`'s true position and address are a private home's and must not reach `a`.
bool position_withheld(Audience a, const Resource& r);

/// Where the public sees a resource whose position is withheld: the representative point of the
/// smallest 町丁目/大字 area containing it, else the centre of its JIS 1/2 mesh cell (~500 m).
/// Built once per area layer; immutable and shareable between threads.
class Generalizer {
 public:
  /// Uses the small areas (町丁・字等, 大字, 丁目) that have a boundary; others are ignored.
  explicit Generalizer(const std::vector<Area>& areas);
  Generalizer();
  ~Generalizer();
  Generalizer(const Generalizer&) = delete;
  Generalizer& operator=(const Generalizer&) = delete;

  /// The served position of a point whose true position is withheld.
  [[nodiscard]] std::pair<double, double> position(double lon, double lat) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct HistoryEntry;

/// Fields that `a` may not see, taken from `stored` into `incoming` (an edit by a partner keeps
/// the internal note it never saw).
void keep_unseen(Audience a, const Resource& stored, Resource& incoming);

/// A resource's history as `a` may read it now: changes to fields `a` may not see are left out,
/// and so is everything of a version when the resource was at a publish level `a` may not know
/// (the entry stays, marked "redacted", so the version numbers still add up); a value from before
/// the resource became visible to `a` shows as null. `current` is the stored resource, `entries`
/// its history oldest first (Store::history).
std::vector<HistoryEntry> project_history(Audience a, const Resource& current,
                                          std::vector<HistoryEntry> entries);

/// What audience `a` may know of `r` (call only when visible(a, r)). Fields `a` may not see are
/// emptied; positions are generalized with `g`.
Resource served(Audience a, const Resource& r, const Generalizer& g);

}  // namespace tsunagi::geo
