// Learning of what other connections committed to the store, so that a server keeps its published
// snapshot, its login cache and its share of the analysis jobs up to date when another server (or
// `tsunagi import`) writes (opened by geo/store/store.cpp). PostgreSQL tells: each commit of
// content, of accounts and of queued jobs sends a NOTIFY, which a listener connection receives at
// once. SQLite cannot tell another process: its listener only waits, and the caller looks (the
// store's generation) every round. The caller looks every `store_poll_ms` in any case, the safety
// net for a lost notification.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

namespace tsunagi::geo {

/// What was committed since the last wait.
struct StoreChanges {
  bool content = false;   ///< resources, areas, sources, statistics: look at the generation
  bool accounts = false;  ///< a session ended, a user changed, a token was revoked
  bool jobs = false;      ///< an analysis job was queued or asked to stop
  /// The listener lost its connection and may have missed notifications: look at everything.
  bool unknown = false;
};

/// What a PostgreSQL server says of its replication (for /health).
struct ReplicationState {
  bool standby = false;          ///< the connection reaches a standby (read-only, replaying)
  double replay_lag_s = 0;       ///< standby: how far behind its last replayed commit is
  int standbys = 0;              ///< primary: the standbys streaming from it
  double max_standby_lag_s = 0;  ///< primary: the largest replay lag among them
};

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  /// Waits at most `timeout` for commits of other connections and returns what they changed
  /// (all false after a quiet timeout). Never throws: a lost connection is retried at the next
  /// wait and reported as `unknown`.
  virtual StoreChanges wait(std::chrono::milliseconds timeout) = 0;
  /// The replication the store's server sees; nullopt for a store without any (SQLite) or when it
  /// cannot be asked now.
  [[nodiscard]] virtual std::optional<ReplicationState> replication() = 0;

  /// The listener for the store at `location` (a path or a store URI, as geo::Store::open).
  /// @throws StoreError when a PostgreSQL store cannot be reached.
  static std::unique_ptr<ChangeListener> open(const std::filesystem::path& location);
};

}  // namespace tsunagi::geo
