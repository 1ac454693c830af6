#include "geo/spatial/mesh.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "geo/core/error.hpp"

namespace tsunagi::geo {
namespace {

// Every mesh edge is a whole number of 1/8 arc-seconds (the 8分の1 cell is 3.75″ × 5.625″ = 30 × 45
// units), so cells are computed in integers and never suffer from floating edge errors.
constexpr std::int64_t kUnitsPerDegree = 3600 * 8;

struct CellSize {
  std::int64_t lat;
  std::int64_t lon;
};

// Cell sizes per level, in 1/8″: 1次 40′×1°, 2次 5′×7′30″, 3次 30″×45″, then halves.
constexpr std::array<CellSize, 6> kSize{{
    {19200, 28800},
    {2400, 3600},
    {240, 360},
    {120, 180},
    {60, 90},
    {30, 45},
}};

constexpr std::array<int, 6> kLength{4, 6, 8, 9, 10, 11};

std::size_t level_index(MeshLevel level) {
  const auto i = static_cast<std::size_t>(level) - 1;
  if (i >= kSize.size()) throw InvalidArgument("unknown mesh level");
  return i;
}

// Degrees → whole units, rounding to the nearest unit when within a micro-unit so that the double
// nearest to an edge (35.675 is not exactly representable) counts as on that edge.
std::int64_t to_units(double degrees) {
  const double u = degrees * static_cast<double>(kUnitsPerDegree);
  const double nearest = std::round(u);
  if (std::fabs(u - nearest) < 1e-6) return static_cast<std::int64_t>(nearest);
  return static_cast<std::int64_t>(std::floor(u));
}

double to_degrees(std::int64_t units) {
  return static_cast<double>(units) / static_cast<double>(kUnitsPerDegree);
}

MeshCell make_cell(std::string code, MeshLevel level, std::int64_t south, std::int64_t west) {
  const CellSize size = kSize[level_index(level)];
  MeshCell cell;
  cell.code = std::move(code);
  cell.level = level;
  cell.south = to_degrees(south);
  cell.west = to_degrees(west);
  cell.north = to_degrees(south + size.lat);
  cell.east = to_degrees(west + size.lon);
  return cell;
}

char digit_char(std::int64_t d) {
  return static_cast<char>('0' + d);
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&& at -O2.
std::string quoted(std::string_view s) {
  std::string q(1, '"');
  q.append(s);
  q += '"';
  return q;
}

}  // namespace

int mesh_code_length(MeshLevel level) {
  return kLength[level_index(level)];
}

MeshCell mesh_cell_at(double lon, double lat, MeshLevel level) {
  const std::size_t depth = level_index(level);
  if (!std::isfinite(lon) || !std::isfinite(lat)) {
    throw InvalidArgument("mesh cell: the coordinates are not finite numbers");
  }
  if (lat < 20.0 || lat >= 46.0 || lon < 122.0 || lon >= 154.0) {
    throw InvalidArgument("mesh cell: (lon " + std::to_string(lon) + ", lat " +
                          std::to_string(lat) +
                          ") is outside the area JIS X 0410 covers (lat 20–46°, lon 122–154°); "
                          "check that longitude and latitude are not swapped");
  }
  const std::int64_t lat_u = to_units(lat);
  const std::int64_t lon_u = to_units(lon);

  std::string code;
  code.reserve(11);
  // 1次: pp = ⌊lat×1.5⌋, uu = ⌊lon⌋ − 100.
  const std::int64_t pp = lat_u / kSize[0].lat;
  const std::int64_t uu = lon_u / kSize[0].lon - 100;
  code += digit_char(pp / 10);
  code += digit_char(pp % 10);
  code += digit_char(uu / 10);
  code += digit_char(uu % 10);
  std::int64_t south = pp * kSize[0].lat;
  std::int64_t west = (uu + 100) * kSize[0].lon;

  // 2次 and 3次: row (latitude) digit first, then column (longitude) digit.
  for (std::size_t i = 1; i <= 2 && i <= depth; ++i) {
    const std::int64_t row = (lat_u - south) / kSize[i].lat;
    const std::int64_t col = (lon_u - west) / kSize[i].lon;
    code += digit_char(row);
    code += digit_char(col);
    south += row * kSize[i].lat;
    west += col * kSize[i].lon;
  }
  // 分割 meshes: 1 = SW, 2 = SE, 3 = NW, 4 = NE.
  for (std::size_t i = 3; i <= depth; ++i) {
    const bool north = lat_u - south >= kSize[i].lat;
    const bool east = lon_u - west >= kSize[i].lon;
    code += digit_char(1 + (north ? 2 : 0) + (east ? 1 : 0));
    if (north) south += kSize[i].lat;
    if (east) west += kSize[i].lon;
  }
  return make_cell(std::move(code), level, south, west);
}

MeshCell mesh_cell(std::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '-') continue;
    if (c < '0' || c > '9') {
      throw InvalidArgument("mesh code " + quoted(text) + ": character " + std::to_string(i + 1) +
                            " ('" + std::string(1, c) +
                            "') is not a digit; a mesh code has only digits 0–9 and optional "
                            "hyphens, e.g. 5339-46-11");
    }
    digits += c;
  }
  MeshLevel level{};
  switch (digits.size()) {
    case 4:
      level = MeshLevel::first;
      break;
    case 6:
      level = MeshLevel::second;
      break;
    case 8:
      level = MeshLevel::third;
      break;
    case 9:
      level = MeshLevel::half;
      break;
    case 10:
      level = MeshLevel::quarter;
      break;
    case 11:
      level = MeshLevel::eighth;
      break;
    default:
      throw InvalidArgument("mesh code " + quoted(text) + " has " + std::to_string(digits.size()) +
                            " digits; a JIS X 0410 code has 4 (1次), 6 (2次), 8 (3次), 9 (2分の1), "
                            "10 (4分の1) or 11 (8分の1)");
  }
  const auto digit = [&](std::size_t i) { return static_cast<std::int64_t>(digits[i] - '0'); };
  const auto bad_digit = [&](std::size_t i, const char* what, const char* range) {
    return InvalidArgument("mesh code " + quoted(text) + ": digit " + std::to_string(i + 1) + " (" +
                           what + ") is " + std::string(1, digits[i]) + ", must be " + range);
  };

