// What every handler works with: the configuration, the store (one writer connection behind one
// mutex), a read connection for small lookups (accounts, history), and the one published state —
// the snapshot, with per audience the projected resources, their index, search keys and rendered
// features — republished after each committed write: the server's own at once; another
// program's (`tsunagi import` while serving, another server on the same PostgreSQL store) as soon
// as the store tells (PostgreSQL NOTIFY, geo::ChangeListener), and within `store_poll_ms` in any
// case. Read handlers use snapshots().current() and never lock.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>

#include "geo/analysis/job_queue.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/store/change_listener.hpp"
#include "geo/store/store.hpp"
#include "server/config.hpp"
#include "tiles/basemap.hpp"
#include "tiles/tile_service.hpp"

namespace tsunagi::server {

class ServerContext {
 public:
  /// Opens the (existing) store, a second read connection, and builds the first
  /// snapshot. @throws geo::StoreError.
  explicit ServerContext(Config config);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  [[nodiscard]] const Config& config() const { return config_; }

  /// The one published state every read is served from (JSON, OGC API, exports, tiles).
  [[nodiscard]] const geo::SnapshotHolder& snapshots() const { return snapshots_; }

  /// Vector tiles of the published state, with their cache.
  [[nodiscard]] tiles::TileService& tiles() { return *tiles_; }

  /// The offline basemap (config `basemap`), or null when none is served.
  [[nodiscard]] const tiles::BasemapTiles* basemap() const { return basemap_.get(); }

  /// Gap analyses running as background jobs.
  [[nodiscard]] geo::JobQueue& jobs() { return *jobs_; }

  /// Whether a write acknowledged now would last (geo::Store::health: for SQLite, the write-ahead
  /// log is still beside the store), looked at no more than once per `max_age` (0 = now): writes
  /// check it every time, /health (polled hard by monitors) once a second.
  [[nodiscard]] bool store_healthy(std::chrono::seconds max_age = {}) const;
  /// What is wrong with the store, for the operator's log (empty when it is healthy).
  [[nodiscard]] std::string store_problem() const;
  /// The replication the store's server sees (PostgreSQL; looked at every few seconds), for
  /// /health; nullopt for SQLite or while it cannot be asked.
  [[nodiscard]] std::optional<geo::ReplicationState> replication() const;

  /// Moves whenever another server (or program) changed accounts — ended a session, disabled a
  /// user, revoked a token: cached logins older than the move are looked up again (server/auth).
  [[nodiscard]] std::uint64_t accounts_epoch() const { return accounts_epoch_.load(); }

  /// Runs f(store) holding the write mutex. When f changed the store (its generation moved), the
  /// snapshot is brought up to date (only the changed layers and rows) and published before
  /// write() returns, so the caller's next
  /// read sees its own write. Call only from worker threads.
  template <typename F>
  auto write(F&& f) -> std::invoke_result_t<F, geo::Store&> {
    std::lock_guard lock(write_mu_);
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, geo::Store&>>) {
        std::forward<F>(f)(store_);
        republish_if_changed();
      } else {
        auto result = std::forward<F>(f)(store_);
        republish_if_changed();
        return result;
      }
    } catch (...) {
      // A failed write rolled back; republish anyway in case part of it committed.
      try {
        republish_if_changed();
      } catch (...) {
      }
      throw;
    }
  }

  /// Runs f(reader) on the read connection (its own mutex; never waits for a write in WAL mode).
  template <typename F>
  auto read(F&& f) -> std::invoke_result_t<F, const geo::Store&> {
    std::lock_guard lock(read_mu_);
    return std::forward<F>(f)(static_cast<const geo::Store&>(reader_));
  }
  /// The read connection for geo::Accounts lookups (needs a non-const Store).
  template <typename F>
  auto read_accounts(F&& f) -> std::invoke_result_t<F, geo::Store&> {
    std::lock_guard lock(read_mu_);
    return std::forward<F>(f)(reader_);
  }

 private:
  void republish_if_changed();
  Config config_;
  geo::Store store_;
  geo::Store reader_;
  std::mutex write_mu_;
  std::mutex read_mu_;
  geo::SnapshotHolder snapshots_;
  std::unique_ptr<tiles::TileService> tiles_;
  std::unique_ptr<const tiles::BasemapTiles> basemap_;
  /// The job queue's way to the store and the snapshot (context.cpp).
  class JobHost;
  std::unique_ptr<JobHost> job_host_;
  std::unique_ptr<geo::JobQueue> jobs_;  ///< after the store and snapshots: stopped before them
  mutable std::atomic<std::int64_t> health_checked_s_{-1};
  mutable std::atomic<bool> healthy_{true};
  std::atomic<std::uint64_t> accounts_epoch_{0};
  mutable std::mutex replication_mu_;
  std::optional<geo::ReplicationState> replication_;
  std::unique_ptr<geo::ChangeListener> listener_;
  /// Republishes when another program committed to the store: when the listener hears of it, and
  /// after store_poll_ms in any case (it looks at the generation); passes on account and job
  /// changes.
  void watch(const std::stop_token& stop);
  std::jthread watcher_;  ///< last: stopped and joined before the rest goes away
};

}  // namespace tsunagi::server
