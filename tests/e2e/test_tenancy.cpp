// 広域 tenancy against the real binary, with the nine N03 boundaries of seed 004 (青森県社協 for
// 平内町…板柳町) imported by the real importer and users scoped to towns by the real
// `tsunagi user add --municipality`: a 藤崎町 coordinator edits in 藤崎町 only (403
// outside_municipality naming the town, a move across the border refused); a matcher of another
// town neither lists nor reads 藤崎町's cases; a 藤崎町 matcher matches a person living by the
// border to a placement in 板柳町, and 板柳町's matchers see that case only as "a referral to
// your placement" and cannot write it; the annual report counts a case for the person's town;
// an admin scoped to 板柳町 reads only its entries of the audit log; the review queue's overdue
// list holds a coordinator's towns only; bad codes for `user add --municipality` are refused.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "e2e/server_town.hpp"
#include "geo/core/time.hpp"
#include "geo/spatial/geometry.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kTowns = {"02301", "02303", "02304", "02307", "02343",
                                         "02361", "02362", "02367", "02381"};
constexpr const char* kFujisaki = "023612";
constexpr const char* kItayanagi = "023817";
constexpr const char* kHiranai = "023035";

struct Point {
  double lon = 0;
  double lat = 0;
};

struct Aomori {
  TempDir dir;
  Town town;
  std::string fujisaki_salon;   ///< a kayoi_no_ba in 藤崎町, by the border
  std::string itayanagi_salon;  ///< a kayoi_no_ba in 板柳町
  std::string fujisaki_farm;    ///< a placement in 藤崎町
  std::string itayanagi_farm;   ///< a placement in 板柳町, by the border
  Point fujisaki_side;          ///< a point in 藤崎町 a few hundred metres from 板柳町
  Point itayanagi_side;         ///< its neighbour across the border
  std::unique_ptr<ServerProcess> server;
};

Aomori* g_setup = nullptr;

/// Adds user `name` with `role` working for `towns` ("" = every town) and an API token.
void add_user(Town& t, const std::string& name, const std::string& role, const std::string& towns) {
  std::vector<std::string> args = {"user",   "add", "--db",   t.db.string(),
                                   "--name", name,  "--role", role};
  if (!towns.empty()) {
    args.emplace_back("--municipality");
    args.push_back(towns);
  }
  const auto add = run_tsunagi_env(args, t.env);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const auto tok = run_tsunagi_env(
      {"user", "token", "--db", t.db.string(), "--name", name, "--label", "e2e"}, t.env);
  ASSERT_EQ(tok.exit_code, 0) << tok.err;
  std::string token = tok.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  t.tokens[name] = token;
}

