// Coordinate reference systems through PROJ. One PJ_CONTEXT per thread; transformers are
// normalised for visualisation, so input and output are always (lon, lat) or (easting, northing)
// whatever the CRS's official axis order is.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tsunagi::geo {

struct XY {
  double x = 0;  ///< longitude or easting
  double y = 0;  ///< latitude or northing
};

/// Safe to share between threads: each thread that uses a Transformer builds its own PROJ
/// object in its own context on first use (about 1 ms), from the stored CRS definitions.
class Transformer {
 public:
  /// A transformer between two CRS given as anything PROJ understands ("EPSG:6677", WKT, PROJJSON).
  /// @throws CrsError when either CRS is unknown or no transformation exists.
  Transformer(std::string_view from, std::string_view to);
  Transformer(Transformer&&) noexcept;
  Transformer& operator=(Transformer&&) noexcept;
  ~Transformer();

  /// @throws CrsError when the point cannot be transformed (returns inf/NaN).
  [[nodiscard]] XY forward(XY p) const;
  [[nodiscard]] XY inverse(XY p) const;
  /// True when PROJ may fall back to a ballpark transformation (no real datum shift known for
  /// all or part of the area, e.g. a lon/lat CRS on Bessel without a datum, or Tokyo 1892 outside
  /// Korea): results can be hundreds of metres off and the caller must warn. Tokyo (EPSG:4301)
  /// itself is not ballpark here: PROJ uses the EPSG Helmert shifts (about 10 m).
  [[nodiscard]] bool is_ballpark() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The JGD2011 平面直角座標系 zone (EPSG:6669..6687) that PROJ names for a zone number 1..19.
/// @throws InvalidArgument outside 1..19.
std::string jgd2011_plane_zone_epsg(int zone);

}  // namespace tsunagi::geo
