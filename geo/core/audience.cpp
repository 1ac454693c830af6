#include "geo/core/audience.hpp"

namespace tsunagi::geo {

namespace {

constexpr std::array<std::string_view, 5> kRoleIds = {"public", "coordinator", "matcher", "planner",
                                                      "admin"};
constexpr std::array<std::string_view, 3> kAudienceIds = {"public", "partners", "internal"};

}  // namespace

std::string_view role_id(Role role) {
  return kRoleIds.at(static_cast<std::size_t>(role));
}

std::optional<Role> parse_role(std::string_view text) {
  for (std::size_t i = 0; i < kRoleIds.size(); ++i) {
    if (kRoleIds[i] == text) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string assignable_role_ids() {
  std::string out;
  for (std::size_t i = 1; i < kRoleIds.size(); ++i) {
    if (!out.empty()) out += ", ";
    out += kRoleIds[i];
  }
  return out;
}

std::string_view audience_id(Audience a) {
  return kAudienceIds.at(static_cast<std::size_t>(a));
}

std::optional<Audience> parse_audience(std::string_view text) {
  for (const auto a : kAudiences) {
    if (audience_id(a) == text) return a;
  }
  return std::nullopt;
}

}  // namespace tsunagi::geo
