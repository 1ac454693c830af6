#include "datasets/voronoi.hpp"

#include <geos_c.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <set>

#include "geo/core/error.hpp"

namespace tsunagi::datasets {

namespace {

void on_geos_error(const char* fmt, ...) {
  // Messages surface as the InvalidArgument thrown where a call returns null.
  (void)fmt;
}

/// A GEOS context of its own for this computation: geometries go in and out as WKB.
class Ctx {
 public:
  Ctx() : h_(GEOS_init_r()) {
    GEOSContext_setErrorHandler_r(h_, on_geos_error);
    GEOSContext_setNoticeHandler_r(h_, on_geos_error);
  }
  Ctx(const Ctx&) = delete;
  Ctx& operator=(const Ctx&) = delete;
  ~Ctx() { GEOS_finish_r(h_); }
  [[nodiscard]] GEOSContextHandle_t h() const { return h_; }

 private:
  GEOSContextHandle_t h_;
};

struct GeomDeleter {
  GEOSContextHandle_t h;
  void operator()(GEOSGeometry* g) const {
    if (g != nullptr) GEOSGeom_destroy_r(h, g);
  }
};
using Geom = std::unique_ptr<GEOSGeometry, GeomDeleter>;

Geom check(GEOSContextHandle_t h, GEOSGeometry* g, const char* what) {
  if (g == nullptr)
    throw geo::InvalidArgument(std::string("Voronoi cells: GEOS failed in ") + what);
  return Geom(g, GeomDeleter{h});
}

std::string to_wkb(GEOSContextHandle_t h, const GEOSGeometry* g) {
  GEOSWKBWriter* w = GEOSWKBWriter_create_r(h);
  GEOSWKBWriter_setOutputDimension_r(h, w, 2);
  GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
  std::size_t size = 0;
  unsigned char* buf = GEOSWKBWriter_write_r(h, w, g, &size);
  GEOSWKBWriter_destroy_r(h, w);
  if (buf == nullptr) throw geo::InvalidArgument("Voronoi cells: cannot write WKB");
  std::string out(reinterpret_cast<const char*>(buf), size);
  GEOSFree_r(h, buf);
  return out;
}

Geom from_wkb(GEOSContextHandle_t h, const std::string& wkb) {
  GEOSWKBReader* r = GEOSWKBReader_create_r(h);
  GEOSGeometry* g =
      GEOSWKBReader_read_r(h, r, reinterpret_cast<const unsigned char*>(wkb.data()), wkb.size());
  GEOSWKBReader_destroy_r(h, r);
  return check(h, g, "reading the boundary");
}

}  // namespace

VoronoiResult voronoi_cells(const std::vector<std::pair<double, double>>& sites,
                            const std::string& clip_wkb, double hull_buffer_deg) {
  if (sites.empty()) throw geo::InvalidArgument("Voronoi cells need at least one point");
  Ctx ctx;
  const auto h = ctx.h();
  std::vector<GEOSGeometry*> pts;
  std::set<std::pair<double, double>> seen;
  for (const auto& [x, y] : sites) {
    if (!seen.insert({x, y}).second) continue;  // a repeated point adds no site
    pts.push_back(GEOSGeom_createPointFromXY_r(h, x, y));
  }
  const Geom multi = check(h,
                           GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts.data(),
                                                       static_cast<unsigned>(pts.size())),
                           "collecting the points");
  VoronoiResult out;
  Geom clip(nullptr, GeomDeleter{h});
  if (clip_wkb.empty()) {
    const Geom hull = check(h, GEOSConvexHull_r(h, multi.get()), "the convex hull");
    clip = check(h, GEOSBuffer_r(h, hull.get(), hull_buffer_deg, 8), "buffering the hull");
    out.clip_from_hull = true;
  } else {
    clip = from_wkb(h, clip_wkb);
    if (GEOSisValid_r(h, clip.get()) != 1)
      clip = check(h, GEOSMakeValid_r(h, clip.get()), "MakeValid");
  }
  out.clip_wkb = to_wkb(h, clip.get());
  const Geom diagram =
      check(h, GEOSVoronoiDiagram_r(h, multi.get(), clip.get(), 0.0, 0), "the Voronoi diagram");
  const int n = GEOSGetNumGeometries_r(h, diagram.get());
  // Each cell holds exactly one distinct site: find it.
  std::vector<const GEOSGeometry*> cell_of_site(sites.size(), nullptr);
  std::set<std::pair<double, double>> taken;
  for (int c = 0; c < n; ++c) {
    const GEOSGeometry* cell = GEOSGetGeometryN_r(h, diagram.get(), c);
    const GEOSPreparedGeometry* prep = GEOSPrepare_r(h, cell);
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (cell_of_site[i] != nullptr || taken.contains(sites[i])) continue;
      const Geom pt =
          check(h, GEOSGeom_createPointFromXY_r(h, sites[i].first, sites[i].second), "a point");
      if (GEOSPreparedIntersects_r(h, prep, pt.get()) == 1) {
        cell_of_site[i] = cell;
        taken.insert(sites[i]);
        break;
      }
    }
    GEOSPreparedGeom_destroy_r(h, prep);
  }
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (cell_of_site[i] == nullptr) {
      out.cells.emplace_back(std::nullopt);
      continue;
    }
    const Geom clipped =
        check(h, GEOSIntersection_r(h, cell_of_site[i], clip.get()), "clipping a cell");
    double area = 0;
    if (GEOSisEmpty_r(h, clipped.get()) == 1 || GEOSArea_r(h, clipped.get(), &area) != 1 ||
        area <= 0) {
      out.cells.emplace_back(std::nullopt);
      continue;
    }
    out.cells.emplace_back(to_wkb(h, clipped.get()));
  }
  return out;
}

}  // namespace tsunagi::datasets
