#include "geo/analysis/answer_labels.hpp"

#include <array>
#include <utility>

namespace tsunagi::geo::gap {

std::string_view column_ja(std::string_view key) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kColumns{{
      {"rank", "順位"},
      {"id", "地域ID"},
      {"code", "地域コード"},
      {"name", "地域名"},
      {"kind", "地域の種類"},
      {"approximate", "境界は概略"},
      {"target", "対象の人数"},
      {"covered", "届く人数"},
      {"uncovered", "届かない人数"},
      {"share_covered", "届く割合"},
      {"has_place", "域内に場所あり"},
      {"places_inside", "域内の場所数"},
      {"nearest_m", "最寄りまで（m）"},
      {"access", "アクセス指標"},
      {"covered_before", "現在届く人数"},
      {"covered_after", "整備後に届く人数"},
      {"newly_covered", "新たに届く人数"},
  }};
  for (const auto& [k, ja] : kColumns) {
    if (k == key) return ja;
  }
  return key;
}

}  // namespace tsunagi::geo::gap
