// What a store backend implements: the store's parts as abstract interfaces — sources and import
// runs, resources, areas and statistics (with the walking network and the address table), analysis
// jobs, failed logins counted per key — and the backend that holds them together with accounts,
// cases (referrals and their audit log) and listing confirmations (geo/store/accounts.hpp,
// referrals.hpp, audit_log.hpp, confirmation.hpp). Callers never see a backend: they open a
// geo::Store (store.hpp) by its location and call it; a second backend (PostgreSQL) implements
// StoreBackend and is chosen by the location's scheme in geo/store/store.cpp, without a caller
// changing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/core/address.hpp"
#include "geo/core/area.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/core/resource.hpp"
#include "geo/core/statistic.hpp"
#include "geo/spatial/network.hpp"
#include "geo/store/copy.hpp"

namespace tsunagi::geo {

class Accounts;
class Referrals;
class AuditLog;
class Confirmations;

/// Where a batch of rows came from (a file, a municipality's download, the demo generator).
struct SourceInfo {
  std::int64_t id = 0;
  std::string key;  ///< unique: re-importing the same key updates that source's rows
  std::string title;
  std::string publisher;
  std::string url;
  std::string license;  ///< cc_by_4_0, pdl_1_0, estat_terms, internal, fictional…
  std::string attribution;
  std::string vintage;
  std::string imported_at;
};

/// An analysis run as a background job (geo/analysis/job_queue), kept with its answer.
struct AnalysisJob {
  std::string id;  ///< random
  std::string analysis;
  std::string request_json;
  std::string audience;  ///< whose view it was computed from: who may read the answer
  std::string owner;     ///< user name
  std::string status;    ///< queued, running, done, failed, cancelled
  std::string created_at;
  std::string finished_at;
  std::string result_json;
  std::string error;
  std::string municipality;  ///< the town whose figures it answers (lg_code); "" = every town
  // Shared by the servers of one store (Store::claim_job): who runs it and how far it got.
  std::string started_at;         ///< when its runner claimed it ("" = never started)
  std::string claimed_by;         ///< the instance id of the server running it
  std::string heartbeat_at;       ///< its runner's last sign of life; an old one means it died
  double progress = 0;            ///< 0 to 1
  std::string stage;              ///< what it is doing now, for the waiting reader
  bool cancel_requested = false;  ///< a reader asked it to stop; its runner stops at its next beat
};

/// What a running job's beat learned (Store::beat_job).
struct JobBeat {
  bool held = false;              ///< the worker still holds the job (else nothing was written)
  bool cancel_requested = false;  ///< a reader asked it to stop
};

/// The failed logins counted under one key (Store::throttle).
struct ThrottleCount {
  std::int64_t failures = 0;
  std::string last_failure;  ///< ISO 8601 UTC with milliseconds
  std::string locked_until;  ///< "" = not locked
};

/// One import run and its report (the JSON report is what the CLI printed).
struct ImportRun {
  std::int64_t id = 0;
  std::int64_t source_id = 0;
  std::string started_at;
  std::string finished_at;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t rejected = 0;
  std::string report_json;
};

/// One entry of a resource's change history.
struct HistoryEntry {
  std::int64_t id = 0;
  std::string resource_id;
  std::int64_t version = 0;
  std::string at;            ///< ISO 8601 UTC
  std::string actor;         ///< user name, "import:<source key>", "demo"
  std::string action;        ///< created, updated, closed, imported
  std::string changes_json;  ///< {"field": {"from": …, "to": …}, …}
};

enum class UpsertOutcome : std::uint8_t { inserted, updated, unchanged };

/// Where the resources stood at one moment: what a snapshot read, so that the next one reads only
/// what changed after it. Opaque: the backend writes it and alone reads it (SQLite: the last rowid
/// and history id); callers keep it and hand it back. Empty: before anything.
class ChangeToken {
 public:
  ChangeToken() = default;
  explicit ChangeToken(std::string value) : value_(std::move(value)) {}
  [[nodiscard]] const std::string& value() const { return value_; }
  bool operator==(const ChangeToken&) const = default;

