#include "geo/spatial/geometry.hpp"

#include <geos_c.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

thread_local bool t_geos_thread_gone = false;

// One GEOS context per thread. GEOS reports failures through the handlers; the message is kept
// and becomes the GeometryError's text. Readers and writers are reused within the thread.
struct GeosThread {
  GEOSContextHandle_t handle = nullptr;
  std::string error;
  std::string notice;
  GEOSWKBReader* wkb_reader = nullptr;
  GEOSWKBWriter* wkb_writer = nullptr;
  GEOSWKTReader* wkt_reader = nullptr;
  GEOSWKTWriter* wkt_writer = nullptr;

  GeosThread() {
    handle = GEOS_init_r();
    GEOSContext_setErrorMessageHandler_r(
        handle,
        [](const char* message, void* self) { static_cast<GeosThread*>(self)->error = message; },
        this);
    GEOSContext_setNoticeMessageHandler_r(
        handle,
        [](const char* message, void* self) { static_cast<GeosThread*>(self)->notice = message; },
        this);
  }
  GeosThread(const GeosThread&) = delete;
  GeosThread& operator=(const GeosThread&) = delete;
  ~GeosThread() {
    if (wkb_reader != nullptr) GEOSWKBReader_destroy_r(handle, wkb_reader);
    if (wkb_writer != nullptr) GEOSWKBWriter_destroy_r(handle, wkb_writer);
    if (wkt_reader != nullptr) GEOSWKTReader_destroy_r(handle, wkt_reader);
    if (wkt_writer != nullptr) GEOSWKTWriter_destroy_r(handle, wkt_writer);
    GEOS_finish_r(handle);
    t_geos_thread_gone = true;
  }
};

GeosThread& geos_thread() {
  thread_local GeosThread t;
  return t;
}

// The context for the next call, with the previous message forgotten.
GEOSContextHandle_t ctx() {
  GeosThread& t = geos_thread();
  t.error.clear();
  t.notice.clear();
  return t.handle;
}

[[noreturn]] void fail(const std::string& what) {
  GeosThread& t = geos_thread();
  std::string message = !t.error.empty() ? t.error : t.notice;
  if (message.empty()) message = "GEOS gave no reason";
  throw GeometryError(what + ": " + message);
}

void destroy_geometry(GEOSGeometry* g) {
  if (g == nullptr) return;
  if (t_geos_thread_gone) {  // a Geometry outliving its thread's context (static at exit)
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeom_destroy_r(h, g);
    GEOS_finish_r(h);
    return;
  }
  GEOSGeom_destroy_r(geos_thread().handle, g);
}

struct GeomDeleter {
  void operator()(GEOSGeometry* g) const { destroy_geometry(g); }
};
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

GEOSGeometry* checked(GEOSGeometry* g, const char* what) {
  if (g == nullptr) fail(what);
  return g;
}

bool checked_predicate(char result, const char* what) {
  if (result == 2) fail(what);
  return result == 1;
}

const GEOSGeometry* as_geos(const void* g) {
  if (g == nullptr) throw GeometryError("use of a moved-from Geometry");
  return static_cast<const GEOSGeometry*>(g);
}

std::string geos_string(char* s, const char* what) {
  if (s == nullptr) fail(what);
  std::string out(s);
  GEOSFree_r(geos_thread().handle, s);
  return out;
}

// Appends clones of the polygons of `g` to `out`. @throws GeometryError for non-polygonal parts.
void collect_polygons(GEOSContextHandle_t h, const GEOSGeometry* g, std::vector<GeomPtr>& out) {
  const int type = GEOSGeomTypeId_r(h, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(h, g) == 0) out.emplace_back(checked(GEOSGeom_clone_r(h, g), "clone"));
    return;
  }
  if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) collect_polygons(h, GEOSGetGeometryN_r(h, g, i), out);
    return;
  }
  if (GEOSisEmpty_r(h, g) == 1) return;
  const std::string name = geos_string(GEOSGeomType_r(h, g), "geometry type");
  throw GeometryError("a " + name +
                      " cannot become a MultiPolygon: only polygons can (an area needs a boundary "
                      "polygon; run make_valid and drop lines and points first)");
}

