#include "datasets/stat_totals.hpp"

#include <algorithm>
#include <cmath>

#include "datasets/gdal_source.hpp"
#include "geo/catalog/small_cell.hpp"

namespace tsunagi::datasets {

std::optional<std::string> parse_total_option(
    const std::string& text, std::map<std::string, std::vector<std::string>>& totals) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return "give TOTAL=PART+PART, e.g. nintei=nintei_m+nintei_f";
  const auto parts = geo::parse_breakdowns(text.substr(eq + 1));
  if (parts.size() != 1 || parts[0].size() < 2) {
    return "'" + text + "': a total is the sum of at least two columns, joined by '+'";
  }
  totals[text.substr(0, eq)] = parts[0];
  return std::nullopt;
}

std::vector<std::string> apply_totals(const std::map<std::string, std::vector<std::string>>& totals,
                                      const std::vector<std::string>& headers,
                                      const std::vector<std::vector<std::optional<double>>>& rows,
                                      std::vector<geo::StatDef>& defs,
                                      std::vector<RowIssue>& warnings) {
  auto column = [&](const std::string& name) -> std::size_t {
    for (std::size_t j = 0; j < defs.size(); ++j) {
      if (headers[j] == name || defs[j].key == name) return j;
    }
    throw SourceError("--total: '" + name + "' is not a numeric column of the table");
  };
  std::vector<geo::Breakdown> all;
  for (const auto& [total, parts] : totals) {
    geo::Breakdown b{column(total), {}};
    for (const auto& p : parts) b.parts.push_back(column(p));
    std::size_t off = 0;
    for (const auto& row : rows) {
      if (!row[b.total]) continue;
      double sum = 0;
      bool all_there = true;
      for (const auto p : b.parts) {
        if (!row[p]) all_there = false;
        sum += row[p].value_or(0);
      }
      if (all_there && std::abs(sum - *row[b.total]) > 1e-9) ++off;
    }
    if (off > 0) {
      warnings.push_back({0, "--total " + total + ": the parts do not add up to it on " +
                                 std::to_string(off) + " rows; it is protected as a total anyway"});
    }
    all.push_back(std::move(b));
  }
  for (auto& b : geo::detect_breakdowns(rows, defs.size())) {
    if (std::find(all.begin(), all.end(), b) == all.end()) all.push_back(std::move(b));
  }
  std::vector<std::string> out;
  for (const auto& b : all) {
    std::vector<std::string> keys;
    for (const auto p : b.parts) keys.push_back(defs[p].key);
    auto parsed = geo::parse_breakdowns(defs[b.total].breakdowns);
    parsed.push_back(keys);
    defs[b.total].breakdowns = geo::format_breakdowns(parsed);
    out.push_back(defs[b.total].key + " = " + geo::format_breakdowns({keys}));
  }
  return out;
}

}  // namespace tsunagi::datasets
