#include "server/context.hpp"

#include "tiles/error.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include <unistd.h>

namespace tsunagi::server {

namespace {

/// The offline basemap the configuration asks for. @throws tiles::Error when `basemap = local`
/// and there is none, or its file cannot be read.
std::unique_ptr<const tiles::BasemapTiles> open_basemap(const Config& c) {
  if (c.basemap == "off") return nullptr;
  const std::filesystem::path file = c.basemap_file.empty()
                                         ? std::filesystem::path(c.db.string() + ".basemap.mbtiles")
                                         : c.basemap_file;
  if (!std::filesystem::exists(file)) {
    if (c.basemap == "local") {
      throw tiles::Error("basemap = local, but there is no basemap at " + file.string() +
                         " (build it with tsunagi import --db " + c.db.string() +
                         " --basemap EXTRACT.osm.pbf)");
    }
    return nullptr;
  }
  return std::make_unique<const tiles::BasemapTiles>(file);
}

}  // namespace

/// The job queue writes through the context's serialised writer (so that its writes republish
/// like any other) and reads on the read connection.
class ServerContext::JobHost final : public geo::JobHost {
 public:
  explicit JobHost(ServerContext& c) : c_(c) {}
  void write_store(const std::function<void(geo::Store&)>& f) override { c_.write(f); }
  void read_store(const std::function<void(const geo::Store&)>& f) override { c_.read(f); }
  [[nodiscard]] std::shared_ptr<const geo::Snapshot> snapshot() const override {
    return c_.snapshots().current();
  }

 private:
  ServerContext& c_;
};

ServerContext::ServerContext(Config config)
    : config_(std::move(config)),
      store_(geo::Store::open(config_.db, geo::Store::Mode::open_existing)),
      reader_(geo::Store::open(config_.db, geo::Store::Mode::read_only)),
      tiles_(std::make_unique<tiles::TileService>(static_cast<std::size_t>(config_.tile_cache_mb) *
                                                  1024 * 1024)) {
  snapshots_.publish(geo::Snapshot::build(store_, nullptr, freshness_rule(config_)));
  basemap_ = open_basemap(config_);
  job_host_ = std::make_unique<JobHost>(*this);
  jobs_ = std::make_unique<geo::JobQueue>(
      *job_host_, geo::JobLimits{.queue = config_.job_queue,
                                 .queue_per_user = config_.job_queue_per_user,
                                 .keep_per_user = config_.job_keep_per_user,
                                 .keep_total = config_.job_keep_total,
                                 .keep_days = config_.job_keep_days});
  if (config_.store_poll_ms > 0) {
    listener_ = geo::ChangeListener::open(config_.db);
    watcher_ = std::jthread([this](const std::stop_token& stop) { watch(stop); });
  }
}

ServerContext::~ServerContext() {
  watcher_ = {};  // stop polling first
  jobs_.reset();  // then the queue: a running analysis is cancelled and joined
  job_host_.reset();
}

void ServerContext::watch(const std::stop_token& stop) {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::milliseconds(config_.store_poll_ms);
  // Short waits, so that stopping the server never waits long for this thread.
  const auto slice = std::min(period, std::chrono::milliseconds(250));
  constexpr auto kReplicationEvery = std::chrono::seconds(5);
  auto next_look = Clock::now() + period;
  auto next_replication = Clock::now();
  while (!stop.stop_requested()) {
    const geo::StoreChanges changes = listener_->wait(slice);
    if (stop.stop_requested()) return;
    const auto now = Clock::now();
    if (changes.accounts || changes.unknown) ++accounts_epoch_;
    if ((changes.jobs || changes.unknown) && jobs_) jobs_->wake();
    if (now >= next_replication) {
      auto seen = listener_->replication();
      std::lock_guard lock(replication_mu_);
      replication_ = seen;
      next_replication = now + kReplicationEvery;
    }
    if (!changes.content && !changes.unknown && now < next_look) continue;
    next_look = now + period;
    try {
      // One tiny read on the read connection; it sees the latest commit of any process (SQLite
      // in WAL mode never waits for a writer).
      const auto generation = read([](const geo::Store& s) { return s.generation(); });
      const auto current = snapshots_.current();
      // A new day in Japan moves the age of unconfirmed listings: that republishes too.
      if (current && current->generation() == generation &&
          current->freshness() == freshness_rule(config_)) {
        continue;
      }
      std::lock_guard write_lock(write_mu_);
      republish_if_changed();
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
      // The store is briefly unreadable (a schema change in progress): the next round retries,
      // and until then the last good snapshot keeps being served.
    }
  }
}

std::optional<geo::ReplicationState> ServerContext::replication() const {
  std::lock_guard lock(replication_mu_);
  return replication_;
}

void ServerContext::republish_if_changed() {
  const auto current = snapshots_.current();
  const geo::FreshnessRule freshness = freshness_rule(config_);
  if (current && current->generation() == store_.generation() &&
      current->freshness() == freshness) {
    return;
  }
  snapshots_.publish(geo::Snapshot::build(store_, current.get(), freshness));
}

bool ServerContext::store_healthy(std::chrono::seconds max_age) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  const auto last = health_checked_s_.load();
  if (max_age.count() == 0 || last < 0 || now - last >= max_age.count()) {
    healthy_ = store_.health().ok;
    health_checked_s_ = now;
  }
  return healthy_;
}

std::string ServerContext::store_problem() const {
  return store_.health().problem;
}

}  // namespace tsunagi::server
