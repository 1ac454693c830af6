// Times reading_of (geo/catalog/reading) the way a full snapshot build calls it: once per
// distinct name (ReadingMemo). N distinct Japanese names are made from the lines of NAMES (e.g.
// the demo's: sqlite3 demo.sqlite "select name from resource") plus 「 第<n>会場<i>」.
//
// usage: tsunagi_reading_timing NAMES N
#include <chrono>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "geo/catalog/reading.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tsunagi_reading_timing NAMES N\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::vector<std::string> base;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) base.push_back(line);
  }
  if (base.empty()) {
    std::cerr << argv[1] << ": no names\n";
    return 2;
  }
  const std::size_t n = std::stoul(argv[2]);
  const char* digits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
  std::vector<std::string> names;
  names.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    names.push_back(base[i % base.size()] + " 第" + digits[i % 10] + digits[(i / 10) % 10] +
                    "会場" + std::to_string(i));
  }
  if (!tsunagi::geo::reading_dictionary_available()) {
    std::cerr << "no dictionary at " << tsunagi::geo::kReadingDictionary << "\n";
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  tsunagi::geo::ReadingMemo memo;
  for (const auto& s : names) bytes += memo.of(s).size();
  const auto t1 = std::chrono::steady_clock::now();
  std::cout << n << " distinct names read in " << std::chrono::duration<double>(t1 - t0).count()
            << " s (" << bytes << " bytes of readings)\n";
  return 0;
}
