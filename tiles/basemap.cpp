#include "tiles/basemap.hpp"

#include <libdeflate.h>
#include <sqlite3.h>

#include <array>
#include <cstdio>

#include "tiles/error.hpp"

namespace tsunagi::tiles {

using nlohmann::json;

struct BasemapTiles::Connection {
  sqlite3* db = nullptr;
  sqlite3_stmt* get = nullptr;
  ~Connection() {
    sqlite3_finalize(get);
    sqlite3_close(db);
  }
};

namespace {

std::unique_ptr<sqlite3, int (*)(sqlite3*)> open_read_only(const std::filesystem::path& file) {
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> out(db, sqlite3_close);
  if (rc != SQLITE_OK) {
    throw Error("basemap " + file.string() + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
  }
  return out;
}

}  // namespace

BasemapTiles::BasemapTiles(std::filesystem::path file) : file_(std::move(file)) {
  auto db = open_read_only(file_);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT name, value FROM metadata", -1, &s, nullptr) !=
      SQLITE_OK) {
    throw Error("basemap " + file_.string() +
                " is not an MBTiles file: " + sqlite3_errmsg(db.get()));
  }
  std::string format;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const auto* n = sqlite3_column_text(s, 0);
    const auto* v = sqlite3_column_text(s, 1);
    if (n == nullptr || v == nullptr) continue;
    const std::string name(reinterpret_cast<const char*>(n));
    const std::string value(reinterpret_cast<const char*>(v));
    if (name == "minzoom") min_zoom_ = static_cast<std::uint32_t>(std::atoi(value.c_str()));
    if (name == "maxzoom") max_zoom_ = static_cast<std::uint32_t>(std::atoi(value.c_str()));
    if (name == "format") format = value;
    if (name == "attribution") attribution_ = value;
    if (name == "bounds") {
      std::array<double, 4> b{};
      if (std::sscanf(value.c_str(), "%lf,%lf,%lf,%lf", &b[0], &b[1], &b[2], &b[3]) == 4) {
        bounds_ = b;
      }
    }
    if (name == "json") {
      const json j = json::parse(value, nullptr, false);
      if (j.is_object() && j.contains("vector_layers") && j["vector_layers"].is_array()) {
        vector_layers_ = j["vector_layers"];
      }
    }
  }
  sqlite3_finalize(s);
  if (format != "pbf" || vector_layers_.empty()) {
    throw Error("basemap " + file_.string() + " does not hold vector tiles (format '" + format +
                "'; build it with tsunagi import --basemap EXTRACT.osm.pbf)");
  }
  if (max_zoom_ > kMaxZoom || min_zoom_ > max_zoom_) {
    throw Error("basemap " + file_.string() + ": zooms " + std::to_string(min_zoom_) + "-" +
                std::to_string(max_zoom_) + " are not valid");
  }
  if (attribution_.empty()) attribution_ = "© OpenStreetMap contributors (ODbL 1.0)";
  std::error_code ec;
  const auto size = std::filesystem::file_size(file_, ec);
  const auto mtime = std::filesystem::last_write_time(file_, ec).time_since_epoch().count();
  char v[64];
  std::snprintf(v, sizeof v, "%llx%llx", static_cast<unsigned long long>(size),
                static_cast<unsigned long long>(mtime));
  version_ = v;
  release(acquire());  // the first connection: fails here rather than on the first tile
}

BasemapTiles::~BasemapTiles() = default;

std::unique_ptr<BasemapTiles::Connection> BasemapTiles::acquire() const {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      auto c = std::move(free_.back());
      free_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<Connection>();
  auto db = open_read_only(file_);
  if (sqlite3_prepare_v2(db.get(),
                         "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                         "AND tile_row = ?",
                         -1, &c->get, nullptr) != SQLITE_OK) {
    throw Error("basemap " + file_.string() + " has no tiles table: " + sqlite3_errmsg(db.get()));
  }
  c->db = db.release();
  return c;
}

void BasemapTiles::release(std::unique_ptr<Connection> c) const {
  std::lock_guard lock(mu_);
  free_.push_back(std::move(c));
}

