#include "server/context.hpp"

#include <chrono>
#include <condition_variable>

namespace tsunagi::server {

ServerContext::ServerContext(Config config)
    : config_(std::move(config)),
      store_(geo::Store::open(config_.db, geo::Store::Mode::open_existing)),
      reader_(geo::Store::open(config_.db, geo::Store::Mode::read_only)) {
  auto snapshot = geo::Snapshot::build(store_);
  catalog_.store(std::make_shared<const geo::ResourceCatalog>(snapshot));
  features_.store(std::make_shared<const FeatureCache>(snapshot));
  count_levels(*snapshot);
  snapshots_.publish(std::move(snapshot));
  if (config_.store_poll_ms > 0) {
    watcher_ = std::jthread([this](const std::stop_token& stop) { watch(stop); });
  }
}

void ServerContext::watch(const std::stop_token& stop) {
  std::mutex mu;
  std::condition_variable_any wake;
  std::unique_lock lock(mu);
  const auto period = std::chrono::milliseconds(config_.store_poll_ms);
  while (!wake.wait_for(lock, stop, period, [] { return false; }) && !stop.stop_requested()) {
    try {
      // One tiny read on the read connection; in WAL mode it sees the latest commit of any
      // process and never waits for a writer.
      const auto generation = read([](const geo::Store& s) { return s.generation(); });
      const auto current = snapshots_.current();
      if (current && current->generation() == generation) continue;
      std::lock_guard write_lock(write_mu_);
      republish_if_changed();
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch)
      // The store is briefly unreadable (a schema change in progress): the next round retries,
      // and until then the last good snapshot keeps being served.
    }
  }
}

void ServerContext::republish_if_changed() {
  const auto current = snapshots_.current();
  if (current && current->generation() == store_.generation()) return;
  auto snapshot = geo::Snapshot::build(store_);
  // The catalog first: a reader that sees the new snapshot in the holder must not find an older
  // catalog for long, and both are complete objects either way.
  catalog_.store(std::make_shared<const geo::ResourceCatalog>(snapshot));
  features_.store(std::make_shared<const FeatureCache>(snapshot));
  count_levels(*snapshot);
  snapshots_.publish(std::move(snapshot));
}

void ServerContext::count_levels(const geo::Snapshot& snapshot) {
  std::array<std::size_t, 3> counts{};
  for (const auto& r : snapshot.resources()) {
    if (r.status != geo::ResourceStatus::closed) ++counts.at(static_cast<std::size_t>(r.publish));
  }
  for (std::size_t i = 0; i < counts.size(); ++i) open_by_level_[i].store(counts[i]);
}

std::size_t ServerContext::open_resource_count(geo::EnumSet<geo::PublishLevel> levels) const {
  std::size_t n = 0;
  levels.for_each(
      [&](geo::PublishLevel l) { n += open_by_level_.at(static_cast<std::size_t>(l)).load(); });
  return n;
}

}  // namespace tsunagi::server
