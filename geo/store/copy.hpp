// Copying a store whole from one backend to another (`tsunagi migrate`): the tables in an order
// their references allow, each column with the kind of value it holds, and a row as every backend
// reads and writes it — text for text, decimal integers, shortest round-trip decimals, "1"/"0"
// for booleans, raw bytes for blobs and for boundaries (2-D little-endian WKB). Derived columns
// (a resource's point, the change sequence) are left to the target to make.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::geo {

enum class CopyKind : std::uint8_t { text, integer, real, boolean, bytes, wkb };

struct CopyColumn {
  std::string_view name;
  CopyKind kind;
};

struct CopyTable {
  std::string_view name;
  std::vector<CopyColumn> columns;
  std::string_view identity;  ///< an identity column whose sequence continues after the copy
};

/// One row: a value per column, nullopt for NULL.
using CopyRow = std::vector<std::optional<std::string>>;

/// Every table of a store at the current schema version, referenced tables first.
const std::vector<CopyTable>& copy_tables();

/// What a copy did: per table, rows and an order-independent checksum on each side.
struct CopyTableReport {
  std::string table;
  std::int64_t rows_from = 0;
  std::int64_t rows_to = 0;
  std::uint64_t checksum_from = 0;
  std::uint64_t checksum_to = 0;
  [[nodiscard]] bool same() const { return rows_from == rows_to && checksum_from == checksum_to; }
};

/// Copies the store at `from` into the new or empty store at `to` (any two backends), in one
/// transaction of the target, then reads both back and compares each table's row count and
/// checksum. @throws StoreError when `to` already holds data (nothing is written then), or when a
/// table differs after the copy (the copy is then discarded).
std::vector<CopyTableReport> copy_store(const std::string& from, const std::string& to);

}  // namespace tsunagi::geo
