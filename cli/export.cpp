// tsunagi export: the store's resources as CSV for Excel, GeoJSON or a GeoPackage; the public
// layers as MBTiles vector tiles.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "datasets/area_export.hpp"
#include "datasets/exporter.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"
#include "server/config.hpp"
#include "tiles/basemap.hpp"
#include "tiles/error.hpp"
#include "tiles/mbtiles.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi export --db FILE --format csv|geojson|gpkg --out FILE [--kind KIND]\n"
    "                      [--view public|partners|internal] [--include-closed] [--config F]\n"
    "       tsunagi export --db FILE --format mbtiles --out FILE [--min-zoom Z] [--max-zoom Z]\n"
    "                      [--with-basemap]\n"
    "       tsunagi export --db FILE --layer areas --format csv|geojson|gpkg --out FILE\n"
    "                      [--audience public|partners|internal]\n"
    "\n"
    "  csv      UTF-8 with BOM (opens in Excel), Japanese column names; imports back unchanged\n"
    "  geojson  a FeatureCollection, EPSG:4326\n"
    "  gpkg     a GeoPackage with one point layer 'resources', EPSG:4326\n"
    "  mbtiles  vector tiles (MBTiles 1.3, layers 'resources' and 'areas') of the public view\n"
    "           only, zooms 0–15 by default: a static map to publish or to open in QGIS;\n"
    "           --with-basemap adds the offline basemap's layers (import --basemap) to its tiles\n"
    "\n"
    "--config FILE  the server's config file: its unconfirmed_after_days and unconfirmed_public\n"
    "           apply (with hide, the public view leaves out unconfirmed listings, as the\n"
    "           server does; other keys are ignored)\n"
    "\n"
    "--view says whose view the file holds (default public, so that a file made to be published\n"
    "is safe by default):\n"
    "  public    public resources only; a 個人宅 at its 町丁目 without the address; no notes,\n"
    "            placement offers or private hosts' contacts unless they agreed\n"
    "  partners  what planners and 参加支援 matchers see (no internal notes)\n"
    "  internal  everything (coordinators, admins)\n"
    "The file says which view it holds (CSV: the column 出力範囲; GeoJSON: \"tsunagi:view\";\n"
    "GeoPackage: the layer's description). Closed resources are left out unless\n"
    "--include-closed is given, and never appear in the public view.\n"
    "\n"
    "--layer areas exports every area with the figures the audience (--audience, the same as\n"
    "--view; default public) may see: marks in <key>_status / <key>_merged (merged, absorbed,\n"
    "suppressed, missing), a municipality's own figures after the small-cell rule, `approximate`\n"
    "for Voronoi cells. Sources and attribution: <out>.sources.txt beside a CSV, \"sources\" in\n"
    "GeoJSON, the table 'sources' in a GeoPackage.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi export: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int export_(Args args) {
  std::optional<std::filesystem::path> db;
  std::optional<std::filesystem::path> out;
  std::optional<datasets::ExportFormat> format;
  datasets::ExportOptions opt;
  tiles::MbtilesOptions tile_options;
  bool zoom_given = false;
  bool view_given = false;
  bool mbtiles = false;
  bool areas_layer = false;
  bool with_basemap = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--db") {
      auto v = next();
      if (!v) return usage_error("--db needs a file");
      db = *v;
    } else if (a == "--config") {
      auto v = next();
      if (!v) return usage_error("--config needs the server's config file");
      server::Config config;
      try {
        (void)server::apply_config_file(config, *v);  // keys of other settings do not matter here
      } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "tsunagi export: %s\n", e.what());
        return 2;
      }
      opt.freshness = server::freshness_rule(config);
    } else if (a == "--out") {
      auto v = next();
      if (!v) return usage_error("--out needs a file");
      out = *v;
    } else if (a == "--format") {
      auto v = next();
      if (!v) return usage_error("--format needs csv, geojson, gpkg or mbtiles");
      mbtiles = *v == "mbtiles";
      format = datasets::parse_export_format(*v);
      if (!format && !mbtiles) {
        return usage_error("unknown --format '" + *v + "' (csv, geojson, gpkg or mbtiles)");
      }
    } else if (a == "--kind") {
      auto v = next();
      if (!v) return usage_error("--kind needs a value");
      const auto k = geo::parse_code<geo::ResourceKind>(*v);
      if (!k) {
        return usage_error("unknown --kind '" + *v + "' (one of " +
                           geo::code_ids_joined<geo::ResourceKind>() + ")");
      }
      opt.kind = *k;
    } else if (a == "--layer") {
      auto v = next();
      if (!v || (*v != "areas" && *v != "resources")) {
        return usage_error("--layer needs resources (default) or areas");
      }
      areas_layer = *v == "areas";
    } else if (a == "--view" || a == "--audience") {
      auto v = next();
      if (!v) return usage_error("--view needs public, partners or internal");
      const auto view = geo::parse_audience(*v);
      if (!view) return usage_error("unknown --view '" + *v + "' (public, partners or internal)");
      opt.view = *view;
      view_given = true;
    } else if (a == "--with-basemap") {
      with_basemap = true;
    } else if (a == "--include-closed") {
      opt.include_closed = true;
    } else if (a == "--min-zoom" || a == "--max-zoom") {
      auto v = next();
      int z = -1;
      if (v && !v->empty() && v->size() <= 2 &&
          v->find_first_not_of("0123456789") == std::string::npos) {
        z = std::stoi(*v);
      }
      if (z < 0 || z > 24) return usage_error(std::string(a) + " needs a zoom from 0 to 24");
      (a == "--min-zoom" ? tile_options.min_zoom : tile_options.max_zoom) =
          static_cast<std::uint32_t>(z);
      zoom_given = true;
    } else {
      return usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  if (!db) return usage_error("--db FILE is required");
  if (!out) return usage_error("--out FILE is required");
  if (!format && !mbtiles && out->extension() == ".mbtiles") mbtiles = true;
  if (mbtiles) {
    if ((view_given && opt.view != geo::Audience::public_) || opt.include_closed || opt.kind) {
      return usage_error(
          "--format mbtiles holds the public view of every resource and area: it takes no "
          "--view, --kind or --include-closed (staff see their own view on the server's tiles)");
    }
    const geo::Store store = geo::Store::open(*db, geo::Store::Mode::read_only);
    const auto snapshot = geo::Snapshot::build(store, nullptr, opt.freshness);
    try {
      std::unique_ptr<tiles::BasemapTiles> basemap;
      if (with_basemap) {
        const std::filesystem::path file(db->string() + ".basemap.mbtiles");
        if (!std::filesystem::exists(file)) {
          std::fprintf(stderr,
                       "tsunagi export: --with-basemap: there is no basemap at %s (build it with "
                       "tsunagi import --db %s --basemap EXTRACT.osm.pbf)\n",
                       file.c_str(), db->c_str());
          return 2;
        }
        basemap = std::make_unique<tiles::BasemapTiles>(file);
        tile_options.basemap = basemap.get();
      }
      const auto r = tiles::write_mbtiles(*snapshot, *out, tile_options);
      std::printf(
          "exported %llu tiles (%.1f MB, zooms %u–%u) of %llu public resources and %llu areas "
          "to %s\n",
          static_cast<unsigned long long>(r.tiles), static_cast<double>(r.bytes) / 1e6,
          tile_options.min_zoom, tile_options.max_zoom,
          static_cast<unsigned long long>(r.resources), static_cast<unsigned long long>(r.areas),
          out->c_str());
    } catch (const tiles::Error& e) {
      std::fprintf(stderr, "tsunagi export: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  if (zoom_given || with_basemap) {
    return usage_error("--min-zoom, --max-zoom and --with-basemap are for --format mbtiles");
  }
  if (areas_layer) {
    if (opt.kind || opt.include_closed) {
      return usage_error("--kind and --include-closed are for resources, not --layer areas");
    }
    if (!format) {
      const auto ext = out->extension().string();
      if (ext == ".csv") format = datasets::ExportFormat::csv;
      if (ext == ".geojson" || ext == ".json") format = datasets::ExportFormat::geojson;
      if (ext == ".gpkg") format = datasets::ExportFormat::gpkg;
      if (!format) return usage_error("--format csv|geojson|gpkg is required");
    }
    const geo::Store store = geo::Store::open(*db, geo::Store::Mode::read_only);
    try {
      const auto n = datasets::export_areas(store, *out, *format, opt.view);
      std::printf("exported %lld areas (%s view) to %s%s\n", static_cast<long long>(n),
                  std::string(geo::audience_id(opt.view)).c_str(), out->c_str(),
                  *format == datasets::ExportFormat::csv
                      ? (", sources in " + datasets::sources_sidecar(*out).string()).c_str()
                      : "");
    } catch (const geo::Error& e) {
      std::fprintf(stderr, "tsunagi export: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  if (opt.include_closed && opt.view == geo::Audience::public_) {
    return usage_error(
        "--include-closed needs --view partners or internal: closed resources are "
        "never in the public view");
  }
  if (!format) {
    // The extension says it when --format is left out.
    const auto ext = out->extension().string();
    if (ext == ".csv") format = datasets::ExportFormat::csv;
    if (ext == ".geojson" || ext == ".json") format = datasets::ExportFormat::geojson;
    if (ext == ".gpkg") format = datasets::ExportFormat::gpkg;
    if (!format) return usage_error("--format csv|geojson|gpkg|mbtiles is required");
  }
  opt.format = *format;
  const geo::Store store = geo::Store::open(*db, geo::Store::Mode::read_only);
  const auto n = datasets::export_resources(store, *out, opt);
  std::printf("exported %lld resources (%s view) to %s\n", static_cast<long long>(n),
              std::string(geo::audience_id(opt.view)).c_str(), out->c_str());
  return 0;
}

}  // namespace tsunagi::cli
