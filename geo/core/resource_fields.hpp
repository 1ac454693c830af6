// The one table of a resource's fields: per field its key, how to reach its member, its SQL
// column, its JSON kind (and code list), its Japanese label, the header names an import may call
// it, the least audience that may see it and the roles that may edit it.
//
// What is plain — text, dates, optional integers and flags, a code, a set of codes — is read and
// written FROM this table: the store's columns (geo/store/sqlite), the JSON codec
// (resource_json), the visibility rule's field masking (geo/catalog/visibility reads `least`),
// the CSV export and import columns of the fields marked `table_io` (datasets/), and
// GET /api/fields (server/fields_api.cpp), which the editor and the detail page iterate over.
// The structured parts stay hand-written and are listed here as such (`hand` names which): the
// identity and bookkeeping, the point, schedules, fees, barrier-free flags, the placement offer
// and main_activity (it also joins `activities`). Their rows still say who may see and edit them.
//
// Adding a plain field: its member in Resource (resource.hpp), one row in resource_fields.cpp,
// and a migration adding its column (geo/store/sqlite/migrations/, README "Adding a field").
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/audience.hpp"
#include "geo/core/enum_set.hpp"
#include "geo/core/resource.hpp"

namespace tsunagi::geo {

/// What a field's JSON value is.
enum class FieldKind : std::uint8_t {
  text,      ///< a string ("" = not known)
  date,      ///< an ISO 8601 date string, "" = not known
  integer,   ///< an integer or null
  boolean,   ///< true, false or null
  number,    ///< a number
  code,      ///< one id of a code list
  code_set,  ///< an array of ids of a code list
  object,    ///< a nested object (hand-written)
  list,      ///< an array of objects (hand-written)
};
/// "text", "date", "int", "bool", "number", "enum", "enum_set", "object", "list".
std::string_view field_kind_id(FieldKind k);

/// The hand-written fields, by what writes them (resource_json, store/sqlite).
enum class HandField : std::uint8_t {
  none,  ///< plain: written from the table
  id,
  source_id,
  source_key,
  version,
  created_at,
  updated_at,
  lon,
  lat,
  main_activity,
  schedules,
  fees,
  barrier_free,
  offer,
};

/// One value of a code list.
struct CodeValue {
  std::string_view id;
  std::string_view ja;
};

/// A code list as values indexed by their enumerator's number.
struct CodeList {
  std::string_view name;
  std::vector<CodeValue> by_value;  ///< index = the enumerator's underlying value; id "" = none
  /// Accepts the id or the Japanese label (as parse_code does).
  [[nodiscard]] std::optional<int> parse(std::string_view id_or_ja) const;
  [[nodiscard]] std::string ids_joined() const;  ///< "a, b, c" for messages
};

/// Roles that edit resources (server/roles.hpp kEditors) and the narrower coordinator's set.
inline constexpr EnumSet<Role> kFieldEditors{Role::coordinator, Role::matcher, Role::admin};
inline constexpr EnumSet<Role> kFieldCoordinators{Role::coordinator, Role::admin};

struct ResourceField {
  std::string_view key;  ///< the JSON property
  FieldKind kind = FieldKind::text;
  std::string_view label;   ///< Japanese: the editor's and detail page's label, the CSV header
  std::string_view column;  ///< SQL column of a plain field ("" for hand-written ones)
  std::vector<std::string_view> aliases;  ///< import header names besides the label
  Audience least = Audience::public_;     ///< the least audience that may see it
  EnumSet<Role> editors;                  ///< roles that may change it (none: bookkeeping)
  HandField hand = HandField::none;       ///< none: plain, read and written from this row
  bool ja_labels = false;  ///< JSON also carries "<key>_ja" (the code's Japanese label)
  bool required = false;   ///< JSON input must give it
  bool table_io = false;   ///< its CSV export/import column comes from this row (label, aliases)
  /// Tells where a private home is (address, building): the visibility rule withholds it from
  /// the public together with the point.
  bool locates_home = false;
  /// The map page's detail view and editor show it through /api/fields (label, kind) rather
  /// than laying it out by hand.
  bool on_pages = false;
  std::size_t max_chars = 0;  ///< text checked by validate() from this row (0: checked by hand)
  int unknown_code = -1;      ///< a stored code the list does not know reads as this (-1: default)
  std::size_t index = 0;      ///< position in resource_fields()

  // The member, by kind (plain fields).
  Text Resource::*text = nullptr;  ///< text, date
  std::optional<int> Resource::*integer = nullptr;
  std::optional<bool> Resource::*boolean = nullptr;
  const CodeList* codes = nullptr;                        ///< code, code_set
  int (*get_code)(const Resource&) = nullptr;             ///< code
  void (*set_code)(Resource&, int) = nullptr;             ///< code
  std::uint64_t (*get_codes)(const Resource&) = nullptr;  ///< code_set (EnumSet bits)
  void (*set_codes)(Resource&, std::uint64_t) = nullptr;  ///< code_set
  // Every field.
  void (*copy)(const Resource& from, Resource& to) = nullptr;
  bool (*same)(const Resource& a, const Resource& b) = nullptr;

  [[nodiscard]] bool plain() const { return hand == HandField::none; }
  /// True when audience `a` may see this field.
  [[nodiscard]] bool seen_by(Audience a) const {
    return static_cast<int>(a) >= static_cast<int>(least);
  }
};

/// Every field of a resource, in one order (built once, at first use).
std::span<const ResourceField> resource_fields();
/// The field of a JSON key; "<key>_ja" finds <key>'s field. nullptr when none.
const ResourceField* find_resource_field(std::string_view key);

inline constexpr std::size_t kMaxResourceFields = 96;
/// A set of fields, by index.
using FieldMask = std::bitset<kMaxResourceFields>;

/// A plain field's value as one line of text for a CSV cell: text as is, a code's Japanese
/// label, a set's labels joined by 、, an integer in digits, a flag as はい/いいえ; "" = none.
std::string field_text(const ResourceField& f, const Resource& r);
/// Sets a plain field from the text of an import cell (field_text's forms, or ids).
/// @throws InvalidArgument naming the field and what it expects.
void set_field_text(const ResourceField& f, Resource& r, std::string_view text);

/// The fields that differ between `stored` and `incoming` that `role` may not edit (their keys,
/// joined by ", "); "" when the role may make this change.
std::string fields_not_editable(Role role, const Resource& stored, const Resource& incoming);

}  // namespace tsunagi::geo
