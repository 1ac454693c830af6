// One instance serving nine towns (seed 004: 青森県社協 for 平内町…板柳町), against the real
// binary with the nine N03 boundaries imported by the real importer: each town's public map
// (?municipality=) holds only that town — /api/resources, the tiles (decoded) and their TileJSON
// (bounds = the town's extent, the parameter in its tile URL), the OGC items, the credits — on top
// of the visibility rule; a malformed or unknown code is refused with 400 unknown_municipality;
// and the annual report (API, CLI CSV and PDF) counts exactly the referrals made here, suppressing
// a count of 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/server_town.hpp"
#include "geo/core/time.hpp"
#include "geo/spatial/geometry.hpp"
#include "support/mvt_reader.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kTowns = {"02301", "02303", "02304", "02307", "02343",
                                         "02361", "02362", "02367", "02381"};
constexpr const char* kFujisaki = "023612";
constexpr const char* kItayanagi = "023817";

struct Aomori {
  TempDir dir;
  Town town;
  std::set<std::string> fujisaki_public;  ///< ids of 藤崎町's public resources
  std::set<std::string> itayanagi_public;
  std::string fujisaki_internal;
  std::string farm;  ///< 藤崎町's placement
  std::unique_ptr<ServerProcess> server;
};

Aomori* g_setup = nullptr;

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
    auto inside = [&](const std::string& code) {
      const auto a = tiny.store().area("municipality:" + code);
      EXPECT_TRUE(a.has_value()) << code;
      return geo::Geometry::from_wkb(a->wkb).point_on_surface();
    };
    const auto add = [&](const std::string& code, int i, geo::ResourceKind kind,
                         geo::PublishLevel publish) {
      const auto [lon, lat] = inside(code);
      return tiny.add("資源" + code + "-" + std::to_string(i), kind, lon + 0.0005 * i,
                      lat + 0.0003 * i, [&](geo::Resource& r) {
                        r.lg_code = code;
                        r.publish = publish;
                        if (kind == geo::ResourceKind::placement_site) {
                          geo::PlacementOffer offer;
                          offer.slots_total = 10;
                          offer.slots_open = 10;
                          r.offer = offer;
                        }
                      });
    };
    for (int i = 0; i < 5; ++i) {
      s.fujisaki_public.insert(
          add(kFujisaki, i, geo::ResourceKind::kayoi_no_ba, geo::PublishLevel::public_).id);
    }
    const auto farm =
        add(kFujisaki, 5, geo::ResourceKind::placement_site, geo::PublishLevel::public_);
    s.farm = farm.id;
    s.fujisaki_public.insert(farm.id);
    s.fujisaki_internal =
        add(kFujisaki, 6, geo::ResourceKind::kayoi_no_ba, geo::PublishLevel::internal).id;
    for (int i = 0; i < 4; ++i) {
      s.itayanagi_public.insert(
          add(kItayanagi, i, geo::ResourceKind::kayoi_no_ba, geo::PublishLevel::public_).id);
    }
  }
  add_users(s.town, {"matcher", "planner", "coordinator"});
  s.server = std::make_unique<ServerProcess>(
      std::vector<std::string>{"--db", s.town.db.string(), "--port", "0"});
  return s;
}

HttpResult call(Aomori& s, const std::string& method, const std::string& target,
                const std::string& role = "public", const json& body = nullptr) {
  HttpClient c(s.server->host(), s.server->port());
  auto headers = bearer(s.town, role);
  if (!body.is_null()) headers.emplace_back("Content-Type", "application/json");
  return c.request(method, target, headers, body.is_null() ? std::string() : body.dump());
}

std::set<std::string> ids_of(const json& fc) {
  std::set<std::string> out;
  for (const auto& f : fc.at("features")) out.insert(f.at("id").get<std::string>());
  return out;
}

/// The town's box from /api/meta (its boundary's extent).
std::array<double, 4> town_bbox(Aomori& s, const std::string& code) {
  const auto r = call(s, "GET", "/api/meta");
  EXPECT_EQ(r.status, 200);
  const json meta = json::parse(r.body);
  for (const auto& m : meta.at("municipalities")) {
    if (m.at("code") == code) return m.at("bbox").get<std::array<double, 4>>();
  }
  ADD_FAILURE() << "no municipality " << code << " in /api/meta";
  return {};
}

class Towns : public ::testing::Test {
 public:
  static void TearDownTestSuite() {
    if (g_setup == nullptr) return;
    EXPECT_EQ(g_setup->server->stop(SIGTERM), 0);
    delete g_setup;
    g_setup = nullptr;
  }
};

