#include "geo/snapshot.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <limits>

#include "geo/error.hpp"
#include "geo/geodesic.hpp"
#include "geo/store.hpp"

namespace tsunagi::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

using Point2 = bg::model::point<double, 2, bg::cs::cartesian>;
using Box2 = bg::model::box<Point2>;
using Point3 = bg::model::point<double, 3, bg::cs::cartesian>;
using Entry2 = std::pair<Point2, std::uint32_t>;
using Entry3 = std::pair<Point3, std::uint32_t>;

constexpr double kEarthRadius = 6371008.8;  // mean radius, metres
constexpr double kDeg = 3.14159265358979323846 / 180.0;

/// Unit-sphere position: chord length is monotonic in great-circle distance, so an R-tree over
/// these points answers nearest-neighbour queries for any latitude without distortion.
Point3 on_sphere(double lon, double lat) {
  const double cl = std::cos(lat * kDeg);
  return {cl * std::cos(lon * kDeg), cl * std::sin(lon * kDeg), std::sin(lat * kDeg)};
}

double chord_to_metres(double chord) {
  return 2.0 * kEarthRadius * std::asin(std::min(1.0, chord / 2));
}

/// Sphere and ellipsoid distances differ by less than 0.5 %: the safety factor for stopping.
constexpr double kSphereSlack = 0.995;

}  // namespace

struct Snapshot::Index {
  bgi::rtree<Entry2, bgi::rstar<16>> planar;
  bgi::rtree<Entry3, bgi::rstar<16>> sphere;
};

Snapshot::Snapshot() = default;
Snapshot::~Snapshot() = default;

std::shared_ptr<const Snapshot> Snapshot::build(const Store& store) {
  std::shared_ptr<Snapshot> s(new Snapshot());
  // One read transaction: generation, resources and areas come from the same committed state.
  sqlite3* db = store.raw_handle();
  const bool own = sqlite3_get_autocommit(db) != 0;
  if (own && sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("cannot read the store: ") + sqlite3_errmsg(db));
  }
  try {
    s->generation_ = store.generation();
    s->resources_.reserve(static_cast<std::size_t>(store.resource_count()));
    store.for_each_resource([&](Resource&& r) { s->resources_.push_back(std::move(r)); });
    s->areas_ = store.areas();
    s->populations_ = store.populations();
  } catch (...) {
    if (own) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (own) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);

  std::vector<Entry2> planar;
  std::vector<Entry3> sphere;
  planar.reserve(s->resources_.size());
  sphere.reserve(s->resources_.size());
  s->by_id_.reserve(s->resources_.size());
  BBox ext{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
           std::numeric_limits<double>::lowest(), std::numeric_limits<double>::lowest()};
  bool any = false;
  auto grow = [&](double lon, double lat) {
    ext.min_lon = std::min(ext.min_lon, lon);
    ext.min_lat = std::min(ext.min_lat, lat);
    ext.max_lon = std::max(ext.max_lon, lon);
    ext.max_lat = std::max(ext.max_lat, lat);
    any = true;
  };
  for (std::uint32_t i = 0; i < s->resources_.size(); ++i) {
    const auto& r = s->resources_[i];
    planar.emplace_back(Point2{r.lon, r.lat}, i);
    sphere.emplace_back(on_sphere(r.lon, r.lat), i);
    s->by_id_.emplace(r.id, i);
    grow(r.lon, r.lat);
  }
  for (const auto& a : s->areas_) {
    if (a.label_lon != 0 || a.label_lat != 0) grow(a.label_lon, a.label_lat);
  }
  if (any) s->extent_ = ext;
  // The range constructors bulk-load (pack) the trees.
  s->index_ = std::make_unique<Index>(Index{bgi::rtree<Entry2, bgi::rstar<16>>(planar),
                                            bgi::rtree<Entry3, bgi::rstar<16>>(sphere)});
  return s;
}

const Resource* Snapshot::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &resources_[it->second];
}

std::vector<std::uint32_t> Snapshot::within(const BBox& box) const {
  std::vector<std::uint32_t> out;
  const Box2 query{Point2{box.min_lon, box.min_lat}, Point2{box.max_lon, box.max_lat}};
  index_->planar.query(
      bgi::covered_by(query),
      boost::make_function_output_iterator([&](const Entry2& e) { out.push_back(e.second); }));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::uint32_t, double>> Snapshot::nearest_impl(
    double lon, double lat, std::size_t k, const std::function<bool(std::uint32_t)>& accept) const {
  std::vector<std::pair<std::uint32_t, double>> found;
  if (resources_.empty()) return found;
  const Point3 origin = on_sphere(lon, lat);
  const std::size_t want = k == 0 ? resources_.size() : k;
  // Walk candidates in sphere order; keep exact geodesic distances; stop once the next candidate's
  // sphere distance (with slack) cannot beat the k-th best exact distance.
  for (auto it =
           index_->sphere.qbegin(bgi::nearest(origin, static_cast<unsigned>(resources_.size())));
       it != index_->sphere.qend(); ++it) {
    const double sphere_m = chord_to_metres(bg::distance(origin, it->first));
    if (found.size() >= want && sphere_m * kSphereSlack > found[want - 1].second) break;
    if (!accept(it->second)) continue;
    const auto& r = resources_[it->second];
    const double d = geodesic_distance_m(lon, lat, r.lon, r.lat);
    auto pos = std::upper_bound(found.begin(), found.end(), d,
                                [](double v, const auto& e) { return v < e.second; });
    found.insert(pos, {it->second, d});
    if (found.size() > want) found.pop_back();
  }
  return found;
}

}  // namespace tsunagi::geo
