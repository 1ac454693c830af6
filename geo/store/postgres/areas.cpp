// geo::Store on PostgreSQL/PostGIS: the walking network, areas and their populations, and the
// address table of the geocoder — the SQLite part (geo/store/sqlite/areas.cpp) statement for
// statement, with $n parameters. The walking network is the same little-endian blob layout (in
// bytea); an area's boundary is a PostGIS MultiPolygon written from WKB and read back as WKB.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "geo/store/network_blob.hpp"
#include "geo/store/postgres/pg_store.hpp"
#include "geo/store/resource_row.hpp"

namespace tsunagi::geo {

// ---- walking network ----

namespace {

/// As the SQLite store: the areas generation follows the store's generation.
void bump_areas_generation(pg::Connection& conn) {
  conn.exec("UPDATE store_state SET areas_generation = generation + 1 WHERE id = 1");
}

}  // namespace

void PgStore::put_network(const NetworkData& n) {
  require_writable();
  const auto blobs = network_blob::encode(n);
  PgWriteScope tx(*this);
  conn_->exec(
      "INSERT INTO walk_network (id, generation, source, imported_at, report_json, node_count, "
      "edge_count, nodes, edges) VALUES (1, (SELECT generation + 1 FROM store_state WHERE id = 1), "
      "$1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET generation = "
      "excluded.generation, source = excluded.source, imported_at = excluded.imported_at, "
      "report_json = excluded.report_json, node_count = excluded.node_count, "
      "edge_count = excluded.edge_count, nodes = excluded.nodes, edges = excluded.edges",
      pg::Params()
          .text(n.source)
          .text(utc_now_iso())
          .text(n.report_json)
          .i64(static_cast<std::int64_t>(n.lon.size()))
          .i64(static_cast<std::int64_t>(n.edges.size()))
          .bytes(blobs.nodes)
          .bytes(blobs.edges));
  tx.commit();
}

std::int64_t PgStore::network_generation() const {
  const auto r = conn_->exec("SELECT generation FROM walk_network WHERE id = 1");
  return r.rows() > 0 ? r.i64(0, 0) : 0;
}

std::optional<NetworkData> PgStore::network() const {
  const auto r = conn_->exec(
      "SELECT source, report_json, node_count, edge_count, nodes, edges FROM walk_network "
      "WHERE id = 1");
  if (r.rows() == 0) return std::nullopt;
  NetworkData n;
  n.source = r.text(0, 0);
  n.report_json = r.text(0, 1);
  const auto node_count = static_cast<std::size_t>(r.i64(0, 2));
  const auto edge_count = static_cast<std::size_t>(r.i64(0, 3));
  const std::string nodes = r.bytes(0, 4);
  const std::string edges = r.bytes(0, 5);
  network_blob::decode(n, node_count, edge_count, nodes, edges);
  return n;
}

// ---- areas ----

void PgStore::put_area(const Area& a) {
  require_writable();
  if (a.id.empty()) throw InvalidArgument("an area needs an id");
  PgWriteScope tx(*this);
  pg::Params p;
  p.text(a.id).text(code_id(a.kind)).text(a.code).text(a.name).text(a.parent_id).text(a.lg_code);
  if (a.source_id > 0) {
    p.i64(a.source_id);
  } else {
    p.null();
  }
  p.text(a.vintage)
      .real(a.label_lon)
      .real(a.label_lat)
      .boolean(a.approximate)
      .text(small_area_level_id(a.level));
  // The row first, its boundary after: a failure of the row (a missing source) is the store's
  // error as in SQLite, and only the boundary's own statement can say the WKB is bad.
  conn_->exec(
      "INSERT INTO area (area_id, kind, code, name, parent_id, lg_code, source_id, vintage, "
      "label_lon, label_lat, geom, approximate, level) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, $10, NULL, $11, $12) ON CONFLICT (area_id) DO UPDATE SET kind = excluded.kind, "
      "code = excluded.code, name = excluded.name, parent_id = excluded.parent_id, "
      "lg_code = excluded.lg_code, source_id = excluded.source_id, vintage = excluded.vintage, "
      "label_lon = excluded.label_lon, label_lat = excluded.label_lat, geom = NULL, "
      "approximate = excluded.approximate, level = excluded.level",
      p);
  bump_areas_generation(*conn_);
  if (!a.wkb.empty()) {
    // ST_GeomFromWKB raises on bytes that are no WKB, and the MultiPolygon column on any other
    // geometry type (SpatiaLite gives NULL for both, which the SQLite part turns into this error).
    // The scope rolls the row back.
    try {
      conn_->exec(
          "UPDATE area SET geom = ST_Multi(ST_SetSRID(ST_GeomFromWKB($2), 4326)) "
          "WHERE area_id = $1",
          pg::Params().text(a.id).bytes(a.wkb));
    } catch (const StoreError&) {
      if (!conn_->ok()) throw;  // the connection is gone, not the WKB bad
      throw InvalidArgument("area " + a.id +
                            ": the boundary is not a valid WKB Polygon or MultiPolygon");
    }
  }
  tx.commit();
}

void PgStore::put_population(const AreaPopulation& p) {
  require_writable();
  if (p.area_id.empty() || p.ref_date.empty()) {
    throw InvalidArgument("a population needs an area id and a reference date");
  }
  PgWriteScope tx(*this);
  conn_->exec("DELETE FROM area_population WHERE area_id = $1 AND ref_date = $2",
              pg::Params().text(p.area_id).text(p.ref_date));
  for (const auto& b : p.bands) {
    if (b.male < 0 || b.female < 0) {
      throw InvalidArgument("population of " + p.area_id + " has a negative count in band " +
                            std::to_string(b.age_from));
    }
    pg::Params params;
    params.text(p.area_id)
        .text(p.ref_date)
        .i64(b.age_from)
        .opt_int(b.age_to)
        .i64(b.male)
        .i64(b.female);
    if (p.source_id > 0) {
      params.i64(p.source_id);
    } else {
      params.null();
    }
    try {
      conn_->exec(
          "INSERT INTO area_population (area_id, ref_date, age_from, age_to, male, female, "
          "source_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          params);
    } catch (const StoreError& e) {
      throw InvalidArgument("population of " + p.area_id + ": " + e.what() +
                            " (is the area stored, and are the bands distinct?)");
    }
  }
  if (p.households) {
    conn_->exec(
        "INSERT INTO area_households (area_id, ref_date, households) VALUES ($1, $2, $3) "
        "ON CONFLICT (area_id, ref_date) DO UPDATE SET households = excluded.households",
        pg::Params().text(p.area_id).text(p.ref_date).i64(*p.households));
  }
  bump_areas_generation(*conn_);
  tx.commit();
}

namespace {
constexpr std::string_view kAreaColumns =
    "SELECT area_id, kind, code, name, parent_id, lg_code, source_id, vintage, "
    "ST_AsBinary(geom, 'NDR'), label_lon, label_lat, approximate, level FROM area ";
Area read_area(const pg::Result& r, int i) {
  Area a;
  a.id = r.text(i, 0);
  a.kind = resource_row::code_or(r.text(i, 1), AreaKind::custom);
  a.code = r.text(i, 2);
  a.name = r.text(i, 3);
  a.parent_id = r.text(i, 4);
  a.lg_code = r.text(i, 5);
  a.source_id = r.is_null(i, 6) ? 0 : r.i64(i, 6);
  a.vintage = r.text(i, 7);
  a.wkb = r.bytes(i, 8);
  a.label_lon = r.real(i, 9);
  a.label_lat = r.real(i, 10);
  a.approximate = r.boolean(i, 11);
  a.level = parse_small_area_level(r.text(i, 12)).value_or(SmallAreaLevel::none);
  return a;
}
}  // namespace

std::optional<Area> PgStore::area(std::string_view id) const {
  const auto r =
      conn_->exec(std::string(kAreaColumns) + "WHERE area_id = $1", pg::Params().text(id));
  if (r.rows() == 0) return std::nullopt;
  return read_area(r, 0);
}

std::vector<Area> PgStore::areas(std::optional<AreaKind> kind) const {
  const auto r = kind ? conn_->exec(std::string(kAreaColumns) + "WHERE kind = $1 ORDER BY area_id",
                                    pg::Params().text(code_id(*kind)))
                      : conn_->exec(std::string(kAreaColumns) + "ORDER BY area_id");
  std::vector<Area> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(read_area(r, i));
  return out;
}

std::vector<AreaPopulation> PgStore::populations() const {
  const auto r = conn_->exec(
      "SELECT p.area_id, p.ref_date, p.age_from, p.age_to, p.male, p.female, p.source_id, "
      "h.households FROM area_population p LEFT JOIN area_households h "
      "ON h.area_id = p.area_id AND h.ref_date = p.ref_date ORDER BY p.area_id, p.ref_date, "
      "p.age_from");
  std::vector<AreaPopulation> out;
  for (int i = 0; i < r.rows(); ++i) {
    const std::string area_id = r.text(i, 0);
    const std::string ref_date = r.text(i, 1);
    if (out.empty() || out.back().area_id != area_id || out.back().ref_date != ref_date) {
      AreaPopulation p;
      p.area_id = area_id;
      p.ref_date = ref_date;
      p.source_id = r.is_null(i, 6) ? 0 : r.i64(i, 6);
      if (!r.is_null(i, 7)) p.households = r.i64(i, 7);
      out.push_back(std::move(p));
    }
    out.back().bands.push_back(
        AgeBandCount{static_cast<int>(r.i64(i, 2)), r.opt_int(i, 3), r.i64(i, 4), r.i64(i, 5)});
  }
  return out;
}

// ---- the address table ----

std::size_t PgStore::put_addresses(const std::vector<AddressPoint>& points,
                                   std::int64_t source_id) {
  require_writable();
  PgWriteScope tx(*this);
  std::set<std::pair<std::string, std::string>> cities;
  for (const auto& p : points) cities.emplace(p.pref, p.city);
  for (const auto& [pref, city] : cities) {
    conn_->exec("DELETE FROM address_point WHERE pref = $1 AND city = $2",
                pg::Params().text(pref).text(city));
  }
  std::size_t written = 0;
  for (const auto& p : points) {
    if (p.city.empty() || p.town.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) {
      throw InvalidArgument("an address point needs a city, a town and finite coordinates");
    }
    pg::Params params;
    params.text(p.lg_code).text(p.pref).text(p.city).text(p.town).text(p.koaza).real(p.lon).real(
        p.lat);
    if (source_id > 0) {
      params.i64(source_id);
    } else {
      params.null();
    }
    conn_->exec(
        "INSERT INTO address_point (lg_code, pref, city, town, koaza, lon, lat, source_id) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (pref, city, town, koaza) DO UPDATE "
        "SET lg_code = excluded.lg_code, lon = excluded.lon, lat = excluded.lat, "
        "source_id = excluded.source_id",
        params);
    ++written;
  }
  tx.commit(!points.empty());
  return written;
}

std::vector<AddressPoint> PgStore::addresses() const {
  const auto r = conn_->exec(
      "SELECT lg_code, pref, city, town, koaza, lon, lat FROM address_point "
      "ORDER BY pref, city, town, koaza");
  std::vector<AddressPoint> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                   r.real(i, 5), r.real(i, 6)});
  }
  return out;
}

}  // namespace tsunagi::geo
