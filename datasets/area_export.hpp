// tsunagi export --layer areas: every area with the figures an audience may see, read through
// geo::served_area_figures (marks as <key>_status / <key>_merged, the small-cell rule applied),
// `approximate`, and the sources with their attribution: CSV for Excel (UTF-8 with BOM, a header
// row of keys; sources in <out>.sources.txt), GeoJSON (top-level "sources"), GeoPackage (layer
// "areas" and a table "sources"). Written to temporary files renamed at the end.
#pragma once

#include <cstdint>
#include <filesystem>

#include "datasets/exporter.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::datasets {

/// Returns the number of areas written. @throws geo::InvalidArgument when `out` cannot be written.
std::int64_t export_areas(const geo::Store& store, const std::filesystem::path& out,
                          ExportFormat format, geo::Audience audience);

/// The sidecar of a CSV export: "<out>.sources.txt".
std::filesystem::path sources_sidecar(const std::filesystem::path& csv);

}  // namespace tsunagi::datasets
