#include "server/tiles_api.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "geo/catalog/resource_query.hpp"
#include "geo/core/error.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"
#include "server/municipality_param.hpp"
#include "server/resource_params.hpp"
#include "tiles/basemap.hpp"

namespace tsunagi::server {

namespace {

using nlohmann::json;

constexpr std::string_view kMvtType = "application/vnd.mapbox-vector-tile";
/// What TileJSON advertises; deeper zooms are served too (up to tiles::kMaxZoom) for clients
/// that do not overzoom.
constexpr std::uint32_t kTileJsonMaxZoom = 16;

/// The query keys a resources tile takes: those of GET /api/resources that select resources
/// (not bbox, near or paging: the tile is the window), and fields= (the points' properties).
const std::vector<std::string_view>& tile_filter_keys() {
  static const std::vector<std::string_view> keys = {
      "kind", "activity",     "target",      "open",   "open_day",     "open_from", "open_to",
      "q",    "barrier_free", "has_vacancy", "status", "municipality", "fields"};
  return keys;
}

tiles::Layer layer_of(std::string_view name) {
  if (const auto l = tiles::parse_layer(name)) return *l;
  throw ApiError(ErrorCode::not_found, "there is no tile layer '" +
                                           std::string(name.substr(0, 60)) +
                                           "'; the layers are 'resources' and 'areas'");
}

/// The query as given, keys sorted and values percent-encoded, without the key `except`: the
/// cache key of the filter and the query of the TileJSON's tile URL, so equal filters share tiles.
std::string canonical_filter(const QueryParams& query, std::string_view except = {}) {
  // The common map (no filter, or fields= alone): nothing to copy or sort.
  if (std::all_of(query.items().begin(), query.items().end(),
                  [&](const auto& kv) { return !except.empty() && kv.first == except; })) {
    return {};
  }
  auto items = query.items();
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [k, v] : items) {
    if (!except.empty() && k == except) continue;
    if (!out.empty()) out += '&';
    out += percent_encode(k);
    out += '=';
    out += percent_encode(v);
  }
  return out;
}

/// The resource filter of a tile request (for the areas layer, only `municipality`: its lg_code).
/// `town` is the municipality the request names, if any. @throws ApiError for unknown keys or bad
/// values.
geo::ResourceQuery tile_query(tiles::Layer layer, const RequestContext& rc, const Config& config,
                              const std::optional<geo::Municipality>& town) {
  if (layer == tiles::Layer::areas) {
    rc.query.require_known({"municipality", "fields"});
    geo::ResourceQuery q;
    if (town) q.lg_code = town->lg_code;
    return q;
  }
  geo::ResourceQuery q = parse_resource_query(rc.query, config, tile_filter_keys());
  if (town) q.lg_code = town->lg_code;
  try {
    const geo::ResourceMatcher check(q);  // the text must be valid UTF-8
    (void)check;
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, std::string("q: ") + e.what());
  }
  return q;
}

/// The figures an area tile carries: `fields=` (figure keys, "all", or none when absent).
/// @throws ApiError for a key the caller's audience has no figure of.
tiles::AreaFields area_fields(const RequestContext& rc, const geo::Snapshot& snapshot,
                              geo::Audience a) {
  const std::string* list = rc.query.get("fields");
  if (list == nullptr) return {};
  try {
    return tiles::AreaFields::parse(*snapshot.area_layer(), a, *list);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, e.what());
  }
}

/// The properties of resource points: `fields=` (see tiles::ResourceFields; all when absent).
/// @throws ApiError for a key the caller's audience has no such property of.
tiles::ResourceFields point_fields(const RequestContext& rc, geo::Audience a) {
  const std::string* list = rc.query.get("fields");
  if (list == nullptr) return {};
  try {
    return tiles::ResourceFields::parse(a, *list);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, e.what());
  }
}

bool etag_matches(const std::string& header, const std::string& etag) {
  // A list of entity tags, compared weakly (RFC 9110 §13.1.2): W/ prefixes do not matter.
  const auto opaque = [](std::string_view t) {
    if (t.substr(0, 2) == "W/") t.remove_prefix(2);
    return t;
  };
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || opaque(item) == opaque(etag)) return true;
  }
  return false;
}

