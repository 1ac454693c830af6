// 住所 → 地点 at 町丁目/大字 level: the representative points of an address table (the Geolonia
// format, or the demo town's own), matched against what a coordinator types. Never finer than the
// 町丁目/大字 (or 小字) the table holds: the result says so, and says when the match is only
// approximate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::geo {

/// One representative point of an address table: a 町丁目/大字 (koaza empty) or a 小字・通称.
struct AddressPoint {
  std::string lg_code;  ///< 全国地方公共団体コード when known (5 or 6 digits), else empty
  std::string pref;     ///< 都道府県名, e.g. 香川県 (may be empty: the demo town has none)
  std::string city;     ///< 郡+市区町村名, e.g. 高松市, 八頭郡智頭町
  std::string town;     ///< 町丁目/大字名, e.g. 扇町一丁目
  std::string koaza;    ///< 小字・通称, or empty
  double lon = 0;
  double lat = 0;
  bool operator==(const AddressPoint&) const = default;
};

enum class AddressLevel : std::uint8_t { city, town, koaza };
std::string_view address_level_id(AddressLevel level);

struct AddressMatch {
  AddressPoint point;  ///< for a city-level match, the mean of the city's points
  AddressLevel level = AddressLevel::town;
  /// True when the table does not hold what was typed at the matched level: the typed 町名 was
  /// longer or different (e.g. 栄町五丁目 when only 栄町 is known), was found inside the text
  /// rather than after the city, or only the city was found.
  bool approximate = false;
  /// What of the query was not used (番地・号, a building…), normalised; empty when nothing.
  std::string rest;
  [[nodiscard]] std::string label() const;
};

/// The address table in memory, with folded search keys. Immutable after construction.
class AddressIndex {
 public:
  AddressIndex() = default;
  explicit AddressIndex(std::vector<AddressPoint> points);
  /// Up to `limit` matches, best first: exact before approximate, then the longest match.
  /// Full/half width, カタカナ/ひらがな, ヶ/ケ, spaces and arabic/kanji 丁目 numbers are ignored.
  /// @throws InvalidArgument when `query` is not valid UTF-8.
  [[nodiscard]] std::vector<AddressMatch> geocode(std::string_view query,
                                                  std::size_t limit = 5) const;
  [[nodiscard]] std::size_t size() const { return points_.size(); }

 private:
  struct Keys {
    std::string pref;
    std::string city;
    std::string city_short;  ///< without the 郡 (empty when the city has none)
    std::string town;
    std::string koaza;
  };
  std::vector<AddressPoint> points_;
  std::vector<Keys> keys_;
};

/// The search key of an address text: normalize_for_search, then arabic 丁目 numbers written in
/// kanji, as address tables do (「3丁目」「３丁目」→「三丁目」).
std::string normalize_address(std::string_view utf8);

}  // namespace tsunagi::geo
