#include "datasets/basemap_build.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/core/error.hpp"

namespace tsunagi::datasets {

namespace {

using geo::InvalidArgument;
using nlohmann::json;

constexpr const char* kConfigName = "config-openmaptiles.json";
constexpr const char* kProcessName = "process-openmaptiles.lua";

/// Where Debian's tilemaker package (2.2) puts its OpenMapTiles config and profile.
std::filesystem::path find_resources(const std::filesystem::path& given) {
  std::vector<std::filesystem::path> places;
  if (!given.empty()) {
    places.push_back(given);
  } else {
    places = {"/usr/share/doc/tilemaker/examples", "/usr/share/tilemaker",
              "/usr/local/share/tilemaker"};
  }
  std::string tried;
  for (const auto& p : places) {
    if (std::filesystem::exists(p / kConfigName) && std::filesystem::exists(p / kProcessName)) {
      return p;
    }
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  throw InvalidArgument(std::string("tilemaker's ") + kConfigName + " and " + kProcessName +
                        " were not found (looked in " + tried +
                        "); install Debian's tilemaker package (apt-get install tilemaker)");
}

/// The first bytes of an .osm.pbf: a 4-byte length, then a BlobHeader whose type is OSMHeader.
void check_pbf(const std::filesystem::path& extract) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(extract, ec)) {
    throw InvalidArgument(
        "basemap: " + extract.string() +
        (std::filesystem::exists(extract, ec) ? " is not a regular file" : " does not exist"));
  }
  std::ifstream in(extract, std::ios::binary);
  std::array<char, 64> head{};
  in.read(head.data(), head.size());
  const std::string_view h(head.data(), static_cast<std::size_t>(in.gcount()));
  if (h.find("OSMHeader") != std::string_view::npos) return;
  std::string why = "it does not start like an OpenStreetMap .osm.pbf file (no OSMHeader block)";
  if (h.find("<?xml") != std::string_view::npos || h.find("<osm") != std::string_view::npos) {
    why =
        "it is OSM XML, and tilemaker reads only .osm.pbf (convert it: osmium cat FILE -o "
        "FILE.osm.pbf)";
  }
  throw InvalidArgument("basemap: cannot use " + extract.string() + ": " + why);
}

/// Debian's config minus the layers read from other files (ocean, Natural Earth), clipped.
json tilemaker_config(const std::filesystem::path& resources,
                      const std::optional<geo::BBox>& clip) {
  std::ifstream in(resources / kConfigName);
  json c;
  try {
    c = json::parse(in);
  } catch (const json::exception& e) {
    throw InvalidArgument("basemap: cannot read " + (resources / kConfigName).string() + ": " +
                          e.what());
  }
  if (!c.contains("layers") || !c["layers"].is_object() || !c.contains("settings")) {
    throw InvalidArgument("basemap: " + (resources / kConfigName).string() +
                          " is not a tilemaker config (no layers or settings)");
  }
  json layers = json::object();
  for (const auto& [name, layer] : c["layers"].items()) {
    if (!layer.contains("source")) layers[name] = layer;
  }
  c["layers"] = std::move(layers);
  auto& s = c["settings"];
  s["name"] = "tsunagi basemap (OpenStreetMap)";
  s["description"] = "OpenMapTiles-like vector tiles made by tilemaker for tsunagi";
  s["compress"] = "gzip";
  s["filemetadata"] = {{"type", "baselayer"},
                       {"format", "pbf"},
                       {"attribution", "© OpenStreetMap contributors (ODbL 1.0)"}};
  if (clip) {
    s["bounding_box"] = json::array({clip->min_lon, clip->min_lat, clip->max_lon, clip->max_lat});
  }
  return c;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "tsunagi-basemap-XXXXXX").string();
    if (mkdtemp(t.data()) == nullptr) {
      throw InvalidArgument(std::string("basemap: cannot make a temporary directory: ") +
                            std::strerror(errno));
    }
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

/// The last lines tilemaker printed (it redraws progress with '\r').
std::string log_tail(const std::filesystem::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& ch : text) {
    if (ch == '\r') ch = '\n';
  }
  std::vector<std::string> lines;
  std::istringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  const std::size_t from = lines.size() > 4 ? lines.size() - 4 : 0;
  for (std::size_t i = from; i < lines.size(); ++i) out += "\n  " + lines[i].substr(0, 200);
  return out;
}

