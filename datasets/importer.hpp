// The import itself, free of any transport: the CLI and the tests call run_import(). Every row is
// validated (datasets/row_validation.hpp), accepted rows are upserted by (source, source id) in ONE
// transaction with everything else of the run, and the report says what happened to each row.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datasets/gdal_source.hpp"
#include "datasets/import_report.hpp"
#include "datasets/layouts.hpp"
#include "datasets/row_validation.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

struct ImportOptions {
  LayoutKind layout = LayoutKind::auto_detect;
  std::optional<geo::ResourceKind> kind;  ///< --kind
  std::string kind_column;                ///< --kind-column
  std::optional<MappingFile> mapping;     ///< --mapping
  Encoding encoding = Encoding::auto_detect;
  std::string source_key;  ///< empty: the file name without extension (or the mapping's)
  std::string title;
  std::string license;
  std::string attribution;
  bool strict = false;         ///< any rejected row rejects the whole run
  bool close_missing = false;  ///< close rows of the previous import that are gone now
  std::string s_srs;           ///< CRS of a CSV's coordinates; empty = EPSG:4326
  /// Called every few thousand rows with (rows read, rows expected or 0).
  std::function<void(std::int64_t, std::int64_t)> progress;
};

/// Imports the resources of one file into `store`. Must run inside a geo::Store::Transaction
/// (run_import opens it); under --strict a rejected row stops writing and sets strict_failed,
/// and the caller must roll back.
/// @throws SourceError when the file cannot be used at all (the caller rolls back).
FileReport import_resources(geo::Store& store, const std::filesystem::path& file,
                            const ImportOptions& options, const BoundaryCheck& boundaries);

/// Imports an N03-style municipality boundary (GeoJSON/Shapefile/GPKG polygons): dissolves every
/// polygon into one MultiPolygon and stores it as an Area of kind municipality. The lg code comes
/// from `lg_code` or the file name ("37201.geojson" → 372013). Its source is credited as
/// 国土数値情報 (N03) unless `credit` gives an attribution (with its title and licence). Inside
/// the caller's transaction. @throws SourceError when the file has no polygons or no usable lg
/// code.
FileReport import_boundary(geo::Store& store, const std::filesystem::path& file,
                           std::string_view lg_code, const ImportOptions& credit = {});

/// The municipality boundaries already in the store, for the "outside the municipality" check.
BoundaryCheck load_boundaries(const geo::Store& store);

struct RunOptions {
  ImportOptions import;
  std::vector<std::filesystem::path> boundaries;  ///< --boundary FILE (imported first)
  std::string boundary_lg_code;                   ///< --lg-code
};

/// One import run: boundaries, then every source, in one transaction. Commits unless a file is
/// unusable (exit 2) or --strict rejected a row (exit 1); then the store is left exactly as it was.
ImportReport run_import(geo::Store& store, const std::vector<std::filesystem::path>& sources,
                        const RunOptions& options);

/// The default source key of a file: its name without the extension ("community_center").
std::string default_source_key(const std::filesystem::path& file);

}  // namespace tsunagi::datasets