Aomori& setup(const std::filesystem::path& n03) {
  if (g_setup != nullptr) return *g_setup;
  g_setup = new Aomori();
  Aomori& s = *g_setup;
  s.town.db = s.dir / "aomori.sqlite";
  for (const auto& t : kTowns) {
    const auto r = run_tsunagi(
        {"import", "--db", s.town.db.string(), "--boundary", (n03 / (t + ".geojson")).string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  {
    TinyTown tiny(s.town.db);
    const auto fujisaki =
        geo::Geometry::from_wkb(tiny.store().area(std::string("municipality:") + kFujisaki)->wkb);
    const auto itayanagi =
        geo::Geometry::from_wkb(tiny.store().area(std::string("municipality:") + kItayanagi)->wkb);
    // The border: the point of 板柳町 nearest to the inside of 藤崎町; then a step to each side.
    const auto [flon, flat] = fujisaki.point_on_surface();
    const auto [blon, blat] = itayanagi.nearest_point_to(flon, flat);
    const double len = std::hypot(flon - blon, flat - blat);
    const double ux = (flon - blon) / len;
    const double uy = (flat - blat) / len;
    for (const double step : {0.002, 0.001, 0.0005, 0.004}) {
      const Point in_f{blon + ux * step, blat + uy * step};
      const Point in_i{blon - ux * step, blat - uy * step};
      if (fujisaki.contains(geo::Geometry::point(in_f.lon, in_f.lat)) &&
          itayanagi.contains(geo::Geometry::point(in_i.lon, in_i.lat))) {
        s.fujisaki_side = in_f;
        s.itayanagi_side = in_i;
        break;
      }
    }
    EXPECT_NE(s.fujisaki_side.lon, 0) << "no points on both sides of the 藤崎町/板柳町 border";
    const auto placement = [](geo::Resource& r) {
      r.verified_at = "2020-04-01";  // overdue for confirmation
      geo::PlacementOffer offer;
      offer.slots_total = 20;
      offer.slots_open = 20;
      r.offer = offer;
    };
    s.fujisaki_salon = tiny.add("藤崎のサロン", geo::ResourceKind::kayoi_no_ba, s.fujisaki_side.lon,
                                s.fujisaki_side.lat,
                                [](geo::Resource& r) {
                                  r.lg_code = kFujisaki;
                                  r.verified_at = "2020-04-01";  // overdue for confirmation
                                })
                           .id;
    const auto [ilon, ilat] = itayanagi.point_on_surface();
    s.itayanagi_salon = tiny.add("板柳のサロン", geo::ResourceKind::kayoi_no_ba, ilon, ilat,
                                 [](geo::Resource& r) {
                                   r.lg_code = kItayanagi;
                                   r.verified_at = "2020-04-01";
                                 })
                            .id;
    s.fujisaki_farm = tiny.add("藤崎の農園", geo::ResourceKind::placement_site, flon, flat,
                               [&](geo::Resource& r) {
                                 r.lg_code = kFujisaki;
                                 placement(r);
                               })
                          .id;
    s.itayanagi_farm = tiny.add("板柳の農園", geo::ResourceKind::placement_site,
                                s.itayanagi_side.lon, s.itayanagi_side.lat,
                                [&](geo::Resource& r) {
                                  r.lg_code = kItayanagi;
                                  placement(r);
                                })
                           .id;
    // 75歳以上 of two towns, for their planners' analyses.
    geo::StatDef aged;
    aged.key = "aged_75";
    aged.label = "75歳以上人口";
    const auto figure = [](const std::string& code, double v) {
      geo::StatValue f;
      f.area_id = "municipality:" + code;
      f.key = "aged_75";
      f.ref_date = "2020-10-01";
      f.value = v;
      return f;
    };
    tiny.store().put_stats({aged}, {figure(kFujisaki, 3100), figure(kItayanagi, 2600)});
  }
  add_user(s.town, "coord_fujisaki", "coordinator", kFujisaki);
  add_user(s.town, "coordinator", "coordinator", "");
  add_user(s.town, "matcher_fujisaki", "matcher", kFujisaki);
  add_user(s.town, "matcher_itayanagi", "matcher", kItayanagi);
  add_user(s.town, "matcher_hiranai", "matcher", kHiranai);
  add_user(s.town, "matcher", "matcher", "");
  add_user(s.town, "planner_itayanagi", "planner", kItayanagi);
  add_user(s.town, "planner_two", "planner", std::string(kFujisaki) + "," + kItayanagi);
  add_user(s.town, "planner", "planner", "");
  add_user(s.town, "admin_itayanagi", "admin", kItayanagi);
  add_user(s.town, "admin", "admin", "");
  s.server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--db", s.town.db.string(), "--port", "0"});
  return s;
}

HttpResult call(Aomori& s, const std::string& method, const std::string& target,
                const std::string& user = "public", const json& body = nullptr,
                const std::string& if_match = "") {
  HttpClient c(s.server->host(), s.server->port());
  auto headers = bearer(s.town, user);
  if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
  if (!if_match.empty()) headers.emplace_back("If-Match", if_match);
  return c.request(method, target, headers, body.is_null() ? std::string() : body.dump());
}

std::string code_of(const HttpResult& r) {
  const json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("code") ? j["code"].get<std::string>() : std::string();
}

/// A PUT of resource `id` with `props` over what the editor reads now, with its ETag.
HttpResult edit(Aomori& s, const std::string& user, const std::string& id, const json& props) {
  const auto now = call(s, "GET", "/api/resources/" + id, user);
  EXPECT_EQ(now.status, 200) << now.body;
  const json f = json::parse(now.body);
  json body = {{"name", f["properties"]["name"]},
               {"kind", f["properties"]["kind"]},
               {"lon", f["geometry"]["coordinates"][0]},
               {"lat", f["geometry"]["coordinates"][1]},
               {"lg_code", f["properties"]["lg_code"]}};
  body.update(props);
  return call(s, "PUT", "/api/resources/" + id, user, body, now.header("etag"));
}

json new_case(const std::string& farm, const std::string& home) {
  return {{"resource_id", farm},
          {"legal_basis", "shien_kaigi"},
          {"home_area", home},
          {"age_band", "60s"},
          {"needs", {"short_hours"}}};
}

std::set<std::string> case_ids(const HttpResult& r) {
  std::set<std::string> out;
  const json j = json::parse(r.body);
  for (const auto& c : j.at("referrals")) out.insert(c.at("case_id").get<std::string>());
  return out;
}

class Tenancy : public ::testing::Test {
 public:
  static void TearDownTestSuite() {
    if (g_setup == nullptr) return;
    EXPECT_EQ(g_setup->server->stop(SIGTERM), 0);
    delete g_setup;
    g_setup = nullptr;
  }
};

TEST_F(Tenancy, MeSaysTheUsersTowns) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto me = call(s, "GET", "/api/me", "coord_fujisaki");
  ASSERT_EQ(me.status, 200) << me.body;
  const json j = json::parse(me.body);
  EXPECT_EQ(j["all_municipalities"], false);
  ASSERT_EQ(j["municipalities"].size(), 1U) << me.body;
  EXPECT_EQ(j["municipalities"][0]["lg_code"], kFujisaki);
  EXPECT_EQ(j["municipalities"][0]["name"], "藤崎町");
  const json all = json::parse(call(s, "GET", "/api/me", "coordinator").body);
  EXPECT_EQ(all["all_municipalities"], true);
  EXPECT_TRUE(all["municipalities"].empty());
}

TEST_F(Tenancy, AScopedCoordinatorEditsInTheirTownOnlyAndCannotMoveAcrossTheBorder) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto outside = edit(s, "coord_fujisaki", s.itayanagi_salon, {{"description", "変更"}});
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_EQ(code_of(outside), "outside_municipality");
  EXPECT_NE(outside.body.find("板柳町"), std::string::npos) << outside.body;

  const auto inside = edit(s, "coord_fujisaki", s.fujisaki_salon, {{"description", "毎週水曜"}});
  EXPECT_EQ(inside.status, 200) << inside.body;

  // Across the border: with its lg_code kept (the boundary holding the point says 板柳町) or
  // changed, the move is refused and the resource stays where it was.
  const json across = {{"lon", s.itayanagi_side.lon}, {"lat", s.itayanagi_side.lat}};
  const auto moved = edit(s, "coord_fujisaki", s.fujisaki_salon, across);
  EXPECT_EQ(moved.status, 403) << moved.body;
  EXPECT_EQ(code_of(moved), "outside_municipality");
  json recoded = across;
  recoded["lg_code"] = kItayanagi;
  EXPECT_EQ(edit(s, "coord_fujisaki", s.fujisaki_salon, recoded).status, 403);
  const json still = json::parse(call(s, "GET", "/api/resources/" + s.fujisaki_salon).body);
  EXPECT_EQ(still["properties"]["lg_code"], kFujisaki);
  EXPECT_NEAR(still["geometry"]["coordinates"][0].get<double>(), s.fujisaki_side.lon, 1e-6);

  // A new listing in 板柳町 is refused; one in 藤崎町 without lg_code takes the town of the
  // boundary holding it.
  const json in_itayanagi = {{"name", "新しい場"},
                             {"kind", "kayoi_no_ba"},
                             {"lon", s.itayanagi_side.lon},
                             {"lat", s.itayanagi_side.lat}};
  const auto refused = call(s, "POST", "/api/resources", "coord_fujisaki", in_itayanagi);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(code_of(refused), "outside_municipality");
  const json in_fujisaki = {{"name", "新しい場"},
                            {"kind", "kayoi_no_ba"},
                            {"lon", s.fujisaki_side.lon},
                            {"lat", s.fujisaki_side.lat}};
  const auto created = call(s, "POST", "/api/resources", "coord_fujisaki", in_fujisaki);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["properties"]["lg_code"], kFujisaki);
  // Closing in the other town is refused too; an unscoped coordinator edits anywhere.
  const auto now = call(s, "GET", "/api/resources/" + s.itayanagi_salon, "coord_fujisaki");
  EXPECT_EQ(call(s, "POST", "/api/resources/" + s.itayanagi_salon + "/close", "coord_fujisaki",
                 nullptr, now.header("etag"))
                .status,
            403);
  EXPECT_EQ(edit(s, "coordinator", s.itayanagi_salon, {{"description", "全町の担当"}}).status, 200);
}

