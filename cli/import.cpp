// tsunagi import: loads a municipality's own files (standard open-data CSVs, the MHLW 介護 CSV,
// shapefiles, GeoJSON, GeoPackage, KML, any CSV through a mapping file, N03 boundaries) into a
// store, and says row by row what was imported and what was rejected.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "datasets/address_table.hpp"
#include "datasets/area_import.hpp"
#include "datasets/basemap_build.hpp"
#include "datasets/importer.hpp"
#include "datasets/osm_network.hpp"
#include "datasets/stat_table.hpp"
#include "datasets/stat_totals.hpp"
#include "geo/core/error.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi import --db FILE [options] SOURCE...\n"
    "       tsunagi import --db FILE --areas FILE [area options]\n"
    "       tsunagi import --db FILE --table FILE [table options]\n"
    "\n"
    "Imports resource lists (CSV, GeoJSON, Shapefile, GeoPackage, KML) into the store FILE,\n"
    "creating it when it does not exist. Every row is checked; accepted rows are imported in one\n"
    "transaction, and the report lists each rejected row with its row number and reason.\n"
    "\n"
    "options:\n"
    "  --layout L          auto (default), public-facility, care-service, childcare, mhlw-kaigo,\n"
    "                      tsunagi, mapping, generic\n"
    "  --kind KIND         kind of every row (id or Japanese label, e.g. kominkan or "
    "公民館・集会所)\n"
    "  --kind-column COL   take each row's kind from this column\n"
    "  --mapping FILE      a JSON mapping file (see datasets/mappings/README.md)\n"
    "  --encoding ENC      CP932 or UTF-8 (default: UTF-8, a shapefile's .cpg)\n"
    "  --source-key KEY    identifies the source; re-importing the same key updates its rows\n"
    "                      (default: the file name without extension)\n"
    "  --title TEXT, --license ID, --attribution TEXT   source metadata\n"
    "  --close-missing     close resources of the previous import that are missing now\n"
    "  --strict            any rejected row rejects the whole import (the store is untouched)\n"
    "  --boundary FILE     a municipality boundary (N03 GeoJSON); rows outside it are rejected\n"
    "  --lg-code CODE      the 全国地方公共団体コード of --boundary (default: from its file name)\n"
    "  --addresses FILE    an address table for the geocoder (Geolonia 住所データ: a JSON array\n"
    "                      named <都道府県>_<市区町村>.json, or its GeoJSON); replaces that\n"
    "                      city's points\n"
    "  --address-pref P, --address-city C   the 都道府県/市区町村 of an --addresses array file\n"
    "                      (default: from its file name)\n"
    "  --network EXTRACT   the walking network from OpenStreetMap (.osm.pbf or .osm), clipped\n"
    "                      to the store's boundary with a 2 km margin; replaces the previous one\n"
    "  --basemap EXTRACT   the offline basemap: runs tilemaker on an OpenStreetMap .osm.pbf\n"
    "                      (clipped to the store's municipalities + 2 km; the whole extract\n"
    "                      when there are none) and writes FILE.basemap.mbtiles beside the\n"
    "                      store, which `tsunagi serve` serves at /tiles/basemap/…; replaces\n"
    "                      the previous one only when tilemaker succeeded\n"
    "  --areas FILE        an area layer (Shapefile, GeoJSON, GeoPackage): e-Stat 小地域境界\n"
    "                      (h27ka/r2ka, recognised by KEY_CODE/HCODE: water areas dropped,\n"
    "                      parts of one KEY_CODE merged, JINKO/SETAI stored as population/\n"
    "                      households) or any polygon layer with --area-type and --code-field\n"
    "  --area-type KIND    kind of the areas: school_district, nichijo_seikatsu_ken, custom…\n"
    "  --code-field F, --name-field F   the fields holding each area's code and name\n"
    "  --parent ID         parent area id of every area (e.g. municipality:372013)\n"
    "  --approximate       the --areas file holds representative points (町丁 label points,\n"
    "                      e.g. e-Stat X_CODE/Y_CODE or a CSV with lon/lat): each area becomes\n"
    "                      the Voronoi cell of its point (points sharing a code merged first),\n"
    "                      stored as approximate\n"
    "  --boundary-area ID  clip every cell to this stored area (default: each cell to its own\n"
    "                      municipality: the one its e-Stat code names, else the stored\n"
    "                      boundary holding its point; import the boundaries first)\n"
    "  --ref-date D        reference date of the statistics (default: the census day of an\n"
    "                      e-Stat layer or table, from its fields or statsId; required for an\n"
    "                      own CSV)\n"
    "  --table FILE        statistics of areas: an e-Stat 統計GIS table (tbl….txt, CP932; small\n"
    "                      areas matched by KEY_CODE to stored areas, mesh cells created;\n"
    "                      '*'/'X' 秘匿, '-' 0, HTKSYORI 1/2 合算/合算元 kept) or, with "
    "--key-field,\n"
    "                      a municipality's own indicator CSV (small-cell rule in every output),\n"
    "                      or an 地域・年齢別人口 CSV (自治体標準オープンデータセット, recognised "
    "by\n"
    "                      its header; rows matched by 地域コード or 地域名 within the "
    "municipality)\n"
    "  --name-map FILE     地域・年齢別人口: a two-column CSV (name in the table, stored name or\n"
    "                      area id) for the names normalising does not match\n"
    "  --key-field COL     own CSV: the column naming each row's area (area id or code)\n"
    "  --key-type T        own CSV: area (default) or mesh\n"
    "  --publish P         own CSV: public, partners (default) or internal\n"
    "  --small-cell-k N    own CSV: counts below N are suppressed (default 10)\n"
    "  --column-label COL=ラベル   own CSV: the label of a column\n"
    "  --total T=A+B       own CSV: column T is the sum of A and B (found by itself when every\n"
    "                      row shows it); the small-cell rule protects A and B from T − B\n"
    "  --s_srs CRS         CRS of a CSV's coordinates (default EPSG:4326), e.g. EPSG:6677\n"
    "  --report FILE.json  write the full report of resource lists as JSON\n"
    "  --quiet             print nothing but errors\n"
    "\n"
    "exit codes: 0 all imported, 1 some rows rejected (the others imported) or --strict failed,\n"
    "            2 bad usage or an unusable file (nothing imported)\n"
    "            --areas: 0 every feature written, merged or dropped by rule (water areas),\n"
    "            1 features dropped for another reason (listed), 2 nothing imported\n"
    "            --table: 0 every row imported, 1 rows rejected or for areas not in the store\n"
    "            (listed; the others imported), 2 nothing imported\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi import: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

