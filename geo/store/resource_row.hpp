// How a resource is laid out as a table row, whatever database keeps it: the columns in one order
// (the hand-written ones, then one per plain field of geo/core/resource_fields, then created_by),
// how a stored code list reads back, and what counts as a change. Each backend binds and reads
// the row in its own language (geo/store/sqlite/store_impl.hpp, geo/store/postgres/resources.cpp).
#pragma once

#include <array>
#include <bit>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/core/code_lists.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/resource_fields.hpp"
#include "geo/core/resource_json.hpp"

namespace tsunagi::geo::resource_row {

using nlohmann::json;

// The resource columns in one order, shared by INSERT, UPDATE and SELECT: the hand-written ones
// (identity, bookkeeping, the point and the structured parts kept as JSON), then one column per
// plain field of geo/core/resource_fields in its order, then created_by.
inline constexpr std::array<const char*, 13> kHandColumns = {
    "resource_id",      "source_id",      "source_key", "version",
    "created_at",       "updated_at",     "lon",        "lat",
    "main_activity",    "schedules_json", "fees_json",  "offer_json",
    "barrier_free_json"};
/// The first column (0-based) of the plain fields.
inline constexpr int kPlainColumn0 = static_cast<int>(kHandColumns.size());

/// The plain fields that have a column, in column order (built once).
inline const std::vector<const ResourceField*>& plain_column_fields() {
  static const std::vector<const ResourceField*> fields = [] {
    std::vector<const ResourceField*> out;
    for (const auto& f : resource_fields()) {
      if (f.plain() && !f.column.empty()) out.push_back(&f);
    }
    return out;
  }();
  return fields;
}

inline const std::vector<std::string_view>& resource_columns() {
  static const std::vector<std::string_view> cols = [] {
    std::vector<std::string_view> out(kHandColumns.begin(), kHandColumns.end());
    for (const auto* f : plain_column_fields()) out.push_back(f->column);
    out.emplace_back("created_by");
    return out;
  }();
  return cols;
}

template <typename E>
inline std::string join_ids(EnumSet<E> set) {
  return code_ids(set);
}

template <typename E>
EnumSet<E> split_ids(const std::string& s) {
  EnumSet<E> set;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (auto v = parse_code<E>(std::string_view(s).substr(start, end - start))) set.insert(*v);
    start = end + 1;
  }
  return set;
}

template <typename E>
E code_or(const std::string& s, E fallback) {
  return parse_code<E>(s).value_or(fallback);
}

/// A stored code list value: its id ("a,b" for a set); an id the list does not know is skipped
/// (a set) or read as the row's fallback.
inline void read_plain_code(const ResourceField& f, Resource& r, std::string_view stored) {
  if (f.kind == FieldKind::code) {
    if (const auto v = f.codes->parse(stored)) {
      f.set_code(r, *v);
    } else if (f.unknown_code >= 0) {
      f.set_code(r, f.unknown_code);
    }
    return;
  }
  std::uint64_t bits = 0;
  std::size_t start = 0;
  while (start < stored.size()) {
    std::size_t end = stored.find(',', start);
    if (end == std::string_view::npos) end = stored.size();
    if (const auto v = f.codes->parse(stored.substr(start, end - start))) {
      bits |= std::uint64_t{1} << *v;
    }
    start = end + 1;
  }
  f.set_codes(r, bits);
}

/// The fields that differ between two versions of a resource, as {"field": {"from", "to"}}.
/// Bookkeeping fields and derived labels are left out.
inline json diff(const Resource& before, const Resource& after) {
  json a = to_json(before);
  json b = to_json(after);
  json out = json::object();
  for (const auto& [key, value] : b.items()) {
    if (key == "version" || key == "updated_at" || key == "created_at" || key.ends_with("_ja")) {
      continue;
    }
    if (!a.contains(key) || a[key] != value) {
      out[key] = {{"from", a.contains(key) ? a[key] : json()}, {"to", value}};
    }
  }
  return out;
}

/// True when two resources carry the same content (ignoring bookkeeping).
inline bool same_content(Resource a, const Resource& b) {
  a.id = b.id;
  a.version = b.version;
  a.created_at = b.created_at;
  a.updated_at = b.updated_at;
  a.source_id = b.source_id;
  a.source_key = b.source_key;
  return a == b;
}

}  // namespace tsunagi::geo::resource_row
