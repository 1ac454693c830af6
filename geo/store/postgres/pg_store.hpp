// The PostgreSQL backend's class, as its parts (accounts, referrals, the audit log, confirmations)
// see it: the connection, the write transaction and the store's own calls. Internal to
// geo/store/postgres.
//
// The tables live in the schema `tsunagi` of the database the location names (PostGIS in
// `public`); `store_state` holds the schema version, the generations and the store's identity.
// Writes are serialised across every server on the database: a write transaction takes a
// transaction-scoped advisory lock first (as SQLite's BEGIN IMMEDIATE does for one file), so
// change sequence numbers are handed out in commit order. The rows several servers write at once
// and that are never content (analysis jobs being run, failed logins counted) take row locks only
// (PgRowScope), so that a long import does not hold them up.
#pragma once

#include <memory>
#include <string>

#include "geo/store/accounts.hpp"
#include "geo/store/audit_chain.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/backend.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/postgres/connection.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

/// geo::StoreBackend on one PostgreSQL connection. Not thread-safe (one connection), like every
/// backend.
class PgStore final : public StoreBackend {
 public:
  PgStore(std::unique_ptr<pg::Connection> conn, const std::string& location, Store::Mode mode);
  ~PgStore() override;

  std::int64_t upsert_source(const SourceInfo& info) override;
  std::optional<SourceInfo> source_by_key(std::string_view key) const override;
  std::optional<SourceInfo> source_by_id(std::int64_t id) const override;
  std::vector<SourceInfo> sources() const override;
  std::int64_t record_import(const ImportRun& run) override;
  std::vector<ImportRun> import_runs() const override;
  UpsertOutcome upsert_imported(Resource& r, std::string_view actor) override;
  void create(Resource& r, std::string_view actor) override;
  void update(Resource& r, std::int64_t expected_version, std::string_view actor) override;
  Resource close(std::string_view id, std::int64_t expected_version,
                 std::string_view actor) override;
  std::optional<Resource> resource(std::string_view id) const override;
  void for_each_resource(const std::function<void(Resource&&)>& f) const override;
  std::int64_t resource_count() const override;
  ChangeToken change_token() const override;
  void for_each_resource_changed_since(const ChangeToken& since,
                                       const std::function<void(Resource&&)>& f) const override;
  std::optional<std::int64_t> resources_changed_since(const ChangeToken& since) const override;
  std::vector<std::pair<std::string, std::string>> source_keys(
      std::int64_t source_id) const override;
  std::vector<HistoryEntry> history(std::string_view resource_id) const override;
  std::int64_t areas_generation() const override;
  std::int64_t network_generation() const override;
  std::optional<NetworkData> network() const override;
  void put_network(const NetworkData& n) override;
  void put_area(const Area& a) override;
  void put_population(const AreaPopulation& p) override;
  std::optional<Area> area(std::string_view id) const override;
  std::vector<Area> areas(std::optional<AreaKind> kind) const override;
  std::vector<AreaPopulation> populations() const override;
  void put_stats(const std::vector<StatDef>& defs, const std::vector<StatValue>& values) override;
  std::vector<StatDef> stat_defs() const override;
  std::vector<StatValue> stats() const override;
  std::size_t put_addresses(const std::vector<AddressPoint>& points,
                            std::int64_t source_id) override;
  std::vector<AddressPoint> addresses() const override;
  void put_job(const AnalysisJob& j) override;
  std::vector<AnalysisJob> jobs() const override;
  std::optional<AnalysisJob> job(std::string_view id) const override;
  std::vector<AnalysisJob> jobs(const std::vector<std::string>& audiences,
                                const MunicipalScope& towns, std::int64_t limit,
                                std::int64_t offset) const override;
  std::int64_t count_jobs(const std::vector<std::string>& audiences,
                          const MunicipalScope& towns) const override;
  std::int64_t fail_unfinished_jobs(std::string_view error, std::string_view finished_at) override;
  std::int64_t trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                         std::int64_t keep_total) override;
  std::int64_t purge_jobs(std::string_view before) override;
  std::optional<AnalysisJob> claim_job(std::string_view worker, std::string_view now_iso,
                                       std::string_view stale_before) override;
  JobBeat beat_job(std::string_view id, std::string_view worker, double progress,
                   std::string_view stage, std::string_view now_iso) override;
  bool finish_job(const AnalysisJob& j, std::string_view worker) override;
  bool release_job(std::string_view id, std::string_view worker) override;
  std::optional<std::string> cancel_job(std::string_view id, std::string_view now_iso) override;
  std::int64_t count_active_jobs(std::string_view owner, bool queued_only) const override;
  std::optional<ThrottleCount> throttle(std::string_view key) const override;
  ThrottleCount count_throttle_failure(std::string_view key, std::string_view now_iso,
                                       std::string_view forget_before) override;
  void lock_throttle(std::string_view key, std::string_view locked_until) override;
  void clear_throttle(std::string_view key) override;
  std::int64_t purge_throttle(std::string_view before) override;
  const std::filesystem::path& path() const override;
  int schema_version() const override;
  std::int64_t generation() const override;
  StoreHealth health() const override;
  void read_consistent(const std::function<void()>& f) const override;
  void begin_write() override;
  void commit_write(WriteKind writes) override;
  void rollback_write() noexcept override;
  void exec(std::string_view statement) override;
  void dump_rows(const CopyTable& table, const std::function<void(CopyRow&&)>& f) const override;
  void load_rows(const CopyTable& table, const std::vector<CopyRow>& rows) override;
  void finish_load(const std::vector<CopyTable>& tables) override;
  Accounts& accounts() override;
  Referrals& referrals() override;
  AuditLog& audit_log() override;
  Confirmations& confirmations() override;

  /// The connection, for the parts of this backend (never handed outside geo/store/postgres/).
  [[nodiscard]] pg::Connection& conn() const { return *conn_; }
  /// Marks the store changed (bumps the generation) inside the current write transaction.
  void touch();
  /// @throws StoreError when the store was opened read-only.
  void require_writable() const;

 private:
  friend class PgWriteScope;
  std::unique_ptr<pg::Connection> conn_;
  std::filesystem::path location_;  ///< the URI without its password
  bool read_only_ = false;
  int schema_version_ = 0;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Referrals> referrals_;
  std::unique_ptr<AuditLog> audit_log_;
  std::unique_ptr<Confirmations> confirmations_;
};

