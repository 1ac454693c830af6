// Attacks on privacy against the real server, as a curious member of the public (or a partner)
// would try them: locate a サロン held in a private home by trilateration with near=, by slicing
// bboxes, by searching its hidden address; learn what the public may not know from counts, ETags,
// error messages, OGC filters, history or an export. Each must give nothing beyond the record as
// projected for the caller (geo/catalog/visibility).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/server_town.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "support/mvt_reader.hpp"
#include "tiles/basemap.hpp"
#include "tiles/tile_math.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

// The true position of the host's house, and what only staff may know of it.
constexpr double kHomeLon = 133.636255;
constexpr double kHomeLat = 35.1005574;
const std::vector<std::string> kHomeSecrets = {
    "3-14-15", "離れ", "090-1234-5678", "山田 花子", "SECRET-NOTE", "133.63625", "35.10055"};

const std::string kSecretTable = "SECRET-TABLE 要介護認定者数（内部）";

class PrivacyAttacks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    {
      TinyTown town(town_->db);
      auto& store = town.store();
      // The 町丁 the house is in: the public sees the house at this area's point.
      town.add_area("chome:demo-naka3", geo::AreaKind::chome, "中町三丁目",
                    "POLYGON((133.630 35.096,133.642 35.096,133.642 35.106,133.630 35.106,"
                    "133.630 35.096))",
                    133.6360, 35.1010);

      auto home = town_resource("えんがわサロン", geo::ResourceKind::ibasho, kHomeLon, kHomeLat);
      home.venue = geo::VenueKind::private_home;
      home.operator_type = geo::OperatorType::jumin_kojin;
      home.operator_name = "山田 花子";
      home.address = "つなぎ町中町3-14-15（架空）";
      home.building = "離れ";
      home.phone = "090-1234-5678";
      home.note = "SECRET-NOTE 鍵は隣家";
      home.schedules.push_back(geo::parse_schedule("毎週木曜日 10:00〜12:00"));
      store.create(home, "test");
      town_->ids["home"] = home.id;

      // A resource that was internal (with an old address and a note) and is now for partners.
      auto moved =
          town_resource("移転した窓口", geo::ResourceKind::sodan_shien_other, 133.66, 35.11);
      moved.publish = geo::PublishLevel::internal;
      moved.address = "SECRET-OLDADDR 旧庁舎";
      moved.note = "SECRET-NOTE 移転前";
      store.create(moved, "test");
      moved.publish = geo::PublishLevel::partners;
      moved.address = "つなぎ町本町1-1（架空）";
      store.update(moved, moved.version, "test");
      town_->ids["moved"] = moved.id;

