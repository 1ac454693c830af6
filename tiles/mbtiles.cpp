#include "tiles/mbtiles.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "geo/core/error.hpp"
#include "tiles/basemap.hpp"
#include "tiles/error.hpp"
#include "tiles/tile_service.hpp"

namespace tsunagi::tiles {

namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string message = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    throw geo::StoreError(std::string("MBTiles: ") + message);
  }
}

std::unique_ptr<sqlite3_stmt, Finalize> prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    throw geo::StoreError(std::string("MBTiles: ") + sqlite3_errmsg(db));
  }
  return std::unique_ptr<sqlite3_stmt, Finalize>(s);
}

void step_done(sqlite3* db, sqlite3_stmt* s) {
  if (sqlite3_step(s) != SQLITE_DONE) {
    throw geo::StoreError(std::string("MBTiles: ") + sqlite3_errmsg(db));
  }
  sqlite3_reset(s);
}

}  // namespace

MbtilesReport write_mbtiles(const geo::Snapshot& snap, const std::filesystem::path& out,
                            const MbtilesOptions& o) {
  if (o.min_zoom > o.max_zoom || o.max_zoom > kMaxZoom) {
    throw Error("zoom range " + std::to_string(o.min_zoom) + "–" + std::to_string(o.max_zoom) +
                " is not valid (0 ≤ min ≤ max ≤ " + std::to_string(kMaxZoom) + ")");
  }
  const geo::AudienceView& view = snap.view(geo::Audience::public_);
  std::optional<geo::BBox> extent = view.extent();
  MbtilesReport report;
  report.resources = view.size();
  for (const auto& e : snap.area_layer()->envelopes()) {
    if (e) ++report.areas;
  }
  if (const auto areas = snap.area_layer()->extent()) {
    if (!extent) extent = *areas;
    extent->grow(areas->min_lon, areas->min_lat);
    extent->grow(areas->max_lon, areas->max_lat);
  }
  if (!extent) throw Error("the store has no public resources and no areas: nothing to export");

  const LonLatBounds box{extent->min_lon, extent->min_lat, extent->max_lon, extent->max_lat};
  std::uint64_t planned = 0;
  for (std::uint32_t z = o.min_zoom; z <= o.max_zoom; ++z) {
    const TileRange r = tiles_covering(box, z);
    planned += std::uint64_t(r.max_x - r.min_x + 1) * (r.max_y - r.min_y + 1);
  }
  if (planned > o.max_tiles) {
    throw Error("zooms " + std::to_string(o.min_zoom) + "–" + std::to_string(o.max_zoom) +
                " over this extent are " + std::to_string(planned) + " tiles, more than " +
                std::to_string(o.max_tiles) + ": give a lower --max-zoom");
  }

  auto tmp = out;
  tmp += ".tmp-" + std::to_string(::getpid());
  std::filesystem::remove(tmp);
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(tmp.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    throw geo::StoreError("cannot create " + tmp.string() + ": " + message);
  }
  std::unique_ptr<sqlite3, CloseDb> db(raw);
  try {
    exec(db.get(),
         "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
         "CREATE TABLE metadata (name TEXT, value TEXT);"
         "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
         "tile_data BLOB);"
         "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);");
    auto put = prepare(db.get(), "INSERT INTO tiles VALUES (?, ?, ?, ?)");
    TileService service(0);
    const geo::ResourceQuery everything;  // the public view, its default statuses
    for (std::uint32_t z = o.min_zoom; z <= o.max_zoom; ++z) {
      const TileRange r = tiles_covering(box, z);
      for (std::uint32_t x = r.min_x; x <= r.max_x; ++x) {
        for (std::uint32_t y = r.min_y; y <= r.max_y; ++y) {
          const TileId t = make_tile(z, x, y);
          std::string mvt = service.encode_both(snap, t, geo::Audience::public_, everything);
          if (o.basemap != nullptr) {
            // A tile is a list of layers: the basemap's layers, then ours, in one message.
            if (const auto b = o.basemap->tile(t)) {
              mvt = (b->gzip ? gunzip(b->data) : b->data) + mvt;
            }
          }
          if (mvt.empty()) continue;
          const std::string data = gzip(mvt);
          sqlite3_bind_int(put.get(), 1, static_cast<int>(z));
          sqlite3_bind_int64(put.get(), 2, x);
          sqlite3_bind_int64(put.get(), 3, ((std::int64_t{1} << z) - 1) - y);  // TMS rows
          sqlite3_bind_blob(put.get(), 4, data.data(), static_cast<int>(data.size()),
                            SQLITE_TRANSIENT);
          step_done(db.get(), put.get());
          ++report.tiles;
          report.bytes += data.size();
        }
      }
    }
    nlohmann::json fields_r = nlohmann::json::object();
    for (const auto& [k, v] : resource_fields(geo::Audience::public_)) fields_r[k] = v;
    nlohmann::json fields_a = nlohmann::json::object();
    for (const auto& [k, v] : AreaTiles::fields(*snap.area_layer(), geo::Audience::public_)) {
      fields_a[k] = v;
    }
    nlohmann::json json_meta = {{"vector_layers",
                                 {{{"id", kResourcesLayer},
                                   {"fields", fields_r},
                                   {"minzoom", o.min_zoom},
                                   {"maxzoom", o.max_zoom}},
                                  {{"id", kAreasLayer},
                                   {"fields", fields_a},
                                   {"minzoom", o.min_zoom},
                                   {"maxzoom", o.max_zoom}}}}};
    if (o.basemap != nullptr) {
      for (const auto& l : o.basemap->vector_layers()) json_meta["vector_layers"].push_back(l);
    }
    char bounds[128];
    std::snprintf(bounds, sizeof bounds, "%.6f,%.6f,%.6f,%.6f", box.west, box.south, box.east,
                  box.north);
    char center[96];
    std::snprintf(center, sizeof center, "%.6f,%.6f,%u", (box.west + box.east) / 2,
                  (box.south + box.north) / 2, std::min(o.max_zoom, 13U));
    const std::vector<std::pair<std::string, std::string>> meta = {
        {"name", o.name},
        {"format", "pbf"},
        {"type", o.basemap != nullptr ? "baselayer" : "overlay"},
        {"version", "1"},
        {"description",
         o.basemap != nullptr
             ? "tsunagi: public resources and areas (the public's view) on the offline basemap"
             : "tsunagi: public resources and areas (the public's view)"},
        {"attribution", o.basemap != nullptr ? o.basemap->attribution() : ""},
        {"minzoom", std::to_string(o.min_zoom)},
        {"maxzoom", std::to_string(o.max_zoom)},
        {"bounds", bounds},
        {"center", center},
        {"json", json_meta.dump()}};
    auto put_meta = prepare(db.get(), "INSERT INTO metadata VALUES (?, ?)");
    for (const auto& [k, v] : meta) {
      sqlite3_bind_text(put_meta.get(), 1, k.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(put_meta.get(), 2, v.c_str(), -1, SQLITE_TRANSIENT);
      step_done(db.get(), put_meta.get());
    }
    put.reset();
    put_meta.reset();
    exec(db.get(), "COMMIT;");
    db.reset();
    std::filesystem::rename(tmp, out);
  } catch (...) {
    db.reset();
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw;
  }
  return report;
}

}  // namespace tsunagi::tiles