TEST_F(Tenancy, AScopedMatcherNeitherListsNorReadsAnotherTownsCases) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto created = call(s, "POST", "/api/referrals", "matcher_fujisaki",
                            new_case(s.fujisaki_farm, std::string("municipality:") + kFujisaki));
  ASSERT_EQ(created.status, 201) << created.body;
  const json c = json::parse(created.body);
  const std::string id = c["case_id"];
  EXPECT_EQ(c["municipality"], kFujisaki);
  EXPECT_EQ(c["view"], "case");

  // Found by its own town and by an unscoped matcher (a new case is listed at once).
  EXPECT_TRUE(case_ids(call(s, "GET", "/api/referrals", "matcher_fujisaki")).contains(id));
  EXPECT_TRUE(case_ids(call(s, "GET", "/api/referrals", "matcher")).contains(id));
  // 平内町's matcher: not in the list, and not found — as a case that does not exist.
  const auto list = call(s, "GET", "/api/referrals", "matcher_hiranai");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_FALSE(case_ids(list).contains(id));
  EXPECT_EQ(call(s, "GET", "/api/referrals/" + id, "matcher_hiranai").status, 404);
  EXPECT_EQ(call(s, "POST", "/api/referrals/" + id + "/transitions", "matcher_hiranai",
                 {{"to", "consented"}})
                .status,
            404);
  EXPECT_EQ(
      call(s, "GET", std::string("/api/referrals?municipality=") + kFujisaki, "matcher_hiranai")
          .status,
      403);
  // A 平内町 matcher cannot record a 藤崎町 person's case either.
  const auto foreign = call(s, "POST", "/api/referrals", "matcher_hiranai",
                            new_case(s.fujisaki_farm, std::string("municipality:") + kFujisaki));
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(code_of(foreign), "outside_municipality");
}

