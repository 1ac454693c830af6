// Helpers of the importer tests: a store in a temporary folder, an import run, the resources.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/importer.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {

inline std::filesystem::path takamatsu_mapping(const std::string& category) {
  return std::filesystem::path(TSUNAGI_SOURCE_DIR) / "datasets" / "mappings" / "takamatsu" /
         (category + ".json");
}

class StoreDir {
 public:
  [[nodiscard]] std::filesystem::path db() const { return dir_ / "store.tsunagi"; }
  [[nodiscard]] std::filesystem::path file(const std::string& name) const { return dir_ / name; }
  std::filesystem::path write(const std::string& name, std::string_view content) const {
    write_file(dir_ / name, content);
    return dir_ / name;
  }

  datasets::ImportReport import(const std::vector<std::filesystem::path>& files,
                                const datasets::RunOptions& options = {}) const {
    geo::Store store = geo::Store::open(db(), geo::Store::Mode::create_if_missing);
    return datasets::run_import(store, files, options);
  }
  datasets::ImportReport import_with(const std::filesystem::path& file,
                                     const datasets::ImportOptions& options) const {
    datasets::RunOptions run;
    run.import = options;
    return import({file}, run);
  }

  [[nodiscard]] std::vector<geo::Resource> resources() const {
    std::vector<geo::Resource> out;
    if (!std::filesystem::exists(db())) return out;
    const geo::Store store = geo::Store::open(db(), geo::Store::Mode::read_only);
    store.for_each_resource([&](geo::Resource&& r) { out.push_back(std::move(r)); });
    return out;
  }

 private:
  TempDir dir_;
};

/// The message of the first rejected row (or "" when none), for EXPECT_THAT with HasSubstr.
inline std::string first_rejection(const datasets::ImportReport& r) {
  for (const auto& f : r.files) {
    if (!f.rejected.empty()) return f.rejected.front().message;
  }
  return {};
}

}  // namespace tsunagi::test
