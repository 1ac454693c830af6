// The store: resources, areas, sources, import runs and the change history, accounts and cases,
// behind one interface whatever keeps them. A Store is opened by its location — `sqlite:FILE` or a
// bare FILE, a SpatiaLite file with forward-only migrations and a WAL journal; `postgresql://…`,
// the schema `tsunagi` of a PostgreSQL/PostGIS database — and forwards every call to its backend
// (geo/store/backend.hpp; SQLite in geo/store/sqlite/, PostgreSQL in geo/store/postgres/, the only
// places with SQL). Every write is one transaction. A Store owns one connection and is not
// thread-safe: the server serialises writers, and readers use geo::Snapshot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/ids.hpp"  // the store stamps ids and times
#include "geo/store/backend.hpp"

namespace tsunagi::geo {

class Store {
 public:
  static constexpr int kSchemaVersion = 16;
  /// PRAGMA application_id of a tsunagi store: "tsun" in ASCII.
  static constexpr std::int32_t kApplicationId = 0x7473756E;

  enum class Mode : std::uint8_t { open_existing, create_if_missing, read_only };

  /// Opens (and migrates) the store at `location`: a URI naming its backend (`sqlite:FILE`,
  /// `postgresql://…` or `postgres://…` as libpq reads it), or a bare FILE (SQLite).
  /// @throws StoreError when the file is not a tsunagi store, was made by a newer tsunagi, is
  ///         missing in open_existing mode, or cannot be opened, or when the URI names a backend
  ///         this build does not have.
  static Store open(const std::filesystem::path& location, Mode mode = Mode::open_existing);

  /// Whether a store (or at least its file) is at `location`.
  [[nodiscard]] static bool exists(const std::filesystem::path& location);

  /// Removes the store at `location` and everything its backend keeps beside it (SQLite: the
  /// file's -wal, -shm and -journal): what an import that created the store and then failed
  /// leaves behind. Quiet when there is nothing to remove.
  static void discard(const std::filesystem::path& location) noexcept;

  /// Whether a write acknowledged now would last: for SQLite, the write-ahead log the open
  /// connection writes to is still beside the store (deleted or moved, committed writes would
  /// live only in an unlinked file and be lost on a crash). Looks at files only: safe to call
  /// from any thread while another uses the store.
  using Health = StoreHealth;
  [[nodiscard]] Health health() const;
  /// Whether the store at `location` can be written: not on a read-only file system, not
  /// read-only itself, and (SQLite) in a folder where its write-ahead log can be made. ok when
  /// nothing is there yet (opening it says what is wrong then).
  [[nodiscard]] static Health writable(const std::filesystem::path& location);
  /// The backend a location names: "postgresql" or "sqlite".
  [[nodiscard]] static std::string_view backend_of(const std::filesystem::path& location);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  [[nodiscard]] const std::filesystem::path& path() const;
  [[nodiscard]] int schema_version() const;
  /// Incremented by every committed write; snapshots and tile caches are keyed by it.
  [[nodiscard]] std::int64_t generation() const;
  /// The generation at which areas or populations last changed (0: never). A snapshot rebuilds
  /// its area layer only when this moved.
  [[nodiscard]] std::int64_t areas_generation() const;
  /// The generation at which the walking network was last imported (0: there is none).
  [[nodiscard]] std::int64_t network_generation() const;
  /// The walking network, or nullopt when none was imported. @throws StoreError when damaged.
  [[nodiscard]] std::optional<NetworkData> network() const;
  /// Replaces the walking network (one per store) in one transaction.
  void put_network(const NetworkData& n);

  /// Runs `f` inside one read transaction (when none is open), so that everything it reads comes
  /// from the same committed state.
  void read_consistent(const std::function<void()>& f) const;

  /// RAII transaction: rolls back unless commit() was called. Writes outside a transaction each
  /// open their own.
  class Transaction {
   public:
    /// What a transaction writes. Content (resources, areas, sources) moves the generation, which
    /// rebuilds snapshots and invalidates tiles; accounts (users, sessions, tokens) do not.
    using Writes = WriteKind;
    explicit Transaction(Store& store, Writes writes = Writes::content);
    /// The same on a backend itself (for a backend's parts, which hold no Store).
    explicit Transaction(StoreBackend& backend, Writes writes = Writes::content);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    void commit();

   private:
    StoreBackend* backend_;
    Writes writes_;
    bool done_ = false;
  };

  // ---- sources and import runs ----
  /// Inserts or updates the source with `info.key`; returns its id.
  std::int64_t upsert_source(const SourceInfo& info);
  [[nodiscard]] std::optional<SourceInfo> source_by_key(std::string_view key) const;
  [[nodiscard]] std::optional<SourceInfo> source_by_id(std::int64_t id) const;
  [[nodiscard]] std::vector<SourceInfo> sources() const;
  std::int64_t record_import(const ImportRun& run);
  [[nodiscard]] std::vector<ImportRun> import_runs() const;

