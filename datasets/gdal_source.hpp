// Opening a municipality's file with GDAL/OGR: format by extension, encodings (UTF-8 with or
// without BOM, CP932 from --encoding, a shapefile's .cpg or DBF language id), GDAL's own warnings
// collected instead of printed. The only place besides exporter.cpp that talks to GDAL directly.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/error.hpp"

class GDALDataset;
class OGRLayer;
class OGRSpatialReference;

namespace tsunagi::datasets {

/// A whole file cannot be imported (unreadable, empty, wrong encoding, no usable columns...).
/// The message names the file and says what to do.
class SourceError : public geo::InvalidArgument {
 public:
  using geo::InvalidArgument::InvalidArgument;
};

enum class Encoding : std::uint8_t { auto_detect, utf8, cp932 };
/// "CP932", "SJIS", "Shift_JIS", "UTF-8"… (case-insensitive); nullopt when unknown.
std::optional<Encoding> parse_encoding(std::string_view text);

enum class SourceFormat : std::uint8_t { csv, geojson, shapefile, gpkg, kml, other };
std::string_view format_name(SourceFormat f);

/// Calls GDALAllRegister once per process.
void ensure_gdal_registered();

/// While alive, GDAL's CPLError messages on this thread are collected here instead of going to
/// stderr (libraries never log). Nestable.
class GdalMessageCapture {
 public:
  GdalMessageCapture();
  GdalMessageCapture(const GdalMessageCapture&) = delete;
  GdalMessageCapture& operator=(const GdalMessageCapture&) = delete;
  ~GdalMessageCapture();
  [[nodiscard]] const std::vector<std::string>& messages() const { return messages_; }
  /// The last error-level message (for exceptions), empty when none.
  [[nodiscard]] std::string last_error() const { return last_error_; }
  void clear() {
    messages_.clear();
    last_error_.clear();
  }

 private:
  friend struct GdalMessageSink;
  std::vector<std::string> messages_;
  std::string last_error_;
};

/// An opened vector file: its first layer, its field names and the facts the importer needs.
class GdalSource {
 public:
  /// @throws SourceError when the file is missing, empty, not readable by GDAL, or (CSV) not valid
  ///         UTF-8 while no encoding was declared.
  static GdalSource open(const std::filesystem::path& path, Encoding encoding);

  GdalSource(GdalSource&&) noexcept;
  GdalSource& operator=(GdalSource&&) noexcept;
  ~GdalSource();

  [[nodiscard]] const std::filesystem::path& path() const;
  [[nodiscard]] SourceFormat format() const;
  [[nodiscard]] OGRLayer& layer() const;
  [[nodiscard]] GDALDataset& dataset() const;
  /// Field names in order, as the file spells them.
  [[nodiscard]] const std::vector<std::string>& field_names() const;
  /// The layer's CRS, or nullptr (CSV, shapefile without .prj).
  [[nodiscard]] const OGRSpatialReference* spatial_ref() const;
  /// True when strings are passed through undecoded and must be checked for UTF-8 row by row
  /// (a shapefile with neither .cpg nor a DBF language id).
  [[nodiscard]] bool must_check_utf8() const;
  /// The encoding actually used ("UTF-8", "CP932 (from .cpg)"…) for the report.
  [[nodiscard]] const std::string& encoding_note() const;
  /// Data rows expected (CSV: line count, an upper bound; others: feature count), 0 if unknown.
  [[nodiscard]] std::int64_t expected_rows() const;
  /// Warnings found while opening (extra layers ignored, GDAL notices).
  [[nodiscard]] const std::vector<std::string>& warnings() const;

 private:
  struct Impl;
  explicit GdalSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The message for a file that is not valid UTF-8 (names the file, suggests --encoding CP932).
std::string not_utf8_message(const std::filesystem::path& path, std::string_view where);

}  // namespace tsunagi::datasets
