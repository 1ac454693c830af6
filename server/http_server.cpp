#include "server/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/async_log.hpp"
#include "server/auth.hpp"
#include "server/context.hpp"
#include "server/dispatcher.hpp"
#include "server/errors.hpp"
#include "server/http_message.hpp"
#include "server/routes.hpp"
#include "server/static_files.hpp"
#include "server/url.hpp"
#include "server/worker_pool.hpp"

namespace tsunagi::server {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kConnectionKey = "tsunagi.connection";

// Back-pressure per connection. While more than kOutputHigh bytes of a connection's responses
// wait in Pistache's queue (its client does not read), no further request of it is parsed; parsing
// resumes when the queue is down to kOutputLow. Bytes that arrive meanwhile wait unparsed, up to
// one request's limits plus kInputSlack; a client that sends more without reading is cut off.
constexpr std::size_t kOutputHigh = 1024 * 1024;
constexpr std::size_t kOutputLow = 256 * 1024;
constexpr std::size_t kInputSlack = 64 * 1024;

// Our state of one TCP connection. The mutex orders requests of the connection: while one of
// them is on the worker pool (busy), later pipelined bytes are buffered, and the worker resumes
// parsing them when it has answered, so responses go out in request order.
struct Shared;

struct Connection {
  std::recursive_mutex mu;  // recursive: a write's completion may resume parsing (see send)
  RequestParser parser;
  bool busy = false;
  bool closing = false;
  /// Writes handed to Pistache and not yet out. While there are none, a response is written to
  /// the socket directly (nothing of ours can be queued ahead of it).
  std::shared_ptr<std::atomic<int>> queued = std::make_shared<std::atomic<int>>(0);
  /// The bytes of those writes (see kOutputHigh).
  std::shared_ptr<std::atomic<std::size_t>> queued_bytes =
      std::make_shared<std::atomic<std::size_t>>(0);
  /// Parsing stopped because queued_bytes went over kOutputHigh, since paused_since.
  bool paused = false;
  Clock::time_point paused_since;
  std::weak_ptr<Connection> self;
  std::weak_ptr<Shared> shared;
  /// The socket's inode: a worker checks it before answering, in case Pistache closed the
  /// descriptor meanwhile (its own request timeout) and the number now belongs to another client.
  ino_t socket_ino = 0;
  /// The peer's IP address, for per-client limits.
  std::string client;
  explicit Connection(ParseLimits limits) : parser(limits) {}
};

// The peer's IP address, "" when it cannot be read.
std::string peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    if (::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf) == nullptr) return {};
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf) == nullptr) return {};
  } else {
    return {};
  }
  return buf;
}

struct Shared {
  std::unique_ptr<ServerContext> context;
  std::unique_ptr<Auth> auth;
  std::unique_ptr<Router> router;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<WorkerPool> pool;
  /// Logins (argon2id) have their own small pool, so that a flood of them leaves the workers to
  /// writes; at most login_per_client of one address are queued or running at once.
  std::unique_ptr<WorkerPool> login_pool;
  int login_per_client = 2;
  std::mutex logins_mu;
  std::unordered_map<std::string, int> logins_in_flight;  ///< client address → count
  /// Connections paused by back-pressure; the write-timeout sweeper closes those that stay
  /// paused longer than write_timeout (their client does not read).
  std::mutex paused_mu;
  std::vector<std::pair<std::weak_ptr<Connection>, std::weak_ptr<Pistache::Tcp::Peer>>> paused;
  std::chrono::seconds write_timeout{10};
  ParseLimits limits;
  bool access_log = true;
  /// "Content-Security-Policy: …\r\nReferrer-Policy: …\r\n", put in the head of every response.
  std::string security_head;
  /// Every line goes through the async log: a stalled stderr never stalls a request.
  std::unique_ptr<AsyncLog> async_log;
  std::function<void(const std::string&)> log;
};

