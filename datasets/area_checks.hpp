// The checks every polygon of an area or boundary file goes through before anything is written
// (tsunagi import --areas, --boundary): inside Japan and not lon/lat-swapped (the same rule as a
// resource's point, datasets/row_validation), and small enough to repair. A polygon that fails
// refuses the whole import, naming the feature: one wrong area breaks the public map (the
// TileJSON bounds, the map's start) or keeps an import busy for minutes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "geo/spatial/geometry.hpp"

namespace tsunagi::datasets {

/// Vertices one feature may have: a 町丁 has hundreds, a detailed municipality boundary
/// (N03, 国土数値情報) a few hundred thousand.
inline constexpr std::size_t kMaxFeatureVertices = 2'000'000;
/// Self-crossings of an invalid polygon that MakeValid is asked to repair: a digitising slip has
/// a few; tens of thousands make the repair run for minutes and the result is no boundary.
inline constexpr std::size_t kMaxSelfCrossings = 1000;

/// Why `polygon` (EPSG:4326 lon/lat) cannot be imported, or an empty string. Checks, in order
/// and each bounded in work: the vertex count, the extent's corners as check_lon_lat does for a
/// point (finite, not swapped, in range, inside Japan), and for an invalid polygon the number of
/// times its rings cross (counted up to kMaxSelfCrossings, in bounded time). `valid` tells
/// whether GEOS found the polygon valid (so that the caller need not ask again).
std::string check_area_polygon(const geo::Geometry& polygon, bool& valid);

/// Why a representative or label point of an area cannot be imported, or an empty string.
std::string check_area_point(double lon, double lat);

/// Throws SourceError "FILE feature N ('WHAT'): WHY" when check_area_polygon finds something;
/// returns whether the polygon is valid (else the caller repairs it with MakeValid).
bool require_area_polygon(const geo::Geometry& polygon, std::string_view file, std::int64_t feature,
                          std::string_view what);

/// The same for a point.
void require_area_point(double lon, double lat, std::string_view file, std::int64_t feature,
                        std::string_view what);

}  // namespace tsunagi::datasets