GEOSGeometry* make_collection(GEOSContextHandle_t h, int type, std::vector<GeomPtr>& parts) {
  std::vector<GEOSGeometry*> raw;
  raw.reserve(parts.size());
  for (auto& p : parts) raw.push_back(p.get());
  GEOSGeometry* c =
      GEOSGeom_createCollection_r(h, type, raw.data(), static_cast<unsigned>(raw.size()));
  if (c == nullptr) fail("create collection");
  for (auto& p : parts) (void)p.release();  // now owned by the collection
  return c;
}

}  // namespace

Geometry Geometry::from_wkb(std::string_view wkb) {
  if (wkb.empty()) throw GeometryError("WKB: the geometry is empty (0 bytes)");
  GEOSContextHandle_t h = ctx();
  GeosThread& t = geos_thread();
  if (t.wkb_reader == nullptr) t.wkb_reader = GEOSWKBReader_create_r(h);
  GEOSGeometry* g = GEOSWKBReader_read_r(
      h, t.wkb_reader, reinterpret_cast<const unsigned char*>(wkb.data()), wkb.size());
  return Geometry(checked(g, "malformed WKB"));
}

Geometry Geometry::from_wkt(std::string_view wkt) {
  GEOSContextHandle_t h = ctx();
  GeosThread& t = geos_thread();
  if (t.wkt_reader == nullptr) t.wkt_reader = GEOSWKTReader_create_r(h);
  const std::string text(wkt);  // GEOS wants a NUL-terminated string
  GEOSGeometry* g = GEOSWKTReader_read_r(h, t.wkt_reader, text.c_str());
  if (g == nullptr) {
    fail("malformed WKT \"" + (text.size() > 60 ? text.substr(0, 60) + "…" : text) + "\"");
  }
  return Geometry(g);
}

Geometry Geometry::point(double x, double y) {
  if (!std::isfinite(x) || !std::isfinite(y)) {
    throw GeometryError("point: coordinates must be finite numbers");
  }
  return Geometry(checked(GEOSGeom_createPointFromXY_r(ctx(), x, y), "point"));
}

Geometry Geometry::union_all(const std::vector<Geometry>& parts) {
  GEOSContextHandle_t h = ctx();
  std::vector<GeomPtr> clones;
  clones.reserve(parts.size());
  for (const Geometry& p : parts) {
    clones.emplace_back(checked(GEOSGeom_clone_r(h, as_geos(p.g_)), "clone"));
  }
  const GeomPtr collection(make_collection(h, GEOS_GEOMETRYCOLLECTION, clones));
  return Geometry(checked(GEOSUnaryUnion_r(h, collection.get()), "union"));
}

Geometry::Geometry(Geometry&& other) noexcept : g_(std::exchange(other.g_, nullptr)) {}

Geometry& Geometry::operator=(Geometry&& other) noexcept {
  if (this != &other) {
    destroy_geometry(static_cast<GEOSGeometry*>(g_));
    g_ = std::exchange(other.g_, nullptr);
  }
  return *this;
}

Geometry::~Geometry() {
  destroy_geometry(static_cast<GEOSGeometry*>(g_));
}

Geometry Geometry::clone() const {
  return Geometry(checked(GEOSGeom_clone_r(ctx(), as_geos(g_)), "clone"));
}