TEST_F(Tenancy, ACrossBorderMatchIsFollowedByTheHostTownWithoutThePersonsDetails) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto match = call(s, "POST", "/api/match", "matcher_fujisaki",
                          {{"at", {s.fujisaki_side.lon, s.fujisaki_side.lat}},
                           {"kinds", {"placement_site"}},
                           {"max_walk_min", 30}});
  ASSERT_EQ(match.status, 200) << match.body;
  bool found = false;
  const json matched = json::parse(match.body);
  for (const auto& cand : matched.at("candidates")) {
    found = found || cand.at("id") == s.itayanagi_farm;
  }
  EXPECT_TRUE(found) << "the 板柳町 placement across the border is not a candidate: " << match.body;

  const auto created = call(s, "POST", "/api/referrals", "matcher_fujisaki",
                            new_case(s.itayanagi_farm, std::string("municipality:") + kFujisaki));
  ASSERT_EQ(created.status, 201) << created.body;
  const json c = json::parse(created.body);
  const std::string id = c["case_id"];
  EXPECT_EQ(c["municipality"], kFujisaki);
  EXPECT_EQ(c["host_municipality"], kItayanagi);

  // 板柳町's matcher: in the list and by id, as the host — no home area, no person's details.
  const auto list = call(s, "GET", "/api/referrals", "matcher_itayanagi");
  ASSERT_EQ(list.status, 200) << list.body;
  json host_view;
  const json listed = json::parse(list.body);
  for (const auto& r : listed.at("referrals")) {
    if (r.at("case_id") == id) host_view = r;
  }
  ASSERT_TRUE(host_view.is_object()) << "the host town does not see the referral: " << list.body;
  EXPECT_EQ(host_view["view"], "host");
  for (const char* hidden : {"home_area", "age_band", "needs", "legal_basis", "consent_scope"}) {
    EXPECT_FALSE(host_view.contains(hidden)) << hidden << " reached the host town";
  }
  EXPECT_EQ(host_view["resource_id"], s.itayanagi_farm);
  const auto one = call(s, "GET", "/api/referrals/" + id, "matcher_itayanagi");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body)["view"], "host");
  EXPECT_EQ(one.body.find("municipality:023612"), std::string::npos) << one.body;
  EXPECT_TRUE(json::parse(one.body)["allowed_next"].empty());

  // Writes stay with the person's town; the host follows each step.
  const auto host_write = call(s, "POST", "/api/referrals/" + id + "/transitions",
                               "matcher_itayanagi", {{"to", "consented"}});
  EXPECT_EQ(host_write.status, 403) << host_write.body;
  EXPECT_EQ(code_of(host_write), "outside_municipality");
  EXPECT_EQ(call(s, "PUT", "/api/referrals/" + id + "/follow-up", "matcher_itayanagi",
                 {{"follow_up_due", "2030-01-01"}})
                .status,
            403);
  const auto step = call(s, "POST", "/api/referrals/" + id + "/transitions", "matcher_fujisaki",
                         {{"to", "consented"}});
  EXPECT_EQ(step.status, 200) << step.body;
  const json followed =
      json::parse(call(s, "GET", "/api/referrals/" + id, "matcher_itayanagi").body);
  EXPECT_EQ(followed["status"], "consented");
  // 平内町 neither owns nor hosts it.
  EXPECT_EQ(call(s, "GET", "/api/referrals/" + id, "matcher_hiranai").status, 404);
}

