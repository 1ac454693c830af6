// Who reads: the roles people sign in with, and the three audiences the visibility rule
// (geo/catalog/visibility) serves. Values only; which role reads as which audience, and what
// each audience may see, is the rule's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::geo {

/// Who someone is to tsunagi. `public_` is a resident without an account.
enum class Role : std::uint8_t { public_, coordinator, matcher, planner, admin };

/// "public", "coordinator", "matcher", "planner", "admin".
std::string_view role_id(Role role);
std::optional<Role> parse_role(std::string_view text);
/// The roles a user can be created with (every role but public), joined for messages.
std::string assignable_role_ids();

/// A visibility class: who reads.
enum class Audience : std::uint8_t { public_, partners, internal };
inline constexpr std::array<Audience, 3> kAudiences{Audience::public_, Audience::partners,
                                                    Audience::internal};
/// "public", "partners", "internal".
std::string_view audience_id(Audience a);
std::optional<Audience> parse_audience(std::string_view text);

}  // namespace tsunagi::geo
