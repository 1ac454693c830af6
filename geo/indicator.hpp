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

#include "geo/area.hpp"
#include "geo/code_lists.hpp"

namespace tsunagi::geo {

enum class StatStatus : std::uint8_t { value, merged, absorbed, suppressed, missing };
std::string_view stat_status_id(StatStatus s);  ///< "value", "merged", "absorbed"…
std::string_view stat_status_ja(StatStatus s);  ///< "", "合算", "合算元", "秘匿", "該当なし"
std::optional<StatStatus> parse_stat_status(std::string_view id);

enum class StatUnit : std::uint8_t { count, ratio, estimate };
std::string_view stat_unit_id(StatUnit u);
std::optional<StatUnit> parse_stat_unit(std::string_view id);

/// A statistic as it is stored.
struct StatDef {
  std::string key;    ///< snake_case: "population", "aged_75", or a municipality's own key
  std::string label;  ///< Japanese label
  StatUnit unit = StatUnit::count;
  /// Who may see it: census figures are public; a municipality's own figures are usually
  /// partners (planners) or internal.
  PublishLevel publish = PublishLevel::public_;
  /// The small-cell rule applies (a municipality's own counts): values below `min_cell` are
  /// suppressed, with secondary suppression among sibling areas.
  bool own_data = false;
  int min_cell = 10;
  /// This statistic is a total of others, on every area: "male+female" (several breakdowns
  /// separated by ';'). Declared at import (--total) or found in the data; the small-cell rule
  /// (small_cell.hpp) protects a suppressed part from "total minus the other parts".
  std::string breakdowns;
  std::int64_t source_id = 0;
  std::string note;  ///< e.g. how an estimate is made
  bool operator==(const StatDef&) const = default;
};

/// One stored figure.
struct StatValue {
  std::string area_id;
  std::string key;
  std::string ref_date;  ///< ISO date (or year) of the figure
  std::optional<double> value;
  StatStatus status = StatStatus::value;
  /// merged: the codes of the areas included here (e-Stat GASSAN); absorbed: the area id whose
  /// figure includes this one (HTKSAKI).
  std::string merged;
  std::int64_t source_id = 0;
  bool operator==(const StatValue&) const = default;
};

/// The statistics tsunagi knows by name; importers map source columns onto these keys.
struct KnownStat {
  std::string_view key;
  std::string_view label;
};
std::span<const KnownStat> known_stats();
std::optional<std::string_view> known_stat_label(std::string_view key);

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