std::string Geometry::wkb() const {
  GEOSContextHandle_t h = ctx();
  GeosThread& t = geos_thread();
  if (t.wkb_writer == nullptr) {
    t.wkb_writer = GEOSWKBWriter_create_r(h);
    GEOSWKBWriter_setByteOrder_r(h, t.wkb_writer, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(h, t.wkb_writer, GEOS_WKB_ISO);
    GEOSWKBWriter_setOutputDimension_r(h, t.wkb_writer, 2);
  }
  std::size_t size = 0;
  unsigned char* bytes = GEOSWKBWriter_write_r(h, t.wkb_writer, as_geos(g_), &size);
  if (bytes == nullptr) fail("write WKB");
  std::string out(reinterpret_cast<const char*>(bytes), size);
  GEOSFree_r(h, bytes);
  return out;
}

std::string Geometry::wkt() const {
  GEOSContextHandle_t h = ctx();
  GeosThread& t = geos_thread();
  if (t.wkt_writer == nullptr) {
    t.wkt_writer = GEOSWKTWriter_create_r(h);
    GEOSWKTWriter_setTrim_r(h, t.wkt_writer, 1);
    GEOSWKTWriter_setOutputDimension_r(h, t.wkt_writer, 2);
  }
  return geos_string(GEOSWKTWriter_write_r(h, t.wkt_writer, as_geos(g_)), "write WKT");
}

bool Geometry::is_valid() const {
  return checked_predicate(GEOSisValid_r(ctx(), as_geos(g_)), "validity check");
}

std::string Geometry::invalid_reason() const {
  return geos_string(GEOSisValidReason_r(ctx(), as_geos(g_)), "validity check");
}

Geometry Geometry::make_valid() const {
  return Geometry(checked(GEOSMakeValid_r(ctx(), as_geos(g_)), "make valid"));
}

bool Geometry::is_empty() const {
  return checked_predicate(GEOSisEmpty_r(ctx(), as_geos(g_)), "emptiness check");
}

std::size_t Geometry::num_coordinates() const {
  const int n = GEOSGetNumCoordinates_r(ctx(), as_geos(g_));
  if (n < 0) fail("count coordinates");
  return static_cast<std::size_t>(n);
}

std::string Geometry::type_name() const {
  return geos_string(GEOSGeomType_r(ctx(), as_geos(g_)), "geometry type");
}

Geometry Geometry::as_multi_polygon() const {
  GEOSContextHandle_t h = ctx();
  const GEOSGeometry* g = as_geos(g_);
  if (GEOSGeomTypeId_r(h, g) == GEOS_MULTIPOLYGON) return clone();
  std::vector<GeomPtr> polygons;
  collect_polygons(h, g, polygons);
  return Geometry(make_collection(h, GEOS_MULTIPOLYGON, polygons));
}

bool Geometry::contains(const Geometry& other) const {
  return checked_predicate(GEOSContains_r(ctx(), as_geos(g_), as_geos(other.g_)), "contains");
}

bool Geometry::intersects(const Geometry& other) const {
  return checked_predicate(GEOSIntersects_r(ctx(), as_geos(g_), as_geos(other.g_)), "intersects");
}

Geometry Geometry::intersection(const Geometry& other) const {
  return Geometry(
      checked(GEOSIntersection_r(ctx(), as_geos(g_), as_geos(other.g_)), "intersection"));
}

Geometry::Envelope Geometry::envelope() const {
  GEOSContextHandle_t h = ctx();
  const GEOSGeometry* g = as_geos(g_);
  if (GEOSisEmpty_r(h, g) == 1) throw GeometryError("an empty geometry has no envelope");
  Envelope e{};
  if (GEOSGeom_getXMin_r(h, g, &e.min_x) == 0 || GEOSGeom_getYMin_r(h, g, &e.min_y) == 0 ||
      GEOSGeom_getXMax_r(h, g, &e.max_x) == 0 || GEOSGeom_getYMax_r(h, g, &e.max_y) == 0) {
    fail("envelope");
  }
  return e;
}

std::pair<double, double> Geometry::point_on_surface() const {
  GEOSContextHandle_t h = ctx();
  const GEOSGeometry* g = as_geos(g_);
  if (GEOSisEmpty_r(h, g) == 1)
    throw GeometryError("an empty geometry has no point on its surface");
  const GeomPtr p(checked(GEOSPointOnSurface_r(h, g), "point on surface"));
  double x = 0;
  double y = 0;
  if (GEOSGeomGetX_r(h, p.get(), &x) == 0 || GEOSGeomGetY_r(h, p.get(), &y) == 0) {
    fail("point on surface");
  }
  return {x, y};
}

std::pair<double, double> Geometry::nearest_point_to(double x, double y) const {
  GEOSContextHandle_t h = ctx();
  if (GEOSisEmpty_r(h, as_geos(g_)) == 1) throw GeometryError("an empty geometry has no point");
  const Geometry pt = Geometry::point(x, y);
  GEOSCoordSequence* seq = GEOSNearestPoints_r(h, as_geos(g_), as_geos(pt.g_));
  if (seq == nullptr) fail("nearest points");
  double nx = 0;
  double ny = 0;
  const int ok = GEOSCoordSeq_getXY_r(h, seq, 0, &nx, &ny);
  GEOSCoordSeq_destroy_r(h, seq);
  if (ok == 0) fail("nearest points");
  return {nx, ny};
}

double Geometry::area() const {
  double a = 0;
  if (GEOSArea_r(ctx(), as_geos(g_), &a) == 0) fail("area");
  return a;
}

// ---- for vector tiles ----

Geometry Geometry::clip_to_rect(double min_x, double min_y, double max_x, double max_y) const {
  return Geometry(
      checked(GEOSClipByRect_r(ctx(), as_geos(g_), min_x, min_y, max_x, max_y), "clip"));
}

Geometry Geometry::simplified(double tolerance) const {
  return Geometry(
      checked(GEOSTopologyPreserveSimplify_r(ctx(), as_geos(g_), tolerance), "simplify"));
}

Geometry Geometry::transformed(XYTransform f, void* user) const {
  return Geometry(checked(GEOSGeom_transformXY_r(ctx(), as_geos(g_), f, user), "transform"));
}

Geometry Geometry::with_precision(double grid_size) const {
  return Geometry(
      checked(GEOSGeom_setPrecision_r(ctx(), as_geos(g_), grid_size, 0), "snap to grid"));
}

namespace {

void append_rings(GEOSContextHandle_t h, const GEOSGeometry* polygon,
                  std::vector<std::vector<Geometry::Ring>>& out) {
  std::vector<Geometry::Ring> rings;
  const auto read_ring = [&](const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &n) == 0) fail("ring coordinates");
    Geometry::Ring r(n);
    for (unsigned i = 0; i < n; ++i) {
      if (GEOSCoordSeq_getXY_r(h, seq, i, &r[i].first, &r[i].second) == 0) fail("coordinate");
    }
    rings.push_back(std::move(r));
  };
  read_ring(GEOSGetExteriorRing_r(h, polygon));
  const int holes = GEOSGetNumInteriorRings_r(h, polygon);
  for (int i = 0; i < holes; ++i) read_ring(GEOSGetInteriorRingN_r(h, polygon, i));
  out.push_back(std::move(rings));
}