void log_access(const Shared& shared, std::string_view method, std::string_view target, int status,
                Clock::time_point start) {
  if (!shared.access_log || !shared.log) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  // Path and query keys only: query values (search words, places) may be personal.
  const auto q = target.find('?');
  std::string line(method.substr(0, 16));
  line += ' ';
  std::string_view path = target.substr(0, std::min<std::size_t>(q, 200));
  // A confirmation link's token is a credential: its path is logged without it.
  for (const std::string_view secret :
       {std::string_view("/api/confirm/"), std::string_view("/c/")}) {
    if (path.starts_with(secret) && path.size() > secret.size()) {
      line += secret;
      line += '*';
      path = {};
      break;
    }
  }
  line += path;
  if (q != std::string_view::npos) line += query_keys_for_log(target.substr(q + 1));
  char tail[48];
  std::snprintf(tail, sizeof tail, " %d %.2fms", status, ms);
  line += tail;
  shared.log(line);
}

// Writes as much of head + body as the socket takes now, without blocking; returns the bytes
// written (0 when the socket is full or failed: Pistache's write then reports the failure).
std::size_t write_now(int fd, std::string_view head, std::string_view body) {
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = body.empty() ? 1 : 2;
  ssize_t n;
  do {
    n = ::sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void pump(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Connection>& conn,
          const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool on_reactor);

// After a queued write went out: parsing resumes if it was paused by back-pressure. Runs on the
// peer's reactor thread (Pistache settles a write's promise there).
void resume_if_paused(const std::weak_ptr<Connection>& weak_conn,
                      const std::weak_ptr<Pistache::Tcp::Peer>& weak_peer) {
  auto conn = weak_conn.lock();
  auto peer = weak_peer.lock();
  if (!conn || !peer) return;
  std::lock_guard lock(conn->mu);
  if (!conn->paused || conn->closing) return;
  conn->paused = false;
  auto shared = conn->shared.lock();
  if (shared && !conn->busy) pump(shared, conn, peer, /*on_reactor=*/true);
}

// Writes one response. Must be called with conn.mu held; `on_reactor` = on the thread of the
// peer's Pistache reactor (not a worker).
//
// Pistache 0.0.5 copies a buffer several times on its way out (into its holder, again on every
// write attempt, again for the rest after a partial write): for a 1 MB page of features that was
// a third of the server's time. So the head and body go to the socket directly with one
// sendmsg, and only what the socket does not take at once is handed to Pistache, which writes it
// when the socket drains.
void send(const Shared& shared, Connection& conn, const std::shared_ptr<Pistache::Tcp::Peer>& peer,
          bool on_reactor, std::string_view method, std::string_view target,
          bool keep_alive_requested, const HttpResponse& response, Clock::time_point start) {
  if (!on_reactor) {
    struct stat st {};
    if (::fstat(peer->fd(), &st) != 0 || st.st_ino != conn.socket_ino) {
      conn.closing = true;  // not our socket any more: the answer must not reach someone else
      log_access(shared, method, target, response.status, start);
      return;
    }
  }
  const bool keep = keep_alive_requested && !response.close_connection;
  const std::string head = serialize_head(response, keep, shared.security_head);
  const std::string_view body =
      sends_body(response, method == "HEAD") ? response.payload() : std::string_view();
  log_access(shared, method, target, response.status, start);
  const std::size_t total = head.size() + body.size();
  // Only on the peer's own reactor thread: Pistache closes a connection's descriptor on that
  // thread (on disconnection or its own timeouts), so there the descriptor cannot have been
  // closed and handed to another client under us. Worker threads hand everything to Pistache.
  std::size_t done = on_reactor && conn.queued->load() == 0 ? write_now(peer->fd(), head, body) : 0;
  std::optional<Pistache::Async::Promise<ssize_t>> written;
  if (done < total) {
    std::string rest;
    rest.reserve(total - done);
    if (done < head.size()) {
      rest.append(head, done);
      rest.append(body);
    } else {
      rest.append(body.substr(done - head.size()));
    }
    const std::size_t size = rest.size();
    conn.queued->fetch_add(1);
    conn.queued_bytes->fetch_add(size);
    written.emplace(peer->send(Pistache::RawBuffer(std::move(rest), size)));
    const auto settled = [queued = conn.queued, bytes = conn.queued_bytes, size,
                          weak_conn = conn.self, weak_peer = std::weak_ptr(peer)] {
      queued->fetch_sub(1);
      if (bytes->fetch_sub(size) - size <= kOutputLow) resume_if_paused(weak_conn, weak_peer);
    };
    written->then([settled](ssize_t) { settled(); }, [settled](std::exception_ptr&) { settled(); });
  }
  if (!keep) {
    conn.closing = true;
    if (!written) {
      // All bytes are in the socket: the reactor sees EOF after this and closes.
      ::shutdown(peer->fd(), SHUT_RDWR);
    } else {
      std::weak_ptr<Pistache::Tcp::Peer> weak = peer;
      // Runs on the reactor thread once the bytes are out; the reactor then sees EOF and closes.
      written->then(
          [weak](ssize_t) {
            if (auto p = weak.lock()) ::shutdown(p->fd(), SHUT_RDWR);
          },
          Pistache::Async::IgnoreException);
    }
  } else if (!conn.parser.has_partial()) {
    // Idle from now on: Pistache's keep-alive timeout counts from the parser's reset time.
    peer->setIdle(true);
    Pistache::Http::Handler::getParser(peer)->reset();
  }
}

void pump(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Connection>& conn,
          const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool on_reactor);

// One of the client's login_per_client places for a login; false when all are taken.
bool take_login_slot(Shared& shared, const std::string& client) {
  std::lock_guard lock(shared.logins_mu);
  int& n = shared.logins_in_flight[client];
  if (n >= shared.login_per_client) return false;
  ++n;
  return true;
}

void release_login_slot(Shared& shared, const std::string& client) {
  std::lock_guard lock(shared.logins_mu);
  const auto it = shared.logins_in_flight.find(client);
  if (it == shared.logins_in_flight.end()) return;
  if (--it->second <= 0) shared.logins_in_flight.erase(it);
}

// Runs a prepared request's work on a worker, then answers and resumes the connection.
void run_on_worker(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Connection>& conn,
                   const std::weak_ptr<Pistache::Tcp::Peer>& weak_peer,
                   const std::shared_ptr<const HttpRequest>& request,
                   const std::function<HttpResponse()>& work, Clock::time_point start) {
  HttpResponse response = work();
  std::lock_guard lock(conn->mu);
  conn->busy = false;
  auto peer = weak_peer.lock();
  if (!peer || conn->closing) return;  // the client went away meanwhile
  send(*shared, *conn, peer, /*on_reactor=*/false, request->method, request->target,
       request->keep_alive(), response, start);
  if (!conn->closing) pump(shared, conn, peer, /*on_reactor=*/false);
}

// Takes complete requests out of the connection's buffer and answers them. conn->mu is held.
void pump(const std::shared_ptr<Shared>& shared, const std::shared_ptr<Connection>& conn,
          const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool on_reactor) {
  while (!conn->busy && !conn->closing) {
    if (conn->queued_bytes->load() > kOutputHigh) {
      if (!conn->paused) {  // the client is not reading: parse nothing more until it does
        conn->paused = true;
        conn->paused_since = Clock::now();
        std::lock_guard lock(shared->paused_mu);
        shared->paused.emplace_back(conn, peer);
      }
      return;
    }
    conn->paused = false;
    auto request = std::make_shared<HttpRequest>();
    ParseError error;
    const auto status = conn->parser.next(*request, error);
    if (status == RequestParser::Status::need_more) return;
    const auto start = Clock::now();
    if (status == RequestParser::Status::error) {
      HttpResponse r = problem_response(make_problem(error.code, error.detail));
      add_common_headers(r);
      r.close_connection = true;
      send(*shared, *conn, peer, on_reactor, "-", "-", false, r, start);
      return;
    }
    request->client = conn->client;
    auto prepared = shared->dispatcher->prepare(request);
    if (prepared.response) {
      send(*shared, *conn, peer, on_reactor, request->method, request->target,
           request->keep_alive(), *prepared.response, start);
      continue;
    }
    if (!prepared.on_worker) {
      send(*shared, *conn, peer, on_reactor, request->method, request->target,
           request->keep_alive(), prepared.work(), start);
      continue;
    }
    if (prepared.login && !take_login_slot(*shared, conn->client)) {
      HttpResponse r = problem_response(
          make_problem(ErrorCode::login_throttled,
                       "too many logins at once from your address; wait for the answers "
                       "before sending more",
                       {{"Retry-After", "1"}}));
      add_common_headers(r);
      send(*shared, *conn, peer, on_reactor, request->method, request->target,
           request->keep_alive(), r, start);
      continue;
    }
    conn->busy = true;
    std::weak_ptr<Pistache::Tcp::Peer> weak = peer;
    if (prepared.login) {
      // The slot is given back when the login has run, whatever its outcome.
      prepared.work = [shared, client = conn->client, work = std::move(prepared.work)] {
        struct Release {
          Shared& s;
          const std::string& c;
          ~Release() { release_login_slot(s, c); }
        } release{*shared, client};
        return work();
      };
    }
    WorkerPool& pool = prepared.login ? *shared->login_pool : *shared->pool;
    const bool queued =
        pool.submit([shared, conn, weak, request, work = std::move(prepared.work),
                     start]() mutable { run_on_worker(shared, conn, weak, request, work, start); });
    if (!queued) {
      if (prepared.login) release_login_slot(*shared, conn->client);
      conn->busy = false;
      HttpResponse r = problem_response(
          make_problem(ErrorCode::overloaded,
                       "the server is busy with other changes and logins; retry in a second",
                       {{"Retry-After", "1"}}));
      add_common_headers(r);
      send(*shared, *conn, peer, on_reactor, request->method, request->target,
           request->keep_alive(), r, start);
    }
  }
}

class Adapter : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(Adapter)

  explicit Adapter(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  // Never called: onInput below replaces Pistache's parser and dispatch.
  void onRequest(const Pistache::Http::Request& /*request*/,
                 Pistache::Http::ResponseWriter /*response*/) override {}

  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    // Pistache's idle/request timeout check reads this parser's reset time and step; it is never
    // fed, so it stays tiny.
    peer->putData(ParserData, std::make_shared<Pistache::Http::RequestParser>(64));
    auto conn = std::make_shared<Connection>(shared_->limits);
    conn->self = conn;
    conn->shared = shared_;
    struct stat st {};
    if (::fstat(peer->fd(), &st) == 0) conn->socket_ino = st.st_ino;
    conn->client = peer_address(peer->fd());
    peer->putData(kConnectionKey, std::move(conn));
  }

  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    if (auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey))) {
      std::lock_guard lock(conn->mu);
      conn->closing = true;
    }
  }

  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    auto conn = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionKey));
    if (!conn) return;
    std::lock_guard lock(conn->mu);
    if (conn->closing) return;
    if (!conn->busy && !conn->parser.has_partial()) {
      // A new request starts: the request timeout counts from now.
      peer->setIdle(false);
      Pistache::Http::Handler::getParser(peer)->reset();
    }
    conn->parser.feed(std::string_view(buffer, len));
    if (!conn->busy && !conn->paused) pump(shared_, conn, peer, /*on_reactor=*/true);
    // Bytes that wait while a request is on a worker or the client does not read its answers:
    // at most one more request. More is a client pipelining without reading: cut it off.
    const std::size_t bound =
        shared_->limits.max_header_bytes + shared_->limits.max_body_bytes + kInputSlack;
    if ((conn->busy || conn->paused) && conn->parser.buffered() > bound && !conn->closing) {
      conn->closing = true;
      ::shutdown(peer->fd(), SHUT_RDWR);
    }
  }

 private:
  std::shared_ptr<Shared> shared_;
};

