// tsunagi import --table: statistics of areas. e-Stat 統計GIS tables (tbl<statsId>….txt: CP932,
// row 1 column ids, row 2 labels, data from row 3; small areas or meshes) with their 秘匿・合算
// marks (HTKSYORI/HTKSAKI/GASSAN, `*`/`X`/`-`), and a municipality's own indicator CSV whose
// figures fall under the small-cell rule. domain.md §4.1–4.3, §6.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "datasets/gdal_source.hpp"
#include "datasets/import_report.hpp"
#include "geo/core/code_lists.hpp"

namespace tsunagi::geo {
class Store;
}

namespace tsunagi::datasets {

struct TableImportOptions {
  Encoding encoding = Encoding::auto_detect;
  std::string ref_date;  ///< --ref-date (default: from the statsId, e-Stat tables only)
  // a municipality's own CSV
  std::string key_field;          ///< --key-field: the column naming each row's area
  std::string key_type = "area";  ///< --key-type area|mesh
  geo::PublishLevel publish = geo::PublishLevel::partners;
  int small_cell_k = 10;
  std::map<std::string, std::string> column_labels;  ///< --column-label COL=ラベル
  bool publish_given = false;                        ///< --publish was given
  /// --name-map: a two-column CSV (the table's 地域名, the stored area's name or id) settling
  /// the names of an 地域・年齢別人口 file that normalising does not match.
  std::filesystem::path name_map;
  std::map<std::string, std::vector<std::string>> totals;  ///< --total TOTAL=PART+PART
  std::string source_key, title, license, attribution;
};

struct TableImportReport {
  std::string file;
  std::string encoding;
  std::string layout;  ///< "e-Stat 小地域 T001082", "e-Stat メッシュ T001142", "own indicators"
  std::string stats_id;  ///< e-Stat statsId
  std::string ref_date;
  std::int64_t source_id = 0;
  std::int64_t rows_read = 0;
  std::int64_t rows_matched = 0;
  std::int64_t values_written = 0;
  std::int64_t suppressed = 0, merged = 0, absorbed = 0, zero_dash = 0, missing = 0;
  std::int64_t mesh_areas_created = 0;
  std::vector<std::string> unmatched;  ///< keys of rows for areas not in the store
  /// unmatched name → the closest names of stored areas (地域・年齢別人口)
  std::map<std::string, std::vector<std::string>> closest;
  /// column id → (statistic key, label) in file order
  std::vector<std::pair<std::string, std::string>> columns;
  std::vector<RowIssue> rejected;   ///< rows not imported (line number, reason)
  std::vector<std::string> totals;  ///< own CSV: "nintei = nintei_m+nintei_f" (declared or found)
  std::vector<RowIssue> warnings;
};

/// Reads `file` and writes its statistics (and mesh cells absent from the store). The caller
/// holds the transaction. @throws SourceError when the file is unusable (not an e-Stat table and
/// no --key-field, wrong encoding, no row matching a stored area…).
TableImportReport import_table(geo::Store& store, const std::filesystem::path& file,
                               const TableImportOptions& options);

std::string render_text(const TableImportReport& r, std::size_t max_listed = 50);

/// The text of a table file as UTF-8: UTF-8 (a BOM dropped) or CP932, as `enc` says or as the
/// bytes show; `note` says which. @throws SourceError when it is neither, or cannot be read.
std::string read_text(const std::filesystem::path& file, Encoding enc, std::string& note);

/// RFC 4180 records of a CSV text (commas, double quotes, CRLF or LF; blank lines skipped):
/// (line number, cells) each. A record wider than the table limit refuses the text, naming
/// `file` and the line (datasets/table_limits). @throws SourceError
std::vector<std::pair<std::int64_t, std::vector<std::string>>> parse_csv(
    std::string_view text, std::string_view file = {});

/// The statistic key of an e-Stat column ("T001082019" → "aged_65"), or nullopt when it is kept
/// as estat_<id>.
std::optional<std::string> estat_column_key(std::string_view column_id);

/// The reference date of an e-Stat statsId (T0008xx: 2015-10-01; T0010xx/T0011xx: 2020-10-01).
std::optional<std::string> estat_ref_date(std::string_view stats_id);

}  // namespace tsunagi::datasets