std::shared_ptr<const BasemapTiles::Tile> BasemapTiles::tile(const TileId& t) const {
  if (t.z < min_zoom_ || t.z > max_zoom_) return nullptr;
  const std::uint64_t key = (std::uint64_t{t.z} << 58) | (std::uint64_t{t.x} << 29) | t.y;
  {
    std::shared_lock lock(cache_mu_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  auto tile = read(t);
  std::unique_lock lock(cache_mu_);
  const std::size_t bytes = 64 + (tile ? tile->data.size() : 0);
  if (cache_bytes_ + bytes > kCacheBytes) {  // a basemap larger than the cache: start over
    cache_.clear();
    cache_bytes_ = 0;
  }
  if (cache_.emplace(key, tile).second) cache_bytes_ += bytes;
  return tile;
}

std::shared_ptr<const BasemapTiles::Tile> BasemapTiles::read(const TileId& t) const {
  auto c = acquire();
  sqlite3_stmt* s = c->get;
  const std::uint32_t tms_row = (1U << t.z) - 1 - t.y;  // MBTiles rows count from the south
  sqlite3_bind_int(s, 1, static_cast<int>(t.z));
  sqlite3_bind_int64(s, 2, t.x);
  sqlite3_bind_int64(s, 3, tms_row);
  std::shared_ptr<Tile> out;
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s, 0));
    const int n = sqlite3_column_bytes(s, 0);
    out = std::make_shared<Tile>();
    if (p != nullptr && n > 0) out->data.assign(p, static_cast<std::size_t>(n));
    out->gzip = out->data.size() >= 2 && static_cast<unsigned char>(out->data[0]) == 0x1f &&
                static_cast<unsigned char>(out->data[1]) == 0x8b;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    const std::string why = sqlite3_errmsg(c->db);
    throw Error("basemap " + file_.string() + ": " + why);
  }
  release(std::move(c));
  return out;
}