// Closes connections that stay paused by back-pressure longer than the write timeout: their
// client sends requests but does not read the answers. Checked every 250 ms.
void sweep_paused(Shared& shared) {
  std::vector<std::pair<std::weak_ptr<Connection>, std::weak_ptr<Pistache::Tcp::Peer>>> list;
  {
    std::lock_guard lock(shared.paused_mu);
    list.swap(shared.paused);
  }
  const auto now = Clock::now();
  decltype(list) keep;
  for (auto& [weak_conn, weak_peer] : list) {
    auto conn = weak_conn.lock();
    auto peer = weak_peer.lock();
    if (!conn || !peer) continue;
    std::lock_guard lock(conn->mu);
    if (!conn->paused || conn->closing) continue;
    if (now - conn->paused_since < shared.write_timeout) {
      keep.emplace_back(std::move(weak_conn), std::move(weak_peer));
      continue;
    }
    // As for workers: only if the descriptor is still this connection's socket.
    struct stat st {};
    if (::fstat(peer->fd(), &st) == 0 && st.st_ino == conn->socket_ino) {
      conn->closing = true;
      ::shutdown(peer->fd(), SHUT_RDWR);
    }
  }
  std::lock_guard lock(shared.paused_mu);
  for (auto& k : keep) shared.paused.push_back(std::move(k));
}

}  // namespace

