// The backends the store's contract suites run on (test_*_contract.cpp): each gives a location
// for a new store in a test's folder. SQLite always; PostgreSQL/PostGIS in a throwaway cluster
// (tests/support/postgres_cluster.hpp) when Debian's packages are installed — scripts/setup
// --tests installs them; without them its rows are left out, saying so once.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/postgres_cluster.hpp"

namespace tsunagi::test {

struct ContractBackend {
  std::string name;
  /// A location (URI) for a new store named `stem` in `dir`.
  std::function<std::string(const std::filesystem::path& dir, const std::string& stem)> location;
};

inline const std::vector<ContractBackend>& contract_backends() {
  static const std::vector<ContractBackend> kBackends = [] {
    std::vector<ContractBackend> out{
        {"sqlite",
         [](const std::filesystem::path& dir, const std::string& stem) {
           return "sqlite:" + (dir / (stem + ".sqlite")).string();
         }},
    };
    if (const auto why = postgres_unavailable(); why.empty()) {
      out.push_back({"postgresql", [](const std::filesystem::path&, const std::string& stem) {
                       return new_postgres_database(stem);
                     }});
    } else {
      std::fprintf(stderr, "store contract suites: the PostgreSQL rows are left out: %s\n",
                   why.c_str());
    }
    return out;
  }();
  return kBackends;
}

inline std::string contract_location(std::size_t backend, const std::filesystem::path& dir,
                                     const std::string& stem) {
  return contract_backends().at(backend).location(dir, stem);
}

/// The test name's suffix: the backend's name.
inline std::string contract_backend_name(const ::testing::TestParamInfo<std::size_t>& p) {
  return contract_backends().at(p.param).name;
}

}  // namespace tsunagi::test
