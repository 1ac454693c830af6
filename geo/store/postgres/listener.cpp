// geo::ChangeListener on PostgreSQL: a connection of its own that LISTENs to the store's channels
// (notify.hpp) and waits on its socket, so a commit of any server reaches the others in
// milliseconds. A lost connection is made again at the next wait; what was sent meanwhile is lost,
// so that wait says `unknown` and the caller looks at everything.
#include <poll.h>

#include <libpq-fe.h>

#include <string>
#include <thread>

#include "geo/store/postgres/backend.hpp"
#include "geo/store/postgres/connection.hpp"
#include "geo/store/postgres/notify.hpp"

namespace tsunagi::geo {

namespace {

class PgListener final : public ChangeListener {
 public:
  explicit PgListener(std::string location) : location_(std::move(location)) { connect(); }

  StoreChanges wait(std::chrono::milliseconds timeout) override {
    StoreChanges out;
    if (!conn_ || !conn_->ok()) {
      try {
        connect();
      } catch (const std::exception&) {
        conn_.reset();
        std::this_thread::sleep_for(timeout);
      }
      out.unknown = true;  // commits while it was away were not heard
      return out;
    }
    pg_conn* c = conn_->raw();
    if (!receive(c, out)) return out;
    if (out.content || out.accounts || out.jobs) return out;
    pollfd fd{.fd = PQsocket(c), .events = POLLIN, .revents = 0};
    if (poll(&fd, 1, static_cast<int>(timeout.count())) > 0) receive(c, out);
    return out;
  }

  std::optional<ReplicationState> replication() override {
    if (!conn_ || !conn_->ok()) return std::nullopt;
    try {
      const auto r = conn_->exec(
          "SELECT pg_is_in_recovery(), coalesce(extract(epoch FROM now() - "
          "pg_last_xact_replay_timestamp()), 0)::float8, (SELECT count(*) FROM "
          "pg_stat_replication)::bigint, coalesce((SELECT extract(epoch FROM max(replay_lag)) "
          "FROM pg_stat_replication), 0)::float8");
      ReplicationState s;
      s.standby = r.boolean(0, 0);
      s.replay_lag_s = s.standby ? r.real(0, 1) : 0.0;
      s.standbys = static_cast<int>(r.i64(0, 2));
      s.max_standby_lag_s = r.real(0, 3);
      return s;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

 private:
  void connect() {
    conn_ = std::make_unique<pg::Connection>(location_);
    for (const auto channel : {pg::kContentChannel, pg::kAccountsChannel, pg::kJobsChannel}) {
      conn_->exec("LISTEN " + std::string(channel));
    }
  }

  /// Reads what arrived and marks its channels; false (and `unknown`) when the connection is lost.
  bool receive(pg_conn* c, StoreChanges& out) {
    if (PQconsumeInput(c) == 0) {
      conn_.reset();
      out.unknown = true;
      return false;
    }
    while (PGnotify* n = PQnotifies(c)) {
      const std::string_view channel(n->relname);
      out.content = out.content || channel == pg::kContentChannel;
      out.accounts = out.accounts || channel == pg::kAccountsChannel;
      out.jobs = out.jobs || channel == pg::kJobsChannel;
      PQfreemem(n);
    }
    return true;
  }

  std::string location_;
  std::unique_ptr<pg::Connection> conn_;
};

}  // namespace

std::unique_ptr<ChangeListener> pg_store::listen(const std::string& location) {
  return std::make_unique<PgListener>(location);
}

}  // namespace tsunagi::geo