TEST_F(Tenancy, TheAnnualReportCountsACaseForThePersonsTownNotThePlacements) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  // Eight 平内町 people placed in 板柳町 (as test_towns: 3 and 5 by status, a total of 8 shown).
  for (int i = 0; i < 8; ++i) {
    const auto r = call(s, "POST", "/api/referrals", "matcher_hiranai",
                        new_case(s.itayanagi_farm, std::string("municipality:") + kHiranai));
    ASSERT_EQ(r.status, 201) << r.body;
    if (i < 3) {
      const std::string id = json::parse(r.body).at("case_id").get<std::string>();
      EXPECT_EQ(call(s, "POST", "/api/referrals/" + id + "/transitions", "matcher_hiranai",
                     {{"to", "consented"}})
                    .status,
                200);
    }
  }
  const auto hiranai_cases =
      call(s, "GET", std::string("/api/referrals?municipality=") + kHiranai, "matcher");
  ASSERT_EQ(hiranai_cases.status, 200) << hiranai_cases.body;
  const auto n = case_ids(hiranai_cases).size();
  ASSERT_EQ(n, 8U);
  const std::string year = geo::today_jst().substr(0, 4);
  auto total = [&](const std::string& town) {
    const auto r =
        call(s, "GET", "/api/reports/annual?municipality=" + town + "&year=" + year, "coordinator");
    EXPECT_EQ(r.status, 200) << r.body;
    const json report = json::parse(r.body);  // kept alive while its counts are read
    for (const auto& c : report.at("counts")) {
      if (c.at("section") == "referrals" && c.at("key") == "total") return json(c.at("value"));
    }
    ADD_FAILURE() << "no total in " << r.body;
    return json();
  };
  EXPECT_EQ(total(kHiranai), n);
  const json host_total = total(kItayanagi);
  EXPECT_TRUE(host_total.is_null() || host_total == 0) << host_total;
  // A planner of 板柳町 asks for 板柳町's report only.
  const auto other =
      call(s, "GET", std::string("/api/reports/annual?municipality=") + kFujisaki + "&year=" + year,
           "planner_itayanagi");
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(code_of(other), "outside_municipality");
}

