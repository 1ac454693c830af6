// Who may see what: the one place that turns a role into publish levels and a JSON view. Routes
// declare which roles may call them (server/routes.cpp); this file decides, for a caller allowed
// in, which resources and which fields they get. Every output (JSON, GeoJSON, OGC API, CSV, tiles)
// must go through visibility_for().
//
//   role          publish levels seen            fields            closed resources
//   public        public                         View::public_view only with status=closed
//   planner       public, partners               View::staff       on request
//   matcher       public, partners               View::staff       on request
//   coordinator   public, partners, internal     View::staff       on request
//   admin         public, partners, internal     View::staff       on request
#pragma once

#include "geo/accounts.hpp"
#include "geo/code_lists.hpp"
#include "geo/enum_set.hpp"
#include "geo/resource.hpp"
#include "geo/resource_json.hpp"

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

struct Visibility {
  geo::EnumSet<geo::PublishLevel> levels;
  geo::View view = geo::View::public_view;
};

Visibility visibility_for(Role role);

/// True when `role` may see `r` at all (publish level; closed resources are visible to whoever
/// sees the level, when asked for).
bool may_see(Role role, const geo::Resource& r);

}  // namespace tsunagi::server
