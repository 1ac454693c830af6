// The 自治体標準オープンデータセット「地域・年齢別人口」 (and the older 推奨データセット of the
// same name): population by 町丁 in 5-year classes by sex, with 世帯数, as municipalities publish
// it — under its Japanese column names, or under the English property names some cities' converters
// write (regionCode, regionName, man1…man18, woman1…woman18, numberOfHouseholds…). Rows are keyed
// by 地域コード when it is an area code, else by 地域名, matched to the store's small areas of the
// file's municipality after normalising both names.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datasets/stat_table.hpp"

namespace tsunagi::datasets {

/// Where the columns of an 地域・年齢別人口 file are (-1: absent).
struct AgeTableColumns {
  int municipality_code =
      -1;  ///< 都道府県コード又は市区町村コード / 全国地方公共団体コード / prefCode
  int region_code = -1;  ///< 地域コード / regionCode
  int region_name = -1;  ///< 地域名 / regionName
  int pref_name = -1;
  int city_name = -1;
  int survey_date = -1;  ///< 調査年月日 / surveyDate
  int total = -1;        ///< 総人口 / totalPopulation
  int male = -1;
  int female = -1;
  int households = -1;          ///< 世帯数 / numberOfHouseholds
  int location = -1;            ///< "lat,lon" (Takamatsu's converter adds it)
  std::array<int, 18> men{};    ///< 0-4歳の男性 … 85歳以上の男性
  std::array<int, 18> women{};  ///< 0-4歳の女性 … 85歳以上の女性
  bool english = false;         ///< the English property names
};

/// The columns when `header` is an 地域・年齢別人口 header (a name column and all 36 classes),
/// else nullopt.
std::optional<AgeTableColumns> detect_age_table(const std::vector<std::string>& header);

/// A 町丁・字 name as names are compared: NFKC-like width folding, no spaces, 丁目 numerals as
/// digits (一丁目 = １丁目 = 1丁目), ヶ/ケ/が/ガ between kanji as one, a leading 大字 or 字
/// dropped.
std::string normalize_area_name(std::string_view name);

/// 調査年月日 as ISO: "2024-07-01", "2024/7/1", "7/1/24" (M/D/YY, as spreadsheets export it),
/// "20240701", "令和6年7月1日", "R6.7.1". nullopt when it is none of these.
std::optional<std::string> parse_survey_date(std::string_view text);

/// Imports the rows (line number, cells; rows[0] is the header) of an 地域・年齢別人口 file.
/// The caller holds the transaction. @throws SourceError when no row can be imported.
TableImportReport import_age_table(
    geo::Store& store, const std::filesystem::path& file,
    const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& rows,
    const AgeTableColumns& columns, const TableImportOptions& options, const std::string& encoding);

}  // namespace tsunagi::datasets
