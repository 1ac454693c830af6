// Unconfirmed listings on the public map (issue 23), against the real server: a listing last
// confirmed longer ago than `unconfirmed_after_days` is, with `unconfirmed_public = hide`, absent
// from every public route — the list, a search and its count, the record, OGC items, a tile over
// its point, the public freshness total and `tsunagi export --config` of the public view — while a
// coordinator still reads it, flagged; with `flag` the public sees it with "unconfirmed": true
// (「要確認」) in JSON, OGC items and tiles; the host's "unchanged" brings it back. Bad values are
// refused at start. The coordinator's list of overdue listings (GET /api/confirmation/overdue):
// roles, oldest first, pages, its open requests; the requests' configured validity.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"
#include "geo/core/time.hpp"
#include "support/mvt_reader.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

constexpr double kKominkanLon = 133.650;
constexpr double kKominkanLat = 35.105;

/// The town with the 公民館 last confirmed in 2020 (public, open): unconfirmed after a year.
Town old_town(const TempDir& dir) {
  Town t = make_town(dir);
  auto store = geo::Store::open(t.db);
  auto r = *store.resource(t.ids.at("kominkan"));
  r.verified_at = "2020-04-01";
  store.update(r, r.version, "test");
  return t;
}

struct Server {
  Server(const Town& town, const std::filesystem::path& config)
      : town_(town),
        process_({"--db", town.db.string(), "--port", "0", "--config", config.string()}, town.env) {
  }
  ~Server() { EXPECT_EQ(process_.stop(SIGTERM), 0); }
  HttpResult call(const std::string& method, const std::string& target,
                  const std::string& role = "public", const std::string& body = "") {
    HttpClient c(process_.host(), process_.port());
    auto h = bearer(town_, role);
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(method, target, h, body);
  }
  json get_json(const std::string& target, const std::string& role = "public") {
    const auto r = call("GET", target, role);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? json::parse(r.body) : json::object();
  }
  /// The properties of the feature named `name` in the public tile over the 公民館, or null.
  json tile_feature(const std::string& name) {
    const auto t = tiles::tile_at(kKominkanLon, kKominkanLat, 14);
    const auto r = call("GET", tile_path("resources", t));
    EXPECT_EQ(r.status, 200);
    const std::string bytes = r.header("content-encoding") == "gzip" ? gunzip(r.body) : r.body;
    for (const auto& f : decode_tile(bytes, t.z, t.x, t.y)) {
      if (f.props.count("name") > 0 && f.props.at("name") == name) {
        json p = json::object();
        for (const auto& [k, v] : f.props) p[k] = v;
        return p;
      }
    }
    return nullptr;
  }
  const Town& town_;
  ServerProcess process_;
};

/// Days from 2020-01-01 to today in Japan.
int days_since_2020() {
  namespace c = std::chrono;
  const std::string today = geo::today_jst();
  const c::year_month_day ymd{c::year{std::stoi(today.substr(0, 4))},
                              c::month{static_cast<unsigned>(std::stoi(today.substr(5, 2)))},
                              c::day{static_cast<unsigned>(std::stoi(today.substr(8, 2)))}};
  return static_cast<int>((c::sys_days{ymd} - c::sys_days{c::year{2020} / c::January / 1}).count());
}

bool lists(const json& collection, const std::string& id) {
  for (const auto& f : collection["features"]) {
    if (f["id"] == id) return true;
  }
  return false;
}

