// Geometry through the GEOS C API, behind RAII: one GEOSContextHandle_t per thread, owned
// geometries with deleters. This is the only file that includes geos_c.h.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::geo {

class Geometry {
 public:
  /// @throws GeometryError on malformed WKB/WKT.
  static Geometry from_wkb(std::string_view wkb);
  static Geometry from_wkt(std::string_view wkt);
  static Geometry point(double x, double y);
  /// Union of all parts (dissolve), e.g. the 162 polygons of 高松市's N03 file into one.
  static Geometry union_all(const std::vector<Geometry>& parts);

  Geometry(Geometry&&) noexcept;
  Geometry& operator=(Geometry&&) noexcept;
  ~Geometry();
  [[nodiscard]] Geometry clone() const;

  [[nodiscard]] std::string wkb() const;  ///< ISO WKB, little endian
  [[nodiscard]] std::string wkt() const;
  [[nodiscard]] bool is_valid() const;
  [[nodiscard]] std::string invalid_reason() const;
  [[nodiscard]] Geometry make_valid() const;
  [[nodiscard]] bool is_empty() const;
  [[nodiscard]] std::size_t num_coordinates() const;  ///< every vertex of every part and ring
  [[nodiscard]] std::string type_name() const;        ///< "Polygon", "MultiPolygon"…
  /// Promote Polygon to MultiPolygon (no-op for MultiPolygon). @throws GeometryError otherwise.
  [[nodiscard]] Geometry as_multi_polygon() const;
  [[nodiscard]] bool contains(const Geometry& other) const;
  [[nodiscard]] bool intersects(const Geometry& other) const;
  [[nodiscard]] Geometry intersection(const Geometry& other) const;
  /// Envelope as min_x, min_y, max_x, max_y.
  struct Envelope {
    double min_x, min_y, max_x, max_y;
  };
  [[nodiscard]] Envelope envelope() const;
  /// A point guaranteed inside the geometry (GEOSPointOnSurface), for labels.
  [[nodiscard]] std::pair<double, double> point_on_surface() const;
  /// The point of the geometry nearest to (x, y) (planar; itself when inside).
  [[nodiscard]] std::pair<double, double> nearest_point_to(double x, double y) const;
  /// Planar area in the geometry's units.
  [[nodiscard]] double area() const;

  // ---- for vector tiles ----
  /// The part inside the axis-aligned rectangle (GEOSClipByRect: fast; the result may touch
  /// itself along the rectangle's edges — pass it through with_precision() before use).
  [[nodiscard]] Geometry clip_to_rect(double min_x, double min_y, double max_x, double max_y) const;
  /// Douglas–Peucker simplification that keeps the topology (no new self-intersections, holes
  /// stay inside): vertices closer than `tolerance` (in the geometry's units) to the line go.
  [[nodiscard]] Geometry simplified(double tolerance) const;
  /// Every coordinate through f(x, y) in place (GEOSGeom_transformXY), e.g. lon/lat → Web
  /// Mercator metres or metres → tile units. @throws GeometryError when f reports failure.
  using XYTransform = int (*)(double* x, double* y, void* user);  ///< 1 = ok, 0 = failed
  [[nodiscard]] Geometry transformed(XYTransform f, void* user) const;
  /// Snapped to a grid of `grid_size` with snap-rounding: always a valid geometry (collapsed
  /// parts disappear), as vector tiles need.
  [[nodiscard]] Geometry with_precision(double grid_size) const;
  /// The polygons of a (Multi)Polygon or of a collection's polygonal parts, each as rings (the
  /// shell first, then holes) of x,y pairs, closing point included. Lines and points are left out.
  using Ring = std::vector<std::pair<double, double>>;
  [[nodiscard]] std::vector<std::vector<Ring>> polygon_rings() const;

  /// The lines of a (Multi)LineString or of a collection's linear parts, each as x,y pairs.
  /// Points and polygons are left out.
  [[nodiscard]] std::vector<Ring> line_strings() const;
  /// A LineString through x,y pairs (two or more). @throws GeometryError otherwise.
  static Geometry line_string(const std::vector<std::pair<double, double>>& points);

  /// A MultiPoint of x,y pairs.
  static Geometry multi_point(const std::vector<std::pair<double, double>>& points);
  /// The concave hull (GEOSConcaveHull): `ratio` 0 = tightest, 1 = the convex hull.
  [[nodiscard]] Geometry concave_hull(double ratio) const;

  /// The raw GEOSGeometry* (for the prepared-geometry class only).
  [[nodiscard]] const void* raw() const { return g_; }

 private:
  explicit Geometry(void* g) : g_(g) {}
  void* g_ = nullptr;
  friend class PreparedGeometry;
};

/// A prepared geometry for fast repeated point-in-polygon tests (import boundary checks).
/// Safe to share between threads: calls are serialised, since GEOS builds its indexes lazily.
class PreparedGeometry {
 public:
  explicit PreparedGeometry(Geometry g);
  PreparedGeometry(PreparedGeometry&&) noexcept;
  PreparedGeometry& operator=(PreparedGeometry&&) noexcept;
  ~PreparedGeometry();
  [[nodiscard]] bool contains_point(double x, double y) const;
  /// Distance from the point to the geometry, in the geometry's units (0 inside).
  [[nodiscard]] double distance_to_point(double x, double y) const;
  [[nodiscard]] const Geometry& geometry() const { return g_; }

 private:
  Geometry g_;
  const void* prepared_ = nullptr;
  std::unique_ptr<std::mutex> mutex_;
};

}  // namespace tsunagi::geo
