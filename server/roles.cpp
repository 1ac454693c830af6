#include "server/roles.hpp"

namespace tsunagi::server {

Visibility visibility_for(Role role) {
  using geo::PublishLevel;
  switch (role) {
    case Role::public_:
      return {{PublishLevel::public_}, geo::View::public_view};
    case Role::planner:
    case Role::matcher:
      return {{PublishLevel::public_, PublishLevel::partners}, geo::View::staff};
    case Role::coordinator:
    case Role::admin:
      return {{PublishLevel::public_, PublishLevel::partners, PublishLevel::internal},
              geo::View::staff};
  }
  return {{PublishLevel::public_}, geo::View::public_view};
}

bool may_see(Role role, const geo::Resource& r) {
  return visibility_for(role).levels.contains(r.publish);
}

}  // namespace tsunagi::server