  const std::int64_t pp = digit(0) * 10 + digit(1);
  const std::int64_t uu = digit(2) * 10 + digit(3);
  if (pp < 30 || pp > 68) {
    throw InvalidArgument("mesh code " + quoted(text) + ": the 1次 latitude part " +
                          digits.substr(0, 2) + " must be 30–68 (latitude 20–46°)");
  }
  if (uu < 22 || uu > 53) {
    throw InvalidArgument("mesh code " + quoted(text) + ": the 1次 longitude part " +
                          digits.substr(2, 2) + " must be 22–53 (longitude 122–154°)");
  }
  std::int64_t south = pp * kSize[0].lat;
  std::int64_t west = (uu + 100) * kSize[0].lon;
  const std::size_t depth = level_index(level);
  if (depth >= 1) {
    if (digit(4) > 7) throw bad_digit(4, "2次 latitude", "0–7");
    if (digit(5) > 7) throw bad_digit(5, "2次 longitude", "0–7");
    south += digit(4) * kSize[1].lat;
    west += digit(5) * kSize[1].lon;
  }
  if (depth >= 2) {  // 3次 digits are 0–9, all valid
    south += digit(6) * kSize[2].lat;
    west += digit(7) * kSize[2].lon;
  }
  static constexpr std::array<const char*, 6> kSplitName{"", "", "", "2分の1", "4分の1", "8分の1"};
  for (std::size_t i = 3; i <= depth; ++i) {
    const std::size_t pos = i + 5;  // digits 9, 10, 11
    const std::int64_t d = digit(pos);
    if (d < 1 || d > 4) throw bad_digit(pos, kSplitName[i], "1–4 (1 SW, 2 SE, 3 NW, 4 NE)");
    if (d >= 3) south += kSize[i].lat;
    if (d % 2 == 0) west += kSize[i].lon;
  }
  return make_cell(std::move(digits), level, south, west);
}

std::string mesh_parent(std::string_view code) {
  MeshCell cell = mesh_cell(code);
  if (cell.level == MeshLevel::first) {
    throw InvalidArgument("mesh code " + quoted(code) + " is a 1次 mesh and has no parent");
  }
  const auto parent_level = static_cast<MeshLevel>(static_cast<int>(cell.level) - 1);
  cell.code.resize(static_cast<std::size_t>(mesh_code_length(parent_level)));
  return cell.code;
}

}  // namespace tsunagi::geo
