#include "geo/core/area.hpp"

#include <array>

namespace tsunagi::geo {

namespace {
constexpr std::array<std::string_view, 4> kLevelIds{"", "oaza", "chome", "aza"};
constexpr std::array<std::string_view, 4> kLevelJa{"", "大字・町", "丁目", "字"};
}  // namespace

std::string_view small_area_level_id(SmallAreaLevel l) {
  return kLevelIds.at(static_cast<std::size_t>(l));
}

std::string_view small_area_level_ja(SmallAreaLevel l) {
  return kLevelJa.at(static_cast<std::size_t>(l));
}

std::optional<SmallAreaLevel> parse_small_area_level(std::string_view id) {
  for (std::size_t i = 0; i < kLevelIds.size(); ++i) {
    if (kLevelIds[i] == id) return static_cast<SmallAreaLevel>(i);
  }
  return std::nullopt;
}

std::string small_area_id_of(std::string_view key_code) {
  return "small_area:" + std::string(key_code);
}

SmallAreaLevel small_area_level_of(std::string_view key_code, std::string_view name) {
  if (key_code.size() == 9) return SmallAreaLevel::oaza;
  return name.ends_with("丁目") ? SmallAreaLevel::chome : SmallAreaLevel::aza;
}

}  // namespace tsunagi::geo
