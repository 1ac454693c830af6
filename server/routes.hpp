// The route table: every route of the core API with the roles it allows and where it runs, in
// one place (server/routes.cpp). Further modules (OGC API – Features, tiles) each provide a
// std::vector<Route> of their own and are added in build_router() with one add_module() call.
#pragma once

#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/router.hpp"

namespace tsunagi::server {

/// The core API: /health, /api/resources…, /api/login, /api/logout, /api/me, /api/users.
std::vector<Route> core_routes(ServerContext& context, Auth& auth);

/// Every module's routes.
Router build_router(ServerContext& context, Auth& auth);

}  // namespace tsunagi::server
