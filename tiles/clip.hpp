// Clipping of integer polygons to a tile's buffered box, in integers, without GEOS.
//
// The per-zoom shapes of the areas layer are valid and snapped to the integer grid
// (tiles/area_layer). Clipping one of them to an axis-aligned box with Sutherland–Hodgman keeps
// every vertex inside the box and adds vertices where edges cross the box, rounded to the grid.
// Two things can make the result invalid, and both are detected exactly:
//   - a ring that leaves and re-enters the box: Sutherland–Hodgman joins the pieces along the box
//     edge, so edges overlap there (or a hole's and its shell's do);
//   - rounding a crossing point to the grid moves an edge, which may then touch another edge.
// Then the function answers nullopt, and the caller clips that polygon with GEOS (clip and snap
// rounding). Most polygons cut by a tile edge cross it simply and never reach GEOS.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tiles/mvt.hpp"

namespace tsunagi::tiles {

/// A box with integer edges (edges included), in the coordinates of the polygons.
struct ClipBox {
  std::int64_t min_x = 0;
  std::int64_t min_y = 0;
  std::int64_t max_x = 0;
  std::int64_t max_y = 0;
};

/// `polygons` (valid: shells and holes that neither cross nor overlap) clipped to `box`, then
/// moved by (-dx, -dy). Rings left without area are dropped, and a polygon whose shell is. An
/// empty result means nothing of the polygons is inside the box. nullopt: the clipped rings
/// might not be valid (see above) — clip these polygons another way.
std::optional<std::vector<TilePolygon>> clip_polygons(const std::vector<TilePolygon>& polygons,
                                                      const ClipBox& box, std::int64_t dx = 0,
                                                      std::int64_t dy = 0);

}  // namespace tsunagi::tiles
