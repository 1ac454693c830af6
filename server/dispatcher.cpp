#include "server/dispatcher.hpp"

#include <algorithm>

#include "server/credentials.hpp"
#include "server/errors.hpp"

namespace tsunagi::server {

namespace {

std::string allow_list(const std::vector<Method>& methods) {
  std::string out;
  for (const auto m : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(m);
  }
  return out;
}

std::string join_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& s : path) out += "/" + s;
  return out.empty() ? "/" : out;
}

}  // namespace

void add_common_headers(HttpResponse& response) {
  if (!response.header("X-Content-Type-Options")) {
    response.set_header("X-Content-Type-Options", "nosniff");
  }
  if (!response.header("Cache-Control")) response.set_header("Cache-Control", "no-cache");
}

Dispatcher::Dispatcher(ServerContext& context, Auth& auth, const Router& router,
                       StaticFiles static_files)
    : context_(context), auth_(auth), router_(router), static_files_(std::move(static_files)) {
  set_bound_port(context_.config().port);
}

std::string base_url_for(const Config& config, int bound_port) {
  if (!config.public_base_url.empty()) return config.public_base_url;
  const bool ipv6 = config.host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + config.host + "]" : config.host) + ":" +
         std::to_string(bound_port);
}

void Dispatcher::set_bound_port(int port) {
  base_url_.store(std::make_shared<const std::string>(base_url_for(context_.config(), port)));
}

void Dispatcher::check_write_ahead_log() const {
  // While the server has the store open in WAL mode, SQLite keeps FILE-wal beside it. If it is
  // gone (deleted, moved), committed writes live only in an unlinked file and are lost on a
  // crash: refuse writes rather than acknowledge them.
  if (context_.store_healthy()) return;
  if (!wal_missing_logged_.exchange(true) && log_error) {
    log_error(context_.store_problem() + "; writes are refused until the server is restarted");
  }
  throw ApiError(ErrorCode::store_unavailable,
                 "the store's write-ahead log has disappeared (deleted or moved on the server); "
                 "writes are refused so that none is acknowledged and then lost: ask the operator "
                 "to restart the server");
}

std::string Dispatcher::base_url() const {
  return *base_url_.load();
}

HttpResponse Dispatcher::error(std::exception_ptr e) const {
  const Problem p = problem_from_exception(std::move(e));
  if (!p.log_text.empty() && log_error) log_error(p.log_text);
  HttpResponse r = problem_response(p);
  add_common_headers(r);
  return r;
}

Dispatcher::Prepared Dispatcher::prepare(const std::shared_ptr<const HttpRequest>& request) const {
  try {
    const auto method = parse_method(request->method);
    if (!method) {
      throw ApiError(ErrorCode::not_implemented,
                     "the method " + request->method.substr(0, 20) +
                         " is not supported; use GET, HEAD, POST, PUT or OPTIONS");
    }
    if (request->target == "*") {
      if (*method != Method::options) {
        throw ApiError(ErrorCode::malformed_request, "'*' is a target for OPTIONS only");
      }
      HttpResponse r;
      r.status = 204;
      r.set_header("Allow", "GET, HEAD, POST, PUT, OPTIONS");
      return {r, {}, false};
    }
    // Links are built from the configuration and the bound socket, never from the Host header
    // (a client could make the server hand out links to any site).
    std::string base_url = *base_url_.load();
    auto ctx =
        std::make_shared<RequestContext>(RequestContext{*request,
                                                        *method,
                                                        split_path(request->raw_path()),
                                                        {},
                                                        QueryParams::parse(request->raw_query()),
                                                        {},
                                                        std::move(base_url)});
    auto match = router_.match(*method, ctx->path);
    if (match.route == nullptr) {
      if (!match.allowed.empty()) {
        if (*method == Method::options) {
          HttpResponse r;
          r.status = 204;
          r.set_header("Allow", allow_list(match.allowed));
          add_common_headers(r);
          return {r, {}, false};
        }
        throw ApiError(ErrorCode::method_not_allowed,
                       std::string(method_name(*method)) + " is not allowed on " +
                           join_path(ctx->path) + "; allowed: " + allow_list(match.allowed),
                       {{"Allow", allow_list(match.allowed)}});
      }
      const bool api_path = !ctx->path.empty() && (ctx->path[0] == "api" || ctx->path[0] == "ogc");
      if (!api_path && (*method == Method::get || *method == Method::head)) {
        const std::string* ae = request->header("accept-encoding");
        // The hosts' confirmation page answers /c (type the code) and /c/{token} (the link).
        const bool confirm_page =
            !ctx->path.empty() && ctx->path[0] == "c" && ctx->path.size() <= 2;
        const std::vector<std::string> page = {"confirm.html"};
        if (auto r = static_files_.get(confirm_page ? page : ctx->path,
                                       ae != nullptr && accepts_gzip(*ae))) {
          if (confirm_page) r->set_header("Cache-Control", "no-store");
          add_common_headers(*r);
          return {std::move(*r), {}, false};
        }
      }
      if (!api_path && *method == Method::options) {
        HttpResponse r;
        r.status = 204;
        r.set_header("Allow", "GET, HEAD, OPTIONS");
        add_common_headers(r);
        return {r, {}, false};
      }
      throw ApiError(ErrorCode::not_found,
                     "nothing at " + join_path(ctx->path) +
                         "; the API lives under /api (e.g. /api/resources) and /health");
    }
    ctx->params = std::move(match.params);
    ctx->principal = auth_.authenticate(*request);
    const Route* route = match.route;
    if (!route->roles.contains(ctx->principal.role)) {
      if (ctx->principal.role == Role::public_) {
        throw ApiError(ErrorCode::unauthenticated,
                       "sign in first (POST /api/login) or send 'Authorization: Bearer <token>'",
                       {{"WWW-Authenticate", "Bearer realm=\"tsunagi\""}});
      }
      std::string roles;
      route->roles.for_each([&](Role r) {
        if (!roles.empty()) roles += ", ";
        roles += geo::role_id(r);
      });
      throw ApiError(ErrorCode::forbidden, "the role '" +
                                               std::string(geo::role_id(ctx->principal.role)) +
                                               "' may not do this; it needs: " + roles);
    }
    if (!is_safe(*method)) check_write_ahead_log();
    if (route->csrf && !is_safe(*method) && ctx->principal.via == Principal::Via::session) {
      const std::string* sent = request->header("x-csrf-token");
      if (sent == nullptr || !constant_time_equal(*sent, ctx->principal.csrf_token)) {
        throw ApiError(ErrorCode::csrf_failed,
                       "requests signed in by cookie must send the csrf_token returned by "
                       "POST /api/login in the header X-CSRF-Token");
      }
    }
    Prepared p;
    p.on_worker = route->runs != Runs::reactor;
    p.login = route->runs == Runs::login;
    p.work = [this, request, ctx, route]() -> HttpResponse {
      try {
        HttpResponse r = route->handler(*ctx);
        add_common_headers(r);
        return r;
      } catch (...) {
        return error(std::current_exception());
      }
    };
    return p;
  } catch (...) {
    return {error(std::current_exception()), {}, false};
  }
}

HttpResponse Dispatcher::handle(const HttpRequest& request) const {
  auto p = prepare(std::make_shared<HttpRequest>(request));
  if (p.response) return std::move(*p.response);
  return p.work();
}

}  // namespace tsunagi::server
