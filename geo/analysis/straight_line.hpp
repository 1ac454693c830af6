// Straight-line gap analyses at national scale without a cost matrix: coverage (the nearest place
// within a distance) and 2SFCA, streamed over a grid of cells so that memory stays proportional
// to the points, not to the pairs (1.5M meshes × 200k places within 1 km would be ~10⁸ pairs).
//
// Distances are great circles on the mean-radius sphere (R = 6,371,008.8 m), compared as chords:
// the metric PostGIS's geography uses with use_spheroid = false and that a scipy cKDTree over
// 3-D unit vectors gives, so the three agree pair for pair. At 1 km it differs from the ellipsoid
// by under 0.5 %.
#pragma once

#include <limits>
#include <span>
#include <vector>

#include "geo/analysis/progress.hpp"
#include "geo/spatial/point.hpp"

namespace tsunagi::geo::gap {

inline constexpr double kSphereRadiusM = 6371008.8;

/// Great-circle metres between two points on the mean-radius sphere.
double great_circle_m(LonLat a, LonLat b);

/// Per demand point, the great-circle metres to the nearest supply point within `max_m`
/// (inclusive), or +infinity. Uses up to `threads` threads.
std::vector<double> nearest_within(std::span<const LonLat> demand, std::span<const LonLat> supply,
                                   double max_m, unsigned threads = 2, Progress* p = nullptr);

/// Per demand point, whether a supply point lies within `max_m` (inclusive): stops at the first.
std::vector<char> covered_within(std::span<const LonLat> demand, std::span<const LonLat> supply,
                                 double max_m, unsigned threads = 2, Progress* p = nullptr);

/// 2SFCA with an inclusive cut-off and no distance decay (pysal/access's convention): R_j =
/// S_j / Σ P_k over demand within max_m of j; A_i = Σ R_j over supply within max_m of i. A
/// place with no demand in reach gives 0, not NaN.
std::vector<double> two_sfca_within(std::span<const LonLat> demand, std::span<const double> pop,
                                    std::span<const LonLat> supply, std::span<const double> cap,
                                    double max_m, unsigned threads = 2, Progress* p = nullptr);

}  // namespace tsunagi::geo::gap
