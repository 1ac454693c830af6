// The backends the store's contract suites run on (test_*_contract.cpp): each gives a location
// for a new store in a test's folder. A second backend joins by adding its row here.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tsunagi::test {

struct ContractBackend {
  std::string name;
  /// A location (URI) for a new store named `stem` in `dir`.
  std::function<std::string(const std::filesystem::path& dir, const std::string& stem)> location;
};

inline const std::vector<ContractBackend>& contract_backends() {
  static const std::vector<ContractBackend> kBackends{
      {"sqlite",
       [](const std::filesystem::path& dir, const std::string& stem) {
         return "sqlite:" + (dir / (stem + ".sqlite")).string();
       }},
  };
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