/// Public tiles may be drawn by a map embedded in a municipality's own site (another origin):
/// they carry nothing private, and a cross-origin request is sent without credentials.
void allow_embedding(HttpResponse& r, geo::Audience a) {
  if (a == geo::Audience::public_) r.set_header("Access-Control-Allow-Origin", "*");
}

std::string cache_control(geo::Audience a, const Config& config) {
  if (a == geo::Audience::public_) {
    return "public, max-age=" + std::to_string(config.tile_max_age_s);
  }
  return "private, no-cache";
}

HttpResponse get_tile(ServerContext& c, RequestContext& rc) {
  const tiles::Layer layer = layer_of(rc.params[0]);
  std::string_view y = rc.params[3];
  if (y.size() < 5 || y.substr(y.size() - 4) != ".mvt") {
    throw ApiError(ErrorCode::not_found, "tiles are at /tiles/" +
                                             std::string(tiles::layer_name(layer)) +
                                             "/{z}/{x}/{y}.mvt (Mapbox Vector Tile 2.1)");
  }
  y.remove_suffix(4);
  const tiles::TileId t = tiles::parse_tile(rc.params[1], rc.params[2], y);
  const auto snapshot = c.snapshots().current();
  const geo::ResourceQuery q =
      tile_query(layer, rc, c.config(), parse_municipality(rc.query, *snapshot));
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  const bool areas = layer == tiles::Layer::areas;
  const tiles::AreaFields fields =
      areas ? area_fields(rc, *snapshot, audience) : tiles::AreaFields{};
  const tiles::ResourceFields points = areas ? tiles::ResourceFields{} : point_fields(rc, audience);
  // A resources tile's fields are part of the cache key apart from its filter, so that the map's
  // tiles (fields= without a filter) stay in the share of the map everyone sees.
  const auto tile =
      c.tiles().tile(*snapshot, layer, t, audience, q,
                     canonical_filter(rc.query, areas ? "" : "fields"), fields, points);

  HttpResponse r;
  r.headers.reserve(8);  // the seven a tile gets: one allocation, not four
  r.set_header("Cache-Control", cache_control(audience, c.config()));
  r.set_header("Vary", "Accept-Encoding, Authorization, Cookie");
  r.set_header("ETag", tile->etag);
  allow_embedding(r, audience);
  const std::string* inm = rc.http.header("if-none-match");
  if (inm != nullptr && etag_matches(*inm, tile->etag)) {
    r.status = 304;
    return r;
  }
  if (tile->mvt.empty()) {
    r.status = 204;  // nothing here: the client draws nothing and keeps no body
    return r;
  }
  r.set_header("Content-Type", std::string(kMvtType));
  const std::string* ae = rc.http.header("accept-encoding");
  if (ae != nullptr && accepts_gzip(*ae)) {
    r.set_header("Content-Encoding", "gzip");
    r.share_body(tile, tile->gzip);
  } else {
    r.share_body(tile, tile->mvt);
  }
  return r;
}

json bounds_json(const std::optional<geo::BBox>& b) {
  if (!b) return json::array({122.9, 20.4, 154.0, 45.6});  // Japan
  return json::array({b->min_lon, b->min_lat, b->max_lon, b->max_lat});
}

json fields_json(const std::vector<std::pair<std::string, std::string>>& fields) {
  json out = json::object();
  for (const auto& [k, v] : fields) out[k] = v;
  return out;
}