TEST_F(Tenancy, AnAdminScopedToATownReadsOnlyItsAuditEntries) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  // One case of each town, read once by its own matcher.
  for (const auto& [user, town, farm] :
       {std::tuple{"matcher_fujisaki", kFujisaki, s.fujisaki_farm},
        std::tuple{"matcher_itayanagi", kItayanagi, s.itayanagi_farm}}) {
    const auto r = call(s, "POST", "/api/referrals", user,
                        new_case(farm, std::string("municipality:") + town));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const auto scoped = call(s, "GET", "/api/audit?limit=1000", "admin_itayanagi");
  ASSERT_EQ(scoped.status, 200) << scoped.body;
  const json entries = json::parse(scoped.body).at("entries");
  ASSERT_FALSE(entries.empty());
  for (const auto& e : entries) EXPECT_EQ(e.at("municipality"), kItayanagi) << e.dump();
  std::set<std::string> towns;
  const auto everything = call(s, "GET", "/api/audit?limit=1000", "admin");
  ASSERT_EQ(everything.status, 200) << everything.body;
  const json all_entries = json::parse(everything.body);
  for (const auto& e : all_entries.at("entries")) {
    if (e.at("municipality").is_string()) towns.insert(e.at("municipality").get<std::string>());
  }
  EXPECT_TRUE(towns.contains(kFujisaki));
  EXPECT_TRUE(towns.contains(kItayanagi));
  // The scoped admin manages the users of their town only.
  const auto users = call(s, "GET", "/api/users", "admin_itayanagi");
  ASSERT_EQ(users.status, 200) << users.body;
  std::set<std::string> names;
  const json user_list = json::parse(users.body);
  for (const auto& u : user_list.at("users")) names.insert(u.at("name"));
  EXPECT_EQ(names,
            (std::set<std::string>{"admin_itayanagi", "matcher_itayanagi", "planner_itayanagi"}));
  // The command line reads the same way for that admin.
  const auto cli =
      run_tsunagi({"audit", "list", "--db", s.town.db.string(), "--user", "admin_itayanagi"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find(kItayanagi), std::string::npos);
  EXPECT_EQ(cli.out.find(kFujisaki), std::string::npos) << cli.out;
  // And the chain, with rows that carry a town, still verifies.
  const auto verify = run_tsunagi({"audit", "verify", "--db", s.town.db.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(Tenancy, TheOverdueListAndReviewQueueHoldTheCoordinatorsTownsOnly) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto r =
      call(s, "GET", "/api/confirmation/overdue?older_than_days=0&limit=200", "coord_fujisaki");
  ASSERT_EQ(r.status, 200) << r.body;
  const json listings = json::parse(r.body).at("listings");
  ASSERT_FALSE(listings.empty()) << r.body;
  for (const auto& l : listings) EXPECT_EQ(l.at("lg_code"), kFujisaki) << l.dump();
  const auto asked =
      call(s, "POST", "/api/resources/" + s.itayanagi_salon + "/confirmation-requests",
           "coord_fujisaki", json::object());
  EXPECT_EQ(asked.status, 403) << asked.body;
  const auto review = call(s, "GET", "/api/review", "coord_fujisaki");
  EXPECT_EQ(review.status, 200) << review.body;
}

/// Submits an analysis as `user` and waits for it to end; returns the ended job.
json analyse(Aomori& s, const std::string& user, const json& request) {
  const auto r = call(s, "POST", "/api/gap/jobs", user, request);
  EXPECT_EQ(r.status, 202) << r.body;
  if (r.status != 202) return json::object();
  const std::string id = json::parse(r.body).at("id");
  for (int i = 0; i < 600; ++i) {
    const json j = json::parse(call(s, "GET", "/api/gap/jobs/" + id, user).body);
    if (j.value("status", "") != "queued" && j.value("status", "") != "running") return j;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the analysis did not end";
  return json::object();
}

std::set<std::string> job_ids(Aomori& s, const std::string& user) {
  const auto r = call(s, "GET", "/api/gap/jobs?limit=100", user);
  EXPECT_EQ(r.status, 200) << r.body;
  std::set<std::string> out;
  const json body = json::parse(r.body);  // kept alive while its list is read
  for (const auto& j : body.at("jobs")) out.insert(j.at("id").get<std::string>());
  return out;
}

TEST_F(Tenancy, APlannerOfATownAnalysesItsOwnFiguresAndSeesItsTownsJobsOnly) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const json coverage = {{"analysis", "coverage"}, {"kinds", {"kayoi_no_ba"}}, {"max_m", 2000}};
  // A planner of one town names none: their town's figures.
  const json mine = analyse(s, "planner_itayanagi", coverage);
  ASSERT_EQ(mine.value("status", ""), "done") << mine.dump();
  EXPECT_EQ(mine["municipality"], kItayanagi);
  EXPECT_EQ(mine["result"]["totals"]["target"], 2600) << "板柳町's 75歳以上 only";
  EXPECT_EQ(mine["result"]["municipality"]["name"], "板柳町");
  // … and may not name another.
  json other = coverage;
  other["municipality"] = kFujisaki;
  const auto refused = call(s, "POST", "/api/gap/jobs", "planner_itayanagi", other);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(code_of(refused), "outside_municipality");
  EXPECT_NE(refused.body.find("藤崎町"), std::string::npos) << refused.body;
  // A planner of two towns names one of them.
  const auto which = call(s, "POST", "/api/gap/jobs", "planner_two", coverage);
  EXPECT_EQ(which.status, 400) << which.body;
  EXPECT_NE(which.body.find("several towns"), std::string::npos) << which.body;
  const json fujisaki = analyse(s, "planner_two", other);
  EXPECT_EQ(fujisaki["result"]["totals"]["target"], 3100) << fujisaki.dump();
  json hiranai = coverage;
  hiranai["municipality"] = kHiranai;
  EXPECT_EQ(code_of(call(s, "POST", "/api/gap/jobs", "planner_two", hiranai)),
            "outside_municipality");
  json nowhere = coverage;
  nowhere["municipality"] = "131016";  // 千代田区: a right code, no boundary here
  const auto unknown = call(s, "POST", "/api/gap/jobs", "planner", nowhere);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(code_of(unknown), "unknown_municipality");
  // A planner of every town analyses the whole region: 藤崎町 and 板柳町.
  const json region = analyse(s, "planner", coverage);
  EXPECT_EQ(region["result"]["totals"]["target"], 5700) << region.dump();
  EXPECT_TRUE(region["municipality"].is_null());
  // Who sees which jobs: the region's only by a planner of every town.
  const std::string region_id = region.value("id", "");
  const std::string mine_id = mine.value("id", "");
  const std::string fujisaki_id = fujisaki.value("id", "");
  const auto itayanagi_sees = job_ids(s, "planner_itayanagi");
  EXPECT_TRUE(itayanagi_sees.contains(mine_id));
  EXPECT_FALSE(itayanagi_sees.contains(region_id));
  EXPECT_FALSE(itayanagi_sees.contains(fujisaki_id));
  EXPECT_EQ(call(s, "GET", "/api/gap/jobs/" + region_id, "planner_itayanagi").status, 404);
  EXPECT_EQ(
      call(s, "GET", "/api/gap/jobs/" + fujisaki_id + "?format=csv", "planner_itayanagi").status,
      404);
  EXPECT_EQ(call(s, "DELETE", "/api/gap/jobs/" + region_id, "planner_itayanagi").status, 404);
  const auto two_sees = job_ids(s, "planner_two");
  EXPECT_TRUE(two_sees.contains(mine_id) && two_sees.contains(fujisaki_id));
  EXPECT_FALSE(two_sees.contains(region_id));
  const auto all_sees = job_ids(s, "planner");
  EXPECT_TRUE(all_sees.contains(region_id) && all_sees.contains(mine_id) &&
              all_sees.contains(fujisaki_id));
}

// What the towns add must tell the public nothing: an unsigned caller gets 401 from every door
// that knows a user's towns — never a 403 naming the town of a listing it cannot see — and a
// private home placed exactly by the border is listed under its town with only its public
// (rounded) position, and counted once.
TEST_F(Tenancy, ThePublicLearnsNoTownOfWhatItCannotSee) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  // An internal listing and a private home, both in 藤崎町 by the border with 板柳町.
  json hidden = {{"name", "藤崎の内部メモ会"},
                 {"kind", "kayoi_no_ba"},
                 {"publish", "internal"},
                 {"lon", s.fujisaki_side.lon},
                 {"lat", s.fujisaki_side.lat}};
  const auto made_hidden = call(s, "POST", "/api/resources", "coordinator", hidden);
  ASSERT_EQ(made_hidden.status, 201) << made_hidden.body;
  const std::string hidden_id = json::parse(made_hidden.body).at("id");
  json home = {{"name", "境の個人宅サロン"}, {"kind", "ibasho"},
               {"venue", "private_home"},    {"publish", "public"},
               {"lon", s.fujisaki_side.lon}, {"lat", s.fujisaki_side.lat}};
  const auto made_home = call(s, "POST", "/api/resources", "coordinator", home);
  ASSERT_EQ(made_home.status, 201) << made_home.body;
  const std::string home_id = json::parse(made_home.body).at("id");
  EXPECT_EQ(json::parse(call(s, "GET", "/api/resources/" + home_id, "coordinator").body)
                .at("properties")
                .at("lg_code"),
            kFujisaki)
      << "a new listing takes the town of the boundary holding its point";

  // Every door that knows towns answers the public 401, naming no town.
  for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"PUT", "/api/resources/" + hidden_id},
           {"POST", "/api/resources/" + hidden_id + "/confirmation-requests"},
           {"POST", "/api/gap/jobs"},
           {"GET", "/api/gap/jobs"},
           {"GET", "/api/referrals?municipality=023612"},
           {"GET", "/api/reports/annual?municipality=023612&year=2026"},
           {"GET", "/api/me"}}) {
    const auto r = call(s, method, target, "public",
                        method == "GET" ? json(nullptr) : json{{"municipality", kFujisaki}});
    EXPECT_EQ(r.status, 401) << method << " " << target << ": " << r.body;
    EXPECT_EQ(r.body.find("藤崎町"), std::string::npos) << method << " " << target;
  }
  // The public's lists of each town: the hidden listing in neither, the private home in 藤崎町
  // only, at its public position, counted once.
  const json fujisaki = json::parse(
      call(s, "GET", "/api/resources?limit=1000&municipality=" + std::string(kFujisaki)).body);
  const json itayanagi = json::parse(
      call(s, "GET", "/api/resources?limit=1000&municipality=" + std::string(kItayanagi)).body);
  std::map<std::string, json> seen;
  for (const auto* fc : {&fujisaki, &itayanagi}) {
    for (const auto& f : fc->at("features")) {
      EXPECT_TRUE(seen.emplace(f.at("id").get<std::string>(), f).second) << "listed twice";
    }
  }
  EXPECT_FALSE(seen.contains(hidden_id)) << "the internal listing reached the public";
  ASSERT_TRUE(seen.contains(home_id));
  const auto& pos = seen.at(home_id).at("geometry").at("coordinates");
  EXPECT_FALSE(pos[0].get<double>() == s.fujisaki_side.lon &&
               pos[1].get<double>() == s.fujisaki_side.lat)
      << "the public sees the private home's exact position";
  EXPECT_EQ(fujisaki.at("numberMatched").get<std::size_t>() +
                itayanagi.at("numberMatched").get<std::size_t>(),
            seen.size());
  const auto by_name = json::parse(
      call(s, "GET",
           "/api/resources?q=" + url_encode("内部メモ") + "&municipality=" + std::string(kFujisaki))
          .body);
  EXPECT_EQ(by_name.at("numberMatched"), 0) << "a search by the hidden name finds nothing";
  // Close both again for the tests after this one.
  for (const auto& id : {hidden_id, home_id}) {
    EXPECT_EQ(edit(s, "coordinator", id, {{"status", "closed"}}).status, 200);
  }
}

