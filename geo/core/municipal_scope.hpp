// The towns a user works for, in a store serving several municipalities (a prefecture 社協 or a
// 広域連合 running one instance for many towns): none named = every town, as a single-town
// instance has always worked. Handlers and the store only ask covers(); what a scoped user may
// do with a town outside it (nothing, or follow a referral to their placement) is the caller's.
// In geo/core rather than geo/catalog so that the store can filter cases and audit entries by it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tsunagi::geo {

class MunicipalScope {
 public:
  /// Every town (the default).
  MunicipalScope() = default;
  /// The towns `codes` names (6-digit lg_codes, as checked by check_municipality_code); an empty
  /// list is every town. Sorted, duplicates dropped.
  explicit MunicipalScope(std::vector<std::string> codes);

  /// Reads the stored form: codes separated by commas, "" = every town.
  [[nodiscard]] static MunicipalScope parse(std::string_view stored);

  [[nodiscard]] bool all() const { return codes_.empty(); }
  /// Whether `lg_code` is one of the towns. An unscoped user covers every town, even an unknown
  /// one (""); a scoped user never covers "" (a thing of no known town is outside every scope).
  [[nodiscard]] bool covers(std::string_view lg_code) const;
  /// Whether every town of `other` is one of these (an all-town `other` only by an all-town one).
  [[nodiscard]] bool covers(const MunicipalScope& other) const;
  /// The towns, sorted; empty = every town.
  [[nodiscard]] const std::vector<std::string>& codes() const { return codes_; }
  /// The stored form: "023612,023671", or "" for every town.
  [[nodiscard]] std::string text() const;

  bool operator==(const MunicipalScope&) const = default;

 private:
  std::vector<std::string> codes_;
};

/// Checks one 全国地方公共団体コード as a user's town: exactly six ASCII digits with the right
/// check digit. @throws InvalidArgument naming the value and what is wrong.
void check_municipality_code(std::string_view code);

/// Splits "023612,023671" (spaces around codes allowed) and checks each code.
/// @throws InvalidArgument (an empty list, an empty or bad code).
[[nodiscard]] std::vector<std::string> parse_municipality_list(std::string_view list);

}  // namespace tsunagi::geo