HttpResponse get_tilejson(ServerContext& c, RequestContext& rc) {
  std::string_view name = rc.params[0];
  if (name.size() < 6 || name.substr(name.size() - 5) != ".json") {
    throw ApiError(ErrorCode::not_found,
                   "a layer's TileJSON is at /tiles/{layer}.json; its tiles at "
                   "/tiles/{layer}/{z}/{x}/{y}.mvt");
  }
  name.remove_suffix(5);
  const tiles::Layer layer = layer_of(name);
  const auto snapshot = c.snapshots().current();
  const auto town = parse_municipality(rc.query, *snapshot);
  (void)tile_query(layer, rc, c.config(), town);  // the same checks as the tiles will make
  const std::string filter = canonical_filter(rc.query);
  const geo::Audience audience = geo::audience_for(rc.principal.role);
  if (layer == tiles::Layer::areas) (void)area_fields(rc, *snapshot, audience);
  const tiles::ResourceFields points =
      layer == tiles::Layer::resources ? point_fields(rc, audience) : tiles::ResourceFields{};

  std::optional<geo::BBox> extent;
  json layer_json;
  if (layer == tiles::Layer::resources) {
    extent = snapshot->view(audience).extent();
    layer_json = {{"id", tiles::kResourcesLayer},
                  {"description",
                   "居場所・通いの場・拠点・参加支援先など (resources); clustered up to zoom " +
                       std::to_string(c.tiles().rules().max_zoom) +
                       ", and deeper where a tile holds more than " +
                       std::to_string(c.tiles().rules().max_points) +
                       " points; points carry id and kind, and the properties named in fields= "
                       "(comma-separated keys, none when empty, all without it)"},
                  {"fields", fields_json(tiles::resource_fields(audience, points))},
                  {"minzoom", 0},
                  {"maxzoom", kTileJsonMaxZoom}};
  } else {
    extent = snapshot->area_layer()->extent();
    layer_json = {
        {"id", tiles::kAreasLayer},
        {"description",
         "地域 (areas: municipality, 町丁, districts) with their statistics and indicators; "
         "the tiles carry the figures named in fields= (comma-separated keys, or all), none "
         "without it"},
        {"fields", fields_json(tiles::AreaTiles::fields(*snapshot->area_layer(), audience))},
        {"minzoom", 0},
        {"maxzoom", kTileJsonMaxZoom}};
  }
  if (town) extent = town->extent;  // one town's map: its boundary's extent, whatever it holds
  const json bounds = bounds_json(extent);
  const double clon = (bounds[0].get<double>() + bounds[2].get<double>()) / 2;
  const double clat = (bounds[1].get<double>() + bounds[3].get<double>()) / 2;
  std::string url =
      rc.base_url + "/tiles/" + std::string(tiles::layer_name(layer)) + "/{z}/{x}/{y}.mvt";
  if (!filter.empty()) url += "?" + filter;
  const json body = {{"tilejson", "3.0.0"},
                     {"name", "tsunagi " + std::string(tiles::layer_name(layer)) +
                                  (town ? " " + town->short_name : std::string())},
                     {"scheme", "xyz"},
                     {"tiles", json::array({url})},
                     {"minzoom", 0},
                     {"maxzoom", kTileJsonMaxZoom},
                     {"bounds", bounds},
                     {"center", json::array({clon, clat, extent ? 13 : 5})},
                     {"vector_layers", json::array({layer_json})}};
  HttpResponse r = json_response(200, body);
  r.set_header("Cache-Control",
               audience == geo::Audience::public_ ? "public, max-age=60" : "private, no-cache");
  r.set_header("Vary", "Authorization, Cookie");
  allow_embedding(r, audience);
  return r;
}

[[noreturn]] void no_basemap() {
  throw ApiError(ErrorCode::not_found,
                 "this server has no offline basemap (build it with tsunagi import --db FILE "
                 "--basemap EXTRACT.osm.pbf, or import a walking network with --network for its "
                 "streets alone; config basemap is not off)");
}

/// Without a basemap extract, the streets of the store's walking network are the basemap (when
/// the configuration does not turn basemaps off).
bool serves_network_basemap(ServerContext& c, const geo::Snapshot& snapshot) {
  return c.basemap() == nullptr && c.config().basemap != "off" && snapshot.network() != nullptr;
}

/// The network prepared for tiles when it is the basemap; null otherwise.
std::shared_ptr<const tiles::NetworkTiles> network_basemap(ServerContext& c) {
  const auto snapshot = c.snapshots().current();
  if (!serves_network_basemap(c, *snapshot)) return nullptr;
  return c.tiles().network(*snapshot);
}