struct HttpServer::Impl {
  Config config;
  std::shared_ptr<Shared> shared;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint;
  bool started = false;
  bool stopped = false;
  std::mutex sweeper_mu;
  std::condition_variable sweeper_cv;
  bool sweeper_stop = false;
  std::thread sweeper;
};

std::string content_security_policy(const Config& config) {
  const std::string tiles = config.map_tile_origins.empty() ? "" : " " + config.map_tile_origins;
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:" +
         tiles + "; connect-src 'self'" + tiles +
         "; worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; "
         "form-action 'self'; frame-ancestors " +
         (config.frame_ancestors.empty() ? std::string("'none'") : config.frame_ancestors);
}

HttpServer::HttpServer(const Config& config, std::function<void(const std::string&)> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  auto shared = std::make_shared<Shared>();
  shared->async_log = std::make_unique<AsyncLog>(std::move(log));
  shared->log = [async = shared->async_log.get()](const std::string& line) { async->log(line); };
  shared->access_log = config.access_log;
  shared->security_head = "Content-Security-Policy: " + content_security_policy(config) +
                          "\r\nReferrer-Policy: " + kReferrerPolicy + "\r\n";
  shared->limits.max_body_bytes = static_cast<std::size_t>(config.max_request_bytes);
  shared->limits.max_header_bytes = static_cast<std::size_t>(config.max_header_bytes);
  // The server writes to its store (logins, sessions, edits): a store it cannot write is refused
  // at start-up with the reason, rather than served until the first write answers 503.
  if (const auto h = geo::Store::writable(config.db); !h.ok) {
    throw std::runtime_error(h.problem + "; the server writes logins, sessions and edits to it");
  }
  shared->context = std::make_unique<ServerContext>(config);
  shared->auth = std::make_unique<Auth>(*shared->context);
  shared->router = std::make_unique<Router>(build_router(*shared->context, *shared->auth));
  shared->dispatcher =
      std::make_unique<Dispatcher>(*shared->context, *shared->auth, *shared->router,
                                   StaticFiles(StaticFiles::resolve_root(config.frontend)));
  std::weak_ptr<Shared> weak = shared;
  shared->dispatcher->log_error = [weak](const std::string& text) {
    if (auto s = weak.lock(); s && s->log) s->log("error: " + text);
  };
  shared->pool =
      std::make_unique<WorkerPool>(config.workers, static_cast<std::size_t>(config.worker_queue));
  shared->login_pool = std::make_unique<WorkerPool>(config.login_workers,
                                                    static_cast<std::size_t>(config.login_queue));
  shared->login_per_client = config.login_per_client;
  shared->write_timeout = std::chrono::seconds(config.request_timeout_s);
  shared->auth->set_background([pool = shared->pool.get()](std::function<void()> job) {
    return pool->submit(std::move(job));
  });
  impl_->shared = std::move(shared);
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  const auto& c = impl_->config;
  // At the open-file limit Pistache 0.0.5's accept loop spins at 100 % CPU (accept() fails with
  // EMFILE and the listening socket stays readable); that needs a patched Pistache. Until then,
  // take the highest limit the system allows us.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
  Pistache::Address address;
  try {
    address = Pistache::Address(c.host, Pistache::Port(static_cast<std::uint16_t>(c.port)));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot use host '" + c.host + "': " + e.what());
  }
  impl_->endpoint = std::make_unique<Pistache::Http::Endpoint>(address);
  const auto timeout = std::chrono::seconds(c.request_timeout_s);
  auto options =
      Pistache::Http::Endpoint::options()
          .threads(c.threads)
          .flags(Pistache::Tcp::Options::ReuseAddr)
          .maxRequestSize(static_cast<std::size_t>(c.max_request_bytes + c.max_header_bytes))
          .headerTimeout(timeout)
          .bodyTimeout(timeout)
          .keepaliveTimeout(std::chrono::seconds(c.keepalive_timeout_s));
  impl_->endpoint->init(options);
  impl_->endpoint->setHandler(Pistache::Http::make_handler<Adapter>(impl_->shared));
  try {
    impl_->endpoint->serveThreaded();
  } catch (const std::exception& e) {
    const std::string what = e.what();
    impl_->endpoint.reset();
    if (what.find("in use") != std::string::npos || errno == EADDRINUSE) {
      throw PortInUse("cannot listen on " + c.host + ":" + std::to_string(c.port) +
                      ": the address is already in use (is another tsunagi serve running?); "
                      "stop it or choose another port with --port");
    }
    throw std::runtime_error("cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " +
                             what);
  }
  impl_->started = true;
  impl_->shared->dispatcher->set_bound_port(port());
  impl_->sweeper = std::thread([impl = impl_.get(), shared = impl_->shared] {
    std::unique_lock lock(impl->sweeper_mu);
    while (!impl->sweeper_cv.wait_for(lock, std::chrono::milliseconds(250),
                                      [impl] { return impl->sweeper_stop; })) {
      lock.unlock();
      sweep_paused(*shared);
      lock.lock();
    }
  });
}

std::uint16_t HttpServer::port() const {
  return impl_->endpoint ? static_cast<std::uint16_t>(impl_->endpoint->getPort()) : 0;
}

void HttpServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->sweeper.joinable()) {
    {
      std::lock_guard lock(impl_->sweeper_mu);
      impl_->sweeper_stop = true;
    }
    impl_->sweeper_cv.notify_all();
    impl_->sweeper.join();
  }
  // Answer what is queued while the reactors can still write, then stop the reactors.
  if (impl_->shared && impl_->shared->login_pool) impl_->shared->login_pool->stop();
  if (impl_->shared && impl_->shared->pool) impl_->shared->pool->stop();
  if (impl_->endpoint && impl_->started) impl_->endpoint->shutdown();
  impl_->endpoint.reset();
  // No thread logs any more: write out what the async log holds (unless stderr is stuck).
  if (impl_->shared) {
    impl_->shared->access_log = false;
    impl_->shared->log = nullptr;
    impl_->shared->async_log.reset();
  }
}

}  // namespace tsunagi::server
