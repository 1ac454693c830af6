#include "datasets/table_limits.hpp"

#include <set>
#include <string>

#include "datasets/gdal_source.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

void refuse_wide_record(std::string_view file, std::int64_t line) {
  throw SourceError(std::string(file) + " line " + std::to_string(line) + " has more than " +
                    std::to_string(kMaxTableColumns) +
                    " columns, more than a table may have; split the table into files of at "
                    "most " +
                    std::to_string(kMaxTableColumns) + " columns");
}

void check_statistics_per_store(const geo::Store& store, const std::vector<geo::StatDef>& defs,
                                std::string_view file) {
  std::set<std::string, std::less<>> keys;
  for (const auto& d : store.stat_defs()) keys.insert(d.key);
  const std::size_t before = keys.size();
  for (const auto& d : defs) keys.insert(d.key);
  if (keys.size() > kMaxStoreStatistics) {
    throw SourceError(std::string(file) + " would bring the store to " +
                      std::to_string(keys.size()) + " statistics (" + std::to_string(before) +
                      " stored, " + std::to_string(keys.size() - before) +
                      " new); a store holds at most " + std::to_string(kMaxStoreStatistics) +
                      ": import only the columns you use, or remove a table first");
  }
}

}  // namespace tsunagi::datasets