void collect_rings(GEOSContextHandle_t h, const GEOSGeometry* g,
                   std::vector<std::vector<Geometry::Ring>>& out) {
  if (GEOSisEmpty_r(h, g) == 1) return;
  const int type = GEOSGeomTypeId_r(h, g);
  if (type == GEOS_POLYGON) {
    append_rings(h, g, out);
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) collect_rings(h, GEOSGetGeometryN_r(h, g, i), out);
  }
}

void collect_lines(GEOSContextHandle_t h, const GEOSGeometry* g, std::vector<Geometry::Ring>& out) {
  if (GEOSisEmpty_r(h, g) == 1) return;
  const int type = GEOSGeomTypeId_r(h, g);
  if (type == GEOS_LINESTRING) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, g);
    unsigned n = 0;
    if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &n) == 0) fail("line coordinates");
    Geometry::Ring line(n);
    for (unsigned i = 0; i < n; ++i) {
      if (GEOSCoordSeq_getXY_r(h, seq, i, &line[i].first, &line[i].second) == 0) {
        fail("coordinate");
      }
    }
    out.push_back(std::move(line));
  } else if (type == GEOS_MULTILINESTRING || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) collect_lines(h, GEOSGetGeometryN_r(h, g, i), out);
  }
}

}  // namespace

std::vector<Geometry::Ring> Geometry::line_strings() const {
  std::vector<Ring> out;
  collect_lines(ctx(), as_geos(g_), out);
  return out;
}

