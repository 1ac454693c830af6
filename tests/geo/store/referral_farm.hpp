// The tests' placement farm for cases: a store with 中町三丁目 as a home area, a farm with two
// places on offer and a café without an offer, and the matcher's steps a line each. The contract
// suite (every backend) and the SQLite-only tests build on it; `Base` is their GoogleTest base.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "geo/core/referral.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::test {

inline const geo::AuditActor kMatcher{7, "matcher-a"};

template <typename Base>
class ReferralFarm : public Base {
 protected:
  /// Where the store is made, in `dir_`.
  [[nodiscard]] virtual std::string location() const = 0;

  void SetUp() override {
    town_ = std::make_unique<TinyTown>(location());
    town_->add_area("chome:demo-naka3", geo::AreaKind::chome, "中町三丁目",
                    "POLYGON((133.63 35.09,133.64 35.09,133.64 35.10,133.63 35.10,133.63 35.09))",
                    133.635, 35.095);
    farm_ = town_->add("ふれあい農園", geo::ResourceKind::placement_site, 133.647, 35.104,
                       [](geo::Resource& r) {
                         geo::PlacementOffer offer;
                         offer.slots_total = 2;
                         offer.slots_open = 2;
                         r.offer = offer;
                       });
    cafe_ = town_->add("まちのかふぇ", geo::ResourceKind::ibasho, 133.640, 35.100);
  }

  geo::Store& store() { return town_->store(); }

  geo::Referral parse(nlohmann::json body) {
    return geo::parse_new_referral(body, [](std::string_view t) -> std::optional<std::string> {
      if (t == "chome:demo-naka3" || t == "demo-naka3") return std::string("chome:demo-naka3");
      return std::nullopt;
    });
  }
  nlohmann::json body() const {
    return {{"resource_id", farm_.id},
            {"legal_basis", "shien_kaigi"},
            {"home_area", "demo-naka3"},
            {"age_band", "50s"},
            {"needs", {"short_hours", "low_contact"}}};
  }
  geo::Referral create() { return store().referrals().create(parse(body()), kMatcher); }
  geo::Referral step(const std::string& id, geo::ReferralStatus to,
                     std::optional<geo::DeclineReason> reason = std::nullopt) {
    return store().referrals().transition(id, to, reason, std::nullopt, kMatcher);
  }
  int slots_open() { return *store().resource(farm_.id)->offer->slots_open; }
  std::vector<geo::AuditEntry> audit() { return store().referrals().audit(0, 1000); }

  TempDir dir_;
  std::unique_ptr<TinyTown> town_;
  geo::Resource farm_;
  geo::Resource cafe_;
};

}  // namespace tsunagi::test