TEST_F(Tenancy, BadTownCodesForAUserAreRefusedNamingTheTownsThereAre) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto add = [&](const std::string& towns) {
    return run_tsunagi_env({"user", "add", "--db", s.town.db.string(), "--name", "new_user",
                            "--role", "coordinator", "--municipality", towns},
                           s.town.env);
  };
  const auto short_code = add("02361");
  EXPECT_EQ(short_code.exit_code, 2);
  EXPECT_NE(short_code.err.find("6 digits"), std::string::npos) << short_code.err;
  const auto check_digit = add("023613");
  EXPECT_EQ(check_digit.exit_code, 2);
  EXPECT_NE(check_digit.err.find("check digit"), std::string::npos) << check_digit.err;
  const auto elsewhere = add("023612,131016");  // 千代田区: a real code, not a town here
  EXPECT_EQ(elsewhere.exit_code, 2);
  EXPECT_NE(elsewhere.err.find("131016"), std::string::npos) << elsewhere.err;
  EXPECT_NE(elsewhere.err.find("023612 藤崎町"), std::string::npos) << elsewhere.err;
  const auto users = run_tsunagi({"user", "list", "--db", s.town.db.string()});
  EXPECT_EQ(users.out.find("new_user"), std::string::npos) << "a refused user was stored";

  const auto both = run_tsunagi({"user", "municipalities", "--db", s.town.db.string(), "--name",
                                 "planner_itayanagi", "--municipality", "023817,023612"});
  EXPECT_EQ(both.exit_code, 0) << both.err;
  const auto listed = run_tsunagi({"user", "list", "--db", s.town.db.string()});
  EXPECT_NE(listed.out.find("023612,023817"), std::string::npos) << listed.out;
  const auto back = run_tsunagi({"user", "municipalities", "--db", s.town.db.string(), "--name",
                                 "planner_itayanagi", "--municipality", kItayanagi});
  EXPECT_EQ(back.exit_code, 0) << back.err;
}

}  // namespace
}  // namespace tsunagi::test
