// What an import did, row by row: the summary line the CLI prints, the list of rejected rows with
// their spreadsheet row numbers and reasons, warnings, skipped empty rows, rows of the previous
// import that are missing now. Rendered as text (CLI) and JSON (--report, the store's import log).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tsunagi::datasets {

/// A value as a report quotes it: 'text', cut after 60 bytes (on a character boundary) with …,
/// so that a 100 MB cell makes a line of a report, not a 100 MB one. Every importer's report
/// quotes the values of the file through this.
std::string quote(std::string_view value);
/// The same without the quotes (a column name in "nintei '不明'").
std::string clip(std::string_view value);

/// One rejected row or one warning. row = 0 for file-level warnings.
struct RowIssue {
  std::int64_t row = 0;
  std::string message;
};

/// A resource imported before from this source and absent from the file now.
struct MissingRow {
  std::string source_id;  ///< the row's id in the source
  std::string resource_id;
  std::string name;
  bool closed = false;  ///< closed by --close-missing
};

struct FileReport {
  std::string file;      ///< as given on the command line
  std::string format;    ///< CSV, GeoJSON…
  std::string encoding;  ///< what was used, e.g. "CP932 (from .cpg 'CP932')"
  std::string layout;    ///< what was recognised
  std::string source_key;
  std::int64_t source_id = 0;
  std::string row_word = "row";  ///< "row" for spreadsheets (header = row 1), "feature" otherwise

  std::int64_t rows_read = 0;  ///< data rows seen, empty ones included
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::vector<RowIssue> rejected;
  std::vector<RowIssue> warnings;
  std::vector<std::int64_t> empty_rows;
  std::vector<MissingRow> missing;
  bool strict_failed = false;  ///< --strict and some row was rejected: nothing of it was kept
  std::string error;           ///< the file could not be imported at all

  // for boundaries
  std::string area_id;
  std::int64_t polygons = 0;

  [[nodiscard]] std::int64_t imported() const { return inserted + updated + unchanged; }
};

struct ImportReport {
  std::vector<FileReport> files;
  /// 0 all fine (warnings allowed), 1 rows rejected or --strict failure, 2 a file unusable.
  [[nodiscard]] int exit_code() const;
  /// True when the store was left as before (a file failed or --strict rejected).
  bool rolled_back = false;
};

/// "imported 52 resources from community_center.csv (52 new, 0 updated, 0 unchanged);
/// rejected 0; skipped 9 empty rows". With `rolled_back` (another file of the same import
/// failed), a file that was read fine says so and that nothing of it was kept: "read … — not
/// kept: the import was rolled back".
std::string summary_line(const FileReport& f, bool rolled_back = false);

/// Summary lines, then each rejected row, warning and missing row (text for the terminal).
/// `max_listed` caps the rows listed per file and kind (0 = all).
std::string render_text(const ImportReport& r, std::size_t max_listed = 50);

nlohmann::json to_json(const FileReport& f, bool rolled_back = false);
nlohmann::json to_json(const ImportReport& r);

}  // namespace tsunagi::datasets