TEST(Unconfirmed, HiddenFromEveryPublicRouteButNotFromStaffAndBackOnceConfirmed) {
  TempDir dir;
  const Town town = old_town(dir);
  const std::string id = town.ids.at("kominkan");
  write_file(dir / "hide.conf", "unconfirmed_after_days = 365\nunconfirmed_public = hide\n");
  Server s(town, dir / "hide.conf");

  const json list = s.get_json("/api/resources?limit=1000");
  EXPECT_FALSE(lists(list, id)) << "the list";
  EXPECT_TRUE(lists(list, town.ids.at("cafe"))) << "a recent listing stays";
  const json search = s.get_json("/api/resources?q=" + url_encode("公民館"));
  EXPECT_FALSE(lists(search, id)) << "a search";
  EXPECT_EQ(search["numberMatched"], 0) << "its count";
  EXPECT_EQ(list["numberMatched"], 2) << "the café and the farm: the public and open rest";
  EXPECT_EQ(s.call("GET", "/api/resources/" + id).status, 404) << "the record";
  const json ogc = s.get_json("/ogc/collections/kominkan/items");
  EXPECT_EQ(ogc["numberMatched"], 0) << ogc.dump();
  EXPECT_EQ(s.call("GET", "/ogc/collections/kominkan/items/" + id).status, 404);
  EXPECT_TRUE(s.tile_feature("中央公民館").is_null()) << "a tile over its point";
  EXPECT_EQ(s.get_json("/api/stats/freshness")["total"], 2) << "the public freshness total";

  // Staff still read it, flagged.
  const json staff = s.get_json("/api/resources/" + id, "coordinator");
  EXPECT_EQ(staff["properties"]["unconfirmed"], true) << staff.dump();
  EXPECT_TRUE(lists(s.get_json("/api/resources?limit=1000", "coordinator"), id));
  EXPECT_EQ(s.get_json("/api/stats/freshness", "coordinator")["total"], 5);

  // The public export made with the server's config leaves it out too; without it, it is there.
  const auto out = dir / "public.geojson";
  const auto exported =
      run_tsunagi({"export", "--db", town.db.string(), "--config", (dir / "hide.conf").string(),
                   "--view", "public", "--out", out.string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(read_file(out).find(id), std::string::npos) << "the public export";
  ASSERT_EQ(run_tsunagi({"export", "--db", town.db.string(), "--view", "public", "--out",
                         (dir / "all.geojson").string()})
                .exit_code,
            0);
  EXPECT_NE(read_file(dir / "all.geojson").find(id), std::string::npos);

  // The host confirms: it is back for the public, without the marker.
  const auto req = s.call("POST", "/api/resources/" + id + "/confirmation-requests", "coordinator");
  ASSERT_EQ(req.status, 201) << req.body;
  const std::string url = json::parse(req.body)["url"];
  const auto answer = s.call("POST", "/api/confirm/" + url.substr(url.rfind('/') + 1), "public",
                             R"({"answer":"unchanged"})");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json back = s.get_json("/api/resources/" + id);
  EXPECT_FALSE(back["properties"].contains("unconfirmed")) << back.dump();
  EXPECT_TRUE(lists(s.get_json("/api/resources?limit=1000"), id));
  EXPECT_EQ(s.get_json("/ogc/collections/kominkan/items")["numberMatched"], 1);
  EXPECT_FALSE(s.tile_feature("中央公民館").is_null());
  EXPECT_EQ(s.get_json("/api/stats/freshness")["total"], 3);
}

TEST(Unconfirmed, FlaggedForThePublicInJsonOgcAndTiles) {
  TempDir dir;
  const Town town = old_town(dir);
  const std::string id = town.ids.at("kominkan");
  write_file(dir / "flag.conf", "unconfirmed_after_days = 365\nunconfirmed_public = flag\n");
  Server s(town, dir / "flag.conf");
  const json record = s.get_json("/api/resources/" + id);
  EXPECT_EQ(record["properties"]["unconfirmed"], true) << record.dump();
  const json list = s.get_json("/api/resources?limit=1000");
  ASSERT_TRUE(lists(list, id));
  for (const auto& f : list["features"]) {
    EXPECT_EQ(f["properties"].contains("unconfirmed"), f["id"] == id) << f["properties"]["name"];
  }
  const json ogc = s.get_json("/ogc/collections/kominkan/items");
  ASSERT_EQ(ogc["numberMatched"], 1);
  EXPECT_EQ(ogc["features"][0]["properties"]["unconfirmed"], true);
  const json tile = s.tile_feature("中央公民館");
  ASSERT_FALSE(tile.is_null());
  EXPECT_EQ(tile["unconfirmed"], "1") << tile.dump();
  EXPECT_EQ(s.get_json("/api/stats/freshness")["total"], 3);

  // A longer age flags nothing.
  write_file(dir / "long.conf", "unconfirmed_after_days = 36500\n");
  Server longer(town, dir / "long.conf");
  EXPECT_FALSE(longer.get_json("/api/resources/" + id)["properties"].contains("unconfirmed"));
}

TEST(Unconfirmed, BadValuesAreRefusedAtStart) {
  TempDir dir;
  const Town town = make_town(dir);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unconfirmed_public = maybe", "unconfirmed_public must be flag"},
      {"unconfirmed_after_days = 0", "unconfirmed_after_days must be between 1 and 36500, not 0"},
      {"unconfirmed_after_days = a year", "unconfirmed_after_days must be a whole number"},
      {"confirmation_valid_days = 366", "confirmation_valid_days must be between 1 and 365"},
  };
  for (const auto& [line, message] : cases) {
    write_file(dir / "bad.conf", line + "\n");
    const auto r = run_tsunagi_env(
        {"serve", "--db", town.db.string(), "--port", "0", "--config", (dir / "bad.conf").string(),
         "--print-config"},  // exits after reading the settings, even when it knew none of them
        town.env);
    EXPECT_EQ(r.exit_code, 2) << line;
    EXPECT_NE(r.err.find(message), std::string::npos) << line << ": " << r.err;
  }
}

class Overdue : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    {
      auto store = geo::Store::open(town_->db);
      for (const auto& [name, date] : std::vector<std::pair<std::string, std::string>>{
               {"kominkan", "2020-04-01"}, {"cafe", "2019-05-05"}, {"farm", "2021-01-10"}}) {
        auto r = *store.resource(town_->ids.at(name));
        r.verified_at = date;
        store.update(r, r.version, "test");
      }
    }
    write_file(*dir_ / "c.conf", "confirmation_valid_days = 7\n");
    server_ = new Server(*town_, *dir_ / "c.conf");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete town_;
    delete dir_;
  }
  static std::vector<std::string> names(const json& page) {
    std::vector<std::string> out;
    for (const auto& l : page["listings"]) out.push_back(l["name"]);
    return out;
  }
  static TempDir* dir_;
  static Town* town_;
  static Server* server_;
};
TempDir* Overdue::dir_ = nullptr;
Town* Overdue::town_ = nullptr;
Server* Overdue::server_ = nullptr;

