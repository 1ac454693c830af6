// The small-cell rule (秘匿) for a municipality's own counts, in one place. IndicatorTable applies
// it when it is built, so every output that reads figures through served_area_figures — API,
// tiles, exports, gap analyses — sees the same suppressed cells.
//
// What a reader can combine, and what the rule therefore treats as known relations:
//   - a total column and its breakdown on the same row (要介護認定者数 = 男 + 女): declared at
//   import
//     (--total) or found in the data (a column equal to the sum of others on every row);
//   - an area and the areas it holds: its children by parent_id, and areas of another type whose
//     representative point lies inside it (the 町丁 of a 小学校区), per type;
//   - the municipality's own totals, which are published elsewhere (介護保険事業状況報告…): an area
//     with no stored parent figure is treated as if its parent's total were public.
// Every relation holds for every column of a table, and a parent's figure minus the sum of its
// children is taken as known too, so the rule never relies on a relation being inexact.
//
// Primary suppression: a count below k. Secondary suppression: the rule audits the published
// cells as an attacker would — interval bounds propagated through every relation until nothing
// narrows (every difference of published cells, and differences of differences) — and while a
// suppressed cell is known exactly or to an interval narrower than k, it suppresses one more
// published cell in a relation that bounds it: the smallest one large enough to widen the
// interval to k (not the smallest one, which may be 0 and narrow it to [0, 3]).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/area.hpp"

namespace tsunagi::geo {

/// A total column and the columns it is the sum of (indices into a table's columns).
struct Breakdown {
  std::size_t total = 0;
  std::vector<std::size_t> parts;
  bool operator==(const Breakdown&) const = default;
};

/// "a+b;c+d+e" → {{a, b}, {c, d, e}}: how StatDef::breakdowns stores the parts of a total.
std::vector<std::vector<std::string>> parse_breakdowns(std::string_view text);
std::string format_breakdowns(const std::vector<std::vector<std::string>>& parts);

/// Totals found in the data: a column equal to the sum of at least two others on every row where
/// all of them have a value (at least 3 such rows). `rows[r][c]`. Columns that are 0 on every
/// row are never parts. With more than 16 columns only runs of adjacent columns are tried.
std::vector<Breakdown> detect_breakdowns(
    const std::vector<std::vector<std::optional<double>>>& rows, std::size_t columns);

/// The cells of one table for the rule: `value[a * columns + c]` is the true count of area `a` in
/// column `c`, nullopt when there is none (blank, or hidden by the source: such cells are unknown
/// to everyone and need no protection from here).
struct SmallCellInput {
  const std::vector<Area>* areas = nullptr;
  std::size_t columns = 0;
  std::vector<int> k;  ///< per column: the threshold (StatDef::min_cell)
  std::vector<Breakdown> breakdowns;
  std::vector<std::optional<double>> value;
};

struct SmallCellResult {
  std::vector<char> suppressed;  ///< per cell: 1 = not to be shown
  std::size_t primary = 0;
  std::size_t secondary = 0;
  /// Suppressed cells that no further suppression could widen to k (e.g. the whole town's
  /// count is below k): they stay suppressed, but a reader who knows the town's total may narrow
  /// them.
  std::size_t unprotectable = 0;
};

/// Applies the rule: which cells are suppressed.
SmallCellResult apply_small_cell_rule(const SmallCellInput& in);

}  // namespace tsunagi::geo
