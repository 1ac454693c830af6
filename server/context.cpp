#include "server/context.hpp"

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