 private:
  std::string value_;
};

/// Whether writes acknowledged now would last (see Store::health()).
struct StoreHealth {
  bool ok = true;
  std::string problem;  ///< what is wrong, for the operator (empty when ok)
};

/// What a write transaction writes. Content (resources, areas, sources) moves the generation,
/// which rebuilds snapshots and invalidates tiles; accounts (users, sessions, tokens, cases) do
/// not.
enum class WriteKind : std::uint8_t { content, accounts };

/// Sources (where rows came from) and the runs that imported them.
class SourceStore {
 public:
  virtual ~SourceStore() = default;
  virtual std::int64_t upsert_source(const SourceInfo& info) = 0;
  [[nodiscard]] virtual std::optional<SourceInfo> source_by_key(std::string_view key) const = 0;
  [[nodiscard]] virtual std::optional<SourceInfo> source_by_id(std::int64_t id) const = 0;
  [[nodiscard]] virtual std::vector<SourceInfo> sources() const = 0;
  virtual std::int64_t record_import(const ImportRun& run) = 0;
  [[nodiscard]] virtual std::vector<ImportRun> import_runs() const = 0;
};

/// Resources with their versions and history (Store documents each call).
class ResourceStore {
 public:
  virtual ~ResourceStore() = default;
  virtual UpsertOutcome upsert_imported(Resource& r, std::string_view actor) = 0;
  virtual void create(Resource& r, std::string_view actor) = 0;
  virtual void update(Resource& r, std::int64_t expected_version, std::string_view actor) = 0;
  virtual Resource close(std::string_view id, std::int64_t expected_version,
                         std::string_view actor) = 0;
  [[nodiscard]] virtual std::optional<Resource> resource(std::string_view id) const = 0;
  virtual void for_each_resource(const std::function<void(Resource&&)>& f) const = 0;
  [[nodiscard]] virtual std::int64_t resource_count() const = 0;
  [[nodiscard]] virtual ChangeToken change_token() const = 0;
  virtual void for_each_resource_changed_since(const ChangeToken& since,
                                               const std::function<void(Resource&&)>& f) const = 0;
  [[nodiscard]] virtual std::optional<std::int64_t> resources_changed_since(
      const ChangeToken& since) const = 0;
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> source_keys(
      std::int64_t source_id) const = 0;
  [[nodiscard]] virtual std::vector<HistoryEntry> history(std::string_view resource_id) const = 0;
};

/// Areas, their populations and statistics, the walking network and the address table.
class AreaStore {
 public:
  virtual ~AreaStore() = default;
  [[nodiscard]] virtual std::int64_t areas_generation() const = 0;
  [[nodiscard]] virtual std::int64_t network_generation() const = 0;
  [[nodiscard]] virtual std::optional<NetworkData> network() const = 0;
  virtual void put_network(const NetworkData& n) = 0;
  virtual void put_area(const Area& a) = 0;
  virtual void put_population(const AreaPopulation& p) = 0;
  [[nodiscard]] virtual std::optional<Area> area(std::string_view id) const = 0;
  [[nodiscard]] virtual std::vector<Area> areas(std::optional<AreaKind> kind) const = 0;
  [[nodiscard]] virtual std::vector<AreaPopulation> populations() const = 0;
  virtual void put_stats(const std::vector<StatDef>& defs,
                         const std::vector<StatValue>& values) = 0;
  [[nodiscard]] virtual std::vector<StatDef> stat_defs() const = 0;
  [[nodiscard]] virtual std::vector<StatValue> stats() const = 0;
  virtual std::size_t put_addresses(const std::vector<AddressPoint>& points,
                                    std::int64_t source_id) = 0;
  [[nodiscard]] virtual std::vector<AddressPoint> addresses() const = 0;
};

/// Analysis jobs and their answers.
class JobStore {
 public:
  virtual ~JobStore() = default;
  virtual void put_job(const AnalysisJob& j) = 0;
  [[nodiscard]] virtual std::vector<AnalysisJob> jobs() const = 0;
  [[nodiscard]] virtual std::optional<AnalysisJob> job(std::string_view id) const = 0;
  [[nodiscard]] virtual std::vector<AnalysisJob> jobs(const std::vector<std::string>& audiences,
                                                      const MunicipalScope& towns,
                                                      std::int64_t limit,
                                                      std::int64_t offset) const = 0;
  [[nodiscard]] virtual std::int64_t count_jobs(const std::vector<std::string>& audiences,
                                                const MunicipalScope& towns) const = 0;
  virtual std::int64_t fail_unfinished_jobs(std::string_view error,
                                            std::string_view finished_at) = 0;
  virtual std::int64_t trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                                 std::int64_t keep_total) = 0;
  virtual std::int64_t purge_jobs(std::string_view before) = 0;
  // Jobs shared by several servers: each call is its own short transaction with row locks only.
  virtual std::optional<AnalysisJob> claim_job(std::string_view worker, std::string_view now_iso,
                                               std::string_view stale_before) = 0;
  virtual JobBeat beat_job(std::string_view id, std::string_view worker, double progress,
                           std::string_view stage, std::string_view now_iso) = 0;
  virtual bool finish_job(const AnalysisJob& j, std::string_view worker) = 0;
  virtual bool release_job(std::string_view id, std::string_view worker) = 0;
  virtual std::optional<std::string> cancel_job(std::string_view id, std::string_view now_iso) = 0;
  [[nodiscard]] virtual std::int64_t count_active_jobs(std::string_view owner,
                                                       bool queued_only) const = 0;
};

