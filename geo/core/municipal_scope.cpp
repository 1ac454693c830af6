#include "geo/core/municipal_scope.hpp"

#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/core/lg_code.hpp"

namespace tsunagi::geo {

MunicipalScope::MunicipalScope(std::vector<std::string> codes) : codes_(std::move(codes)) {
  std::sort(codes_.begin(), codes_.end());
  codes_.erase(std::unique(codes_.begin(), codes_.end()), codes_.end());
  std::erase(codes_, std::string());
}

MunicipalScope MunicipalScope::parse(std::string_view stored) {
  std::vector<std::string> codes;
  std::size_t start = 0;
  while (start < stored.size()) {
    auto end = stored.find(',', start);
    if (end == std::string_view::npos) end = stored.size();
    if (end > start) codes.emplace_back(stored.substr(start, end - start));
    start = end + 1;
  }
  return MunicipalScope(std::move(codes));
}

bool MunicipalScope::covers(std::string_view lg_code) const {
  if (all()) return true;
  return std::binary_search(codes_.begin(), codes_.end(), lg_code, std::less<>());
}

bool MunicipalScope::covers(const MunicipalScope& other) const {
  if (all()) return true;
  if (other.all()) return false;
  return std::all_of(other.codes_.begin(), other.codes_.end(),
                     [&](const std::string& c) { return covers(c); });
}

std::string MunicipalScope::text() const {
  std::string out;
  for (const auto& c : codes_) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

void check_municipality_code(std::string_view code) {
  const std::string shown(code.substr(0, 20));
  const bool six_digits = code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
  if (!six_digits) {
    throw InvalidArgument("municipality '" + shown +
                          "' is not a 全国地方公共団体コード: it takes exactly 6 digits with the "
                          "check digit, e.g. 023612 for 藤崎町");
  }
  const std::string right = std::string(code.substr(0, 5)) + lg_check_digit(code.substr(0, 5));
  if (right != code) {
    throw InvalidArgument("municipality '" + shown + "' has a wrong check digit (the code " +
                          std::string(code.substr(0, 5)) + "… would be " + right + ")");
  }
  parse_lg_code(code, LgCodeForm::six_digits);  // the prefecture must be 01–47
}

std::vector<std::string> parse_municipality_list(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view code = list.substr(start, end - start);
    while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
    while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
    if (code.empty()) {
      throw InvalidArgument(
          "municipality: an empty code in '" + std::string(list.substr(0, 80)) +
          "'; give 6-digit codes separated by commas, e.g. 023612,023671 (no flag = every town)");
    }
    check_municipality_code(code);
    out.emplace_back(code);
    start = end + 1;
  }
  return out;
}

}  // namespace tsunagi::geo