/// Runs argv with stdout and stderr to `log`; its exit status (127: could not be started).
int run(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw InvalidArgument(std::string("basemap: fork: ") + std::strerror(errno));
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw InvalidArgument(std::string("basemap: wait: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

}  // namespace

std::filesystem::path basemap_path_for(const std::filesystem::path& db) {
  return std::filesystem::path(db.string() + ".basemap.mbtiles");
}

BasemapInfo read_basemap_info(const std::filesystem::path& mbtiles) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(mbtiles.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, CloseDb> db(raw);
  const auto fail = [&](const std::string& why) {
    return InvalidArgument("basemap: " + mbtiles.string() +
                           " is not a usable MBTiles file: " + why);
  };
  if (rc != SQLITE_OK) throw fail(sqlite3_errmsg(raw));
  auto query = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK) {
      throw fail(sqlite3_errmsg(db.get()));
    }
    return std::unique_ptr<sqlite3_stmt, Finalize>(s);
  };
  BasemapInfo info;
  {
    auto s = query("SELECT name, value FROM metadata");
    json layers;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
      const auto* n = sqlite3_column_text(s.get(), 0);
      const auto* v = sqlite3_column_text(s.get(), 1);
      if (n == nullptr || v == nullptr) continue;
      const std::string name(reinterpret_cast<const char*>(n));
      const std::string value(reinterpret_cast<const char*>(v));
      try {
        if (name == "minzoom") info.min_zoom = std::stoi(value);
        if (name == "maxzoom") info.max_zoom = std::stoi(value);
        if (name == "bounds") {
          geo::BBox b;
          if (std::sscanf(value.c_str(), "%lf,%lf,%lf,%lf", &b.min_lon, &b.min_lat, &b.max_lon,
                          &b.max_lat) == 4) {
            info.bounds = b;
          }
        }
      } catch (const std::exception&) {
        throw fail("metadata " + name + " is '" + value.substr(0, 40) + "'");
      }
      if (name == "json") layers = json::parse(value, nullptr, false);
    }
    if (layers.is_object() && layers.contains("vector_layers") &&
        layers["vector_layers"].is_array()) {
      for (const auto& l : layers["vector_layers"]) {
        if (!l.is_object() || !l.contains("id") || !l["id"].is_string()) continue;
        BasemapLayerInfo li;
        li.id = l["id"].get<std::string>();
        li.min_zoom = l.value("minzoom", info.min_zoom);
        li.max_zoom = l.value("maxzoom", info.max_zoom);
        info.layers.push_back(std::move(li));
      }
    }
  }
  {
    auto s = query("SELECT count(*), coalesce(sum(length(tile_data)), 0) FROM tiles");
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      info.tiles = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0));
      info.bytes = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 1));
    }
  }
  if (info.layers.empty()) throw fail("its metadata names no vector layers");
  return info;
}

BasemapInfo build_basemap(const std::filesystem::path& extract, const std::filesystem::path& out,
                          const BasemapBuildOptions& options) {
  check_pbf(extract);
  const std::filesystem::path resources = find_resources(options.resources);
  TempDir dir;
  {
    std::ofstream f(dir.path / "config.json");
    f << tilemaker_config(resources, options.clip).dump(1);
  }
  {
    // Debian's profile as it is, with names in Japanese written as well.
    std::ofstream f(dir.path / "process.lua");
    f << "dofile(" << json((resources / kProcessName).string()).dump() << ")\n"
      << "additional_languages = { \"ja\" }\n";
  }
  const std::filesystem::path parent = out.has_parent_path() ? out.parent_path() : ".";
  // tilemaker writes MBTiles when the name ends in .mbtiles.
  const std::filesystem::path temp =
      parent / ("." + out.filename().string() + ".tmp-" + std::to_string(getpid()) + ".mbtiles");
  struct RemoveTemp {
    std::filesystem::path p;
    ~RemoveTemp() {
      std::error_code ec;
      std::filesystem::remove(p, ec);
      std::filesystem::remove(p.string() + "-journal", ec);
    }
  } cleanup{temp};
  std::filesystem::remove(temp);
  const std::filesystem::path log = dir.path / "tilemaker.log";
  const int status =
      run({options.tilemaker, "--input", std::filesystem::absolute(extract).string(), "--output",
           temp.string(), "--config", (dir.path / "config.json").string(), "--process",
           (dir.path / "process.lua").string()},
          log);
  if (status == 127) {
    throw InvalidArgument("basemap: could not run " + options.tilemaker +
                          " (install Debian's tilemaker: apt-get install tilemaker)" +
                          log_tail(log));
  }
  if (status != 0) {
    throw InvalidArgument("basemap: tilemaker failed on " + extract.string() + " (exit status " +
                          std::to_string(status) + "; nothing was replaced):" + log_tail(log));
  }
  BasemapInfo info = read_basemap_info(temp);
  if (info.tiles == 0) {
    throw InvalidArgument("basemap: tilemaker wrote no tiles from " + extract.string() +
                          ": the extract has nothing inside the clip box (nothing was replaced)");
  }
  std::filesystem::rename(temp, out);
  return info;
}

}  // namespace tsunagi::datasets