  // ---- resources ----
  /// Insert or update by (source_id, source_key). Keeps the id of an existing row, bumps its
  /// version only when something changed, and writes history. `r.id`, `version`, timestamps are
  /// filled in. @throws InvalidArgument if validate(r) fails.
  UpsertOutcome upsert_imported(Resource& r, std::string_view actor);
  /// Creates a new resource (from the API); assigns id, version 1. @throws InvalidArgument.
  void create(Resource& r, std::string_view actor);
  /// Replaces a resource if its stored version equals `expected_version`; bumps the version.
  /// @throws NotFound, Conflict (someone else changed it), InvalidArgument.
  void update(Resource& r, std::int64_t expected_version, std::string_view actor);
  /// Marks a resource closed (never a hard delete). @throws NotFound, Conflict.
  Resource close(std::string_view id, std::int64_t expected_version, std::string_view actor);
  [[nodiscard]] std::optional<Resource> resource(std::string_view id) const;
  /// Calls `f` for every resource (all publish levels and statuses), in id order.
  void for_each_resource(const std::function<void(Resource&&)>& f) const;
  [[nodiscard]] std::int64_t resource_count() const;
  /// Where the resources stood at one moment (geo/store/backend.hpp): what a snapshot read, so
  /// that the next one reads only what changed after it.
  using ChangeToken = geo::ChangeToken;
  [[nodiscard]] ChangeToken change_token() const;
  /// Calls `f` for every resource created or changed after `since` (in id order).
  /// @throws InvalidArgument when `since` is not a token of this store's past.
  void for_each_resource_changed_since(const ChangeToken& since,
                                       const std::function<void(Resource&&)>& f) const;
  /// How many resources changed after `since` (at most; an edit and its row may count twice), or
  /// nullopt when `since` is not a token of this store's past (another file, or one replaced
  /// since): then read everything.
  [[nodiscard]] std::optional<std::int64_t> resources_changed_since(const ChangeToken& since) const;
  /// (source_key, resource id) of every resource imported from a source, sorted by key.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> source_keys(
      std::int64_t source_id) const;
  [[nodiscard]] std::vector<HistoryEntry> history(std::string_view resource_id) const;

  // ---- areas and population ----
  /// Inserts or replaces an area by id. @throws InvalidArgument on an empty id or bad WKB.
  void put_area(const Area& a);
  void put_population(const AreaPopulation& p);
  [[nodiscard]] std::optional<Area> area(std::string_view id) const;
  [[nodiscard]] std::vector<Area> areas(std::optional<AreaKind> kind = std::nullopt) const;
  [[nodiscard]] std::vector<AreaPopulation> populations() const;

