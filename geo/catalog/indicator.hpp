// Statistics and indicators about areas: what is stored (one value per area, statistic and
// reference date, with the 秘匿・合算 marks of its source), what is derived from it (高齢化率,
// 後期高齢者率, 高齢単身世帯率, ひきこもり推計…), and the small-cell rule for a municipality's own
// figures. Every output reads the figures an audience may see through
// geo::served_area_figures (visibility.hpp), which reads an IndicatorTable.
//
// Marks, as e-Stat's HTKSYORI/HTKSAKI/GASSAN give them (domain.md §4.1, §6):
//   merged     this area's value includes other areas' (合算先); `merged` lists their codes
//   absorbed   this area's figures were moved into `merged` (合算元・秘匿): shown there, not here
//   suppressed 秘匿 (`*`, `X`), or the small-cell rule: no value, never computed from totals
//   missing    no figure (blank)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "geo/core/area.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/statistic.hpp"

namespace tsunagi::geo {

/// An indicator derived from statistics (not stored): 高齢化率 = aged_65 / population…
struct DerivedIndicator {
  std::string_view key;
  std::string_view label;
  StatUnit unit;
  std::string_view note;
};
std::span<const DerivedIndicator> derived_indicators();

/// One cell of the table: the figure of one area for one statistic or indicator, as it may be
/// shown (after the source's marks and the small-cell rule).
struct IndicatorCell {
  double value = 0;  ///< meaningful only when has_value()
  StatStatus status = StatStatus::missing;
  std::uint32_t merged = 0;  ///< index of StatValue::merged in the table's texts (0: none)
  [[nodiscard]] bool has_value() const {
    return status == StatStatus::value || status == StatStatus::merged;
  }
  [[nodiscard]] std::optional<double> get() const {
    return has_value() ? std::optional<double>(value) : std::nullopt;
  }
};

/// Every area's statistics and derived indicators, built once per area layer. Immutable.
class IndicatorTable {
 public:
  struct Column {
    std::string key;
    std::string label;
    StatUnit unit = StatUnit::count;
    PublishLevel publish = PublishLevel::public_;
    bool own_data = false;
    bool derived = false;
    std::string note;
    std::string ref_date;  ///< the newest reference date used
    std::int64_t source_id = 0;
    std::vector<std::string> inputs;  ///< derived: the statistics it is computed from
  };

  IndicatorTable() = default;
  /// `areas` in the layer's order. Age-band populations (AreaPopulation) become the statistics
  /// population, aged_0_14, aged_15_64, aged_65, aged_75, aged_15_39, aged_40_64 and households
  /// unless a stored statistic of the same key exists for the area. Only the newest reference
  /// date of each statistic per area is kept.
  IndicatorTable(const std::vector<Area>& areas, const std::vector<AreaPopulation>& populations,
                 const std::vector<StatDef>& defs, const std::vector<StatValue>& values);

  [[nodiscard]] const std::vector<Column>& columns() const { return columns_; }
  [[nodiscard]] std::optional<std::size_t> column(std::string_view key) const;
  /// The cell of area `area` (index in the layer) for column `col`.
  [[nodiscard]] const IndicatorCell& cell(std::size_t area, std::size_t col) const {
    return cells_[area * columns_.size() + col];
  }
  [[nodiscard]] std::size_t area_count() const { return area_count_; }
  /// StatValue::merged of a cell ("" when none).
  [[nodiscard]] std::string_view merged_text(const IndicatorCell& c) const {
    return merged_texts_[c.merged];
  }

 private:
  std::vector<Column> columns_;
  std::vector<IndicatorCell> cells_;
  std::vector<std::string> merged_texts_{std::string()};  ///< IndicatorCell::merged
  std::size_t area_count_ = 0;
};

}  // namespace tsunagi::geo
