// Which roles may call a route (server/routes.cpp declares them per route). What a caller who is
// let in may *see* is not decided here: geo/catalog/visibility turns the role into an audience, and
// every route reads through that audience's view of the snapshot.
#pragma once

#include "geo/core/enum_set.hpp"
#include "geo/store/accounts.hpp"

namespace tsunagi::server {

using geo::Role;
using RoleSet = geo::EnumSet<Role>;

inline constexpr RoleSet kEveryone{Role::public_, Role::coordinator, Role::matcher, Role::planner,
                                   Role::admin};
inline constexpr RoleSet kSignedIn{Role::coordinator, Role::matcher, Role::planner, Role::admin};
/// Roles that edit resources: coordinators keep the list, 参加支援 matchers keep placement
/// sites' capacity current, admins fix anything. Planners only read.
inline constexpr RoleSet kEditors{Role::coordinator, Role::matcher, Role::admin};
inline constexpr RoleSet kAdmins{Role::admin};
/// Who asks hosts to confirm their listings and reviews what comes back: coordinators and admins.
inline constexpr RoleSet kReviewers{Role::coordinator, Role::admin};
/// 参加支援 matching works with a person's circumstances: matchers only.
inline constexpr RoleSet kMatchers{Role::matcher};
/// Gap analyses: planners, and the staff who work with them.
inline constexpr RoleSet kAnalysts{Role::planner, Role::coordinator, Role::admin};

}  // namespace tsunagi::server