/// The basemap is OpenStreetMap data, the same for everyone: public caching, embeddable.
void basemap_headers(HttpResponse& r, const Config& config) {
  r.set_header("Cache-Control", "public, max-age=" + std::to_string(config.tile_max_age_s));
  r.set_header("Access-Control-Allow-Origin", "*");
}

/// A tile of the walking network's streets (the basemap of a store without an extract).
HttpResponse network_basemap_tile(ServerContext& c, RequestContext& rc,
                                  const geo::Snapshot& snapshot, const tiles::TileId& t) {
  if (t.z > tiles::kNetworkMaxZoom) {
    throw ApiError(ErrorCode::not_found,
                   "the walking network's basemap has tiles up to zoom " +
                       std::to_string(tiles::kNetworkMaxZoom) +
                       "; draw deeper zooms from those (see /tiles/basemap.json)");
  }
  const auto tile = c.tiles().network_tile(snapshot, t);
  if (!tile) no_basemap();
  HttpResponse r;
  basemap_headers(r, c.config());
  r.set_header("Vary", "Accept-Encoding");
  r.set_header("ETag", tile->etag);
  const std::string* inm = rc.http.header("if-none-match");
  if (inm != nullptr && etag_matches(*inm, tile->etag)) {
    r.status = 304;
    return r;
  }
  if (tile->mvt.empty()) {
    r.status = 204;  // no street here (or a zoom below the network basemap's)
    return r;
  }
  r.set_header("Content-Type", std::string(kMvtType));
  const std::string* ae = rc.http.header("accept-encoding");
  if (ae != nullptr && accepts_gzip(*ae)) {
    r.set_header("Content-Encoding", "gzip");
    r.share_body(tile, tile->gzip);
  } else {
    r.share_body(tile, tile->mvt);
  }
  return r;
}

HttpResponse get_basemap_tile(ServerContext& c, RequestContext& rc) {
  std::shared_ptr<const geo::Snapshot> snapshot;  // only read when there is no extract
  if (c.basemap() == nullptr) {
    snapshot = c.snapshots().current();
    if (!serves_network_basemap(c, *snapshot)) no_basemap();
  }
  std::string_view y = rc.params[2];
  if (y.size() < 5 || y.substr(y.size() - 4) != ".mvt") {
    throw ApiError(ErrorCode::not_found,
                   "basemap tiles are at /tiles/basemap/{z}/{x}/{y}.mvt (Mapbox Vector Tile)");
  }
  y.remove_suffix(4);
  rc.query.require_known({});
  const tiles::TileId t = tiles::parse_tile(rc.params[0], rc.params[1], y);
  if (snapshot) return network_basemap_tile(c, rc, *snapshot, t);
  const tiles::BasemapTiles& b = *c.basemap();
  if (t.z > b.max_zoom()) {
    throw ApiError(ErrorCode::not_found,
                   "the basemap has tiles up to zoom " + std::to_string(b.max_zoom()) +
                       "; draw deeper zooms from those (see /tiles/basemap.json)");
  }
  const std::string etag = "\"bm-" + b.version() + "-" + std::to_string(t.z) + "-" +
                           std::to_string(t.x) + "-" + std::to_string(t.y) + "\"";
  HttpResponse r;
  basemap_headers(r, c.config());
  r.set_header("Vary", "Accept-Encoding");
  r.set_header("ETag", etag);
  const std::string* inm = rc.http.header("if-none-match");
  if (inm != nullptr && etag_matches(*inm, etag)) {
    r.status = 304;
    return r;
  }
  const auto tile = b.tile(t);
  if (!tile || tile->data.empty()) {
    r.status = 204;  // nothing mapped here
    return r;
  }
  r.set_header("Content-Type", std::string(kMvtType));
  const std::string* ae = rc.http.header("accept-encoding");
  if (!tile->gzip) {
    r.share_body(tile, tile->data);
  } else if (ae != nullptr && accepts_gzip(*ae)) {
    r.set_header("Content-Encoding", "gzip");
    r.share_body(tile, tile->data);
  } else {
    r.body = tiles::gunzip(tile->data);
  }
  return r;
}

