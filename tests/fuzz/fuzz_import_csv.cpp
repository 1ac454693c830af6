// The importers: the input is written as a CSV or a GeoJSON file (the first byte chooses) and
// imported through GDAL into a store, as `tsunagi import` does. Every outcome must be a report
// (rows imported or rejected with a reason) or a geo::Error naming the file, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "datasets/importer.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"

namespace {

struct Workspace {
  std::filesystem::path dir;
  tsunagi::geo::Store store;
  Workspace()
      : dir(std::filesystem::temp_directory_path() /
            ("tsunagi-fuzz-import-" + std::to_string(::getpid()))),
        store(open(dir)) {}
  static tsunagi::geo::Store open(const std::filesystem::path& d) {
    std::filesystem::create_directories(d);
    std::filesystem::remove(d / "store.db");
    return tsunagi::geo::Store::open(d / "store.db", tsunagi::geo::Store::Mode::create_if_missing);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace ds = tsunagi::datasets;
  static Workspace w;
  if (size == 0) return 0;
  const bool geojson = (data[0] & 1) != 0;
  const auto file = w.dir / (geojson ? "input.geojson" : "input.csv");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  ds::RunOptions options;
  options.import.kind = tsunagi::geo::ResourceKind::ibasho;
  options.import.strict = true;  // any rejected row rolls back: the store stays small
  try {
    (void)ds::run_import(w.store, {file}, options);
  } catch (const tsunagi::geo::Error&) {
  }
  std::filesystem::remove(file);
  return 0;
}
