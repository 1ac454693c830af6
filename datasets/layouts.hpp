// Which column of a file means what. The built-in layouts (自治体標準オープンデータセット in both
// the 推奨データセット head and the 正式版 所在地_* head, the MHLW 介護サービス情報公表 CSV,
// tsunagi's own CSV export), the generic guesser (name/緯度/経度/wkt…), and mapping files
// (datasets/mappings/README.md) all end as a ResolvedLayout: one column index per Field.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "datasets/gdal_source.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/resource_fields.hpp"

namespace tsunagi::datasets {

/// What a column can hold. The ids (field_id) are the keys of a mapping file's "columns".
enum class Field : std::uint8_t {
  source_id,
  name,
  name_kana,
  kind,
  subtype,
  description,
  address,
  building,
  lat,
  lon,
  wkt,
  lg_code,
  phone,
  fax,
  email,
  url,
  capacity,
  weekdays,
  start_time,
  end_time,
  schedule,
  schedule_note,
  fee_note,
  parking,
  note,
  operator_type,
  operator_name,
  corporate_number,
  official_id,
  targets,
  activities,
  venue,
  publish,
  status,
  verified_at,
  count_,
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::count_);

std::string_view field_id(Field f);
std::optional<Field> parse_field(std::string_view id);

enum class LayoutKind : std::uint8_t {
  auto_detect,
  public_facility,  ///< 公共施設一覧
  care_service,     ///< 介護サービス事業所一覧
  childcare,        ///< 子育て施設一覧
  mhlw_kaigo,       ///< 介護サービス情報公表システム open data (24 columns)
  tsunagi_export,   ///< tsunagi's own CSV export
  mapping,          ///< columns named by a mapping file
  generic,          ///< columns guessed from common names; kind from --kind or --kind-column
  boundary,         ///< municipality polygons (N03)
};
std::string_view layout_id(LayoutKind k);  ///< "public-facility", "mhlw-kaigo"…
std::optional<LayoutKind> parse_layout(std::string_view id);
/// "auto, public-facility, …" for usage messages.
std::string layout_ids_joined();

/// A mapping file (JSON), see datasets/mappings/README.md.
struct MappingFile {
  std::filesystem::path origin;
  std::array<std::string, kFieldCount> columns;  ///< column name per field, "" = not mapped
  std::optional<geo::ResourceKind> kind;
  std::string kind_column;
  std::vector<std::pair<std::string, geo::ResourceKind>> kind_values;
  std::optional<Encoding> encoding;
  std::string source_key;
  std::string title, publisher, license, attribution, url, vintage;
  /// Values every row starts with (subtype, venue, operator_type, targets, activities, publish,
  /// lg_code, accuracy); columns override them.
  geo::Resource defaults;
};

/// @throws SourceError naming the file and the key that is wrong.
MappingFile load_mapping(const std::filesystem::path& path);
MappingFile parse_mapping(const nlohmann::json& j, const std::filesystem::path& origin);

/// What the user asked for on the command line.
struct LayoutRequest {
  LayoutKind layout = LayoutKind::auto_detect;
  std::optional<geo::ResourceKind> kind;  ///< --kind
  std::string kind_column;                ///< --kind-column
  const MappingFile* mapping = nullptr;   ///< --mapping
};

struct ResolvedLayout {
  LayoutKind kind = LayoutKind::generic;
  std::string description;  ///< for the report: "推奨データセット 公共施設一覧 (legacy head)"
  std::array<int, kFieldCount> column{};  ///< index into the file's fields, -1 = absent
  std::vector<bool>
      sequence_column;  ///< row-number columns (#property, NO), ignored for "empty row"
  std::optional<geo::ResourceKind> fixed_kind;
  std::vector<std::pair<std::string, geo::ResourceKind>> kind_values;  ///< cell text → kind
  geo::Resource defaults;
  /// Columns of the fields the field table imports (table_io_fields()): field and column index.
  std::vector<std::pair<const geo::ResourceField*, int>> table_columns;
  bool capacity_zero_unknown = false;  ///< MHLW: 定員 0 means 未記入
  bool coordinates_from_geometry = false;

  [[nodiscard]] int col(Field f) const { return column[static_cast<std::size_t>(f)]; }
  [[nodiscard]] bool has(Field f) const { return col(f) >= 0; }
};

/// Matches the header against the request. `has_geometry`: the layer carries geometries (not CSV).
/// @throws SourceError when required columns are missing or the kind cannot be known; the message
///         names the file, what is missing and what to pass.
ResolvedLayout resolve_layout(const std::vector<std::string>& field_names, bool has_geometry,
                              const LayoutRequest& request, std::string_view file_name);

/// The fields of geo/core/resource_fields whose CSV export and import come from the table
/// (table_io): after tsunagi_export_columns() in the export, headed by their label; read back by
/// label, and from other files by label or alias.
const std::vector<const geo::ResourceField*>& table_io_fields();

/// The columns of tsunagi's CSV export, in order: header text and field. Shared by the exporter
/// and the importer so that an export imports back unchanged.
const std::vector<std::pair<std::string_view, Field>>& tsunagi_export_columns();

}  // namespace tsunagi::datasets
