// geo::Store on PostgreSQL: its rows in the copy form (geo/store/copy.hpp), read and written as
// they are, for `tsunagi migrate`.
#include <array>
#include <charconv>

#include "geo/core/error.hpp"
#include "geo/store/postgres/pg_store.hpp"

namespace tsunagi::geo {

void PgStore::dump_rows(const CopyTable& table, const std::function<void(CopyRow&&)>& f) const {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const auto& c = table.columns[i];
    const std::string name(c.name);
    if (i) sql += ", ";
    switch (c.kind) {
      case CopyKind::wkb:
        sql += "ST_AsBinary(" + name + ", 'NDR')";
        break;
      case CopyKind::boolean:
        sql += name + "::int";
        break;
      default:
        sql += name;
    }
  }
  sql += " FROM " + std::string(table.name);
  // One read, in pages through a cursor: a large table is never one result in memory.
  const bool own = !conn_->in_transaction();
  if (own) conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    conn_->exec("DECLARE tsunagi_dump NO SCROLL CURSOR FOR " + sql);
    for (;;) {
      const auto r = conn_->exec("FETCH 5000 FROM tsunagi_dump");
      for (int row = 0; row < r.rows(); ++row) {
        CopyRow out;
        out.reserve(table.columns.size());
        for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
          if (r.is_null(row, i)) {
            out.emplace_back(std::nullopt);
            continue;
          }
          switch (table.columns[static_cast<std::size_t>(i)].kind) {
            case CopyKind::real: {
              std::array<char, 32> buf{};
              const auto t = std::to_chars(buf.data(), buf.data() + buf.size(), r.real(row, i));
              out.emplace_back(std::string(buf.data(), t.ptr));
              break;
            }
            case CopyKind::bytes:
            case CopyKind::wkb:
              out.emplace_back(r.bytes(row, i));
              break;
            default:
              out.emplace_back(r.text(row, i));
          }
        }
        f(std::move(out));
      }
      if (r.rows() == 0) break;
    }
    conn_->exec("CLOSE tsunagi_dump");
  } catch (...) {
    if (own && conn_->ok()) conn_->exec_script("ROLLBACK");
    throw;
  }
  if (own) conn_->exec("COMMIT");
}

void PgStore::load_rows(const CopyTable& table, const std::vector<CopyRow>& rows) {
  require_writable();
  std::string cols;
  std::string values;
  std::size_t lon = 0;
  std::size_t lat = 0;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const auto& c = table.columns[i];
    const std::string p = "$" + std::to_string(i + 1);
    cols += (i ? ", " : "") + std::string(c.name);
    values += i ? ", " : "";
    switch (c.kind) {
      case CopyKind::wkb:
        values += "ST_Multi(ST_SetSRID(ST_GeomFromWKB(" + p + "), 4326))";
        break;
      case CopyKind::boolean:
        values += "(" + p + "::int)::boolean";
        break;
      default:
        values += p;
    }
    if (c.name == "lon") lon = i + 1;
    if (c.name == "lat") lat = i + 1;
  }
  if (table.name == "resource") {
    cols += ", geom";
    values += ", ST_SetSRID(ST_MakePoint($" + std::to_string(lon) + "::float8, $" +
              std::to_string(lat) + "::float8), 4326)";
  }
  const std::string sql =
      "INSERT INTO " + std::string(table.name) + " (" + cols + ") VALUES (" + values + ")";
  for (const auto& row : rows) {
    pg::Params p;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const auto kind = table.columns[i].kind;
      if (!row[i]) {
        p.null();
      } else if (kind == CopyKind::bytes || kind == CopyKind::wkb) {
        p.bytes(*row[i]);
      } else {
        p.text(*row[i]);
      }
    }
    conn_->exec(sql, p, {.error_prefix = "migrate"});
  }
}

void PgStore::finish_load(const std::vector<CopyTable>& tables) {
  for (const auto& t : tables) {
    if (t.identity.empty()) continue;
    const std::string table(t.name);
    const std::string column(t.identity);
    conn_->exec("SELECT setval(pg_get_serial_sequence('tsunagi." + table + "', '" + column +
                "'), coalesce((SELECT max(" + column + ") FROM " + table + "), 0) + 1, false)");
  }
  // The areas and the network are new as of the generation this copy commits as.
  conn_->exec("UPDATE store_state SET areas_generation = generation + 1 WHERE id = 1");
  conn_->exec("UPDATE walk_network SET generation = (SELECT generation + 1 FROM store_state)");
}

}  // namespace tsunagi::geo
