#include "datasets/area_checks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "datasets/gdal_source.hpp"
#include "datasets/import_report.hpp"
#include "datasets/row_validation.hpp"

namespace tsunagi::datasets {

namespace {

struct Segment {
  double x1, y1, x2, y2;  // x1 <= x2
  [[nodiscard]] double min_y() const { return std::min(y1, y2); }
  [[nodiscard]] double max_y() const { return std::max(y1, y2); }
};

double orient(double ax, double ay, double bx, double by, double cx, double cy) {
  return ((bx - ax) * (cy - ay)) - ((by - ay) * (cx - ax));
}

bool same_point(double ax, double ay, double bx, double by) {
  return ax == bx && ay == by;
}

/// Whether two segments cross or overlap anywhere but at an end they share (consecutive edges of
/// a ring share one, and that is no crossing).
bool cross(const Segment& a, const Segment& b) {
  const bool shared = same_point(a.x1, a.y1, b.x1, b.y1) || same_point(a.x1, a.y1, b.x2, b.y2) ||
                      same_point(a.x2, a.y2, b.x1, b.y1) || same_point(a.x2, a.y2, b.x2, b.y2);
  const double d1 = orient(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1);
  const double d2 = orient(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2);
  const double d3 = orient(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1);
  const double d4 = orient(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2);
  if (shared) return d1 == 0 && d2 == 0;  // collinear and sharing an end: an overlap folds back
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0) || d1 == 0 || d2 == 0) &&
         ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0) || d3 == 0 || d4 == 0);
}

/// Crossing pairs of segments, counted up to `limit` with a sweep along x; stops early (and says
/// so through `work_exceeded`) after `work_limit` pair tests.
std::size_t count_crossings(const geo::Geometry& g, std::size_t limit, std::size_t work_limit,
                            bool& work_exceeded) {
  std::vector<Segment> segs;
  for (const auto& polygon : g.polygon_rings()) {
    for (const auto& ring : polygon) {
      for (std::size_t i = 1; i < ring.size(); ++i) {
        auto [x1, y1] = ring[i - 1];
        auto [x2, y2] = ring[i];
        if (x1 == x2 && y1 == y2) continue;
        if (x2 < x1) {
          std::swap(x1, x2);
          std::swap(y1, y2);
        }
        segs.push_back({x1, y1, x2, y2});
      }
    }
  }
  std::sort(segs.begin(), segs.end(),
            [](const Segment& a, const Segment& b) { return a.x1 < b.x1; });
  std::vector<const Segment*> active;
  std::size_t crossings = 0;
  std::size_t work = 0;
  work_exceeded = false;
  for (const auto& s : segs) {
    std::erase_if(active, [&](const Segment* a) { return a->x2 < s.x1; });
    work += active.size() + 1;
    if (work > work_limit) {
      work_exceeded = true;
      return crossings;
    }
    for (const Segment* a : active) {
      if (a->max_y() < s.min_y() || a->min_y() > s.max_y()) continue;
      if (cross(*a, s) && ++crossings >= limit) return crossings;
    }
    active.push_back(&s);
  }
  return crossings;
}

}  // namespace

std::string check_area_point(double lon, double lat) {
  return check_lon_lat(lon, lat);
}

std::string check_area_polygon(const geo::Geometry& polygon, bool& valid) {
  valid = false;
  const std::size_t n = polygon.num_coordinates();
  if (n > kMaxFeatureVertices) {
    return "it has " + std::to_string(n) + " vertices, more than the " +
           std::to_string(kMaxFeatureVertices) + " an area may have; simplify it first";
  }
  const auto env = polygon.envelope();
  // The extent's corners as a resource's point: a polygon of plane metres (a file without its
  // CRS), of swapped axes, of the whole world or of ±1e308 fails here.
  for (const auto& [lon, lat] :
       {std::pair{env.min_x, env.min_y}, std::pair{env.max_x, env.max_y}}) {
    if (std::string why = check_lon_lat(lon, lat); !why.empty()) {
      const bool metres =
          std::abs(lon) < 1e7 && std::abs(lat) < 1e7 && (std::abs(lon) > 180 || std::abs(lat) > 90);
      return "its extent reaches a point that is not in Japan: " + why +
             (metres ? "; coordinates in metres need the file's CRS (a .prj, or crs in GeoJSON)"
                     : "");
    }
  }
  valid = polygon.is_valid();
  if (!valid) {
    // Repairing a polygon costs time in its number of self-crossings: a few are a slip of the
    // pen, thousands are no boundary at all.
    bool work_exceeded = false;
    const std::size_t crossings =
        count_crossings(polygon, kMaxSelfCrossings, 200 * kMaxFeatureVertices, work_exceeded);
    if (crossings >= kMaxSelfCrossings) {
      return "its boundary crosses itself " + std::to_string(kMaxSelfCrossings) +
             " times or more (" + polygon.invalid_reason() +
             "); it cannot be repaired as an area: fix the feature in the file";
    }
    if (work_exceeded) {
      return "it is invalid (" + polygon.invalid_reason() +
             ") and too intricate to check for a repair; fix the feature in the file";
    }
  }
  return {};
}

bool require_area_polygon(const geo::Geometry& polygon, std::string_view file, std::int64_t feature,
                          std::string_view what) {
  bool valid = false;
  if (const std::string why = check_area_polygon(polygon, valid); !why.empty()) {
    throw SourceError(std::string(file) + " feature " + std::to_string(feature) + " (" +
                      quote(what) + "): " + why);
  }
  return valid;
}

void require_area_point(double lon, double lat, std::string_view file, std::int64_t feature,
                        std::string_view what) {
  if (const std::string why = check_area_point(lon, lat); !why.empty()) {
    throw SourceError(std::string(file) + " feature " + std::to_string(feature) + " (" +
                      quote(what) + "): its point is not in Japan: " + why);
  }
}

}  // namespace tsunagi::datasets
