#include "geo/spatial/wkb_geojson.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "geo/core/error.hpp"

namespace tsunagi::geo {

using nlohmann::json;

namespace {

// std::byteswap is C++23.
std::uint32_t swap_bytes(std::uint32_t v) {
  return __builtin_bswap32(v);
}
std::uint64_t swap_bytes(std::uint64_t v) {
  return __builtin_bswap64(v);
}

class WkbReader {
 public:
  explicit WkbReader(std::string_view wkb) : data_(wkb) {}

  json geometry(int depth) {
    if (depth > 16) fail("geometry collections nested too deeply");
    const bool little = byte() == 1;
    little_ = little;
    std::uint32_t type = u32();
    bool has_z = (type & 0x80000000u) != 0;
    bool has_m = (type & 0x40000000u) != 0;
    if ((type & 0x20000000u) != 0) (void)u32();  // EWKB SRID
    type &= 0x0FFFFFFFu;
    if (type >= 3000) {
      has_z = has_m = true;
      type -= 3000;
    } else if (type >= 2000) {
      has_m = true;
      type -= 2000;
    } else if (type >= 1000) {
      has_z = true;
      type -= 1000;
    }
    dims_ = 2 + (has_z ? 1 : 0) + (has_m ? 1 : 0);
    switch (type) {
      case 1: {
        auto p = point();
        if (std::isnan(p[0].get<double>()) && std::isnan(p[1].get<double>())) {
          return {{"type", "Point"}, {"coordinates", json::array()}};
        }
        return {{"type", "Point"}, {"coordinates", std::move(p)}};
      }
      case 2:
        return {{"type", "LineString"}, {"coordinates", points()}};
      case 3:
        return {{"type", "Polygon"}, {"coordinates", rings()}};
      case 4:
      case 5:
      case 6: {
        static constexpr const char* kNames[] = {"MultiPoint", "MultiLineString", "MultiPolygon"};
        const std::uint32_t n = count(5);
        json parts = json::array();
        for (std::uint32_t i = 0; i < n; ++i) {
          const int saved = dims_;
          json g = geometry(depth + 1);
          dims_ = saved;
          if (g["type"] != std::string(kNames[type - 4]).substr(5)) {
            fail(std::string(kNames[type - 4]) + " holds a " + g["type"].get<std::string>());
          }
          parts.push_back(std::move(g["coordinates"]));
        }
        return {{"type", kNames[type - 4]}, {"coordinates", std::move(parts)}};
      }
      case 7: {
        const std::uint32_t n = count(5);
        json parts = json::array();
        for (std::uint32_t i = 0; i < n; ++i) parts.push_back(geometry(depth + 1));
        return {{"type", "GeometryCollection"}, {"geometries", std::move(parts)}};
      }
      default:
        fail("unsupported geometry type " + std::to_string(type));
    }
  }

  [[nodiscard]] bool at_end() const { return pos_ == data_.size(); }
  [[nodiscard]] std::optional<BBox> envelope() const {
    if (!any_) return std::nullopt;
    return env_;
  }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    throw GeometryError("malformed WKB: " + what);
  }
  void need(std::size_t n) const {
    if (data_.size() - pos_ < n) fail("truncated");
  }
  std::uint8_t byte() {
    need(1);
    const auto b = static_cast<std::uint8_t>(data_[pos_++]);
    if (b > 1) fail("byte order must be 0 or 1");
    return b;
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    std::memcpy(&v, data_.data() + pos_, 4);
    pos_ += 4;
    if (little_ != (std::endian::native == std::endian::little)) v = swap_bytes(v);
    return v;
  }
  double f64() {
    need(8);
    std::uint64_t v = 0;
    std::memcpy(&v, data_.data() + pos_, 8);
    pos_ += 8;
    if (little_ != (std::endian::native == std::endian::little)) v = swap_bytes(v);
    return std::bit_cast<double>(v);
  }
  /// A count whose elements take at least `min_bytes` each, checked against what is left so a
  /// corrupt count cannot make us reserve gigabytes.
  std::uint32_t count(std::size_t min_bytes) {
    const std::uint32_t n = u32();
    if (static_cast<std::size_t>(n) * min_bytes > data_.size() - pos_) fail("count exceeds data");
    return n;
  }
  json point() {
    const double x = f64();
    const double y = f64();
    for (int i = 2; i < dims_; ++i) (void)f64();
    if (!std::isnan(x) && !std::isnan(y)) {
      if (!std::isfinite(x) || !std::isfinite(y)) fail("non-finite coordinate");
      grow(x, y);
    }
    return json::array({x, y});
  }
  json points() {
    const std::uint32_t n = count(static_cast<std::size_t>(dims_) * 8);
    json a = json::array();
    for (std::uint32_t i = 0; i < n; ++i) a.push_back(point());
    return a;
  }
  json rings() {
    const std::uint32_t n = count(4);
    json a = json::array();
    for (std::uint32_t i = 0; i < n; ++i) a.push_back(points());
    return a;
  }
  void grow(double x, double y) {
    if (!any_) {
      env_ = {x, y, x, y};
      any_ = true;
      return;
    }
    env_.min_lon = std::min(env_.min_lon, x);
    env_.min_lat = std::min(env_.min_lat, y);
    env_.max_lon = std::max(env_.max_lon, x);
    env_.max_lat = std::max(env_.max_lat, y);
  }

  std::string_view data_;
  std::size_t pos_ = 0;
  bool little_ = true;
  int dims_ = 2;
  BBox env_{};
  bool any_ = false;
};

}  // namespace

WkbGeoJson wkb_to_geojson(std::string_view wkb) {
  if (wkb.empty()) return {json(nullptr), std::nullopt};
  WkbReader reader(wkb);
  json g = reader.geometry(0);
  if (!reader.at_end()) throw GeometryError("malformed WKB: trailing bytes");
  return {std::move(g), reader.envelope()};
}

}  // namespace tsunagi::geo