TEST_F(Overdue, OnlyCoordinatorsAndAdminsReadIt) {
  EXPECT_EQ(server_->call("GET", "/api/confirmation/overdue").status, 401);
  EXPECT_EQ(server_->call("GET", "/api/confirmation/overdue", "matcher").status, 403);
  EXPECT_EQ(server_->call("GET", "/api/confirmation/overdue", "planner").status, 403);
  EXPECT_EQ(server_->call("GET", "/api/confirmation/overdue", "coordinator").status, 200);
  EXPECT_EQ(server_->call("GET", "/api/confirmation/overdue", "admin").status, 200);
}

TEST_F(Overdue, OldestFirstInPagesByKindAndAge) {
  const json all = server_->get_json("/api/confirmation/overdue", "coordinator");
  EXPECT_EQ(all["older_than_days"], 365) << "the server's unconfirmed_after_days";
  EXPECT_EQ(all["total"], 3);
  EXPECT_EQ(names(all), (std::vector<std::string>{"まちのかふぇ", "中央公民館", "ふれあい農園"}));
  EXPECT_EQ(all["listings"][0]["last_confirmed"], "2019-05-05");
  EXPECT_EQ(all["listings"][0]["kind"], "ibasho");

  const json first = server_->get_json("/api/confirmation/overdue?limit=2", "coordinator");
  EXPECT_EQ(names(first), (std::vector<std::string>{"まちのかふぇ", "中央公民館"}));
  EXPECT_EQ(first["next_offset"], 2);
  const json second =
      server_->get_json("/api/confirmation/overdue?limit=2&offset=2", "coordinator");
  EXPECT_EQ(names(second), std::vector<std::string>{"ふれあい農園"});
  EXPECT_FALSE(second.contains("next_offset"));
  EXPECT_EQ(second["total"], 3);

  EXPECT_EQ(names(server_->get_json("/api/confirmation/overdue?kind=ibasho", "coordinator")),
            std::vector<std::string>{"まちのかふぇ"});
  EXPECT_EQ(
      server_->get_json("/api/confirmation/overdue?older_than_days=36500", "coordinator")["total"],
      0);
  // The age as of 2020-01-01: only the café (2019-05-05) was confirmed before it.
  EXPECT_EQ(names(server_->get_json(
                "/api/confirmation/overdue?older_than_days=" + std::to_string(days_since_2020()),
                "coordinator")),
            std::vector<std::string>{"まちのかふぇ"});
  const auto bad = server_->call("GET", "/api/confirmation/overdue?kind=salon", "coordinator");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("kind"), std::string::npos) << bad.body;
  EXPECT_EQ(
      server_->call("GET", "/api/confirmation/overdue?older_than_days=-1", "coordinator").status,
      400);
}

