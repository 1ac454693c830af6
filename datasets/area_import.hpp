// tsunagi import --areas: area layers (e-Stat 小地域境界 h27ka/r2ka, 小学校区, 日常生活圏域,
// any polygon layer with a code field) into the store's areas, with the population and
// households of the e-Stat boundaries as statistics. Every feature read is accounted for: written,
// merged into another feature of the same code, or dropped with its reason; repairs are listed.
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

struct AreaImportOptions {
  /// --area-type: the kind of every area of a non-e-Stat layer (required for those).
  std::optional<geo::AreaKind> kind;
  std::string code_field;  ///< --code-field (required for a non-e-Stat layer)
  std::string name_field;  ///< --name-field (default: name, 名称, else the code)
  std::string parent_id;   ///< --parent: parent area id of every area (non-e-Stat layers)
  std::string ref_date;    ///< --ref-date of JINKO/SETAI (default: the census day of the layer)
  Encoding encoding = Encoding::auto_detect;
  /// --approximate: the features are representative points; each area becomes the Voronoi cell
  /// of its point, clipped to --boundary-area (default: the stored municipality of e-Stat codes,
  /// else the points' convex hull buffered), stored with approximate = true.
  bool approximate = false;
  std::string boundary_area;
  std::string source_key, title, license, attribution;  ///< source metadata overrides
};

struct AreaImportReport {
  std::string file;
  std::string format;
  std::string encoding;
  std::string layout;  ///< "e-Stat 小地域境界 2015 (h27ka)", "area layer (school_district)"…
  std::int64_t source_id = 0;
  std::int64_t features_read = 0;
  std::int64_t areas_written = 0;    ///< small areas / areas of the layer
  std::int64_t features_merged = 0;  ///< features folded into an area written from another one
  std::int64_t repaired = 0;         ///< invalid geometries repaired with MakeValid
  std::map<std::string, std::int64_t> dropped;      ///< reason → features
  std::vector<std::string> municipalities_created;  ///< parent areas dissolved from small areas
  std::int64_t stat_values = 0;
  std::string ref_date;
  std::string clip;              ///< --approximate: what the cells were clipped to
  std::vector<RowIssue> issues;  ///< per feature: drops, repairs, marks
};

/// Reads `file` and writes its areas (and, for e-Stat boundaries, the statistics population and
/// households) into `store`. The caller holds the transaction.
/// @throws SourceError when the file cannot be used (unreadable, a field missing, no area).
AreaImportReport import_areas(geo::Store& store, const std::filesystem::path& file,
                              const AreaImportOptions& options);

/// The terminal report: summary line, drops by reason, municipalities created, issues.
std::string render_text(const AreaImportReport& r, std::size_t max_listed = 50);

}  // namespace tsunagi::datasets
