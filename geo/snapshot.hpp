// An immutable, in-memory view of the store that serves every read: resources with a packed
// R-tree, areas, populations. Built from the store after each committed write and published by an
// atomic shared_ptr swap; readers never lock, the writer never waits for readers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/area.hpp"
#include "geo/resource.hpp"

namespace tsunagi::geo {

class Store;

struct BBox {
  double min_lon = 0;
  double min_lat = 0;
  double max_lon = 0;
  double max_lat = 0;
  [[nodiscard]] bool contains(double lon, double lat) const {
    return lon >= min_lon && lon <= max_lon && lat >= min_lat && lat <= max_lat;
  }
};

class Snapshot {
 public:
  /// Reads everything from the store. @throws StoreError.
  static std::shared_ptr<const Snapshot> build(const Store& store);

  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  [[nodiscard]] std::int64_t generation() const { return generation_; }
  [[nodiscard]] const std::vector<Resource>& resources() const { return resources_; }
  [[nodiscard]] const Resource* find(std::string_view id) const;
  /// Indexes into resources() of every resource whose point lies in `box` (edges included).
  [[nodiscard]] std::vector<std::uint32_t> within(const BBox& box) const;
  /// Indexes of resources ordered by geodesic distance from (lon, lat), nearest first, with the
  /// distance in metres; `accept` filters candidates (returns false to skip), k = 0 means all.
  template <typename Accept>
  [[nodiscard]] std::vector<std::pair<std::uint32_t, double>> nearest(double lon, double lat,
                                                                      std::size_t k,
                                                                      Accept&& accept) const;
  [[nodiscard]] const std::vector<Area>& areas() const { return areas_; }
  [[nodiscard]] const std::vector<AreaPopulation>& populations() const { return populations_; }
  /// Bounding box of all resources and areas (nullopt when empty).
  [[nodiscard]] std::optional<BBox> extent() const { return extent_; }

 private:
  Snapshot();
  struct Index;
  std::int64_t generation_ = 0;
  std::vector<Resource> resources_;
  std::unordered_map<std::string, std::uint32_t> by_id_;
  std::vector<Area> areas_;
  std::vector<AreaPopulation> populations_;
  std::optional<BBox> extent_;
  std::unique_ptr<Index> index_;

  [[nodiscard]] std::vector<std::pair<std::uint32_t, double>> nearest_impl(
      double lon, double lat, std::size_t k,
      const std::function<bool(std::uint32_t)>& accept) const;
};

template <typename Accept>
std::vector<std::pair<std::uint32_t, double>> Snapshot::nearest(double lon, double lat,
                                                                std::size_t k,
                                                                Accept&& accept) const {
  return nearest_impl(lon, lat, k,
                      std::function<bool(std::uint32_t)>(std::forward<Accept>(accept)));
}

/// Holds the current snapshot; publish() swaps it atomically.
class SnapshotHolder {
 public:
  [[nodiscard]] std::shared_ptr<const Snapshot> current() const { return current_.load(); }
  void publish(std::shared_ptr<const Snapshot> s) { current_.store(std::move(s)); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace tsunagi::geo