  // ---- analysis jobs ----
  /// Inserts a job or updates what changes while it lives (status, times, answer, error, runner,
  /// progress, stage, cancel_requested). Not a content change.
  void put_job(const AnalysisJob& j);
  /// Every stored job, oldest first, with its answer (tests and tools; the server pages).
  [[nodiscard]] std::vector<AnalysisJob> jobs() const;
  /// One job with its answer.
  [[nodiscard]] std::optional<AnalysisJob> job(std::string_view id) const;
  /// A page of the jobs computed for one of `audiences` (ids, at most three) about a town of
  /// `towns` (a scoped reader never sees a job of every town: it holds the other towns' figures),
  /// newest submitted first, without their answers (result_json empty).
  [[nodiscard]] std::vector<AnalysisJob> jobs(const std::vector<std::string>& audiences,
                                              const MunicipalScope& towns, std::int64_t limit,
                                              std::int64_t offset) const;
  [[nodiscard]] std::int64_t count_jobs(const std::vector<std::string>& audiences,
                                        const MunicipalScope& towns) const;
  /// Marks every queued or running job failed with `error` (a server that stopped before they
  /// ended); returns how many.
  std::int64_t fail_unfinished_jobs(std::string_view error, std::string_view finished_at);
  /// Deletes the oldest ended jobs of `owner` beyond its newest `keep_per_owner`, then the oldest
  /// ended jobs of anyone beyond the newest `keep_total`; returns how many. Queued and running
  /// jobs are never deleted.
  std::int64_t trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                         std::int64_t keep_total);
  /// Deletes the jobs that ended before `before` (ISO 8601 UTC); returns how many.
  std::int64_t purge_jobs(std::string_view before);

  // Jobs shared by the servers of one store: a server claims the next job, beats while it runs
  // and stores its end; another takes it over when its beats stop. Each call is its own short
  // transaction (row locks only on PostgreSQL: never waits for an import's write lock), and none
  // is a content change. Times are ISO 8601 UTC, compared as text.
  /// The next job for `worker` (a server's instance id) to run, claimed for it: the oldest queued
  /// job of the owner whose last job started longest ago (owners never served first; first come
  /// among equals), else a job left running by a worker whose heartbeat_at is before
  /// `stale_before` (its server died). Marks it running: claimed_by = worker, started_at =
  /// heartbeat_at = now_iso, progress 0, stage "" (a job taken over keeps cancel_requested, so its
  /// new runner stops it). nullopt when none. Atomic across servers.
  /// @throws InvalidArgument on an empty worker or now_iso.
  std::optional<AnalysisJob> claim_job(std::string_view worker, std::string_view now_iso,
                                       std::string_view stale_before);
  /// Records the progress (0 to 1) of a running job `worker` holds (heartbeat_at = now_iso);
  /// held = false (nothing written) when it no longer holds it (another worker took it over, or
  /// it ended). @throws InvalidArgument on an empty worker or now_iso, or progress outside 0..1
  /// beyond a rounding error (which is brought back inside).
  JobBeat beat_job(std::string_view id, std::string_view worker, double progress,
                   std::string_view stage, std::string_view now_iso);
  /// Stores the end of a running job `worker` holds: status (done, failed or cancelled),
  /// finished_at, result_json, error, progress, stage. false when it no longer holds it (nothing
  /// written). @throws InvalidArgument on another status, an empty finished_at or worker, or
  /// progress outside 0..1 (as beat_job).
  bool finish_job(const AnalysisJob& j, std::string_view worker);
  /// Puts a running job `worker` holds back in the queue (its server stops: another runner, or
  /// this one after a restart, runs it from the start): queued, unclaimed, no heartbeat, progress
  /// 0; a cancel asked meanwhile stays asked. false when it no longer holds it (nothing written).
  bool release_job(std::string_view id, std::string_view worker);
  /// Asks a job to stop: a queued one ends "cancelled" now (finished_at = now_iso); a running one
  /// gets cancel_requested (its server stops it at its next beat). Returns the status afterwards
  /// ("cancelled", "running", or the ended status unchanged), nullopt when there is no such job.
  /// @throws InvalidArgument on an empty now_iso.
  std::optional<std::string> cancel_job(std::string_view id, std::string_view now_iso);
  /// Jobs queued or running (queued only when `queued_only`) of `owner`, or of everyone when
  /// owner is empty.
  [[nodiscard]] std::int64_t count_active_jobs(std::string_view owner, bool queued_only) const;

  // ---- failed logins, counted per key across servers ----
  // A key is a hash the caller makes of what it counts (a name, an address): nothing is stored
  // in clear. @throws InvalidArgument on an empty key or one longer than 128 characters. None is
  // a content change; on PostgreSQL each is one row upsert or delete, without the write lock.
  /// The failures counted under `key` (nullopt: none).
  [[nodiscard]] std::optional<ThrottleCount> throttle(std::string_view key) const;
  /// Counts one failure under `key` at now_iso (ISO 8601 UTC with milliseconds, compared as text);
  /// a count whose last failure is before `forget_before` starts again at 1 (its lock stays).
  /// Returns the count. One atomic upsert: two servers counting at once count two.
  ThrottleCount count_throttle_failure(std::string_view key, std::string_view now_iso,
                                       std::string_view forget_before);
  /// Sets locked_until for `key` (a count must exist; else a new one with failures 0).
  /// @throws InvalidArgument on an empty locked_until (clear_throttle ends a lock).
  void lock_throttle(std::string_view key, std::string_view locked_until);
  /// Forgets the count under `key` (a successful login).
  void clear_throttle(std::string_view key);
  /// Deletes counts whose last failure is before `before` and whose lock (if any) ended before
  /// it too; returns how many.
  std::int64_t purge_throttle(std::string_view before);

  // ---- statistics of areas ----
  /// Defines (or redefines) statistics and writes values, in one transaction; a value replaces
  /// the one of the same area, statistic and reference date. @throws InvalidArgument on an
  /// unknown area or statistic, a missing date or a value that is not a number (nothing written).
  void put_stats(const std::vector<StatDef>& defs, const std::vector<StatValue>& values);
  [[nodiscard]] std::vector<StatDef> stat_defs() const;
  [[nodiscard]] std::vector<StatValue> stats() const;

  // ---- the address table (町丁目/大字 representative points for the geocoder) ----
  /// Replaces the address points of every (pref, city) present in `points` with `points`, in one
  /// transaction; returns how many were written. @throws InvalidArgument on an empty city or town.
  std::size_t put_addresses(const std::vector<AddressPoint>& points, std::int64_t source_id);
  /// Every address point, ordered by pref, city, town, koaza.
  [[nodiscard]] std::vector<AddressPoint> addresses() const;

  // ---- the parts with rules of their own ----
  /// Users, sessions and API tokens (geo/store/accounts.hpp).
  [[nodiscard]] Accounts& accounts();
  /// 参加支援 cases and their audited reads (geo/store/referrals.hpp).
  [[nodiscard]] Referrals& referrals();
  /// The audit log's hash chain (geo/store/audit_log.hpp).
  [[nodiscard]] AuditLog& audit_log() const;
  /// Listing confirmations, reports and the review queue (geo/store/confirmation.hpp).
  [[nodiscard]] Confirmations& confirmations();

  // ---- low level ----
  /// Runs a statement in the backend's own language that returns nothing: the backend's own
  /// tests (SQL on SQLite), never a caller's way to the data.
  void exec(std::string_view statement);
  /// The backend this store forwards to.
  [[nodiscard]] StoreBackend& backend() const { return *backend_; }

 private:
  explicit Store(std::unique_ptr<StoreBackend> backend);
  std::unique_ptr<StoreBackend> backend_;
};

}  // namespace tsunagi::geo
