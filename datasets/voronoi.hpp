// Approximate areas from representative points: Voronoi cells (GEOS) clipped to a boundary.
// Used when only the label points of 町丁 are known (tsunagi import --areas POINTS --approximate).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tsunagi::datasets {

struct VoronoiResult {
  /// One ISO WKB (Multi)Polygon per site, in the order of the sites; nullopt when the site's cell
  /// does not meet the clip (a point outside the boundary) or two sites share a point (the
  /// second one has no cell of its own).
  std::vector<std::optional<std::string>> cells;
  std::string clip_wkb;  ///< the clip actually used
  bool clip_from_hull = false;
};

/// Cells of `sites` (lon, lat) clipped to `clip_wkb` (ISO WKB polygon), or, when empty, to the
/// sites' convex hull buffered by `hull_buffer_deg`. @throws geo::InvalidArgument on fewer than
/// one site or a GEOS failure.
VoronoiResult voronoi_cells(const std::vector<std::pair<double, double>>& sites,
                            const std::string& clip_wkb, double hull_buffer_deg = 0.01);

}  // namespace tsunagi::datasets
