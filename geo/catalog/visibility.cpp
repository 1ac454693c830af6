#include "geo/catalog/visibility.hpp"

#include <algorithm>
#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <chrono>
#include <cmath>
#include <limits>

#include "geo/core/error.hpp"
#include "geo/core/resource_fields.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/core/time.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"

#include <nlohmann/json.hpp>

namespace tsunagi::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

Audience audience_for(Role role) {
  switch (role) {
    case Role::public_:
      return Audience::public_;
    case Role::planner:
    case Role::matcher:
      return Audience::partners;
    case Role::coordinator:
    case Role::admin:
      return Audience::internal;
  }
  return Audience::public_;
}

EnumSet<PublishLevel> levels_for(Audience a) {
  switch (a) {
    case Audience::public_:
      return {PublishLevel::public_};
    case Audience::partners:
      return {PublishLevel::public_, PublishLevel::partners};
    case Audience::internal:
      return {PublishLevel::public_, PublishLevel::partners, PublishLevel::internal};
  }
  return {PublishLevel::public_};
}

bool answer_readable(Audience reader, Audience computed_for) {
  const auto knows = levels_for(reader);
  const auto used = levels_for(computed_for);
  for (const auto l : {PublishLevel::public_, PublishLevel::partners, PublishLevel::internal}) {
    if (used.contains(l) && !knows.contains(l)) return false;
  }
  return true;
}

bool visible(Audience a, const Resource& r) {
  if (!levels_for(a).contains(r.publish)) return false;
  return !(a == Audience::public_ && r.status == ResourceStatus::closed);
}

FreshnessRule freshness_rule(int after_days, FreshnessRule::Public unconfirmed_public) {
  return {.confirmed_since =
              jst_date(std::chrono::system_clock::now() - std::chrono::hours(24) * after_days),
          .unconfirmed_public = unconfirmed_public};
}

std::string last_confirmed(const Resource& r) {
  return !r.verified_at.empty() ? r.verified_at.str() : r.created_at.substr(0, 10);
}

bool unconfirmed(const Resource& r, const FreshnessRule& rule) {
  if (rule.confirmed_since.empty() || r.status == ResourceStatus::closed) return false;
  return last_confirmed(r) < rule.confirmed_since;
}

bool visible(Audience a, const Resource& r, const FreshnessRule& rule) {
  if (!visible(a, r)) return false;
  return !(a == Audience::public_ && rule.unconfirmed_public == FreshnessRule::Public::hide &&
           unconfirmed(r, rule));
}

namespace {

/// The fields each audience may see: every field whose least audience (its row of
/// geo/core/resource_fields) it reaches. Built once: serving a resource looks nothing up by name.
const FieldMask& fields_seen_by(Audience a) {
  static const std::array<FieldMask, kAudiences.size()> masks = [] {
    std::array<FieldMask, kAudiences.size()> m{};
    for (const auto& f : resource_fields()) {
      for (const Audience x : kAudiences) {
        if (f.seen_by(x)) m[static_cast<std::size_t>(x)].set(f.index);
      }
    }
    return m;
  }();
  return masks[static_cast<std::size_t>(a)];
}

/// The empty values a projection puts in place of what an audience may not see.
const Resource& unknown_resource() {
  static const Resource empty{};
  return empty;
}

bool private_host(const Resource& r) {
  return r.venue == VenueKind::private_home || r.operator_type == OperatorType::jumin_kojin;
}

}  // namespace

nlohmann::json to_json(const Resource& r, Audience audience) {
  return to_json(r, fields_seen_by(audience));
}

nlohmann::json to_geojson_feature(const Resource& r, Audience audience) {
  return geojson_feature(r, to_json(r, audience));
}

bool field_visible(Audience a, std::string_view key) {
  const ResourceField* f = find_resource_field(key);
  return f == nullptr || f->seen_by(a);
}

bool column_visible(Audience a, const IndicatorTable::Column& c) {
  return levels_for(a).contains(c.publish);
}

std::vector<AreaFigure> served_area_figures(Audience a, const IndicatorTable& t, std::size_t area) {
  std::vector<AreaFigure> out;
  if (area >= t.area_count()) return out;
  const auto& cols = t.columns();
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (auto f = served_area_figure(a, t, area, c)) out.push_back(*f);
  }
  return out;
}

std::optional<AreaFigure> served_area_figure(Audience a, const IndicatorTable& t, std::size_t area,
                                             std::size_t col) {
  if (area >= t.area_count() || col >= t.columns().size()) return std::nullopt;
  const auto& c = t.columns()[col];
  if (!column_visible(a, c)) return std::nullopt;
  const auto& cell = t.cell(area, col);
  return AreaFigure{&c, cell.get(), cell.status, t.merged_text(cell)};
}

bool position_withheld(Audience a, const Resource& r) {
  return a == Audience::public_ && r.venue == VenueKind::private_home;
}

// ---- the generalizer ----

namespace {
using Point2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<Point2>;
using Entry = std::pair<Box2, std::uint32_t>;
}  // namespace

struct Generalizer::Impl {
  struct Place {
    PreparedGeometry shape;
    double label_lon;
    double label_lat;
    double size;  ///< planar area: the smallest containing place wins
  };
  std::vector<Place> places;
  bgi::rtree<Entry, bgi::rstar<16>> index;
};