      // Figures of the house's 町丁: census counts, one of them 秘匿 by e-Stat, and the
      // municipality's own counts — a partners-level one and an internal one, small enough for
      // the small-cell rule. The public may learn none of the marked or non-public values.
      // The own figures come from a table whose very name is not for the public.
      geo::SourceInfo own_table;
      own_table.key = "indicators:secret";
      own_table.title = kSecretTable;
      own_table.publisher = "SECRET-PUBLISHER 福祉課";
      own_table.license = "internal";
      const std::int64_t own_source = store.upsert_source(own_table);
      auto def = [own_source](const std::string& key, geo::PublishLevel publish, bool own) {
        geo::StatDef d;
        d.key = key;
        d.label = key;
        d.publish = publish;
        d.own_data = own;
        if (own) d.source_id = own_source;
        return d;
      };
      auto value = [](const std::string& key, std::optional<double> v, geo::StatStatus st) {
        geo::StatValue sv;
        sv.area_id = "chome:demo-naka3";
        sv.key = key;
        sv.ref_date = "2020-10-01";
        sv.value = v;
        sv.status = st;
        return sv;
      };
      store.put_stats({def("population", geo::PublishLevel::public_, false),
                       def("aged_65", geo::PublishLevel::public_, false),
                       def("secret_partner_count", geo::PublishLevel::partners, true),
                       def("secret_internal_count", geo::PublishLevel::internal, true)},
                      {value("population", 812, geo::StatStatus::value),
                       value("aged_65", std::nullopt, geo::StatStatus::suppressed),
                       value("secret_partner_count", 44, geo::StatStatus::value),
                       value("secret_internal_count", 7, geo::StatStatus::value)});
    }
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }

  static HttpResult get(const std::string& target, const std::string& role = "public") {
    HttpClient c(server_->host(), server_->port());
    return c.get(target, bearer(*town_, role));
  }
  static json get_json(const std::string& target, const std::string& role = "public") {
    const auto r = get(target, role);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
  /// The public body must carry none of the house's secrets, nor the other markers.
  static void expect_nothing_secret(const std::string& what, const std::string& body) {
    for (const auto& s : kHomeSecrets) {
      EXPECT_EQ(body.find(s), std::string::npos) << what << " leaks " << s;
    }
    for (const auto& s : secret_markers()) {
      EXPECT_EQ(body.find(s), std::string::npos) << what << " leaks " << s;
    }
  }
  static const json* find_feature(const json& fc, const std::string& id) {  // fc must outlive it
    for (const auto& f : fc["features"]) {
      if (f["id"] == id) return &f;
    }
    return nullptr;
  }
  /// An edit by a coordinator that changes only what the public may not see (the note).
  static void edit_note(const std::string& id, const std::string& note) {
    HttpClient c(server_->host(), server_->port());
    const auto cur = c.get("/api/resources/" + id, bearer(*town_, "coordinator"));
    ASSERT_EQ(cur.status, 200) << cur.body;
    json props = json::parse(cur.body)["properties"];
    props["note"] = note;
    auto h = bearer(*town_, "coordinator");
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("If-Match", cur.header("etag"));
    const auto put = c.request("PUT", "/api/resources/" + id, h, props.dump());
    ASSERT_EQ(put.status, 200) << put.body;
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* PrivacyAttacks::dir_ = nullptr;
Town* PrivacyAttacks::town_ = nullptr;
ServerProcess* PrivacyAttacks::server_ = nullptr;

TEST_F(PrivacyAttacks, TrilaterationWithNearFindsOnlyTheServedPoint) {
  const json served = get_json("/api/resources/" + town_->ids.at("home"));
  const double lon = served["geometry"]["coordinates"][0];
  const double lat = served["geometry"]["coordinates"][1];
  EXPECT_GT(geo::geodesic_distance_m(lon, lat, kHomeLon, kHomeLat), 30.0)
      << "the public must not get the house itself";
  // Three points around the house; every distance is to the served point, so trilateration
  // recovers the 町丁's point and nothing finer.
  for (const auto& [qlon, qlat] : std::vector<std::pair<double, double>>{
           {133.6330, 35.0990}, {133.6400, 35.0995}, {133.6370, 35.1040}}) {
    const std::string target =
        "/api/resources?limit=1000&near=" + std::to_string(qlon) + "," + std::to_string(qlat);
    const auto r = get(target);
    expect_nothing_secret(target, r.body);
    const json page = json::parse(r.body);
    const json* f = find_feature(page, town_->ids.at("home"));
    ASSERT_NE(f, nullptr) << target;
    const double d = (*f)["properties"]["distance_m"];
    EXPECT_NEAR(d, geo::geodesic_distance_m(qlon, qlat, lon, lat), 0.1) << target;
  }
}

TEST_F(PrivacyAttacks, ShrinkingBoxesAroundTheHouseFindNothing) {
  const json served = get_json("/api/resources/" + town_->ids.at("home"));
  const double lon = served["geometry"]["coordinates"][0];
  const double lat = served["geometry"]["coordinates"][1];
  for (const double d : {0.003, 0.001, 0.0003, 0.0001}) {
    const std::string box = std::to_string(kHomeLon - d) + "," + std::to_string(kHomeLat - d) +
                            "," + std::to_string(kHomeLon + d) + "," + std::to_string(kHomeLat + d);
    const bool holds_served =
        lon >= kHomeLon - d && lon <= kHomeLon + d && lat >= kHomeLat - d && lat <= kHomeLat + d;
    for (const std::string& target :
         {"/api/resources?bbox=" + box, "/ogc/collections/ibasho/items?bbox=" + box}) {
      const auto r = get(target);
      expect_nothing_secret(target, r.body);
      EXPECT_EQ(find_feature(json::parse(r.body), town_->ids.at("home")) != nullptr, holds_served)
          << target << ": a box answers on the served point only";
    }
  }
  // Staff (who may know the house) find it in the smallest box.
  const std::string tiny =
      std::to_string(kHomeLon - 0.0001) + "," + std::to_string(kHomeLat - 0.0001) + "," +
      std::to_string(kHomeLon + 0.0001) + "," + std::to_string(kHomeLat + 0.0001);
  EXPECT_NE(
      find_feature(get_json("/api/resources?bbox=" + tiny, "coordinator"), town_->ids.at("home")),
      nullptr);
}

TEST_F(PrivacyAttacks, SearchingTheHiddenAddressOrBuildingFindsNothing) {
  for (const std::string word : {"3-14-15", "14-15", "離れ", "山田"}) {
    const std::string target = "/api/resources?q=" + url_encode(word);
    const json r = get_json(target);
    EXPECT_EQ(r["numberMatched"], 0) << target;
  }
  EXPECT_EQ(get_json("/api/resources?q=" + url_encode("3-14-15"), "coordinator")["numberMatched"],
            1)
      << "staff search the address";
  EXPECT_EQ(get_json("/api/resources?q=" + url_encode("えんがわ"))["numberMatched"], 1);
}

TEST_F(PrivacyAttacks, ThePublicRecordHasNoPhoneOfAPrivateHostAndNoAddress) {
  const auto r = get("/api/resources/" + town_->ids.at("home"));
  ASSERT_EQ(r.status, 200);
  expect_nothing_secret("the house", r.body);
  const json p = json::parse(r.body)["properties"];
  EXPECT_EQ(p["phone"], "");
  EXPECT_EQ(p["address"], "");
  EXPECT_EQ(p["accuracy"], "chome");
  const json staff = get_json("/api/resources/" + town_->ids.at("home"), "coordinator");
  EXPECT_EQ(staff["properties"]["phone"], "090-1234-5678");
}

TEST_F(PrivacyAttacks, CountsAndTagsDoNotMoveWithWhatThePublicCannotSee) {
  const auto home = "/api/resources/" + town_->ids.at("home");
  const auto tag_before = get(home).header("etag");
  const auto list_before = get("/api/resources?limit=1000").body;
  const auto vacancy_before = get_json("/api/resources?has_vacancy=true")["numberMatched"];
  const auto health_before = get("/health").body;
  const auto collections_before = get("/ogc/collections").body;
  const auto house_tile = tile_path("resources", tiles::tile_at(kHomeLon, kHomeLat, 15));
  const auto town_tile = tile_path("resources", tiles::tile_at(kHomeLon, kHomeLat, 9));
  const auto tile_tag_before = get(house_tile).header("etag");
  const auto cluster_tag_before = get(town_tile).header("etag");
  // Only what the public cannot see changes: a note, and a placement's open slots.
  edit_note(town_->ids.at("home"), "SECRET-NOTE 鍵の場所が変わった");
  {
    HttpClient c(server_->host(), server_->port());
    const auto farm = c.get("/api/resources/" + town_->ids.at("farm"), bearer(*town_, "matcher"));
    json props = json::parse(farm.body)["properties"];
    props["offer"]["slots_open"] = 0;
    auto h = bearer(*town_, "matcher");
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("If-Match", farm.header("etag"));
    const auto put = c.request("PUT", "/api/resources/" + town_->ids.at("farm"), h, props.dump());
    ASSERT_EQ(put.status, 200) << put.body;
  }
  {
    // And a new resource the public may not know of, near the house.
    HttpClient c(server_->host(), server_->port());
    auto h = bearer(*town_, "coordinator");
    h.emplace_back("Content-Type", "application/json");
    const auto made = c.request("POST", "/api/resources", h,
                                json{{"name", "内部の見守り拠点"},
                                     {"kind", "ibasho"},
                                     {"publish", "internal"},
                                     {"lon", kHomeLon},
                                     {"lat", kHomeLat}}
                                    .dump());
    ASSERT_EQ(made.status, 201) << made.body;
  }
  // Staff look at tiles of what the public cannot see, filling the shared tile cache.
  for (std::uint32_t z = 10; z <= 16; ++z) {
    EXPECT_EQ(
        get(tile_path("resources", tiles::tile_at(kHomeLon, kHomeLat, z)), "coordinator").status,
        200);
  }
  EXPECT_EQ(get("/health").body, health_before)
      << "no count, generation or cache figure moves for the public";
  EXPECT_EQ(get(house_tile).header("etag"), tile_tag_before)
      << "the public's tile over the house does not change with hidden edits";
  EXPECT_EQ(get(town_tile).header("etag"), cluster_tag_before)
      << "nor do the public's cluster counts";
  EXPECT_EQ(get("/ogc/collections").body, collections_before) << "nor an OGC count or extent";
  EXPECT_EQ(get(home).header("etag"), tag_before) << "the public's ETag counts no hidden edits";
  EXPECT_EQ(get("/api/resources?limit=1000").body, list_before)
      << "the public listing is byte-identical";
  EXPECT_EQ(get_json("/api/resources?has_vacancy=true")["numberMatched"], vacancy_before)
      << "open placement slots are not the public's to count";
  // A conditional GET with the old tag is still a 304.
  HttpClient c(server_->host(), server_->port());
  EXPECT_EQ(c.get(home, {{"If-None-Match", tag_before}}).status, 304);
}

TEST_F(PrivacyAttacks, HiddenAndAbsentResourcesAnswerAlike) {
  const std::string absent = "00000000-0000-4000-8000-000000000000";
  for (const auto& hidden : {town_->ids.at("internal"), town_->ids.at("partners"),
                             town_->ids.at("closed"), town_->ids.at("moved")}) {
    const auto a = get("/api/resources/" + hidden);
    const auto b = get("/api/resources/" + absent);
    EXPECT_EQ(a.status, 404);
    EXPECT_EQ(b.status, a.status);
    std::string ab = a.body;
    ab.replace(ab.find(hidden), hidden.size(), absent);
    EXPECT_EQ(ab, b.body) << "the message must not tell hidden from absent";
    const auto oa = get("/ogc/collections/sodan_shien_other/items/" + hidden);
    EXPECT_EQ(oa.status, 404);
  }
}

TEST_F(PrivacyAttacks, OgcFiltersOnNonPublicFieldsAreRefusedAndClosedIsNeverListed) {
  for (const std::string q : {"publish=internal", "sortby=note", "note=SECRET", "email=x"}) {
    const auto r = get("/ogc/collections/ibasho/items?" + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    expect_nothing_secret(q, r.body);
  }
  EXPECT_EQ(get_json("/ogc/collections/ibasho/items?status=closed")["numberMatched"], 0);
  EXPECT_EQ(get_json("/api/resources?status=closed")["numberMatched"], 0)
      << "one policy for closed resources on every route";
  EXPECT_EQ(get("/api/resources/" + town_->ids.at("closed")).status, 404);
  EXPECT_EQ(get_json("/api/resources?status=closed", "coordinator")["numberMatched"], 1);
  const json ibasho = get_json("/ogc/collections/ibasho/items?limit=1000");
  for (const auto& f : ibasho["features"]) {
    expect_nothing_secret("ogc ibasho", f.dump());
    EXPECT_NE(f["properties"]["status"], "closed");
  }
}

TEST_F(PrivacyAttacks, HistoryShowsAPartnerNothingFromWhenItWasInternal) {
  const auto r = get("/api/resources/" + town_->ids.at("moved") + "/history", "matcher");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("SECRET-OLDADDR"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("SECRET-NOTE"), std::string::npos) << r.body;
  const auto staff = get("/api/resources/" + town_->ids.at("moved") + "/history", "coordinator");
  EXPECT_NE(staff.body.find("SECRET-OLDADDR"), std::string::npos);
  const auto home = get("/api/resources/" + town_->ids.at("home") + "/history", "planner");
  ASSERT_EQ(home.status, 200);
  EXPECT_EQ(home.body.find("SECRET-NOTE"), std::string::npos) << "the note is internal";
}

TEST_F(PrivacyAttacks, TheDefaultExportIsThePublicView) {
  const auto out = (*dir_ / "published.csv").string();
  const auto r = run_tsunagi({"export", "--db", town_->db.string(), "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_file(out);
  expect_nothing_secret("tsunagi export", text);
  EXPECT_NE(text.find("えんがわサロン"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

// Every zoom from the whole country to a doorstep: the public's tiles around the house hold
// public resources only, the house only at the point the public is served, and no secret.
TEST_F(PrivacyAttacks, TilesAtEveryZoomShowTheHouseOnlyWhereThePublicIsServedIt) {
  const json pub = get_json("/api/resources?limit=1000");
  std::set<std::string> public_ids;
  for (const auto& f : pub["features"]) public_ids.insert(f["id"].get<std::string>());
  const json* home = find_feature(pub, town_->ids.at("home"));
  ASSERT_NE(home, nullptr);
  const double served_lon = (*home)["geometry"]["coordinates"][0];
  const double served_lat = (*home)["geometry"]["coordinates"][1];
  const auto served = tiles::lonlat_to_mercator(served_lon, served_lat);
  const auto truth = tiles::lonlat_to_mercator(kHomeLon, kHomeLat);
  int seen_home = 0;
  for (std::uint32_t z = 4; z <= 22; ++z) {
    const auto centre = tiles::tile_at(kHomeLon, kHomeLat, z);
    std::int64_t clustered = 0;
    for (std::uint32_t x = centre.x - 1; x <= centre.x + 1; ++x) {
      for (std::uint32_t y = centre.y - 1; y <= centre.y + 1; ++y) {
        const auto t = tiles::make_tile(z, x, y);
        const auto r = get(tile_path("resources", t));
        if (r.status == 204) continue;
        ASSERT_EQ(r.status, 200) << r.body;
        expect_nothing_secret("tile " + tile_path("resources", t), r.body);
        for (const auto& f : decode_tile(r.body, t.z, t.x, t.y)) {
          if (f.props.count("cluster") != 0) {
            clustered += std::stoll(f.props.at("count"));
            continue;
          }
          const std::string& id = f.props.at("id");
          EXPECT_EQ(public_ids.count(id), 1U) << "z" << z << ": " << id << " is not public";
          EXPECT_EQ(f.props.count("publish"), 0U);
          if (id != town_->ids.at("home")) continue;
          ++seen_home;
          double px = 0;
          double py = 0;
          ASSERT_EQ(std::sscanf(f.wkt.c_str(), "POINT (%lf %lf)", &px, &py), 2);
          const double unit = 2 * tiles::kOriginShift / std::ldexp(1.0, int(z)) / 4096;
          EXPECT_LE(std::hypot(px - served.x, py - served.y), unit) << "z" << z;
          EXPECT_GT(std::hypot(px - truth.x, py - truth.y), 30.0) << "z" << z;
        }
      }
    }
    EXPECT_LE(clustered, static_cast<std::int64_t>(public_ids.size())) << "z" << z;
  }
  EXPECT_GT(seen_home, 5) << "the house is drawn, at its served point";
  // The public's TileJSON bounds are those of what it may see: the partners' office is east.
  const json tj = get_json("/tiles/resources.json");
  EXPECT_LT(tj["bounds"][2].get<double>(), 133.659);
  // And no internal field is advertised to it.
  EXPECT_FALSE(tj["vector_layers"][0]["fields"].contains("publish"));
}

}  // namespace
}  // namespace tsunagi::test

namespace tsunagi::test {
namespace {

/// An area's figure keys that only staff may know, and the census figure e-Stat suppressed.
bool names_a_hidden_figure(const std::string& text) {
  return text.find("secret_partner_count") != std::string::npos ||
         text.find("secret_internal_count") != std::string::npos;
}

// The public tries every way out for the 町丁's figures: the TileJSON, the area tiles at every
// zoom, the OGC API (list, item, a filter and a sort on a hidden figure), the gap analyses, the
// area export and the MBTiles export. It sees the population, the 秘匿 mark without a value and no
// rate computed from it, and nothing of the municipality's own counts — not even their names.
TEST_F(PrivacyAttacks, SuppressedAndOwnFiguresReachThePublicNowhere) {
  const auto tilejson = get("/tiles/areas.json");
  ASSERT_EQ(tilejson.status, 200);
  EXPECT_FALSE(names_a_hidden_figure(tilejson.body)) << tilejson.body;
  EXPECT_TRUE(names_a_hidden_figure(get("/tiles/areas.json", "coordinator").body))
      << "the attack must be able to see what staff see";

  // Asking the tiles for a hidden figure by name: refused exactly as for a figure that does not
  // exist, and the refusal lists only what the public may ask for.
  const auto t14 = tiles::tile_at(133.6360, 35.1010, 14);
  const auto hidden = get(tile_path("areas", t14, "fields=secret_partner_count"));
  const auto absent = get(tile_path("areas", t14, "fields=secret_partner_countX"));
  EXPECT_EQ(hidden.status, 400) << hidden.body;
  EXPECT_EQ(absent.status, 400) << absent.body;
  std::string absent_body = absent.body;
  absent_body.replace(absent_body.find("secret_partner_countX"), 21, "secret_partner_count");
  EXPECT_EQ(hidden.body, absent_body);
  EXPECT_NE(hidden.body.find("population"), std::string::npos) << hidden.body;
  EXPECT_EQ(hidden.body.find("secret_internal_count"), std::string::npos) << hidden.body;

  int seen = 0;
  for (std::uint32_t z = 8; z <= 18; ++z) {
    const auto t = tiles::tile_at(133.6360, 35.1010, z);
    const auto r = get(tile_path("areas", t, "fields=all"));
    if (r.status == 204) continue;
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& f : decode_tile(r.body, t.z, t.x, t.y)) {
      for (const auto& [k, v] : f.props) {
        EXPECT_FALSE(names_a_hidden_figure(k)) << "z" << z << " " << k;
      }
      if (f.props.count("id") == 0 || f.props.at("id") != "chome:demo-naka3") continue;
      ++seen;
      EXPECT_EQ(f.props.at("population"), "812") << "z" << z;
      EXPECT_TRUE(f.props.count("aged_65") == 0 || f.props.at("aged_65").empty()) << "z" << z;
      EXPECT_EQ(f.props.at("aged_65_status"), "suppressed") << "z" << z;
      EXPECT_TRUE(f.props.count("aging_rate") == 0 || f.props.at("aging_rate").empty())
          << "a rate would give the suppressed count back: 812 × rate";
    }
  }
  EXPECT_GT(seen, 5);

  for (const std::string target : {"/ogc/collections/areas/items?f=json&limit=1000",
                                   "/ogc/collections/areas/items/chome:demo-naka3?f=json"}) {
    const auto r = get(target);
    ASSERT_EQ(r.status, 200) << target;
    EXPECT_FALSE(names_a_hidden_figure(r.body)) << target;
    const json j = json::parse(r.body);
    const json& props = j.contains("features")
                            ? (*find_feature(j, "chome:demo-naka3"))["properties"]
                            : j["properties"];
    EXPECT_TRUE(props["aged_65"].is_null()) << target;
    EXPECT_EQ(props["aged_65_status"], "suppressed");
    EXPECT_TRUE(!props.contains("aging_rate") || props["aging_rate"].is_null());
  }
  // Filtering or sorting on a figure the public may not know is refused, not answered by what
  // it matches.
  for (const std::string q : {"secret_partner_count=44", "sortby=secret_partner_count"}) {
    const auto r = get("/ogc/collections/areas/items?f=json&" + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    EXPECT_FALSE(names_a_hidden_figure(r.body) && r.body.find("44") != std::string::npos);
  }

  // The analyses are for staff; the public is not even told whether a figure exists.
  HttpClient c(server_->host(), server_->port());
  const auto job =
      c.request("POST", "/api/gap/jobs", {{"Content-Type", "application/json"}},
                R"({"analysis":"coverage","kinds":["ibasho"],"target":"secret_partner_count"})");
  EXPECT_EQ(job.status, 401);
  EXPECT_FALSE(names_a_hidden_figure(job.body));
  EXPECT_EQ(get("/api/gap/jobs").status, 401);

  // The exports a municipality publishes.
  const auto csv = (*dir_ / "areas.csv").string();
  const auto r = run_tsunagi(
      {"export", "--db", town_->db.string(), "--layer", "areas", "--format", "csv", "--out", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = read_file(csv);
  EXPECT_FALSE(names_a_hidden_figure(text));
  EXPECT_NE(text.find("chome:demo-naka3"), std::string::npos);
  const auto mbt = (*dir_ / "areas.mbtiles").string();
  const auto m = run_tsunagi({"export", "--db", town_->db.string(), "--format", "mbtiles", "--out",
                              mbt, "--max-zoom", "12"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_FALSE(names_a_hidden_figure(read_file(mbt))) << "metadata names only public fields";
}

// The data credits and the pages' code lists: the public learns which sources it sees data of,
// never the name or the publisher of a table it may not see, nor a hidden figure's key.
TEST_F(PrivacyAttacks, CreditsAndCodeListsNameNoSourceOrFigureThePublicCannotSee) {
  for (const std::string target : {"/api/sources", "/api/meta"}) {
    const auto r = get(target);
    ASSERT_EQ(r.status, 200) << target;
    expect_nothing_secret(target, r.body);
    EXPECT_EQ(r.body.find("SECRET-TABLE"), std::string::npos) << target << ": " << r.body;
    EXPECT_EQ(r.body.find("SECRET-PUBLISHER"), std::string::npos) << target << ": " << r.body;
    EXPECT_FALSE(names_a_hidden_figure(r.body)) << target;
  }
  // staff see the table credited, with what it was used for: the attack looks where it could be
  const json staff = get_json("/api/sources", "coordinator");
  bool credited = false;
  for (const auto& s : staff["sources"]) {
    if (s["title"] == kSecretTable) credited = s["uses"] == json::array({"statistics"});
  }
  EXPECT_TRUE(credited) << staff.dump(1);
  // the map's first view is the municipality's, not the box of what the public may not see
  const json meta = get_json("/api/meta");
  EXPECT_EQ(meta["extent"], get_json("/api/meta", "coordinator")["extent"]);
}

// The caches this change added (rendered features, tiles keyed by a borrowed key, per-audience
// tag dictionaries): staff warm every one of them first, then the public asks for the same URLs.
// The public must get its own view, never the staff's cached bytes.
TEST_F(PrivacyAttacks, CachesWarmedByStaffServeThePublicOnlyItsOwnView) {
  const std::string home = "/api/resources/" + town_->ids.at("home");
  const auto staff_home = get(home, "coordinator");
  ASSERT_EQ(staff_home.status, 200);
  ASSERT_NE(staff_home.body.find("090-1234-5678"), std::string::npos) << "staff see the phone";
  const auto public_home = get(home);
  ASSERT_EQ(public_home.status, 200);
  expect_nothing_secret("the house after staff read it", public_home.body);
  EXPECT_NE(public_home.header("etag"), staff_home.header("etag"));

  const auto truth = tiles::lonlat_to_mercator(kHomeLon, kHomeLat);
  int seen_home = 0;
  for (std::uint32_t z = 12; z <= 18; ++z) {
    const auto t = tiles::tile_at(kHomeLon, kHomeLat, z);
    const auto staff = get(tile_path("resources", t), "coordinator");
    ASSERT_EQ(staff.status, 200) << "staff's tile holds the house at its true point";
    const auto pub = get(tile_path("resources", t));
    if (pub.status == 204) continue;
    ASSERT_EQ(pub.status, 200) << pub.body;
    EXPECT_NE(pub.header("etag"), staff.header("etag")) << "z" << z;
    expect_nothing_secret("tile after staff", pub.body);
    for (const auto& f : decode_tile(pub.body, t.z, t.x, t.y)) {
      if (f.props.count("id") == 0 || f.props.at("id") != town_->ids.at("home")) continue;
      ++seen_home;
      double px = 0;
      double py = 0;
      ASSERT_EQ(std::sscanf(f.wkt.c_str(), "POINT (%lf %lf)", &px, &py), 2);
      EXPECT_GT(std::hypot(px - truth.x, py - truth.y), 30.0) << "z" << z;
    }
  }
  EXPECT_GT(seen_home, 0) << "the public's tiles draw the house, at its served point";

  for (std::uint32_t z = 10; z <= 16; ++z) {
    const auto t = tiles::tile_at(133.6360, 35.1010, z);
    for (const std::string fields : {"all", "population,aged_65,aging_rate"}) {
      const auto staff = get(tile_path("areas", t, "fields=" + fields), "coordinator");
      ASSERT_EQ(staff.status, 200) << staff.body;
      const auto pub = get(tile_path("areas", t, "fields=" + fields));
      ASSERT_EQ(pub.status, 200) << pub.body;
      if (fields == "all") {  // staff's carry their own figures
        EXPECT_NE(pub.header("etag"), staff.header("etag")) << "z" << z;
      }
      for (const auto& f : decode_tile(pub.body, t.z, t.x, t.y)) {
        for (const auto& [k, v] : f.props) EXPECT_FALSE(names_a_hidden_figure(k)) << k;
        if (f.props.count("id") == 0 || f.props.at("id") != "chome:demo-naka3") continue;
        EXPECT_EQ(f.props.count("aged_65"), 0U) << "z" << z << " " << fields;
        EXPECT_EQ(f.props.count("aging_rate"), 0U) << "z" << z << " " << fields;
        EXPECT_EQ(f.props.at("aged_65_status"), "suppressed") << "z" << z << " " << fields;
      }
    }
  }
}

// fields= on resource tiles, with the cache first warmed by staff asking for the same tiles with
// every choice of fields, their own properties included: whatever the public asks for, it gets its
// own view (the house at its served point, nothing secret, no staff property), and staff's
// properties only as a refusal.
TEST_F(PrivacyAttacks, FieldChoicesWarmedByStaffServeThePublicOnlyItsOwnView) {
  const auto truth = tiles::lonlat_to_mercator(kHomeLon, kHomeLat);
  const std::vector<std::string> asks = {"", "fields=", "fields=name", "fields=all",
                                         "fields=name,unconfirmed,activity"};
  const std::vector<std::string> staff_only = {"fields=publish", "fields=status",
                                               "fields=name,publish", "fields=publish,status"};
  int seen_home = 0;
  for (std::uint32_t z = 12; z <= 18; ++z) {
    const auto t = tiles::tile_at(kHomeLon, kHomeLat, z);
    for (const auto& ask : asks) {
      ASSERT_EQ(get(tile_path("resources", t, ask), "coordinator").status, 200) << ask;
    }
    for (const auto& ask : staff_only) {
      ASSERT_EQ(get(tile_path("resources", t, ask), "coordinator").status, 200) << ask;
    }
    for (const auto& ask : asks) {
      const auto pub = get(tile_path("resources", t, ask));
      if (pub.status == 204) continue;
      ASSERT_EQ(pub.status, 200) << ask << ": " << pub.body;
      expect_nothing_secret("tile " + ask + " after staff", pub.body);
      for (const auto& f : decode_tile(pub.body, t.z, t.x, t.y)) {
        for (const char* key : {"publish", "status"}) {
          EXPECT_TRUE(f.props.count(key) == 0 || f.props.at(key).empty())
              << key << " in the public's tile, z" << z << " " << ask;
        }
        if (f.props.count("id") == 0 || f.props.at("id") != town_->ids.at("home")) continue;
        ++seen_home;
        double px = 0;
        double py = 0;
        ASSERT_EQ(std::sscanf(f.wkt.c_str(), "POINT (%lf %lf)", &px, &py), 2);
        EXPECT_GT(std::hypot(px - truth.x, py - truth.y), 30.0) << "z" << z << " " << ask;
      }
    }
    for (const auto& ask : staff_only) {
      const auto r = get(tile_path("resources", t, ask));
      EXPECT_EQ(r.status, 400) << ask;
      expect_nothing_secret(std::string("refused ") + ask, r.body);
      EXPECT_EQ(get("/tiles/resources.json?" + ask).status, 400) << ask;
    }
  }
  EXPECT_GT(seen_home, 0) << "the public's tiles draw the house, at its served point";
}

// Plain parts of a URL are taken as they are; encoded ones are decoded. Every spelling of the same
// request must reach the same route with the same checks: the public, writing a staff route, a
// staff-only field or a hidden address in percent-encoding, in '+' for spaces or with header names
// in capitals, gets exactly what it gets with the plain spelling, never staff's view.
TEST_F(PrivacyAttacks, EverySpellingOfARequestGivesThePublicTheSameView) {
  const auto t = tiles::tile_at(kHomeLon, kHomeLat, 16);
  const std::string xyz =
      std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ".mvt";
  ASSERT_EQ(get("/tiles/resources/" + xyz + "?fields=", "coordinator").status, 200);  // warm
  const auto plain = get("/tiles/resources/" + xyz + "?fields=");
  ASSERT_EQ(plain.status, 200) << plain.body;
  for (const std::string& spelled : {"/tiles/%72esources/" + xyz + "?fields=",
                                     "/tiles/resources/%31" + xyz.substr(1) + "?fiel%64s="}) {
    const auto r = get(spelled);
    EXPECT_EQ(r.status, 200) << spelled;
    EXPECT_EQ(r.header("etag"), plain.header("etag")) << spelled << ": not the public's tile";
    EXPECT_EQ(r.body, plain.body) << spelled;
  }
  // Staff's properties, however written, are refused like a misspelt key.
  for (const char* ask : {"fields=publish", "fields=pub%6Cish", "fiel%64s=status",
                          "fields=name%2Cpublish", "fields=name+publish"}) {
    const auto r = get("/tiles/resources/" + xyz + "?" + ask);
    EXPECT_EQ(r.status, 400) << ask;
    expect_nothing_secret(std::string("refused ") + ask, r.body);
  }
  // Staff routes, however written, refuse the public as the plain ones do.
  for (const auto& [path, encoded] : std::vector<std::pair<std::string, std::string>>{
           {"/api/referrals", "/api/%72eferrals"},
           {"/api/confirmation/overdue", "/api/confirmation/%6Fverdue"}}) {
    const int refused = get(path).status;
    ASSERT_TRUE(refused == 401 || refused == 403) << path << ": " << refused;
    EXPECT_EQ(get(encoded).status, refused) << encoded;
    EXPECT_EQ(get(path + "?limit=1").status, refused) << path;
  }
  // The hidden address and building, searched in '+' and percent spellings, find nothing for the
  // public; staff's same spellings find the house (the answer echoes the words in its links).
  for (const char* q : {"%E9%9B%A2%E3%82%8C", "%E9%9B%A2%E3%82%8C+", "3-14-15", "3%2D14%2D15",
                        "%E4%B8%AD%E7%94%BA+3-14-15"}) {
    const std::string target = std::string("/api/resources?q=") + q;
    EXPECT_EQ(get_json(target)["numberMatched"], 0) << target;
    EXPECT_EQ(get_json(target, "coordinator")["numberMatched"], 1) << target;
  }
  // Header names in capitals are the same headers: no spelling of Authorization or Cookie makes a
  // public request staff's, and a staff token read in capitals is still only that token.
  HttpClient c(server_->host(), server_->port());
  for (const char* name : {"AUTHORIZATION", "authorization", "AuThOrIzAtIoN"}) {
    EXPECT_EQ(c.get("/api/referrals", {{name, "Bearer not-a-token"}}).status, 401) << name;
  }
  for (const char* name : {"COOKIE", "cookie"}) {
    EXPECT_EQ(c.get("/api/referrals", {{name, "tsunagi_session=forged"}}).status, 401) << name;
  }
  const auto staff = bearer(*town_, "matcher");
  ASSERT_FALSE(staff.empty());
  EXPECT_EQ(c.get("/api/referrals", {{"AUTHORIZATION", staff.front().second}}).status, 200);
}

// Cached tiles now go out as the cache's own bytes (no copy per response). Staff and the public
// ask for the same tiles, compressed, on one kept-alive connection and pipelined on one socket:
// every public answer is the public's tile (its own entity tag, length and bytes), never a
// staff tile's buffer, and a HEAD announces the public tile's length.
TEST_F(PrivacyAttacks, TilesSentFromTheCacheToStaffAndPublicOnOneConnectionStayApart) {
  const auto truth = tiles::lonlat_to_mercator(kHomeLon, kHomeLat);
  const std::vector<std::pair<std::string, std::string>> gzip = {{"Accept-Encoding", "gzip"}};
  auto with = [](auto headers, const std::vector<std::pair<std::string, std::string>>& more) {
    headers.insert(headers.end(), more.begin(), more.end());
    return headers;
  };
  HttpClient one(server_->host(), server_->port());
  int compared = 0;
  for (std::uint32_t z = 12; z <= 18; ++z) {
    const auto t = tiles::tile_at(kHomeLon, kHomeLat, z);
    const std::string path = tile_path("resources", t);
    const auto plain = get(path);  // the public's tile, uncompressed, on its own connection
    if (plain.status == 204) continue;
    ASSERT_EQ(plain.status, 200) << plain.body;
    for (int round = 0; round < 3; ++round) {
      const auto staff = one.get(path, with(bearer(*town_, "coordinator"), gzip));
      ASSERT_EQ(staff.status, 200);
      const auto pub = one.get(path, gzip);
      ASSERT_EQ(pub.status, 200);
      ASSERT_EQ(pub.header("content-encoding"), "gzip");
      EXPECT_EQ(pub.header("content-length"), std::to_string(pub.body.size()));
      EXPECT_NE(pub.body, staff.body) << "z" << z << ": the public got the staff's bytes";
      EXPECT_EQ(pub.header("etag"), plain.header("etag"));
      const std::string mvt = tiles::gunzip(pub.body);
      EXPECT_EQ(mvt, plain.body) << "z" << z;
      expect_nothing_secret("gzip tile after staff on one connection", mvt);
      const auto head = one.request("HEAD", path, gzip);
      EXPECT_EQ(head.header("content-length"), pub.header("content-length")) << "z" << z;
      ++compared;
    }
    // Pipelined: the staff's request and the public's in one write; the second answer is the
    // public's, whatever the first one left queued.
    std::string both = "GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n";
    for (const auto& [k, v] : bearer(*town_, "coordinator")) both += k + ": " + v + "\r\n";
    both += "\r\nGET " + path +
            " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n";
    const int fd = open_connection(server_->host(), server_->port());
    ASSERT_EQ(::send(fd, both.data(), both.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(both.size()));
    // Both answers may arrive in one read: take every byte until the server closes, then split.
    std::string wire;
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      wire.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    auto next = [&wire](std::size_t& at) {
      HttpResult r;
      const auto end = wire.find("\r\n\r\n", at);
      if (end == std::string::npos) return r;
      r.status = std::atoi(wire.c_str() + at + 9);
      std::size_t length = 0;
      for (std::size_t line = wire.find("\r\n", at) + 2; line < end;) {
        const auto stop = wire.find("\r\n", line);
        const auto colon = wire.find(':', line);
        std::string name = wire.substr(line, colon - line);
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::string value = wire.substr(colon + 2, stop - colon - 2);
        if (name == "content-length") length = std::stoul(value);
        r.headers.emplace_back(name, value);
        line = stop + 2;
      }
      r.body = wire.substr(end + 4, length);
      at = end + 4 + length;
      return r;
    };
    std::size_t at = 0;
    const auto first = next(at);
    const auto second = next(at);
    ASSERT_EQ(first.status, 200);
    ASSERT_EQ(second.status, 200);
    EXPECT_EQ(second.header("etag"), plain.header("etag")) << "z" << z;
    EXPECT_EQ(tiles::gunzip(second.body), plain.body) << "z" << z;
    for (const auto& f : decode_tile(tiles::gunzip(second.body), t.z, t.x, t.y)) {
      if (f.props.count("id") == 0 || f.props.at("id") != town_->ids.at("home")) continue;
      double px = 0;
      double py = 0;
      ASSERT_EQ(std::sscanf(f.wkt.c_str(), "POINT (%lf %lf)", &px, &py), 2);
      EXPECT_GT(std::hypot(px - truth.x, py - truth.y), 30.0) << "z" << z;
    }
  }
  EXPECT_GT(compared, 0) << "no public tile over the house to compare";
}

}  // namespace
}  // namespace tsunagi::test