TEST_F(Overdue, ShowsOpenRequestsWithTheConfiguredValidityAndTheReviewCount) {
  const std::string farm = town_->ids.at("farm");
  const auto made =
      server_->call("POST", "/api/resources/" + farm + "/confirmation-requests", "coordinator");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string expires = json::parse(made.body)["expires_at"];
  const auto now = std::chrono::system_clock::now();
  EXPECT_GT(expires, geo::iso_utc(now + std::chrono::hours(24 * 6)));
  EXPECT_LT(expires, geo::iso_utc(now + std::chrono::hours(24 * 8))) << "confirmation_valid_days";
  ASSERT_EQ(server_
                ->call("POST", "/api/resources/" + town_->ids.at("cafe") + "/reports", "public",
                       R"({"text":"水曜日はもうやっていません"})")
                .status,
            202);

  const json page = server_->get_json("/api/confirmation/overdue", "coordinator");
  ASSERT_EQ(page["open_requests"].size(), 1U) << page.dump();
  EXPECT_EQ(page["open_requests"][0]["resource_id"], farm);
  EXPECT_EQ(page["open_requests"][0]["name"], "ふれあい農園");
  EXPECT_EQ(page["open_requests"][0]["expires_at"], expires);
  EXPECT_GE(page["review_count"], 1);
  for (const auto& l : page["listings"]) {
    EXPECT_EQ(l["open_request"].is_null(), l["id"] != farm) << l["name"];
  }
}

// `tsunagi confirm request --valid-days`: 1 to 365 days, anything else refused with the range.
TEST(ConfirmationCliValidity, ValidDaysAreBounded) {
  TempDir dir;
  const Town town = make_town(dir);
  for (const std::string bad : {"0", "366", "-5", "two"}) {
    const auto r = run_tsunagi({"confirm", "request", "--db", town.db.string(), "--base-url",
                                "https://map.example.jp", "--csv", (dir / "m.csv").string(),
                                "--valid-days", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--valid-days must be a whole number of days from 1 to 365"),
              std::string::npos)
        << bad << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "m.csv")) << bad;
  }
  const auto ok = run_tsunagi({"confirm", "request", "--db", town.db.string(), "--base-url",
                               "https://map.example.jp", "--csv", (dir / "m.csv").string(),
                               "--older-than-days", "0", "--valid-days", "365"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  std::string text = read_file(dir / "m.csv");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::string expires = text.substr(text.rfind(',') + 1);  // the last row's expires_at
  const auto now = std::chrono::system_clock::now();
  EXPECT_GT(expires, geo::iso_utc(now + std::chrono::hours(24 * 364))) << text;
  EXPECT_LT(expires, geo::iso_utc(now + std::chrono::hours(24 * 366))) << text;
}

}  // namespace
}  // namespace tsunagi::test
