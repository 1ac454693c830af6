// How wide statistics may be (tsunagi import --table): columns per table and statistics per
// store. Every statistic is carried by the snapshot, the area tiles, TileJSON and the OGC API,
// so a table of a million columns would make the server huge and every answer slow; these are
// refused with a clear error before anything is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "geo/catalog/indicator.hpp"

namespace tsunagi::geo {
class Store;
}

namespace tsunagi::datasets {

/// Columns one table may have: e-Stat's widest small-area tables (年齢各歳別) have about 320.
inline constexpr std::size_t kMaxTableColumns = 1000;
/// Statistics (distinct keys) one store may hold, those of every table together.
inline constexpr std::size_t kMaxStoreStatistics = 3000;

/// Throws SourceError naming the line when a record of `file` has more than kMaxTableColumns
/// fields (called by the table reader as soon as a record grows past the limit).
[[noreturn]] void refuse_wide_record(std::string_view file, std::int64_t line);

/// Throws SourceError when writing `defs` would leave the store with more than
/// kMaxStoreStatistics statistics (keys already stored count once).
void check_statistics_per_store(const geo::Store& store, const std::vector<geo::StatDef>& defs,
                                std::string_view file);

}  // namespace tsunagi::datasets
