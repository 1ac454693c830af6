// A tiny fictional town for the server's end-to-end tests (support/tiny_town.hpp): resources at
// every publish level (with markers that must never reach the public), and one user per role with
// an API token, made through the real store API and the real `tsunagi user` command.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "geo/core/schedule.hpp"
#include "geo/store/store.hpp"
#include "support/http_client.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::test {

/// Strings that only non-public data carries; no public response may contain any of them.
inline const std::vector<std::string>& secret_markers() {
  static const std::vector<std::string> m = {
      "SECRET-INTERNAL", "SECRET-PARTNERS",        "SECRET-NOTE",
      "SECRET-ROLE",     "secret-mail@example.jp", "SECRET-TASK"};
  return m;
}

inline const std::string kPassword = "correct horse battery";

struct Town {
  std::filesystem::path db;
  std::map<std::string, std::string> ids;     ///< short name → resource id
  std::map<std::string, std::string> tokens;  ///< role → API token
  std::map<std::string, std::string> env = {{"TSUNAGI_PWHASH", "minimum"},
                                            {"TSUNAGI_PASSWORD", kPassword}};
};

inline geo::Resource town_resource(const std::string& name, geo::ResourceKind kind, double lon,
                                   double lat) {
  geo::Resource r = resource_at(name, kind, lon, lat);
  r.address = "つなぎ町（架空）";
  return r;
}

/// Adds one user per role (name = role) to the town's store, each with an API token in
/// t.tokens, through the real `tsunagi user` command.
inline void add_users(Town& t, const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    const auto add = run_tsunagi_env(
        {"user", "add", "--db", t.db.string(), "--name", role, "--role", role}, t.env);
    EXPECT_EQ(add.exit_code, 0) << add.err;
    const auto tok = run_tsunagi_env(
        {"user", "token", "--db", t.db.string(), "--name", role, "--label", "e2e"}, t.env);
    EXPECT_EQ(tok.exit_code, 0) << tok.err;
    std::string token = tok.out;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    t.tokens[role] = token;
  }
}

/// Builds the town in `dir`; users coordinator, matcher, planner, admin (names = roles).
inline Town make_town(const TempDir& dir) {
  Town t;
  t.db = dir / "town.db";
  TinyTown town(t.db);
  auto& store = town.store();
  using geo::ResourceKind;
  {
    auto r = town_resource("まちのかふぇ", ResourceKind::ibasho, 133.640, 35.100);
    r.schedules.push_back(geo::parse_schedule("毎週水曜日 13:30〜15:00"));
    r.activities.insert(geo::Activity::sawakai);
    r.targets.insert(geo::TargetGroup::elderly);
    r.barrier_free.step_free = true;
    r.capacity = 20;
    r.vacancy = 5;
    store.create(r, "test");
    t.ids["cafe"] = r.id;
  }
  {
    auto r = town_resource("中央公民館", ResourceKind::kominkan, 133.650, 35.105);
    r.schedules.push_back(geo::parse_schedule("毎週月曜日 9:00〜17:00"));
    store.create(r, "test");
    t.ids["kominkan"] = r.id;
  }
  {
    auto r = town_resource("閉じたサロン", ResourceKind::ibasho, 133.641, 35.101);
    r.status = geo::ResourceStatus::closed;
    store.create(r, "test");
    t.ids["closed"] = r.id;
  }
  {
    auto r =
        town_resource("相談窓口 SECRET-PARTNERS", ResourceKind::sodan_shien_other, 133.645, 35.102);
    r.publish = geo::PublishLevel::partners;
    store.create(r, "test");
    t.ids["partners"] = r.id;
  }
  {
    auto r =
        town_resource("受入れ先 SECRET-INTERNAL", ResourceKind::placement_site, 133.646, 35.103);
    r.publish = geo::PublishLevel::internal;
    r.note = "SECRET-NOTE internal";
    store.create(r, "test");
    t.ids["internal"] = r.id;
  }
  {
    // Public, but with fields only staff may see.
    auto r = town_resource("ふれあい農園", ResourceKind::placement_site, 133.647, 35.104);
    r.note = "SECRET-NOTE about the host";
    r.email = "secret-mail@example.jp";
    geo::PlacementOffer offer;
    offer.task_description = "SECRET-TASK 草取り";
    offer.contact_role = "SECRET-ROLE 農園主";
    offer.slots_total = 3;
    offer.slots_open = 1;
    r.offer = offer;
    store.create(r, "test");
    t.ids["farm"] = r.id;
  }
  add_users(t, {"coordinator", "matcher", "planner", "admin"});
  return t;
}

/// "/tiles/{layer}/{z}/{x}/{y}.mvt[?query]".
inline std::string tile_path(const std::string& layer, const tiles::TileId& t,
                             const std::string& query = "") {
  return "/tiles/" + layer + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" +
         std::to_string(t.y) + ".mvt" + (query.empty() ? "" : "?" + query);
}

inline std::vector<std::pair<std::string, std::string>> bearer(const Town& t,
                                                               const std::string& role) {
  if (role == "public") return {};
  return {{"Authorization", "Bearer " + t.tokens.at(role)}};
}

}  // namespace tsunagi::test