Generalizer::Generalizer() : impl_(std::make_unique<Impl>()) {}
Generalizer::~Generalizer() = default;

Generalizer::Generalizer(const std::vector<Area>& areas) : impl_(std::make_unique<Impl>()) {
  std::vector<Entry> entries;
  for (const auto& a : areas) {
    if (!is_small_area_kind(a.kind)) continue;
    if (a.wkb.empty()) continue;
    try {
      Geometry g = Geometry::from_wkb(a.wkb);
      const auto env = g.envelope();
      double lon = a.label_lon;
      double lat = a.label_lat;
      if (lon == 0 && lat == 0) std::tie(lon, lat) = g.point_on_surface();
      const double size = g.area();
      entries.emplace_back(Box2{Point2{env.min_x, env.min_y}, Point2{env.max_x, env.max_y}},
                           static_cast<std::uint32_t>(impl_->places.size()));
      impl_->places.push_back(Impl::Place{PreparedGeometry(std::move(g)), lon, lat, size});
    } catch (const GeometryError&) {  // NOLINT(bugprone-empty-catch)
      // A damaged boundary places nothing: its resources fall back to their mesh cell.
    }
  }
  impl_->index = bgi::rtree<Entry, bgi::rstar<16>>(entries);
}

std::pair<double, double> Generalizer::position(double lon, double lat) const {
  const Impl::Place* best = nullptr;
  impl_->index.query(bgi::intersects(Point2{lon, lat}),
                     boost::make_function_output_iterator([&](const Entry& e) {
                       const auto& p = impl_->places[e.second];
                       if (best != nullptr && best->size <= p.size) return;
                       if (p.shape.contains_point(lon, lat)) best = &p;
                     }));
  if (best != nullptr) return {best->label_lon, best->label_lat};
  try {
    const MeshCell c = mesh_cell_at(lon, lat, MeshLevel::half);
    return {(c.west + c.east) / 2, (c.south + c.north) / 2};
  } catch (const InvalidArgument&) {
    // Outside the mesh system (never for a stored resource): a 0.01° grid, still stable.
    return {std::round(lon * 100) / 100, std::round(lat * 100) / 100};
  }
}

Resource served(Audience a, const Resource& r, const Generalizer& g) {
  if (a == Audience::internal) return r;
  Resource s = r;
  // The fields `a` may not see at all (their rows' least audience): empty.
  for (const auto& f : resource_fields()) {
    if (!f.seen_by(a)) f.copy(unknown_resource(), s);
  }
  if (a == Audience::partners) return s;

  if (position_withheld(a, r)) {
    std::tie(s.lon, s.lat) = g.position(r.lon, r.lat);
    s.accuracy = PositionAccuracy::chome;
    // And what tells where the home is (address, building…: the table's locates_home rows).
    for (const auto& f : resource_fields()) {
      if (f.locates_home) f.copy(unknown_resource(), s);
    }
  }
  if (r.operator_type == OperatorType::jumin_kojin) s.operator_name.clear();
  const bool agreed = r.contact_public.value_or(false);
  if (private_host(r) && !agreed) {
    s.phone.clear();
    s.fax.clear();
  }
  // E-mail addresses are often a person's own even for a group: public only when agreed.
  if (!agreed) s.email.clear();
  return s;
}

void keep_unseen(Audience a, const Resource& stored, Resource& incoming) {
  for (const auto& f : resource_fields()) {
    if (!f.seen_by(a)) f.copy(stored, incoming);
  }
}

std::vector<HistoryEntry> project_history(Audience a, const Resource& current,
                                          std::vector<HistoryEntry> entries) {
  using nlohmann::json;
  const EnumSet<PublishLevel> levels = levels_for(a);
  // The publish level after each entry, walking back from the stored one.
  PublishLevel after = current.publish;
  std::vector<json> changes(entries.size());
  std::vector<PublishLevel> level_after(entries.size());
  std::vector<PublishLevel> level_before(entries.size());
  for (std::size_t k = entries.size(); k-- > 0;) {
    changes[k] = json::parse(entries[k].changes_json, nullptr, false);
    if (!changes[k].is_object()) changes[k] = json::object();
    level_after[k] = after;
    const auto it = changes[k].find("publish");
    if (it != changes[k].end() && it->is_object() && it->contains("from") &&
        (*it)["from"].is_string()) {
      if (const auto from = parse_code<PublishLevel>((*it)["from"].get<std::string>())) {
        after = *from;
      }
    }
    level_before[k] = after;
  }
  for (std::size_t k = 0; k < entries.size(); ++k) {
    json out = json::object();
    if (!levels.contains(level_after[k])) {
      out["redacted"] = "the resource was not visible to your role at this version";
    } else {
      const bool from_visible = levels.contains(level_before[k]) || k == 0;
      for (auto& [key, value] : changes[k].items()) {
        if (!field_visible(a, key)) continue;
        json v = value;
        if (!from_visible && v.is_object() && v.contains("from")) v["from"] = nullptr;
        out[key] = std::move(v);
      }
    }
    entries[k].changes_json = out.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return entries;
}

}  // namespace tsunagi::geo
