// Totals among the columns of a municipality's own indicator CSV (tsunagi import --table … --total
// nintei=nintei_m+nintei_f): declared ones are checked against the columns and the figures, and
// the ones the figures show (a column equal to the sum of others on every row) are found; both
// are stored with the total's statistic (StatDef::breakdowns) for the small-cell rule
// (geo/catalog/small_cell.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/import_report.hpp"
#include "geo/catalog/indicator.hpp"

namespace tsunagi::datasets {

/// Parses one --total value "TOTAL=PART+PART…" into `totals`; nullopt when well-formed, else why
/// not.
std::optional<std::string> parse_total_option(
    const std::string& text, std::map<std::string, std::vector<std::string>>& totals);

/// Sets StatDef::breakdowns of `defs` (one per imported column, `headers` their CSV names, in the
/// same order) from the declared `totals` (named by header or key) and from the figures
/// (`rows[r][j]`). A declared total that does not hold on a row is a warning (it is still
/// protected); a name that is no imported column is an error. Returns the totals, for the report.
/// @throws SourceError naming the unknown column.
std::vector<std::string> apply_totals(const std::map<std::string, std::vector<std::string>>& totals,
                                      const std::vector<std::string>& headers,
                                      const std::vector<std::vector<std::optional<double>>>& rows,
                                      std::vector<geo::StatDef>& defs,
                                      std::vector<RowIssue>& warnings);

}  // namespace tsunagi::datasets
