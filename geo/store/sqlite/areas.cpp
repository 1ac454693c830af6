// geo::Store on SQLite: the walking network, areas and their populations, and the address
// table of the geocoder.
#include "geo/store/network_blob.hpp"
#include "geo/store/sqlite/store_impl.hpp"

namespace tsunagi::geo {

// ---- areas ----

// ---- walking network ----

namespace {}  // namespace

void SqliteStore::put_network(const NetworkData& n) {
  impl_->require_writable();
  const auto blobs = network_blob::encode(n);
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO walk_network (id, generation, source, imported_at, report_json, node_count, "
      "edge_count, nodes, edges) VALUES (1, (SELECT generation + 1 FROM store_state WHERE id = 1), "
      "?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, "
      "source = ?1, imported_at = ?2, report_json = ?3, node_count = ?4, edge_count = ?5, "
      "nodes = ?6, edges = ?7");
  s.bind(1, n.source);
  s.bind(2, utc_now_iso());
  s.bind(3, n.report_json);
  s.bind(4, static_cast<std::int64_t>(n.lon.size()));
  s.bind(5, static_cast<std::int64_t>(n.edges.size()));
  s.bind_blob(6, blobs.nodes);
  s.bind_blob(7, blobs.edges);
  s.run();
  tx.commit();
}

std::int64_t SqliteStore::network_generation() const {
  auto& s = impl_->stmt("SELECT generation FROM walk_network WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::optional<NetworkData> SqliteStore::network() const {
  auto& s = impl_->stmt(
      "SELECT source, report_json, node_count, edge_count, nodes, edges FROM walk_network "
      "WHERE id = 1");
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  NetworkData n;
  n.source = s.text(0);
  n.report_json = s.text(1);
  const auto node_count = static_cast<std::size_t>(s.int64(2));
  const auto edge_count = static_cast<std::size_t>(s.int64(3));
  const std::string nodes = s.blob(4);
  const std::string edges = s.blob(5);
  network_blob::decode(n, node_count, edge_count, nodes, edges);
  return n;
}

void SqliteStore::put_area(const Area& a) {
  impl_->require_writable();
  if (a.id.empty()) throw InvalidArgument("an area needs an id");
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO area (area_id, kind, code, name, parent_id, lg_code, source_id, vintage, "
      "label_lon, label_lat, geom, approximate, level) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, CASE WHEN ?11 IS NULL THEN NULL ELSE CastToMultiPolygon(GeomFromWKB(?11, 4326)) "
      "END, ?12, ?13) ON CONFLICT(area_id) DO UPDATE SET kind = ?2, code = ?3, name = ?4, "
      "parent_id = ?5, lg_code = ?6, source_id = ?7, vintage = ?8, label_lon = ?9, "
      "label_lat = ?10, geom = excluded.geom, approximate = ?12, level = ?13");
  s.bind(1, a.id);
  s.bind(2, code_id(a.kind));
  s.bind(3, a.code);
  s.bind(4, a.name);
  s.bind(5, a.parent_id);
  s.bind(6, a.lg_code);
  if (a.source_id > 0) {
    s.bind(7, a.source_id);
  } else {
    s.bind_null(7);
  }
  s.bind(8, a.vintage);
  s.bind(9, a.label_lon);
  s.bind(10, a.label_lat);
  if (a.wkb.empty()) {
    s.bind_null(11);
  } else {
    s.bind_blob(11, a.wkb);
  }
  s.bind(12, static_cast<std::int64_t>(a.approximate ? 1 : 0));
  s.bind(13, small_area_level_id(a.level));
  s.run();
  impl_->bump_areas_generation();
  if (!a.wkb.empty()) {
    auto& chk = impl_->stmt("SELECT geom IS NULL FROM area WHERE area_id = ?1");
    const auto chk_done = chk.reset_at_end();
    chk.bind(1, a.id);
    if (chk.step() && chk.int64(0) != 0) {
      throw InvalidArgument("area " + a.id +
                            ": the boundary is not a valid WKB Polygon or MultiPolygon");
    }
  }
  tx.commit();
}

void SqliteStore::put_population(const AreaPopulation& p) {
  impl_->require_writable();
  if (p.area_id.empty() || p.ref_date.empty()) {
    throw InvalidArgument("a population needs an area id and a reference date");
  }
  WriteScope tx(*impl_);
  auto& del = impl_->stmt("DELETE FROM area_population WHERE area_id = ?1 AND ref_date = ?2");
  del.bind(1, p.area_id);
  del.bind(2, p.ref_date);
  del.run();
  for (const auto& b : p.bands) {
    if (b.male < 0 || b.female < 0) {
      throw InvalidArgument("population of " + p.area_id + " has a negative count in band " +
                            std::to_string(b.age_from));
    }
    auto& s = impl_->stmt(
        "INSERT INTO area_population (area_id, ref_date, age_from, age_to, male, female, "
        "source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, p.area_id);
    s.bind(2, p.ref_date);
    s.bind(3, static_cast<std::int64_t>(b.age_from));
    s.bind(4, b.age_to);
    s.bind(5, b.male);
    s.bind(6, b.female);
    if (p.source_id > 0) {
      s.bind(7, p.source_id);
    } else {
      s.bind_null(7);
    }
    try {
      s.run();
    } catch (const StoreError& e) {
      throw InvalidArgument("population of " + p.area_id + ": " + e.what() +
                            " (is the area stored, and are the bands distinct?)");
    }
  }
  auto& h = impl_->stmt(
      "INSERT INTO area_households (area_id, ref_date, households) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(area_id, ref_date) DO UPDATE SET households = ?3");
  if (p.households) {
    h.bind(1, p.area_id);
    h.bind(2, p.ref_date);
    h.bind(3, *p.households);
    h.run();
  }
  impl_->bump_areas_generation();
  tx.commit();
}

namespace {
const char* kAreaColumns =
    "SELECT area_id, kind, code, name, parent_id, lg_code, source_id, vintage, AsBinary(geom), "
    "label_lon, label_lat, approximate, level FROM area ";
Area read_area(const Stmt& s) {
  Area a;
  a.id = s.text(0);
  a.kind = code_or(s.text(1), AreaKind::custom);
  a.code = s.text(2);
  a.name = s.text(3);
  a.parent_id = s.text(4);
  a.lg_code = s.text(5);
  a.source_id = s.is_null(6) ? 0 : s.int64(6);
  a.vintage = s.text(7);
  a.wkb = s.blob(8);
  a.label_lon = s.real(9);
  a.label_lat = s.real(10);
  a.approximate = s.int64(11) != 0;
  a.level = parse_small_area_level(s.text(12)).value_or(SmallAreaLevel::none);
  return a;
}
}  // namespace

std::optional<Area> SqliteStore::area(std::string_view id) const {
  auto& s = impl_->stmt(std::string(kAreaColumns) + "WHERE area_id = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_area(s);
}

std::vector<Area> SqliteStore::areas(std::optional<AreaKind> kind) const {
  std::vector<Area> out;
  if (kind) {
    auto& s = impl_->stmt(std::string(kAreaColumns) + "WHERE kind = ?1 ORDER BY area_id");
    s.bind(1, code_id(*kind));
    while (s.step()) out.push_back(read_area(s));
  } else {
    auto& s = impl_->stmt(std::string(kAreaColumns) + "ORDER BY area_id");
    while (s.step()) out.push_back(read_area(s));
  }
  return out;
}

std::vector<AreaPopulation> SqliteStore::populations() const {
  std::vector<AreaPopulation> out;
  auto& s = impl_->stmt(
      "SELECT p.area_id, p.ref_date, p.age_from, p.age_to, p.male, p.female, p.source_id, "
      "h.households FROM area_population p LEFT JOIN area_households h "
      "ON h.area_id = p.area_id AND h.ref_date = p.ref_date ORDER BY p.area_id, p.ref_date, "
      "p.age_from");
  while (s.step()) {
    const std::string area_id = s.text(0);
    const std::string ref_date = s.text(1);
    if (out.empty() || out.back().area_id != area_id || out.back().ref_date != ref_date) {
      AreaPopulation p;
      p.area_id = area_id;
      p.ref_date = ref_date;
      p.source_id = s.is_null(6) ? 0 : s.int64(6);
      if (!s.is_null(7)) p.households = s.int64(7);
      out.push_back(std::move(p));
    }
    out.back().bands.push_back(
        AgeBandCount{static_cast<int>(s.int64(2)), s.opt_int(3), s.int64(4), s.int64(5)});
  }
  return out;
}

// ---- the address table ----

std::size_t SqliteStore::put_addresses(const std::vector<AddressPoint>& points,
                                       std::int64_t source_id) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  std::set<std::pair<std::string, std::string>> cities;
  for (const auto& p : points) cities.emplace(p.pref, p.city);
  for (const auto& [pref, city] : cities) {
    auto& del = impl_->stmt("DELETE FROM address_point WHERE pref = ?1 AND city = ?2");
    del.bind(1, pref);
    del.bind(2, city);
    del.run();
  }
  std::size_t written = 0;
  for (const auto& p : points) {
    if (p.city.empty() || p.town.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) {
      throw InvalidArgument("an address point needs a city, a town and finite coordinates");
    }
    auto& s = impl_->stmt(
        "INSERT INTO address_point (lg_code, pref, city, town, koaza, lon, lat, source_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(pref, city, town, koaza) DO UPDATE "
        "SET lg_code = ?1, lon = ?6, lat = ?7, source_id = ?8");
    s.bind(1, p.lg_code);
    s.bind(2, p.pref);
    s.bind(3, p.city);
    s.bind(4, p.town);
    s.bind(5, p.koaza);
    s.bind(6, p.lon);
    s.bind(7, p.lat);
    if (source_id > 0) {
      s.bind(8, source_id);
    } else {
      s.bind_null(8);
    }
    s.run();
    ++written;
  }
  tx.commit(!points.empty());
  return written;
}

std::vector<AddressPoint> SqliteStore::addresses() const {
  std::vector<AddressPoint> out;
  auto& s = impl_->stmt(
      "SELECT lg_code, pref, city, town, koaza, lon, lat FROM address_point "
      "ORDER BY pref, city, town, koaza");
  while (s.step()) {
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.real(5), s.real(6)});
  }
  return out;
}

}  // namespace tsunagi::geo
