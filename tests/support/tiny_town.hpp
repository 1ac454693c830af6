// The one tiny-town builder of the tests: a real SpatiaLite store that resources and areas go
// into through the store's own API, a line each. Unit, scenario and end-to-end tests build
// their towns with it (the e2e town of server_town.hpp adds users on top).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/area.hpp"
#include "geo/core/resource.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::test {

/// A resource as tests write them: a name, a kind and a point, the rest default.
inline geo::Resource resource_at(std::string name, geo::ResourceKind kind, double lon, double lat,
                                 geo::PublishLevel publish = geo::PublishLevel::public_,
                                 geo::ResourceStatus status = geo::ResourceStatus::active) {
  geo::Resource r;
  r.name = std::move(name);
  r.kind = kind;
  r.lon = lon;
  r.lat = lat;
  r.publish = publish;
  r.status = status;
  return r;
}

class TinyTown {
 public:
  /// Creates the store at `db` (or opens it when it exists).
  explicit TinyTown(const std::filesystem::path& db)
      : store_(geo::Store::open(db, geo::Store::Mode::create_if_missing)) {}

  [[nodiscard]] geo::Store& store() { return store_; }
  [[nodiscard]] const std::filesystem::path& db() const { return store_.path(); }

  /// Stores `r` (as edited by the caller); returns it with its id, version and timestamps.
  geo::Resource add(geo::Resource r) {
    store_.create(r, "test");
    return r;
  }
  /// A resource at a point; `edit(r)` sets whatever else the test needs before it is stored.
  template <typename Edit>
  geo::Resource add(std::string name, geo::ResourceKind kind, double lon, double lat, Edit&& edit) {
    geo::Resource r = resource_at(std::move(name), kind, lon, lat);
    std::forward<Edit>(edit)(r);
    return add(std::move(r));
  }
  geo::Resource add(std::string name, geo::ResourceKind kind, double lon, double lat) {
    return add(resource_at(std::move(name), kind, lon, lat));
  }

  /// An area from WKT with its representative point.
  geo::Area add_area(std::string id, geo::AreaKind kind, std::string name, std::string_view wkt,
                     double label_lon, double label_lat) {
    geo::Area a;
    a.id = std::move(id);
    a.kind = kind;
    a.code = a.id.substr(a.id.find(':') + 1);
    a.name = std::move(name);
    a.wkb = geo::Geometry::from_wkt(wkt).wkb();
    a.label_lon = label_lon;
    a.label_lat = label_lat;
    store_.put_area(a);
    return a;
  }

  /// What the server would serve from this store now.
  [[nodiscard]] std::shared_ptr<const geo::Snapshot> snapshot() const {
    return geo::Snapshot::build(store_);
  }

 private:
  geo::Store store_;
};

}  // namespace tsunagi::test
