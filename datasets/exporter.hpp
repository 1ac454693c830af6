// Exports of the store's resources for people and other tools: CSV for Excel (UTF-8 with BOM,
// Japanese headers, lists joined with 「、」), GeoJSON (FeatureCollection of geo/core/resource_json
// features), GeoPackage (one point layer in EPSG:4326). The CSV imports back unchanged
// (layout "tsunagi", recognised by its header).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "geo/catalog/visibility.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

enum class ExportFormat : std::uint8_t { csv, geojson, gpkg };
std::optional<ExportFormat> parse_export_format(std::string_view text);

struct ExportOptions {
  ExportFormat format = ExportFormat::csv;
  std::optional<geo::ResourceKind> kind;  ///< only this kind
  bool include_closed = false;            ///< closed resources are left out unless asked for
  /// Whose view the file holds (geo/catalog/visibility): public by default, so that what gets
  /// published is safe by default. A public file never holds closed resources.
  geo::Audience view = geo::Audience::public_;
  /// Unconfirmed listings (the server's unconfirmed_after_days / unconfirmed_public): with hide,
  /// the public view leaves them out, as the server does. The default flags and hides nothing.
  geo::FreshnessRule freshness;
};

/// Writes the resources of `options.view` to `out` (through a temporary file renamed at the end, so
/// a failed export never leaves a half-written file). Returns the number of resources written.
/// @throws geo::InvalidArgument when `out` cannot be written.
std::int64_t export_resources(const geo::Store& store, const std::filesystem::path& out,
                              const ExportOptions& options);

/// The CSV text of one resource row (no line ending), in tsunagi_export_columns() order.
std::string export_csv_row(const geo::Resource& r);
/// The CSV header line (no BOM, no line ending).
std::string export_csv_header();
/// The last column of an exported CSV: which view the file holds (出力範囲), and its value.
inline constexpr std::string_view kViewColumn = "出力範囲";
std::string_view view_label(geo::Audience view);

}  // namespace tsunagi::datasets