TEST_F(Towns, ListsAndOgcItemsHoldOnlyTheTownAfterTheVisibilityRule) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto all = call(s, "GET", "/api/resources?limit=1000");
  ASSERT_EQ(all.status, 200) << all.body;
  std::set<std::string> both = s.fujisaki_public;
  both.insert(s.itayanagi_public.begin(), s.itayanagi_public.end());
  EXPECT_EQ(ids_of(json::parse(all.body)), both);  // the default page: every town

  const auto one =
      call(s, "GET", std::string("/api/resources?limit=1000&municipality=") + kFujisaki);
  ASSERT_EQ(one.status, 200) << one.body;
  const json fc = json::parse(one.body);
  EXPECT_EQ(ids_of(fc), s.fujisaki_public);  // no 板柳町, and the public still sees no internal one
  EXPECT_EQ(fc.at("numberMatched"), s.fujisaki_public.size());
  // The search of a town's map is the same query.
  const auto q =
      call(s, "GET",
           std::string("/api/resources?q=") + url_encode("資源") + "&municipality=" + kItayanagi);
  EXPECT_EQ(ids_of(json::parse(q.body)), s.itayanagi_public);
  // Staff see the internal one, still only in their town.
  const auto staff = call(
      s, "GET", std::string("/api/resources?limit=1000&municipality=") + kFujisaki, "coordinator");
  auto with_internal = s.fujisaki_public;
  with_internal.insert(s.fujisaki_internal);
  EXPECT_EQ(ids_of(json::parse(staff.body)), with_internal);

  const auto items =
      call(s, "GET",
           std::string("/ogc/collections/kayoi_no_ba/items?limit=100&municipality=") + kItayanagi);
  ASSERT_EQ(items.status, 200) << items.body;
  EXPECT_EQ(ids_of(json::parse(items.body)), s.itayanagi_public);
  const auto areas =
      call(s, "GET", std::string("/ogc/collections/areas/items?municipality=") + kFujisaki);
  ASSERT_EQ(areas.status, 200) << areas.body;
  EXPECT_EQ(ids_of(json::parse(areas.body)), std::set<std::string>{"municipality:023612"});
}

TEST_F(Towns, TilesAndTileJsonHoldOnlyTheTownAndItsExtent) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const auto box = town_bbox(s, kFujisaki);
  const auto tj = call(s, "GET", std::string("/tiles/resources.json?municipality=") + kFujisaki);
  ASSERT_EQ(tj.status, 200) << tj.body;
  const json doc = json::parse(tj.body);
  const std::string url = doc.at("tiles").at(0);
  EXPECT_NE(url.find(std::string("municipality=") + kFujisaki), std::string::npos) << url;
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_DOUBLE_EQ(doc.at("bounds").at(i).get<double>(), box[i]);
  const json whole = json::parse(call(s, "GET", "/tiles/resources.json").body);
  EXPECT_NE(whole.at("bounds"), doc.at("bounds"));
  const json areas_tj =
      json::parse(call(s, "GET", std::string("/tiles/areas.json?municipality=") + kFujisaki).body);
  EXPECT_NE(areas_tj.at("tiles").at(0).get<std::string>().find("municipality="), std::string::npos);

  // Every z12 tile over 藤崎町: unfiltered first (so that a cache not keyed on the town would
  // answer the filtered request with it), then the town's.
  constexpr std::uint32_t z = 12;
  const auto lo = tiles::tile_at(box[0], box[3], z);
  const auto hi = tiles::tile_at(box[2], box[1], z);
  std::set<std::string> unfiltered, filtered, area_codes_all, area_codes_town;
  for (auto x = lo.x; x <= hi.x; ++x) {
    for (auto y = lo.y; y <= hi.y; ++y) {
      const tiles::TileId t{z, x, y};
      for (const bool town : {false, true}) {
        const std::string query = town ? std::string("municipality=") + kFujisaki : "";
        for (const std::string layer : {"resources", "areas"}) {
          const auto r = call(s, "GET", tile_path(layer, t, query));
          if (r.status == 204) continue;
          ASSERT_EQ(r.status, 200) << r.body;
          for (const auto& f : decode_tile(r.body, z, x, y)) {
            const bool res = layer == "resources";
            auto& into =
                res ? (town ? filtered : unfiltered) : (town ? area_codes_town : area_codes_all);
            into.insert(res ? f.props.at("id") : f.props.at("code"));
          }
        }
      }
    }
  }
  EXPECT_EQ(filtered, s.fujisaki_public);
  EXPECT_TRUE(
      std::includes(unfiltered.begin(), unfiltered.end(), filtered.begin(), filtered.end()));
  EXPECT_EQ(area_codes_town, std::set<std::string>{kFujisaki});
  EXPECT_GT(area_codes_all.size(), 1U)
      << "the neighbours of 藤崎町 are in its tiles without the filter";
}

TEST_F(Towns, AMalformedOrUnknownTownIsRefusedClearly) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  for (const std::string target :
       {"/api/resources?municipality=023611", "/api/resources?municipality=02361",
        "/api/resources?municipality=131016", "/tiles/resources.json?municipality=131016",
        "/tiles/areas/12/3640/1530.mvt?municipality=abc",
        "/ogc/collections/areas/items?municipality=131016", "/api/sources?municipality=023611"}) {
    const auto r = call(s, "GET", target);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << target;
    const json p = json::parse(r.body);
    EXPECT_EQ(p.at("code"), "unknown_municipality") << target << " " << r.body;
    // It names the towns there are.
    EXPECT_NE(p.at("detail").get<std::string>().find("023612 藤崎町"), std::string::npos)
        << p.dump();
  }
}

