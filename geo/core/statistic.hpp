// Statistics about areas as they are stored: one value per area, statistic and reference date,
// with the 秘匿・合算 marks of its source (domain.md §4.1, §6), and the statistics tsunagi knows by
// name. What is derived from them, and the small-cell rule, are geo/catalog/indicator's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "geo/core/code_lists.hpp"

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

}  // namespace tsunagi::geo