/// Failed logins counted per key, shared by the servers of one store (Store documents each call).
class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  [[nodiscard]] virtual std::optional<ThrottleCount> throttle(std::string_view key) const = 0;
  virtual ThrottleCount count_throttle_failure(std::string_view key, std::string_view now_iso,
                                               std::string_view forget_before) = 0;
  virtual void lock_throttle(std::string_view key, std::string_view locked_until) = 0;
  virtual void clear_throttle(std::string_view key) = 0;
  virtual std::int64_t purge_throttle(std::string_view before) = 0;
};

/// One open store of one backend: its parts, its transactions and its state. Not thread-safe
/// (one connection); geo::Store owns one and forwards to it.
class StoreBackend : public SourceStore,
                     public ResourceStore,
                     public AreaStore,
                     public JobStore,
                     public ThrottleStore {
 public:
  StoreBackend() = default;
  StoreBackend(const StoreBackend&) = delete;
  StoreBackend& operator=(const StoreBackend&) = delete;
  ~StoreBackend() override = default;

  [[nodiscard]] virtual const std::filesystem::path& path() const = 0;
  [[nodiscard]] virtual int schema_version() const = 0;
  [[nodiscard]] virtual std::int64_t generation() const = 0;
  [[nodiscard]] virtual StoreHealth health() const = 0;
  virtual void read_consistent(const std::function<void()>& f) const = 0;
  /// A write transaction: begin, then commit or roll back (Store::Transaction pairs them).
  virtual void begin_write() = 0;
  virtual void commit_write(WriteKind writes) = 0;
  virtual void rollback_write() noexcept = 0;
  /// A statement in the backend's own language (SQL for SQLite): migrations and the backend's
  /// own tests, never a caller's way to the data.
  virtual void exec(std::string_view statement) = 0;

  // Copying a store whole (geo/store/copy.hpp, `tsunagi migrate`).
  /// Calls `f` for every row of `table` in the copy form, in the backend's own order.
  virtual void dump_rows(const CopyTable& table, const std::function<void(CopyRow&&)>& f) const = 0;
  /// Inserts `rows` into `table` as they are (ids, versions, times, chain hashes), inside the
  /// open write transaction.
  virtual void load_rows(const CopyTable& table, const std::vector<CopyRow>& rows) = 0;
  /// After loading every table: ids made later continue after the copied ones.
  virtual void finish_load(const std::vector<CopyTable>& tables) = 0;

  // The parts with rules of their own (accounts, cases, confirmations), each an interface.
  virtual Accounts& accounts() = 0;
  virtual Referrals& referrals() = 0;
  virtual AuditLog& audit_log() = 0;
  virtual Confirmations& confirmations() = 0;
};

}  // namespace tsunagi::geo
