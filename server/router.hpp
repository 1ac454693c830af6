// Routes: method + path pattern + the roles allowed + where the handler runs. A module of the API
// (resources, accounts, OGC API Features...) is a function returning std::vector<Route>, added
// with one call: router.add_module(ogc_api_routes(context)). Handlers receive decoded path
// parameters and query values, the authenticated caller, and return an HttpResponse or throw
// (ApiError / geo:: errors), which server/errors maps in one place.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/municipal_scope.hpp"
#include "server/http_message.hpp"
#include "server/roles.hpp"
#include "server/url.hpp"

namespace tsunagi::server {

enum class Method : std::uint8_t { get, head, post, put, patch, delete_, options };

std::optional<Method> parse_method(std::string_view text);
std::string_view method_name(Method m);
/// GET, HEAD and OPTIONS change nothing (no CSRF check for them).
bool is_safe(Method m);

/// Whether a handler may run on a reactor thread (quick: reads of the snapshot) or must run on
/// the worker pool (writes, anything that can take more than a moment), or on the small login
/// pool (argon2id password checks: a flood of anonymous logins must not take the writers' workers).
enum class Runs : std::uint8_t { reactor, worker, login };

/// Who is calling.
struct Principal {
  enum class Via : std::uint8_t { none, session, token };
  Role role = Role::public_;
  Via via = Via::none;
  std::int64_t user_id = 0;
  std::string name;          ///< empty for the public
  std::string session_hash;  ///< for Via::session
  std::string csrf_token;    ///< for Via::session
  /// The towns the user works for (geo/core/municipal_scope); every town when none named.
  geo::MunicipalScope scope;
};

struct RequestContext {
  const HttpRequest& http;
  Method method;
  std::vector<std::string> path;    ///< decoded segments
  std::vector<std::string> params;  ///< decoded values of the pattern's {name} segments, in order
  QueryParams query;
  Principal principal;
  std::string base_url;  ///< "http://host:port" as the client reached us, for absolute links
};

using RouteHandler = std::function<HttpResponse(RequestContext&)>;

struct Route {
  Method method = Method::get;
  std::string pattern;  ///< "/api/resources/{id}"; {x} matches exactly one segment
  RoleSet roles;        ///< who may call it; others get 401 (public) or 403
  Runs runs = Runs::reactor;
  RouteHandler handler;
  /// Cookie-authenticated calls of unsafe methods must carry X-CSRF-Token. Only login, which
  /// has no session yet, turns this off.
  bool csrf = true;
};

class Router {
 public:
  /// @throws std::logic_error on a duplicate method + pattern.
  void add(Route route);
  /// Adds a module's routes in one call.
  void add_module(std::vector<Route> routes);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    std::vector<Method> allowed;  ///< methods of routes matching the path (for 405/OPTIONS)
  };
  /// HEAD finds the GET route. No route → route == nullptr (allowed says whether the path
  /// exists with other methods).
  [[nodiscard]] Match match(Method method, const std::vector<std::string>& path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  ///< "{x}" for a parameter
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace tsunagi::server
