// The Japanese names of the columns of a gap answer's CSV (geo/gap/analysis answer_csv), for the
// header row a person reads in Excel; the keys stay in the row below it for programs.
#pragma once

#include <string_view>

namespace tsunagi::geo::gap {

/// The Japanese column name of an answer's area key ("uncovered" → 「届かない人数」), or the key
/// itself when it has none.
std::string_view column_ja(std::string_view key);

}  // namespace tsunagi::geo::gap
