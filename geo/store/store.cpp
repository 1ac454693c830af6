// geo::Store: the location's scheme picks the backend (`postgresql://…` PostgreSQL/PostGIS;
// `sqlite:FILE` or a bare FILE SQLite), and every call goes to that backend.
#include "geo/store/store.hpp"

#include <string>
#include <thread>

#include "geo/core/error.hpp"
#include "geo/store/accounts.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/change_listener.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/postgres/backend.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/sqlite/backend.hpp"

namespace tsunagi::geo {

namespace {

/// The SQLite file a location names: `sqlite:FILE` (or `sqlite://FILE`) or a bare FILE.
std::filesystem::path sqlite_file(const std::filesystem::path& location) {
  const std::string text = location.string();
  if (text.starts_with("sqlite:")) {
    std::string file = text.substr(7);
    if (file.starts_with("//")) file.erase(0, 2);  // sqlite://var/city.sqlite
    if (file.empty()) throw StoreError("the store URI " + text + " names no file (sqlite:FILE)");
    return file;
  }
  return location;
}

/// SQLite has no way to tell another process of a commit: the caller looks every store_poll_ms.
class PollingListener final : public ChangeListener {
 public:
  StoreChanges wait(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(timeout);
    return {};  // nothing heard: the caller's periodic look finds what was committed
  }
  std::optional<ReplicationState> replication() override { return std::nullopt; }
};

}  // namespace

std::unique_ptr<ChangeListener> ChangeListener::open(const std::filesystem::path& location) {
  if (pg_store::is_location(location.string())) return pg_store::listen(location.string());
  return std::make_unique<PollingListener>();
}

Store::Store(std::unique_ptr<StoreBackend> backend) : backend_(std::move(backend)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::filesystem::path& location, Mode mode) {
  if (pg_store::is_location(location.string())) {
    return Store(pg_store::open(location.string(), mode));
  }
  return Store(sqlite_store::open(sqlite_file(location), mode));
}

bool Store::exists(const std::filesystem::path& location) {
  if (pg_store::is_location(location.string())) return pg_store::exists(location.string());
  return sqlite_store::exists(sqlite_file(location));
}

void Store::discard(const std::filesystem::path& location) noexcept {
  try {
    if (pg_store::is_location(location.string())) {
      pg_store::discard(location.string());
    } else {
      sqlite_store::discard(sqlite_file(location));
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing of ours to discard at an unknown URI
  }
}

Store::Health Store::writable(const std::filesystem::path& location) {
  if (pg_store::is_location(location.string())) return pg_store::writable(location.string());
  return sqlite_store::writable(sqlite_file(location));
}

std::string_view Store::backend_of(const std::filesystem::path& location) {
  return pg_store::is_location(location.string()) ? "postgresql" : "sqlite";
}

Store::Health Store::health() const {
  return backend_->health();
}
const std::filesystem::path& Store::path() const {
  return backend_->path();
}
int Store::schema_version() const {
  return backend_->schema_version();
}
std::int64_t Store::generation() const {
  return backend_->generation();
}
void Store::read_consistent(const std::function<void()>& f) const {
  backend_->read_consistent(f);
}
void Store::exec(std::string_view statement) {
  backend_->exec(statement);
}
Accounts& Store::accounts() {
  return backend_->accounts();
}
Referrals& Store::referrals() {
  return backend_->referrals();
}
AuditLog& Store::audit_log() const {
  return backend_->audit_log();
}
Confirmations& Store::confirmations() {
  return backend_->confirmations();
}

Store::Transaction::Transaction(Store& store, Writes writes)
    : Transaction(*store.backend_, writes) {}

Store::Transaction::Transaction(StoreBackend& backend, Writes writes)
    : backend_(&backend), writes_(writes) {
  backend.begin_write();
}

Store::Transaction::~Transaction() {
  if (!done_) backend_->rollback_write();
}

void Store::Transaction::commit() {
  backend_->commit_write(writes_);
  done_ = true;
}

AuditVerification verify_audit_log(const Store& store) {
  return store.audit_log().verify();
}
AuditChainHead audit_head(const Store& store) {
  return store.audit_log().head();
}

// ---- the parts, forwarded ----

std::int64_t Store::upsert_source(const SourceInfo& info) {
  return backend_->upsert_source(info);
}
std::optional<SourceInfo> Store::source_by_key(std::string_view key) const {
  return backend_->source_by_key(key);
}
std::optional<SourceInfo> Store::source_by_id(std::int64_t id) const {
  return backend_->source_by_id(id);
}
std::vector<SourceInfo> Store::sources() const {
  return backend_->sources();
}
std::int64_t Store::record_import(const ImportRun& run) {
  return backend_->record_import(run);
}
std::vector<ImportRun> Store::import_runs() const {
  return backend_->import_runs();
}
UpsertOutcome Store::upsert_imported(Resource& r, std::string_view actor) {
  return backend_->upsert_imported(r, actor);
}
void Store::create(Resource& r, std::string_view actor) {
  backend_->create(r, actor);
}
void Store::update(Resource& r, std::int64_t expected_version, std::string_view actor) {
  backend_->update(r, expected_version, actor);
}
Resource Store::close(std::string_view id, std::int64_t expected_version, std::string_view actor) {
  return backend_->close(id, expected_version, actor);
}
std::optional<Resource> Store::resource(std::string_view id) const {
  return backend_->resource(id);
}
void Store::for_each_resource(const std::function<void(Resource&&)>& f) const {
  backend_->for_each_resource(f);
}
std::int64_t Store::resource_count() const {
  return backend_->resource_count();
}
ChangeToken Store::change_token() const {
  return backend_->change_token();
}
void Store::for_each_resource_changed_since(const ChangeToken& since,
                                            const std::function<void(Resource&&)>& f) const {
  backend_->for_each_resource_changed_since(since, f);
}
std::optional<std::int64_t> Store::resources_changed_since(const ChangeToken& since) const {
  return backend_->resources_changed_since(since);
}
std::vector<std::pair<std::string, std::string>> Store::source_keys(std::int64_t source_id) const {
  return backend_->source_keys(source_id);
}
std::vector<HistoryEntry> Store::history(std::string_view resource_id) const {
  return backend_->history(resource_id);
}
std::int64_t Store::areas_generation() const {
  return backend_->areas_generation();
}
std::int64_t Store::network_generation() const {
  return backend_->network_generation();
}
std::optional<NetworkData> Store::network() const {
  return backend_->network();
}
void Store::put_network(const NetworkData& n) {
  backend_->put_network(n);
}
void Store::put_area(const Area& a) {
  backend_->put_area(a);
}
void Store::put_population(const AreaPopulation& p) {
  backend_->put_population(p);
}
std::optional<Area> Store::area(std::string_view id) const {
  return backend_->area(id);
}
std::vector<Area> Store::areas(std::optional<AreaKind> kind) const {
  return backend_->areas(kind);
}
std::vector<AreaPopulation> Store::populations() const {
  return backend_->populations();
}
void Store::put_stats(const std::vector<StatDef>& defs, const std::vector<StatValue>& values) {
  backend_->put_stats(defs, values);
}
std::vector<StatDef> Store::stat_defs() const {
  return backend_->stat_defs();
}
std::vector<StatValue> Store::stats() const {
  return backend_->stats();
}
std::size_t Store::put_addresses(const std::vector<AddressPoint>& points, std::int64_t source_id) {
  return backend_->put_addresses(points, source_id);
}
std::vector<AddressPoint> Store::addresses() const {
  return backend_->addresses();
}
void Store::put_job(const AnalysisJob& j) {
  backend_->put_job(j);
}
std::vector<AnalysisJob> Store::jobs() const {
  return backend_->jobs();
}
std::optional<AnalysisJob> Store::job(std::string_view id) const {
  return backend_->job(id);
}
std::vector<AnalysisJob> Store::jobs(const std::vector<std::string>& audiences,
                                     const MunicipalScope& towns, std::int64_t limit,
                                     std::int64_t offset) const {
  return backend_->jobs(audiences, towns, limit, offset);
}
std::int64_t Store::count_jobs(const std::vector<std::string>& audiences,
                               const MunicipalScope& towns) const {
  return backend_->count_jobs(audiences, towns);
}
std::int64_t Store::fail_unfinished_jobs(std::string_view error, std::string_view finished_at) {
  return backend_->fail_unfinished_jobs(error, finished_at);
}
std::int64_t Store::trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                              std::int64_t keep_total) {
  return backend_->trim_jobs(owner, keep_per_owner, keep_total);
}
std::int64_t Store::purge_jobs(std::string_view before) {
  return backend_->purge_jobs(before);
}
std::optional<AnalysisJob> Store::claim_job(std::string_view worker, std::string_view now_iso,
                                            std::string_view stale_before) {
  return backend_->claim_job(worker, now_iso, stale_before);
}
JobBeat Store::beat_job(std::string_view id, std::string_view worker, double progress,
                        std::string_view stage, std::string_view now_iso) {
  return backend_->beat_job(id, worker, progress, stage, now_iso);
}
bool Store::finish_job(const AnalysisJob& j, std::string_view worker) {
  return backend_->finish_job(j, worker);
}
bool Store::release_job(std::string_view id, std::string_view worker) {
  return backend_->release_job(id, worker);
}
std::optional<std::string> Store::cancel_job(std::string_view id, std::string_view now_iso) {
  return backend_->cancel_job(id, now_iso);
}
std::int64_t Store::count_active_jobs(std::string_view owner, bool queued_only) const {
  return backend_->count_active_jobs(owner, queued_only);
}
std::optional<ThrottleCount> Store::throttle(std::string_view key) const {
  return backend_->throttle(key);
}
ThrottleCount Store::count_throttle_failure(std::string_view key, std::string_view now_iso,
                                            std::string_view forget_before) {
  return backend_->count_throttle_failure(key, now_iso, forget_before);
}
void Store::lock_throttle(std::string_view key, std::string_view locked_until) {
  backend_->lock_throttle(key, locked_until);
}
void Store::clear_throttle(std::string_view key) {
  backend_->clear_throttle(key);
}
std::int64_t Store::purge_throttle(std::string_view before) {
  return backend_->purge_throttle(before);
}

}  // namespace tsunagi::geo