/// Makes one store operation atomic: its own write transaction (with the advisory lock) when none
/// is open, otherwise a savepoint inside the caller's transaction, so a failed operation leaves
/// nothing half-written. Rolls back unless commit() was called.
class PgWriteScope {
 public:
  explicit PgWriteScope(PgStore& store, WriteKind writes = WriteKind::content);
  PgWriteScope(const PgWriteScope&) = delete;
  PgWriteScope& operator=(const PgWriteScope&) = delete;
  ~PgWriteScope();
  /// `changed` = false when the operation found nothing to write (the generation stays).
  void commit(bool changed = true);

 private:
  PgStore& store_;
  WriteKind writes_;
  bool own_;
  bool committed_ = false;
};

/// A write of rows that are never content and that several servers write at once (analysis jobs
/// submitted, claimed, beaten, ended and trimmed; failed logins counted): its own short transaction
/// WITHOUT the store's advisory lock — row locks only, so an import holding that lock for minutes
/// stops no heartbeat (another server would take the job for dead) — or a savepoint inside the
/// caller's transaction. Never moves the generation. Rolls back unless commit() was called.
class PgRowScope {
 public:
  explicit PgRowScope(PgStore& store);
  PgRowScope(const PgRowScope&) = delete;
  PgRowScope& operator=(const PgRowScope&) = delete;
  ~PgRowScope();
  void commit();

 private:
  pg::Connection& conn_;
  bool own_;
  bool committed_ = false;
};

/// Appends `row` to audit_log (its id set to the next one) with its chain link (audit_log.cpp).
/// Call inside the write transaction of the work it records: the advisory lock of every write
/// transaction keeps the chain a line.
void pg_audit_append(PgStore& store, audit_chain::Row row);

/// The parts, each made by the file that implements it.
std::unique_ptr<Accounts> make_pg_accounts(PgStore& store);
std::unique_ptr<Referrals> make_pg_referrals(PgStore& store);
std::unique_ptr<AuditLog> make_pg_audit_log(PgStore& store);
std::unique_ptr<Confirmations> make_pg_confirmations(PgStore& store);

}  // namespace tsunagi::geo
