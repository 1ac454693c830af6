// 地域メッシュ (JIS X 0410): 1次 (4 digits) to 8分の1 (11 digits). Codes ↔ cells, validation.
// Arithmetic in ../shared/docs/domain.md §4.4; Tokyo Station (35.681236, 139.767125) is in
// 5339-46-11 and its 8分の1 mesh is 53394611323.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tsunagi::geo {

enum class MeshLevel : std::uint8_t { first = 1, second, third, half, quarter, eighth };

struct MeshCell {
  std::string code;
  MeshLevel level = MeshLevel::third;
  double south = 0;  ///< latitude of the south edge (degrees, JGD2011)
  double west = 0;   ///< longitude of the west edge
  double north = 0;
  double east = 0;
};

/// Number of digits of a code at each level: 4, 6, 8, 9, 10, 11.
int mesh_code_length(MeshLevel level);

/// The cell of `level` containing (lon, lat). Points on a south/west edge belong to that cell.
/// @throws InvalidArgument when the point is outside the area JIS X 0410 covers (lat 20–46, lon
/// 122–154).
MeshCell mesh_cell_at(double lon, double lat, MeshLevel level);

/// Parses and validates a code ("5339", "53394611323", also "5339-46-11" with hyphens).
/// @throws InvalidArgument naming the digit that is out of range (2次 digits 0–7, 3次 0–9, 分割
/// 1–4).
MeshCell mesh_cell(std::string_view code);

/// The enclosing cell one level up ("533946113" → "53394611"). @throws InvalidArgument for 1次.
std::string mesh_parent(std::string_view code);

}  // namespace tsunagi::geo
