// geo::Store on SQLite: its rows in the copy form (geo/store/copy.hpp), read and written as they
// are, for `tsunagi migrate`.
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

namespace {

std::string shortest(double v) {
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return {buf.data(), r.ptr};
}

}  // namespace

void SqliteStore::dump_rows(const CopyTable& table, const std::function<void(CopyRow&&)>& f) const {
  std::string sql = "SELECT ";
  for (const auto& c : table.columns) {
    if (sql.size() > 7) sql += ", ";
    sql += c.kind == CopyKind::wkb ? "AsBinary(" + std::string(c.name) + ")" : std::string(c.name);
  }
  sql += " FROM " + std::string(table.name) + " ORDER BY rowid";
  Stmt s(impl_->db, sql);
  while (s.step()) {
    CopyRow row;
    row.reserve(table.columns.size());
    for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
      if (s.is_null(i)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      switch (table.columns[static_cast<std::size_t>(i)].kind) {
        case CopyKind::text:
          row.emplace_back(s.text(i));
          break;
        case CopyKind::integer:
          row.emplace_back(std::to_string(s.int64(i)));
          break;
        case CopyKind::real:
          row.emplace_back(shortest(s.real(i)));
          break;
        case CopyKind::boolean:
          row.emplace_back(s.int64(i) != 0 ? "1" : "0");
          break;
        case CopyKind::bytes:
        case CopyKind::wkb:
          row.emplace_back(s.blob(i));
          break;
      }
    }
    f(std::move(row));
  }
}

void SqliteStore::load_rows(const CopyTable& table, const std::vector<CopyRow>& rows) {
  impl_->require_writable();
  std::string cols;
  std::string values;
  int lon = 0;
  int lat = 0;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const auto& c = table.columns[i];
    const std::string p = "?" + std::to_string(i + 1);
    cols += (i ? ", " : "") + std::string(c.name);
    values += (i ? ", " : "") +
              (c.kind == CopyKind::wkb ? "CastToMultiPolygon(GeomFromWKB(" + p + ", 4326))" : p);
    if (c.name == "lon") lon = static_cast<int>(i + 1);
    if (c.name == "lat") lat = static_cast<int>(i + 1);
  }
  if (table.name == "resource") {
    cols += ", geom";
    values += ", MakePoint(?" + std::to_string(lon) + ", ?" + std::to_string(lat) + ", 4326)";
  }
  auto& s = impl_->stmt("INSERT INTO " + std::string(table.name) + " (" + cols + ") VALUES (" +
                        values + ")");
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      const auto& v = row[i];
      if (!v) {
        s.bind_null(at);
        continue;
      }
      switch (table.columns[i].kind) {
        case CopyKind::text:
          s.bind(at, *v);
          break;
        case CopyKind::integer:
        case CopyKind::boolean:
          s.bind(at, static_cast<std::int64_t>(std::stoll(*v)));
          break;
        case CopyKind::real:
          s.bind(at, std::stod(*v));
          break;
        case CopyKind::bytes:
        case CopyKind::wkb:
          s.bind_blob(at, *v);
          break;
      }
    }
    s.run();
    s.reset();
  }
}

void SqliteStore::finish_load(const std::vector<CopyTable>& /*tables*/) {
  // Integer primary keys continue after the largest id by themselves. The areas and the network
  // are new as of the generation this copy commits as.
  impl_->bump_areas_generation();
  impl_->stmt("UPDATE walk_network SET generation = (SELECT generation + 1 FROM store_state)")
      .run();
}

}  // namespace tsunagi::geo