std::string gunzip(std::string_view data) {
  struct Free {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  thread_local std::unique_ptr<libdeflate_decompressor, Free> d(libdeflate_alloc_decompressor());
  if (!d) throw Error("gunzip: could not allocate a decompressor");
  std::size_t cap = std::max<std::size_t>(data.size() * 4, 4096);
  for (int tries = 0; tries < 8; ++tries, cap *= 4) {
    std::string out(cap, '\0');
    std::size_t n = 0;
    const auto r =
        libdeflate_gzip_decompress(d.get(), data.data(), data.size(), out.data(), cap, &n);
    if (r == LIBDEFLATE_SUCCESS) {
      out.resize(n);
      return out;
    }
    if (r != LIBDEFLATE_INSUFFICIENT_SPACE) break;
  }
  throw Error("gunzip: a stored basemap tile is not valid gzip");
}

namespace {

// Greys by luminance, darkest for what matters most; water a pale grey-blue.
constexpr const char* kBackground = "#f4f4f2";
constexpr const char* kGreen = "#e9ebe6";  // parks, woods: barely apart from the background
constexpr const char* kWater = "#cdd6de";
constexpr const char* kWaterLine = "#aebccb";
constexpr const char* kBuilding = "#e2e0dc";
constexpr const char* kBuildingLine = "#cfccc6";
constexpr const char* kCasing = "#c4c4c4";
constexpr const char* kRoad = "#ffffff";
constexpr const char* kPath = "#a8a8a8";
constexpr const char* kRail = "#8f8f8f";
constexpr const char* kLabel = "#505050";
constexpr const char* kNetworkStreet = "#b9b9b9";  // the walking network's streets: one grey
constexpr const char* kMinorLabel = "#6e6e6e";

json name_ja() {
  return json::array({"coalesce", json::array({"get", "name:ja"}),
                      json::array({"get", "name:latin"}), json::array({"get", "name"})});
}

/// Local fonts (MapLibre draws every label itself when the style has no glyphs URL): Debian's
/// Noto CJK or IPA, Windows' Yu Gothic/Meiryo, macOS' Hiragino; then sans-serif.
json fonts() {
  return json::array(
      {"Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Yu Gothic", "Meiryo", "Hiragino Sans"});
}

json road_width(double minor, double major) {
  return json::array(
      {"interpolate", json::array({"exponential", 1.5}), json::array({"zoom"}), 12,
       json::array({"match", json::array({"get", "class"}),
                    json::array({"motorway", "trunk", "primary"}), major * 0.35,
                    json::array({"secondary", "tertiary"}), major * 0.25, minor * 0.2}),
       18,
       json::array({"match", json::array({"get", "class"}),
                    json::array({"motorway", "trunk", "primary"}), major * 3,
                    json::array({"secondary", "tertiary"}), major * 2.4, minor * 2})});
}

}  // namespace

json basemap_style(const BasemapTiles& b, const std::string& tiles_url) {
  const auto& bb = b.bounds();
  const json source = {{"type", "vector"},
                       {"tiles", json::array({tiles_url})},
                       {"minzoom", b.min_zoom()},
                       {"maxzoom", b.max_zoom()},
                       {"bounds", json::array({bb[0], bb[1], bb[2], bb[3]})},
                       {"attribution", b.attribution()}};
  const json roads = json::array({"match", json::array({"get", "class"}),
                                  json::array({"motorway", "trunk", "primary", "secondary",
                                               "tertiary", "minor", "service", "track"}),
                                  true, false});
  const json paths = json::array(
      {"match", json::array({"get", "class"}), json::array({"path", "pedestrian"}), true, false});
  const json rail = json::array({"==", json::array({"get", "class"}), "rail"});
  json layers = json::array();
  layers.push_back({{"id", "bm-background"},
                    {"type", "background"},
                    {"paint", {{"background-color", kBackground}}}});
  auto fill = [&](const char* id, const char* layer, const char* color, int minzoom) {
    layers.push_back({{"id", id},
                      {"type", "fill"},
                      {"source", "basemap"},
                      {"source-layer", layer},
                      {"minzoom", minzoom},
                      {"paint", {{"fill-color", color}}}});
  };
  fill("bm-landcover", "landcover", kGreen, 0);
  fill("bm-park", "park", kGreen, 0);
  fill("bm-water", "water", kWater, 0);
  layers.push_back({{"id", "bm-waterway"},
                    {"type", "line"},
                    {"source", "basemap"},
                    {"source-layer", "waterway"},
                    {"paint",
                     {{"line-color", kWaterLine},
                      {"line-width", json::array({"interpolate", json::array({"linear"}),
                                                  json::array({"zoom"}), 10, 0.5, 16, 3})}}}});
  layers.push_back({{"id", "bm-building"},
                    {"type", "fill"},
                    {"source", "basemap"},
                    {"source-layer", "building"},
                    {"minzoom", 14},
                    {"paint", {{"fill-color", kBuilding}, {"fill-outline-color", kBuildingLine}}}});
  layers.push_back(
      {{"id", "bm-path"},
       {"type", "line"},
       {"source", "basemap"},
       {"source-layer", "transportation"},
       {"minzoom", 14},
       {"filter", paths},
       {"paint",
        {{"line-color", kPath}, {"line-width", 1}, {"line-dasharray", json::array({2, 1.5})}}}});
  layers.push_back({{"id", "bm-road-casing"},
                    {"type", "line"},
                    {"source", "basemap"},
                    {"source-layer", "transportation"},
                    {"filter", roads},
                    {"layout", {{"line-cap", "round"}, {"line-join", "round"}}},
                    {"paint", {{"line-color", kCasing}, {"line-width", road_width(4.5, 6)}}}});
  layers.push_back({{"id", "bm-road"},
                    {"type", "line"},
                    {"source", "basemap"},
                    {"source-layer", "transportation"},
                    {"filter", roads},
                    {"layout", {{"line-cap", "round"}, {"line-join", "round"}}},
                    {"paint", {{"line-color", kRoad}, {"line-width", road_width(3, 4.5)}}}});
  layers.push_back({{"id", "bm-rail"},
                    {"type", "line"},
                    {"source", "basemap"},
                    {"source-layer", "transportation"},
                    {"filter", rail},
                    {"paint", {{"line-color", kRail}, {"line-width", 1.5}}}});
  layers.push_back(
      {{"id", "bm-rail-ties"},
       {"type", "line"},
       {"source", "basemap"},
       {"source-layer", "transportation"},
       {"filter", rail},
       {"minzoom", 13},
       {"paint",
        {{"line-color", kRail}, {"line-width", 4}, {"line-dasharray", json::array({0.2, 3})}}}});
  auto label = [&](const char* id, const char* layer, int minzoom, double size, const char* color,
                   const json& extra_layout, const json& filter) {
    json layout = {{"text-field", name_ja()},
                   {"text-font", fonts()},
                   {"text-size", size},
                   {"text-max-width", 8}};
    for (const auto& [k, v] : extra_layout.items()) layout[k] = v;
    json l = {{"id", id},
              {"type", "symbol"},
              {"source", "basemap"},
              {"source-layer", layer},
              {"minzoom", minzoom},
              {"layout", layout},
              {"paint",
               {{"text-color", color}, {"text-halo-color", "#ffffff"}, {"text-halo-width", 1.5}}}};
    if (!filter.is_null()) l["filter"] = filter;
    layers.push_back(std::move(l));
  };
  label("bm-water-name", "water_name", 13, 11, "#5d6f80", json::object(), nullptr);
  label("bm-road-name", "transportation_name", 14, 11, kMinorLabel,
        {{"symbol-placement", "line"}, {"text-rotation-alignment", "map"}}, nullptr);
  label("bm-station", "poi", 13, 12, kLabel, json::object(),
        json::array(
            {"match", json::array({"get", "class"}),
             json::array({"railway", "bus", "school", "college", "town_hall", "community_centre"}),
             true, false}));
  label("bm-place", "place", 10, 13, kLabel, json::object(),
        json::array({"match", json::array({"get", "class"}),
                     json::array({"city", "town", "village", "suburb", "quarter", "neighbourhood",
                                  "hamlet"}),
                     true, false}));
  return {{"version", 8},
          {"name", "tsunagi basemap"},
          {"sources", {{"basemap", source}}},
          {"layers", std::move(layers)}};
}

json network_basemap_style(const NetworkTiles& network, const std::string& tiles_url) {
  const auto& bb = network.bounds();
  const json source = {{"type", "vector"},
                       {"tiles", json::array({tiles_url})},
                       {"minzoom", kNetworkMinZoom},
                       {"maxzoom", kNetworkMaxZoom},
                       {"bounds", json::array({bb[0], bb[1], bb[2], bb[3]})},
                       {"attribution", network.attribution()}};
  const json streets = json::array({"==", json::array({"get", "class"}), "minor"});
  const json steps = json::array({"==", json::array({"get", "class"}), "path"});
  json layers = json::array();
  layers.push_back({{"id", "bm-background"},
                    {"type", "background"},
                    {"paint", {{"background-color", kBackground}}}});
  layers.push_back({{"id", "bm-road"},
                    {"type", "line"},
                    {"source", "basemap"},
                    {"source-layer", kNetworkLayer},
                    {"filter", streets},
                    {"layout", {{"line-cap", "round"}, {"line-join", "round"}}},
                    {"paint",
                     {{"line-color", kNetworkStreet},
                      {"line-width", json::array({"interpolate", json::array({"exponential", 1.5}),
                                                  json::array({"zoom"}), 12, 1, 18, 7})}}}});
  layers.push_back(
      {{"id", "bm-path"},
       {"type", "line"},
       {"source", "basemap"},
       {"source-layer", kNetworkLayer},
       {"filter", steps},
       {"paint",
        {{"line-color", kPath}, {"line-width", 1.5}, {"line-dasharray", json::array({1, 1})}}}});
  return {{"version", 8},
          {"name", "tsunagi basemap (walking network)"},
          {"sources", {{"basemap", source}}},
          {"layers", std::move(layers)}};
}

}  // namespace tsunagi::tiles
