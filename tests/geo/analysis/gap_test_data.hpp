// Reading the reference examples of ../shared/data (pysal-access, spopt-sf) into geo/analysis's
// inputs, for the geo/analysis tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "geo/core/csv.hpp"

namespace tsunagi::test::gap_data {

/// The rows of a CSV file as column name -> value (geo::csv::Reader).
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  geo::csv::Reader reader(in);
  std::vector<std::string> header;
  std::vector<std::string> cells;
  if (!reader.next(header)) throw std::runtime_error(p.string() + " is empty");
  std::vector<std::map<std::string, std::string>> rows;
  while (reader.next(cells)) {
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tsunagi::test::gap_data