/// The walking network: read, clip to the store's boundary (+2 km), store; prints what was kept
/// and dropped, and why.
/// The box of the store's municipalities grown by 2 km (none when it holds none).
std::optional<geo::BBox> municipalities_box(const geo::Store& store) {
  std::optional<geo::BBox> clip;
  for (const auto& a : store.areas()) {
    if (a.kind != geo::AreaKind::municipality || a.wkb.empty()) continue;
    const auto e = geo::Geometry::from_wkb(a.wkb).envelope();
    if (!clip) clip = geo::BBox{e.min_x, e.min_y, e.max_x, e.max_y};
    clip->grow(e.min_x, e.min_y);
    clip->grow(e.max_x, e.max_y);
  }
  if (clip) {  // 2 km: people near the edge walk to places just across it
    const double dlat = 2000.0 / 110574.0;
    const double dlon =
        2000.0 / (111320.0 * std::cos((clip->min_lat + clip->max_lat) / 2 * M_PI / 180));
    clip = geo::BBox{clip->min_lon - dlon, clip->min_lat - dlat, clip->max_lon + dlon,
                     clip->max_lat + dlat};
  }
  return clip;
}

int import_network(const std::filesystem::path& db, const std::filesystem::path& extract,
                   bool quiet) {
  if (!std::filesystem::exists(extract)) {
    std::fprintf(stderr, "tsunagi import: %s does not exist\n", extract.c_str());
    return 2;
  }
  geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  const std::optional<geo::BBox> clip = municipalities_box(store);
  datasets::OsmNetworkReport r;
  geo::NetworkData data;
  try {
    data = datasets::read_osm_network(extract, clip, r);
  } catch (const geo::InvalidArgument& e) {
    std::fprintf(stderr, "tsunagi import: %s\n", e.what());
    return 2;
  }
  {
    geo::Store::Transaction tx(store);
    // One network per store: its source (and the credit OpenStreetMap's licence asks for) is
    // replaced with it.
    geo::SourceInfo source;
    source.key = "network";
    source.title = "OpenStreetMap " + extract.filename().string();
    source.publisher = "OpenStreetMap contributors";
    source.url = "https://www.openstreetmap.org/copyright";
    source.license = "odbl_1_0";
    source.attribution = "© OpenStreetMap contributors (ODbL 1.0)";
    source.imported_at = geo::utc_now_iso();
    (void)store.upsert_source(source);
    store.put_network(data);
    tx.commit();
  }
  if (!quiet) {
    std::printf("walking network from %s%s\n", extract.filename().c_str(),
                clip ? " (clipped to the store's boundary + 2 km)"
                     : " (no boundary in the store: not clipped)");
    std::printf("  ways:  %llu read, %llu kept (%llu of them cut at the clip box)\n",
                static_cast<unsigned long long>(r.ways_read),
                static_cast<unsigned long long>(r.ways_kept),
                static_cast<unsigned long long>(r.ways_cut));
    for (const auto& [why, n] : r.ways_dropped) {
      std::printf("         %llu dropped: %s\n", static_cast<unsigned long long>(n), why.c_str());
    }
    std::printf("  nodes: %llu read, %llu kept (on kept ways)%s\n",
                static_cast<unsigned long long>(r.nodes_read),
                static_cast<unsigned long long>(r.nodes_kept),
                r.missing_locations > 0 ? (", " + std::to_string(r.missing_locations) +
                                           " way nodes missing from the extract")
                                              .c_str()
                                        : "");
    std::printf(
        "  graph: %llu edges (%llu steps), %.1f km; %zu connected parts, the largest "
        "with %zu nodes (%.1f %%)\n",
        static_cast<unsigned long long>(r.edges), static_cast<unsigned long long>(r.steps_edges),
        r.length_km, r.components, r.largest_component,
        r.nodes_kept > 0 ? 100.0 * double(r.largest_component) / double(r.nodes_kept) : 0.0);
  }
  return 0;
}