Geometry Geometry::line_string(const std::vector<std::pair<double, double>>& points) {
  if (points.size() < 2) throw GeometryError("line string: two points or more are needed");
  GEOSContextHandle_t h = ctx();
  GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(points.size()), 2);
  if (seq == nullptr) fail("line coordinates");
  for (unsigned i = 0; i < points.size(); ++i) {
    const auto& [x, y] = points[i];
    if (!std::isfinite(x) || !std::isfinite(y) || GEOSCoordSeq_setXY_r(h, seq, i, x, y) == 0) {
      GEOSCoordSeq_destroy_r(h, seq);
      throw GeometryError("line string: coordinates must be finite numbers");
    }
  }
  return Geometry(checked(GEOSGeom_createLineString_r(h, seq), "line string"));
}

Geometry Geometry::multi_point(const std::vector<std::pair<double, double>>& points) {
  GEOSContextHandle_t h = ctx();
  std::vector<GeomPtr> parts;
  parts.reserve(points.size());
  for (const auto& [x, y] : points) {
    parts.emplace_back(checked(GEOSGeom_createPointFromXY_r(h, x, y), "point"));
  }
  return Geometry(make_collection(h, GEOS_MULTIPOINT, parts));
}

Geometry Geometry::concave_hull(double ratio) const {
  return Geometry(checked(GEOSConcaveHull_r(ctx(), as_geos(g_), ratio, 0), "concave hull"));
}

std::vector<std::vector<Geometry::Ring>> Geometry::polygon_rings() const {
  std::vector<std::vector<Ring>> out;
  collect_rings(ctx(), as_geos(g_), out);
  return out;
}

PreparedGeometry::PreparedGeometry(Geometry g)
    : g_(std::move(g)), mutex_(std::make_unique<std::mutex>()) {
  const GEOSPreparedGeometry* p = GEOSPrepare_r(ctx(), as_geos(g_.g_));
  if (p == nullptr) fail("prepare geometry");
  prepared_ = p;
}

PreparedGeometry::PreparedGeometry(PreparedGeometry&& other) noexcept
    : g_(std::move(other.g_)),
      prepared_(std::exchange(other.prepared_, nullptr)),
      mutex_(std::move(other.mutex_)) {}

PreparedGeometry& PreparedGeometry::operator=(PreparedGeometry&& other) noexcept {
  if (this != &other) {
    if (prepared_ != nullptr && !t_geos_thread_gone) {
      GEOSPreparedGeom_destroy_r(geos_thread().handle,
                                 static_cast<const GEOSPreparedGeometry*>(prepared_));
    }
    prepared_ = std::exchange(other.prepared_, nullptr);
    g_ = std::move(other.g_);
    mutex_ = std::move(other.mutex_);
  }
  return *this;
}

PreparedGeometry::~PreparedGeometry() {
  if (prepared_ == nullptr) return;
  const auto* p = static_cast<const GEOSPreparedGeometry*>(prepared_);
  if (t_geos_thread_gone) {
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSPreparedGeom_destroy_r(h, p);
    GEOS_finish_r(h);
    return;
  }
  GEOSPreparedGeom_destroy_r(geos_thread().handle, p);
}

bool PreparedGeometry::contains_point(double x, double y) const {
  if (prepared_ == nullptr) throw GeometryError("use of a moved-from PreparedGeometry");
  const Geometry pt = Geometry::point(x, y);
  // GEOS builds the prepared indexes lazily on first use, so concurrent calls are serialised.
  const std::lock_guard lock(*mutex_);
  return checked_predicate(
      GEOSPreparedContains_r(ctx(), static_cast<const GEOSPreparedGeometry*>(prepared_),
                             as_geos(pt.g_)),
      "point in polygon");
}

double PreparedGeometry::distance_to_point(double x, double y) const {
  if (prepared_ == nullptr) throw GeometryError("use of a moved-from PreparedGeometry");
  const Geometry pt = Geometry::point(x, y);
  double d = 0;
  const std::lock_guard lock(*mutex_);
  if (GEOSPreparedDistance_r(ctx(), static_cast<const GEOSPreparedGeometry*>(prepared_),
                             as_geos(pt.g_), &d) == 0) {
    fail("distance");
  }
  return d;
}

}  // namespace tsunagi::geo
