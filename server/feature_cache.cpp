#include "server/feature_cache.hpp"

#include <nlohmann/json.hpp>

namespace tsunagi::server {

FeatureCache::FeatureCache(std::shared_ptr<const geo::Snapshot> snapshot)
    : snapshot_(std::move(snapshot)),
      public_(snapshot_->resources().size()),
      staff_(snapshot_->resources().size()) {}

const std::string& FeatureCache::feature(std::uint32_t index, geo::View view) const {
  const Slots& slots = view == geo::View::staff ? staff_ : public_;
  std::call_once(slots.once.at(index), [&] {
    slots.text[index] = geo::to_geojson_feature(snapshot_->resources()[index], view)
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  });
  return slots.text[index];
}

std::uint32_t FeatureCache::index_of(const geo::Resource& r) const {
  return static_cast<std::uint32_t>(&r - snapshot_->resources().data());
}

}  // namespace tsunagi::server