/// The offline basemap: tilemaker on the extract, clipped to the store's municipalities + 2 km;
/// prints the layers and zooms it wrote.
int import_basemap(const std::filesystem::path& db, const std::filesystem::path& extract,
                   bool quiet) {
  datasets::BasemapBuildOptions options;
  if (const std::string location = db.string();
      location.starts_with("postgresql:") || location.starts_with("postgres:")) {
    std::fprintf(stderr,
                 "tsunagi import: the offline basemap is kept in a file beside an SQLite store; "
                 "for a PostgreSQL store build it beside an SQLite copy (tsunagi migrate --from "
                 "URI --to FILE) and give serve its path as basemap_file\n");
    return 2;
  }
  if (std::filesystem::exists(db)) {
    try {
      const geo::Store store = geo::Store::open(db, geo::Store::Mode::read_only);
      options.clip = municipalities_box(store);
    } catch (const geo::Error& e) {
      std::fprintf(stderr, "tsunagi import: %s\n", e.what());
      return 2;
    }
  }
  const std::filesystem::path out = datasets::basemap_path_for(db);
  const auto started = std::chrono::steady_clock::now();
  datasets::BasemapInfo info;
  try {
    info = datasets::build_basemap(extract, out, options);
  } catch (const geo::Error& e) {
    std::fprintf(stderr, "tsunagi import: %s\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    std::fprintf(stderr, "tsunagi import: basemap: %s\n", e.what());
    return 2;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!quiet) {
    std::printf("basemap from %s%s\n", extract.filename().c_str(),
                options.clip ? " (clipped to the store's municipalities + 2 km)"
                             : " (no municipality in the store: the whole extract)");
    std::printf("  written: %s, %llu tiles, %.1f MB, zooms %d-%d, in %.1f s\n", out.c_str(),
                static_cast<unsigned long long>(info.tiles), double(info.bytes) / 1e6,
                info.min_zoom, info.max_zoom, seconds);
    std::printf("  layers:");
    for (const auto& l : info.layers) {
      std::printf(" %s (z%d-%d)", l.id.c_str(), l.min_zoom, l.max_zoom);
    }
    std::printf("\n");
  }
  return 0;
}

/// A one-line progress bar on a terminal, redrawn at most ten times a second.
class ProgressBar {
 public:
  void update(std::int64_t done, std::int64_t expected) {
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != expected) return;
    last_ = now;
    drawn_ = true;
    char line[160];
    if (expected > 0) {
      const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(expected));
      const int width = 30;
      const int filled = static_cast<int>(frac * width);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.append(static_cast<std::size_t>(width - filled), '-');
      std::snprintf(line, sizeof line, "\r  [%s] %3d%%  %lld rows", bar.c_str(),
                    static_cast<int>(frac * 100), static_cast<long long>(done));
    } else {
      std::snprintf(line, sizeof line, "\r  %lld rows", static_cast<long long>(done));
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
  }
  void clear() {
    if (!drawn_) return;
    std::fputs("\r\x1b[2K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

/// tsunagi import --addresses: each file replaces its cities' address points, all in one
/// transaction; a file that cannot be read imports nothing.
int import_addresses(const std::filesystem::path& db,
                     const std::vector<std::filesystem::path>& files, const std::string& pref,
                     const std::string& city, bool quiet) {
  std::vector<std::pair<std::filesystem::path, datasets::AddressTable>> tables;
  for (const auto& f : files) {
    try {
      tables.emplace_back(f, datasets::read_geolonia_addresses(f, pref, city));
    } catch (const geo::InvalidArgument& e) {
      std::fprintf(stderr, "tsunagi import: %s (nothing imported)\n", e.what());
      return 2;
    }
  }
  geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(store);
  std::size_t rejected = 0;
  for (const auto& [file, table] : tables) {
    geo::SourceInfo source;
    source.key = "addresses:" + file.stem().string();
    source.title = "住所データ " + file.filename().string();
    source.publisher = "Geolonia";
    source.url = "https://github.com/geolonia/japanese-addresses";
    source.license = "cc_by_4_0";
    source.attribution = "「Geolonia 住所データ」（株式会社Geolonia, CC BY 4.0）";
    source.imported_at = geo::utc_now_iso();
    const std::int64_t source_id = store.upsert_source(source);
    const std::size_t n = store.put_addresses(table.points, source_id);
    rejected += table.rejected;
    if (!quiet) {
      std::printf("%s: %zu address points imported, %zu rejected\n", file.string().c_str(), n,
                  table.rejected);
      for (const auto& p : table.problems) std::printf("  rejected %s\n", p.c_str());
    }
  }
  tx.commit();
  return rejected > 0 ? 1 : 0;
}

/// tsunagi import --areas: every file in one transaction; a file that cannot be used imports
/// nothing at all.
int import_area_files(const std::filesystem::path& db,
                      const std::vector<std::filesystem::path>& files,
                      const datasets::AreaImportOptions& options, bool quiet) {
  const bool existed = geo::Store::exists(db);
  std::vector<datasets::AreaImportReport> reports;
  try {
    geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
    geo::Store::Transaction tx(store);
    for (const auto& f : files) reports.push_back(datasets::import_areas(store, f, options));
    tx.commit();
  } catch (const geo::Error& e) {
    if (!existed) geo::Store::discard(db);
    std::fprintf(stderr, "tsunagi import: %s (nothing imported)\n", e.what());
    return 2;
  }
  int rc = 0;
  for (const auto& r : reports) {
    if (!quiet) std::fputs(datasets::render_text(r).c_str(), stdout);
    for (const auto& [why, n] : r.dropped) {
      if (!why.starts_with("water area")) rc = 1;
    }
  }
  return rc;
}

/// tsunagi import --table: every file in one transaction; a file that cannot be used imports
/// nothing at all.
int import_table_files(const std::filesystem::path& db,
                       const std::vector<std::filesystem::path>& files,
                       const datasets::TableImportOptions& options, bool quiet) {
  const bool existed = geo::Store::exists(db);
  std::vector<datasets::TableImportReport> reports;
  try {
    geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
    geo::Store::Transaction tx(store);
    for (const auto& f : files) reports.push_back(datasets::import_table(store, f, options));
    tx.commit();
  } catch (const geo::Error& e) {
    if (!existed) geo::Store::discard(db);
    std::fprintf(stderr, "tsunagi import: %s (nothing imported)\n", e.what());
    return 2;
  }
  int rc = 0;
  for (const auto& r : reports) {
    if (!quiet) std::fputs(datasets::render_text(r).c_str(), stdout);
    if (!r.rejected.empty() || !r.unmatched.empty()) rc = 1;
  }
  return rc;
}

}  // namespace

int import(Args args) {
  std::optional<std::filesystem::path> db;
  std::optional<std::filesystem::path> report_path;
  std::optional<std::filesystem::path> network;
  std::optional<std::filesystem::path> basemap;
  std::vector<std::filesystem::path> sources;
  datasets::RunOptions run;
  auto& opt = run.import;
  bool quiet = false;
  std::vector<std::filesystem::path> address_files;
  std::string address_pref;
  std::string address_city;
  std::vector<std::filesystem::path> area_files;
  datasets::AreaImportOptions area_opt;
  std::vector<std::filesystem::path> table_files;
  datasets::TableImportOptions table_opt;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (a.starts_with("--") && a.find('=') != std::string_view::npos) {
      inline_value = std::string(a.substr(a.find('=') + 1));
      a = a.substr(0, a.find('='));
      has_inline = true;
    }
    auto value = [&]() -> std::optional<std::string> {
      if (has_inline) return inline_value;
      if (i + 1 >= args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    auto need = [&](std::string& out) {
      auto v = value();
      if (!v) return false;
      out = *v;
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--db") {
      if (!need(v)) return usage_error("--db needs a file");
      db = v;
    } else if (a == "--layout") {
      if (!need(v)) return usage_error("--layout needs a value");
      const auto l = datasets::parse_layout(v);
      if (!l || *l == datasets::LayoutKind::boundary) {
        if (l) return usage_error("import boundaries with --boundary FILE");
        return usage_error("unknown --layout '" + v + "' (one of " + datasets::layout_ids_joined() +
                           ")");
      }
      opt.layout = *l;
    } else if (a == "--kind") {
      if (!need(v)) return usage_error("--kind needs a value");
      const auto k = geo::parse_code<geo::ResourceKind>(v);
      if (!k) {
        return usage_error("unknown --kind '" + v + "' (one of " +
                           geo::code_ids_joined<geo::ResourceKind>() + ")");
      }
      opt.kind = *k;
    } else if (a == "--kind-column") {
      if (!need(opt.kind_column)) return usage_error("--kind-column needs a column name");
    } else if (a == "--mapping") {
      if (!need(v)) return usage_error("--mapping needs a file");
      try {
        opt.mapping = datasets::load_mapping(v);
      } catch (const geo::Error& e) {
        std::fprintf(stderr, "tsunagi import: %s\n", e.what());
        return 2;
      }
    } else if (a == "--encoding") {
      if (!need(v)) return usage_error("--encoding needs a value");
      const auto e = datasets::parse_encoding(v);
      if (!e) return usage_error("unknown --encoding '" + v + "' (CP932 or UTF-8)");
      opt.encoding = *e;
    } else if (a == "--source-key") {
      if (!need(opt.source_key) || opt.source_key.empty()) {
        return usage_error("--source-key needs a key");
      }
    } else if (a == "--title") {
      if (!need(opt.title)) return usage_error("--title needs a text");
    } else if (a == "--license") {
      if (!need(opt.license)) return usage_error("--license needs a value");
    } else if (a == "--attribution") {
      if (!need(opt.attribution)) return usage_error("--attribution needs a text");
    } else if (a == "--strict") {
      opt.strict = true;
    } else if (a == "--close-missing") {
      opt.close_missing = true;
    } else if (a == "--boundary") {
      if (!need(v)) return usage_error("--boundary needs a file");
      run.boundaries.emplace_back(v);
    } else if (a == "--addresses") {
      if (!need(v)) return usage_error("--addresses needs a file");
      address_files.emplace_back(v);
    } else if (a == "--address-pref") {
      if (!need(address_pref)) return usage_error("--address-pref needs a name");
    } else if (a == "--address-city") {
      if (!need(address_city)) return usage_error("--address-city needs a name");
    } else if (a == "--network") {
      std::string n;
      if (!need(n)) return usage_error("--network needs an OpenStreetMap extract (.osm.pbf, .osm)");
      network = n;
    } else if (a == "--basemap") {
      std::string n;
      if (!need(n)) return usage_error("--basemap needs an OpenStreetMap extract (.osm.pbf)");
      basemap = n;
    } else if (a == "--lg-code") {
      if (!need(run.boundary_lg_code)) return usage_error("--lg-code needs a code");
    } else if (a == "--areas") {
      if (!need(v)) return usage_error("--areas needs a file");
      area_files.emplace_back(v);
    } else if (a == "--area-type") {
      if (!need(v)) return usage_error("--area-type needs a kind");
      const auto k = geo::parse_code<geo::AreaKind>(v);
      if (!k) {
        return usage_error("unknown --area-type '" + v + "' (one of " +
                           geo::code_ids_joined<geo::AreaKind>() + ")");
      }
      area_opt.kind = *k;
    } else if (a == "--code-field") {
      if (!need(area_opt.code_field)) return usage_error("--code-field needs a field name");
    } else if (a == "--name-field") {
      if (!need(area_opt.name_field)) return usage_error("--name-field needs a field name");
    } else if (a == "--parent") {
      if (!need(area_opt.parent_id)) return usage_error("--parent needs an area id");
    } else if (a == "--approximate") {
      area_opt.approximate = true;
    } else if (a == "--boundary-area") {
      if (!need(area_opt.boundary_area)) return usage_error("--boundary-area needs an area id");
    } else if (a == "--ref-date") {
      if (!need(area_opt.ref_date)) return usage_error("--ref-date needs a date (YYYY-MM-DD)");
    } else if (a == "--table") {
      if (!need(v)) return usage_error("--table needs a file");
      table_files.emplace_back(v);
    } else if (a == "--key-field") {
      if (!need(table_opt.key_field)) return usage_error("--key-field needs a column name");
    } else if (a == "--key-type") {
      if (!need(table_opt.key_type) ||
          (table_opt.key_type != "area" && table_opt.key_type != "mesh")) {
        return usage_error("--key-type is area or mesh");
      }
    } else if (a == "--publish") {
      if (!need(v)) return usage_error("--publish needs public, partners or internal");
      const auto p = geo::parse_code<geo::PublishLevel>(v);
      if (!p) return usage_error("unknown --publish '" + v + "' (public, partners or internal)");
      table_opt.publish = *p;
      table_opt.publish_given = true;
    } else if (a == "--name-map") {
      if (!need(v)) return usage_error("--name-map needs a file (two columns: name, stored name)");
      if (!std::filesystem::exists(v)) return usage_error("--name-map " + v + " does not exist");
      table_opt.name_map = v;
    } else if (a == "--small-cell-k") {
      if (!need(v)) return usage_error("--small-cell-k needs a number");
      try {
        std::size_t used = 0;
        table_opt.small_cell_k = std::stoi(v, &used);
        if (used != v.size() || table_opt.small_cell_k < 1) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        return usage_error("--small-cell-k needs a whole number >= 1, not '" + v + "'");
      }
    } else if (a == "--column-label") {
      if (!need(v) || v.find('=') == std::string::npos) {
        return usage_error("--column-label needs COL=ラベル");
      }
      table_opt.column_labels[v.substr(0, v.find('='))] = v.substr(v.find('=') + 1);
    } else if (a == "--total") {
      if (!need(v)) return usage_error("--total needs TOTAL=PART+PART");
      if (const auto why = datasets::parse_total_option(v, table_opt.totals)) {
        return usage_error("--total: " + *why);
      }
    } else if (a == "--s_srs" || a == "--s-srs") {
      if (!need(opt.s_srs)) return usage_error("--s_srs needs a CRS such as EPSG:6677");
    } else if (a == "--report") {
      if (!need(v)) return usage_error("--report needs a file");
      report_path = v;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a.starts_with("-") && a.size() > 1) {
      return usage_error("unknown option '" + std::string(a) + "'");
    } else {
      sources.emplace_back(std::string(a));
    }
  }
  if (!db) return usage_error("--db FILE is required");
  if (basemap) {
    if (!sources.empty() || !run.boundaries.empty() || !address_files.empty() ||
        !area_files.empty() || !table_files.empty()) {
      return usage_error(
          "import --basemap on its own (or with --network), not with SOURCE files, --boundary, "
          "--areas, --table or --addresses");
    }
    if (network) {
      const int rc = import_network(*db, *network, quiet);
      if (rc != 0) return rc;
    }
    return import_basemap(*db, *basemap, quiet);
  }
  if ((!table_files.empty() || !area_files.empty()) && report_path) {
    return usage_error("--report is for resource lists; --areas and --table print their report");
  }
  if (!table_files.empty()) {
    if (!sources.empty() || !run.boundaries.empty() || network || !address_files.empty() ||
        !area_files.empty()) {
      return usage_error(
          "import --table on its own, not with SOURCE files, --areas, --boundary, "
          "--network or --addresses");
    }
    table_opt.encoding = opt.encoding;
    table_opt.ref_date = area_opt.ref_date;
    table_opt.source_key = opt.source_key;
    table_opt.title = opt.title;
    table_opt.license = opt.license;
    table_opt.attribution = opt.attribution;
    return import_table_files(*db, table_files, table_opt, quiet);
  }
  if (!area_files.empty()) {
    if (!sources.empty() || !run.boundaries.empty() || network || !address_files.empty()) {
      return usage_error(
          "import --areas on its own, not with SOURCE files, --boundary, "
          "--network or --addresses");
    }
    area_opt.encoding = opt.encoding;
    area_opt.source_key = opt.source_key;
    area_opt.title = opt.title;
    area_opt.license = opt.license;
    area_opt.attribution = opt.attribution;
    return import_area_files(*db, area_files, area_opt, quiet);
  }
  if (area_opt.kind || !area_opt.code_field.empty() || !area_opt.name_field.empty() ||
      !area_opt.parent_id.empty() || area_opt.approximate || !area_opt.boundary_area.empty()) {
    return usage_error(
        "--area-type, --code-field, --name-field, --parent, --approximate and --boundary-area go "
        "with --areas FILE");
  }
  if (!address_files.empty()) {
    if (!sources.empty() || !run.boundaries.empty() || network) {
      return usage_error(
          "import --addresses on its own, not with SOURCE files, --boundary or --network");
    }
    return import_addresses(*db, address_files, address_pref, address_city, quiet);
  }
  if (sources.empty() && run.boundaries.empty() && !network) {
    return usage_error("give at least one SOURCE file (or --boundary FILE, --network EXTRACT)");
  }
  if (network && sources.empty() && run.boundaries.empty()) {
    return import_network(*db, *network, quiet);
  }
  if (opt.kind && !opt.kind_column.empty()) {
    return usage_error("give either --kind or --kind-column, not both");
  }
  if (sources.size() > 1 && !opt.source_key.empty()) {
    return usage_error("--source-key names one source; import the files one at a time");
  }
  if (run.boundaries.size() > 1 && !run.boundary_lg_code.empty()) {
    return usage_error("--lg-code names one boundary; import the boundaries one at a time");
  }

  ProgressBar bar;
  if (!quiet && isatty(STDERR_FILENO) != 0) {
    opt.progress = [&bar](std::int64_t done, std::int64_t expected) { bar.update(done, expected); };
  }

  const bool existed = geo::Store::exists(*db);
  datasets::ImportReport report;
  {
    geo::Store store = geo::Store::open(*db, geo::Store::Mode::create_if_missing);
    report = datasets::run_import(store, sources, run);
  }
  bar.clear();
  if (!existed && report.rolled_back) {
    // Nothing was imported: do not leave behind a store the user never had.
    geo::Store::discard(*db);
  }

  if (report_path) {
    std::ofstream f(*report_path, std::ios::binary | std::ios::trunc);
    f << datasets::to_json(report).dump(2) << "\n";
    if (!f)
      std::fprintf(stderr, "tsunagi import: cannot write the report %s\n", report_path->c_str());
  }
  if (!quiet) std::fputs(datasets::render_text(report).c_str(), stdout);
  if (quiet) {  // otherwise the report above already says it
    for (const auto& f : report.files) {
      if (!f.error.empty()) std::fprintf(stderr, "tsunagi import: %s\n", f.error.c_str());
    }
  }
  if (network && report.exit_code() != 2) {
    const int rc = import_network(*db, *network, quiet);
    if (rc != 0) return rc;
  }
  return report.exit_code();
}

}  // namespace tsunagi::cli
