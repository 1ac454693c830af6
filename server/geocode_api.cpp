// GET /api/geocode?q=住所 — 町丁目/大字 representative points from the address table that
// `tsunagi import --addresses` (or the demo) wrote. Public data only: anyone may ask.
#include <memory>
#include <mutex>

#include "geo/core/address.hpp"
#include "geo/core/error.hpp"
#include "server/errors.hpp"
#include "server/handlers.hpp"

namespace tsunagi::server {

using nlohmann::json;

namespace {

/// The address table in memory, rebuilt when the store's generation moved (an import or a write).
struct AddressCache {
  std::mutex mu;
  const void* store = nullptr;  // the context it was built for (tests run several servers)
  std::int64_t generation = -1;
  std::shared_ptr<const geo::AddressIndex> index;
};

std::shared_ptr<const geo::AddressIndex> address_index(ServerContext& c) {
  static AddressCache cache;
  const std::int64_t generation = c.read([](const geo::Store& s) { return s.generation(); });
  std::lock_guard lock(cache.mu);
  if (cache.index && cache.store == &c && cache.generation == generation) return cache.index;
  auto points = c.read([](const geo::Store& s) { return s.addresses(); });
  cache.index = std::make_shared<const geo::AddressIndex>(std::move(points));
  cache.store = &c;
  cache.generation = generation;
  return cache.index;
}

}  // namespace

HttpResponse geocode(ServerContext& c, RequestContext& rc) {
  rc.query.require_known({"q", "limit"});
  const std::string* q = rc.query.get("q");
  if (q == nullptr || q->empty()) {
    throw ApiError(ErrorCode::invalid_parameter,
                   "give the address to look up as q (e.g. q=高松市番町一丁目)");
  }
  if (q->size() > 400) throw ApiError(ErrorCode::invalid_parameter, "q may be at most 400 bytes");
  std::size_t limit = 5;
  if (const auto* v = rc.query.get("limit")) {
    if (*v == "1" || *v == "2" || *v == "3" || *v == "4" || *v == "5" || *v == "10") {
      limit = std::stoul(*v);
    } else {
      throw ApiError(ErrorCode::invalid_parameter, "limit must be 1 to 5, or 10");
    }
  }
  const auto index = address_index(c);
  std::vector<geo::AddressMatch> matches;
  try {
    matches = index->geocode(*q, limit);
  } catch (const geo::InvalidArgument& e) {
    throw ApiError(ErrorCode::invalid_parameter, std::string("q: ") + e.what());
  }
  json list = json::array();
  for (const auto& m : matches) {
    list.push_back({{"label", m.label()},
                    {"pref", m.point.pref},
                    {"city", m.point.city},
                    {"town", m.point.town},
                    {"koaza", m.point.koaza},
                    {"lg_code", m.point.lg_code},
                    {"lon", m.point.lon},
                    {"lat", m.point.lat},
                    {"level", geo::address_level_id(m.level)},
                    {"approximate", m.approximate},
                    {"rest", m.rest}});
  }
  return json_response(200, {{"table_size", index->size()}, {"matches", std::move(list)}});
}

}  // namespace tsunagi::server