TEST_F(Towns, TheAnnualReportCountsTheTownsReferralsAndSuppressesThree) {
  TSUNAGI_REQUIRE_SHARED_DATA(n03, "n03-municipalities");
  Aomori& s = setup(n03);
  const std::string year = geo::today_jst().substr(0, 4);
  const auto create = [&](const std::string& home) {
    const json body = {{"resource_id", s.farm},
                       {"legal_basis", "shien_kaigi"},
                       {"home_area", home},
                       {"age_band", "50s"}};
    const auto r = call(s, "POST", "/api/referrals", "matcher", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).at("case_id").get<std::string>();
  };
  const auto step = [&](const std::string& id, const std::string& to, const std::string& reason) {
    json b = {{"to", to}};
    if (!reason.empty()) b["reason"] = reason;
    const auto r = call(s, "POST", "/api/referrals/" + id + "/transitions", "matcher", b);
    EXPECT_EQ(r.status, 200) << to << " " << r.body;
  };
  // 藤崎町: 3 started, 5 declined by the host (満員); 板柳町: 2 proposed (not 藤崎町's).
  for (int i = 0; i < 8; ++i) {
    const auto id = create(std::string("municipality:") + kFujisaki);
    step(id, "consented", "");
    step(id, "host_asked", "");
    if (i < 3) {
      step(id, "started", "");
    } else {
      step(id, "declined_by_host", "full");
    }
  }
  for (int i = 0; i < 2; ++i) create(std::string("municipality:") + kItayanagi);

  const std::string target =
      std::string("/api/reports/annual?municipality=") + kFujisaki + "&year=" + year;
  EXPECT_EQ(call(s, "GET", target).status, 401);
  EXPECT_EQ(call(s, "GET", target, "matcher").status, 403);
  const auto r = call(s, "GET", target, "planner");
  ASSERT_EQ(r.status, 200) << r.body;
  const json report = json::parse(r.body);
  std::map<std::string, json> v;
  for (const auto& c : report.at("counts")) {
    v[c.at("section").get<std::string>() + "." + c.at("key").get<std::string>()] = c.at("value");
  }
  EXPECT_EQ(report.at("municipality").at("name"), "藤崎町");
  EXPECT_EQ(v.at("referrals.total"), 8);  // the 板柳町 cases are not 藤崎町's
  EXPECT_TRUE(v.at("referrals_by_status.started").is_null()) << "3 is under k = 5";
  // 5 would give the 3 away (8 − 5): the rule hides it too.
  EXPECT_TRUE(v.at("referrals_by_status.declined_by_host").is_null());
  EXPECT_EQ(v.at("referrals_by_kind.placement_site"), 8);
  EXPECT_EQ(v.at("referrals.host_answers"), 8);
  EXPECT_FALSE(report.at("median_days_to_answer").is_null());
  EXPECT_EQ(v.at("resources.new"), 7);  // the town's resources, every publish level
  EXPECT_GE(report.at("suppression").at("suppressed").get<int>(), 2);
  EXPECT_NE(report.at("suppression").at("note").get<std::string>().find("秘匿"), std::string::npos);
  const json other = json::parse(
      call(s, "GET",
           std::string("/api/reports/annual?municipality=") + kItayanagi + "&year=" + year,
           "planner")
          .body);
  for (const auto& c : other.at("counts")) {
    if (c.at("key") == "total" && c.at("section") == "referrals") {
      EXPECT_TRUE(c.at("value").is_null()) << "2 referrals are under k";
    }
  }
  const auto csv = call(s, "GET", target + "&format=csv", "coordinator");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("referrals_by_status,started,参加開始,秘匿"), std::string::npos)
      << csv.body;
  EXPECT_EQ(
      call(s, "GET", std::string("/api/reports/annual?municipality=131016&year=") + year, "planner")
          .status,
      400);

  // The command line: the same counts as CSV, and an A4 PDF with the town's name.
  const auto cli = run_tsunagi({"report", "--db", s.town.db.string(), "--municipality", kFujisaki,
                                "--year", year, "--format", "csv"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("referrals,total,紹介（つなぎ）の件数,8"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("referrals_by_status,started,参加開始,秘匿"), std::string::npos);
  const auto pdf = s.dir / "report.pdf";
  const auto made = run_tsunagi({"report", "--db", s.town.db.string(), "--municipality", kFujisaki,
                                 "--year", year, "--format", "pdf", "--out", pdf.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto text = run_program({"pdftotext", "-layout", pdf.string(), "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err << " (pdftotext is in poppler-utils)";
  EXPECT_NE(text.out.find("藤崎町"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("秘匿"), std::string::npos) << text.out;
  const auto bad = run_tsunagi({"report", "--db", s.town.db.string(), "--municipality", "131016",
                                "--year", year, "--format", "csv"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a town of this server"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tsunagi::test