json network_tilejson(const tiles::NetworkTiles& n, const RequestContext& rc) {
  const auto& bb = n.bounds();
  const json layer = {
      {"id", tiles::kNetworkLayer},
      {"description", "the streets of the walking network, as lines"},
      {"fields",
       {{"class", "minor (every walkable way: the network keeps no road class) or path (steps)"},
        {"subclass", "steps for a flight of steps"}}},
      {"minzoom", tiles::kNetworkMinZoom},
      {"maxzoom", tiles::kNetworkMaxZoom}};
  return {{"tilejson", "3.0.0"},
          {"name", "tsunagi basemap (walking network)"},
          {"description",
           "walking network: the streets of the store's walking network alone, drawn because no "
           "basemap extract was imported (tsunagi import --basemap EXTRACT.osm.pbf builds a full "
           "one)"},
          {"attribution", n.attribution()},
          {"scheme", "xyz"},
          {"tiles", json::array({rc.base_url + "/tiles/basemap/{z}/{x}/{y}.mvt"})},
          {"minzoom", tiles::kNetworkMinZoom},
          {"maxzoom", tiles::kNetworkMaxZoom},
          {"bounds", json::array({bb[0], bb[1], bb[2], bb[3]})},
          {"center", json::array({(bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2, 14})},
          {"vector_layers", json::array({layer})}};
}

HttpResponse get_basemap_tilejson(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  if (const auto n = network_basemap(c)) {
    HttpResponse r = json_response(200, network_tilejson(*n, rc));
    basemap_headers(r, c.config());
    return r;
  }
  if (c.basemap() == nullptr) no_basemap();
  const tiles::BasemapTiles& b = *c.basemap();
  const auto& bb = b.bounds();
  const json body = {{"tilejson", "3.0.0"},
                     {"name", "tsunagi basemap"},
                     {"description",
                      "OpenStreetMap streets, railways, water, parks, buildings and place names "
                      "(OpenMapTiles-like schema, made by tilemaker)"},
                     {"attribution", b.attribution()},
                     {"scheme", "xyz"},
                     {"tiles", json::array({rc.base_url + "/tiles/basemap/{z}/{x}/{y}.mvt"})},
                     {"minzoom", b.min_zoom()},
                     {"maxzoom", b.max_zoom()},
                     {"bounds", json::array({bb[0], bb[1], bb[2], bb[3]})},
                     {"center", json::array({(bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2, 13})},
                     {"vector_layers", b.vector_layers()}};
  HttpResponse r = json_response(200, body);
  basemap_headers(r, c.config());
  return r;
}

HttpResponse get_basemap_style(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({});
  const std::string url = rc.base_url + "/tiles/basemap/{z}/{x}/{y}.mvt";
  const auto n = network_basemap(c);
  if (c.basemap() == nullptr && !n) no_basemap();
  HttpResponse r = json_response(
      200, n ? tiles::network_basemap_style(*n, url) : tiles::basemap_style(*c.basemap(), url));
  basemap_headers(r, c.config());
  return r;
}

}  // namespace

std::vector<Route> tile_routes(ServerContext& c) {
  auto with = [&c](HttpResponse (*f)(ServerContext&, RequestContext&)) {
    return [&c, f](RequestContext& rc) { return f(c, rc); };
  };
  // clang-format off
  return {
      // The offline basemap first: its literal paths would otherwise match {layer}.
      {Method::get, "/tiles/basemap.json",            kEveryone, Runs::reactor, with(get_basemap_tilejson)},
      {Method::get, "/tiles/basemap/style.json",      kEveryone, Runs::reactor, with(get_basemap_style)},
      {Method::get, "/tiles/basemap/{z}/{x}/{y}",     kEveryone, Runs::reactor, with(get_basemap_tile)},
      {Method::get, "/tiles/{layer}",                 kEveryone, Runs::reactor, with(get_tilejson)},
      {Method::get, "/tiles/{layer}/{z}/{x}/{y}",     kEveryone, Runs::reactor, with(get_tile)},
  };
  // clang-format on
}

}  // namespace tsunagi::server
