// OGC API – Features: the pure pieces (bbox, limit, links, WKB) and the handlers over a real store
// with resources at every publish level, asked as the public and as staff.
#include "server/ogc/api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "geo/core/error.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"
#include "server/errors.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::server::ogc {
namespace {

using geo::PublishLevel;
using geo::ResourceKind;
using geo::ResourceStatus;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kBase = "http://tsunagi.example:8080";

/// Runs f and returns the ApiError it must throw.
template <typename F>
ApiError api_error(F&& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ApiError(ErrorCode::internal, "none");
}

// ---- pure pieces ----

TEST(OgcBBox, AcceptsFourOrSixNumbersAndSplitsAtTheAntimeridian) {
  auto f = parse_bbox("133.9,34.6,134.1,34.8");
  ASSERT_EQ(f.boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(f.boxes[0].min_lon, 133.9);
  EXPECT_DOUBLE_EQ(f.boxes[0].max_lat, 34.8);
  EXPECT_TRUE(f.contains(134.0, 34.7));
  EXPECT_FALSE(f.contains(134.2, 34.7));

  f = parse_bbox("133.9,34.6,-10,134.1,34.8,100");  // heights ignored
  ASSERT_EQ(f.boxes.size(), 1u);
  EXPECT_DOUBLE_EQ(f.boxes[0].max_lon, 134.1);

  f = parse_bbox("170,-20,-170,-10");  // Fiji, across 180°
  ASSERT_EQ(f.boxes.size(), 2u);
  EXPECT_TRUE(f.contains(179.0, -15));
  EXPECT_TRUE(f.contains(-179.0, -15));
  EXPECT_FALSE(f.contains(0, -15));

  f = parse_bbox("+1,2,3,4");
  EXPECT_DOUBLE_EQ(f.boxes[0].min_lon, 1);
}

TEST(OgcBBox, RejectsWithAMessageSayingWhatToFix) {
  auto e = api_error([] { parse_bbox("1,2,3"); });
  EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
  EXPECT_THAT(e.detail(), HasSubstr("minLon,minLat,maxLon,maxLat"));
  EXPECT_THAT(e.detail(), HasSubstr("got 3 numbers"));

  e = api_error([] { parse_bbox("1,2,3,4,5,6,7"); });
  EXPECT_THAT(e.detail(), HasSubstr("more than 6"));
  e = api_error([] { parse_bbox("133.9,abc,134,35"); });
  EXPECT_THAT(e.detail(), HasSubstr("\"abc\" is not a finite number"));
  e = api_error([] { parse_bbox("133.9,,134,35"); });
  EXPECT_THAT(e.detail(), HasSubstr("\"\" is not a finite number"));
  for (const char* bad : {"nan,1,2,3", "inf,1,2,3", "1e999,1,2,3", "0x10,1,2,3", " 1,2,3,4"}) {
    EXPECT_EQ(api_error([&] { parse_bbox(bad); }).code(), ErrorCode::invalid_parameter) << bad;
  }
  e = api_error([] { parse_bbox("134,35,135,34"); });
  EXPECT_THAT(e.detail(), HasSubstr("minLat <= maxLat"));
  EXPECT_THAT(e.detail(), HasSubstr("minLat 35 > maxLat 34"));
  e = api_error([] { parse_bbox("181,0,182,1"); });
  EXPECT_THAT(e.detail(), HasSubstr("-180..180"));
  e = api_error([] { parse_bbox("0,-91,1,1"); });
  EXPECT_THAT(e.detail(), HasSubstr("-90..90"));
  e = api_error([] { parse_bbox("0,0,10,1,1,5"); });
  EXPECT_THAT(e.detail(), HasSubstr("minHeight <= maxHeight"));
}

TEST(OgcParams, LimitDefaultsClampsAndRejects) {
  const Limits limits{10, 1000};
  EXPECT_EQ(parse_limit(nullptr, limits), 10u);
  const std::string one = "1", big = "5000", huge = "99999999999999999999999", zero_padded = "007";
  EXPECT_EQ(parse_limit(&one, limits), 1u);
  EXPECT_EQ(parse_limit(&big, limits), 1000u) << "the standard asks for clamping, not an error";
  EXPECT_EQ(parse_limit(&huge, limits), 1000u);
  EXPECT_EQ(parse_limit(&zero_padded, limits), 7u);
  for (const std::string bad : {"0", "-1", "abc", "", "1.5", "10 "}) {
    const auto e = api_error([&] { (void)parse_limit(&bad, limits); });
    EXPECT_EQ(e.code(), ErrorCode::invalid_parameter) << bad;
    EXPECT_THAT(e.detail(), HasSubstr("limit")) << bad;
  }
}

TEST(OgcParams, OffsetIsANonNegativeInteger) {
  EXPECT_EQ(parse_offset(nullptr), 0u);
  const std::string ok = "250";
  EXPECT_EQ(parse_offset(&ok), 250u);
  for (const std::string bad : {"-1", "x", "", "99999999999", "1e3"}) {
    EXPECT_EQ(api_error([&] { (void)parse_offset(&bad); }).code(), ErrorCode::invalid_parameter)
        << bad;
  }
}

TEST(OgcParams, DatetimeFollowsRfc3339AndIntervals) {
  for (const char* ok :
       {"2024-04-01", "2024-04-01T09:00:00Z", "2024-04-01T09:00:00.5+09:00", "2024-04-01T",
        "2024-04-01/2024-05-01", "../2024-05-01T00:00:00Z", "2024-04-01/..", "2024-04-01/"}) {
    EXPECT_NO_THROW(validate_datetime(ok)) << ok;
  }
  for (const char* bad : {"yesterday", "2024-13-01", "2024-04-01T25:00:00Z", "../..",
                          "2024-05-01/2024-04-01", "2024-04-01T09:00:00+9"}) {
    const auto e = api_error([&] { validate_datetime(bad); });
    EXPECT_EQ(e.code(), ErrorCode::invalid_parameter) << bad;
    EXPECT_THAT(e.detail(), HasSubstr("datetime")) << bad;
  }
}

TEST(OgcParams, OnlyCrs84IsOffered) {
  EXPECT_NO_THROW(require_crs84("bbox-crs", kCrs84));
  const auto e =
      api_error([] { require_crs84("bbox-crs", "http://www.opengis.net/def/crs/EPSG/0/6668"); });
  EXPECT_THAT(e.detail(), HasSubstr("only CRS84"));
  EXPECT_THAT(e.detail(), HasSubstr("EPSG/0/6668"));
}

TEST(OgcLinks, PagesKeepTheQueryAndCarryTheLimitUsed) {
  const auto q = QueryParams::parse("name=%E3%81%8B%E3%82%88%E3%81%84&limit=5000&bbox=1,2,3,4");
  EXPECT_EQ(page_query(q, 1000, 2000),
            "name=%E3%81%8B%E3%82%88%E3%81%84&bbox=1%2C2%2C3%2C4&limit=1000&offset=2000");

  const std::string items = std::string(kBase) + "/ogc/collections/ibasho/items";
  const std::string coll = std::string(kBase) + "/ogc/collections/ibasho";
  auto rels = [](const json& links) {
    std::map<std::string, std::string> m;
    for (const auto& l : links) m[l["rel"]] = l["href"];
    return m;
  };
  // first of three pages
  auto m = rels(items_links(items, coll, q, 10, 0, 25, 10));
  EXPECT_EQ(m.count("prev"), 0u);
  EXPECT_THAT(m.at("self"), HasSubstr("limit=10&offset=0"));
  EXPECT_THAT(m.at("next"), HasSubstr("limit=10&offset=10"));
  EXPECT_THAT(m.at("next"), HasSubstr("name=%E3%81%8B%E3%82%88%E3%81%84"));
  EXPECT_EQ(m.at("collection"), coll);
  // last page
  m = rels(items_links(items, coll, q, 10, 20, 25, 5));
  EXPECT_EQ(m.count("next"), 0u);
  EXPECT_THAT(m.at("prev"), HasSubstr("offset=10"));
  // an offset past the end: no next, prev back to a real page
  m = rels(items_links(items, coll, q, 10, 3, 2, 0));
  EXPECT_EQ(m.count("next"), 0u);
  EXPECT_THAT(m.at("prev"), HasSubstr("offset=0"));
  // every link says what it returns, so GDAL picks the GeoJSON next link
  for (const auto& l : items_links(items, coll, q, 10, 10, 25, 10)) {
    EXPECT_TRUE(l.contains("type")) << l.dump();
  }
}

TEST(OgcDocuments, LandingPageAndConformance) {
  const json landing = landing_page(kBase);
  EXPECT_EQ(landing["title"], "tsunagi");
  std::map<std::string, json> by_rel;
  for (const auto& l : landing["links"]) by_rel[l["rel"]] = l;
  EXPECT_EQ(by_rel.at("self")["href"], std::string(kBase) + "/ogc");
  EXPECT_EQ(by_rel.at("service-desc")["type"], "application/vnd.oai.openapi+json;version=3.0");
  EXPECT_EQ(by_rel.at("service-desc")["href"], std::string(kBase) + "/ogc/api");
  EXPECT_EQ(by_rel.at("conformance")["href"], std::string(kBase) + "/ogc/conformance");
  EXPECT_EQ(by_rel.at("data")["href"], std::string(kBase) + "/ogc/collections");

  const auto classes = conformance()["conformsTo"].get<std::set<std::string>>();
  EXPECT_EQ(classes,
            (std::set<std::string>{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                   "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                                   "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"}))
      << "HTML is not offered, so its class must not be claimed";
}

// ---- the handlers over a real store ----

geo::Resource make(ResourceKind kind, std::string name, double lon, double lat,
                   PublishLevel publish = PublishLevel::public_,
                   ResourceStatus status = ResourceStatus::active) {
  return test::resource_at(std::move(name), kind, lon, lat, publish, status);
}

class OgcTown : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = geo::Store::open(dir_ / "town.sqlite", geo::Store::Mode::create_if_missing);
    geo::Store::Transaction tx(store);
    // 25 public 通いの場 on a line, so paging has three pages of 10.
    for (int i = 0; i < 25; ++i) {
      auto r =
          make(ResourceKind::kayoi_no_ba, "通いの場" + std::to_string(i), 133.90 + i * 0.01, 34.65);
      r.activities.insert(i % 2 == 0 ? geo::Activity::taiso : geo::Activity::sawakai);
      r.targets.insert(geo::TargetGroup::elderly);
      store.create(r, "test");
      public_kayoi_.insert(r.id);
    }
    auto paused = make(ResourceKind::kayoi_no_ba, "休止中の会場", 133.95, 34.66,
                       PublishLevel::public_, ResourceStatus::paused);
    store.create(paused, "test");
    public_kayoi_.insert(paused.id);
    auto closed = make(ResourceKind::kayoi_no_ba, "終了した会場", 133.96, 34.66,
                       PublishLevel::public_, ResourceStatus::closed);
    store.create(closed, "test");
    closed_id_ = closed.id;
    auto partners =
        make(ResourceKind::kayoi_no_ba, "関係機関向け", 133.97, 34.66, PublishLevel::partners);
    store.create(partners, "test");
    partners_id_ = partners.id;
    // A kind that exists only internally: the public must not even see the collection.
    auto internal = make(ResourceKind::placement_site, "受入れ先（内部）", 133.98, 34.66,
                         PublishLevel::internal);
    internal.offer = geo::PlacementOffer{};
    store.create(internal, "test");
    internal_id_ = internal.id;
    // A 個人宅 居場所: the public sees it rounded to ~100 m.
    auto home = make(ResourceKind::ibasho, "縁側サロン", 133.91234, 34.65678);
    home.venue = geo::VenueKind::private_home;
    home.address = "岡山市北区某町1-2-3";
    store.create(home, "test");
    home_id_ = home.id;

    geo::Area a;
    a.id = "chome:331010001";
    a.kind = geo::AreaKind::chome;
    a.code = "331010001";
    a.name = "丸の内一丁目";
    a.lg_code = "331015";
    a.wkb =
        geo::Geometry::from_wkt(
            "MULTIPOLYGON(((133.92 34.66,133.93 34.66,133.93 34.67,133.92 34.67,133.92 34.66)))")
            .wkb();
    a.label_lon = 133.925;
    a.label_lat = 34.665;
    store.put_area(a);
    tx.commit();
    snapshot_ = geo::Snapshot::build(store);
  }

  HttpResponse get(const std::string& path, const std::string& query = "",
                   geo::Role role = geo::Role::public_) const {
    Request req;
    std::size_t start = 1;
    while (start < path.size()) {
      auto end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      req.path.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    req.query = QueryParams::parse(query);
    req.base_url = kBase;
    req.audience = geo::audience_for(role);
    return api_.handle(snapshot_, req);
  }
  json get_json(const std::string& path, const std::string& query = "",
                geo::Role role = geo::Role::public_) const {
    const auto r = get(path, query, role);
    EXPECT_EQ(r.status, 200);
    return json::parse(r.body);
  }
  /// Follows next links from the first page and returns every feature id, in order.
  std::vector<std::string> all_ids(const std::string& collection, const std::string& query,
                                   geo::Role role) const {
    std::vector<std::string> ids;
    std::string q = query;
    for (int guard = 0; guard < 100; ++guard) {
      const json page = get_json("/collections/" + collection + "/items", q, role);
      for (const auto& f : page["features"]) ids.push_back(f["id"]);
      std::string next;
      for (const auto& l : page["links"]) {
        if (l["rel"] == "next") next = l["href"];
      }
      if (next.empty()) return ids;
      const std::string prefix = std::string(kBase) + "/ogc/collections/" + collection + "/items?";
      EXPECT_EQ(next.rfind(prefix, 0), 0u) << next;
      q = next.substr(prefix.size());
    }
    ADD_FAILURE() << "paging did not end";
    return ids;
  }

  test::TempDir dir_;
  std::shared_ptr<const geo::Snapshot> snapshot_;
  Api api_{Limits{10, 100}};
  std::set<std::string> public_kayoi_;
  std::string closed_id_, partners_id_, internal_id_, home_id_;
};

TEST_F(OgcTown, CollectionsListWhatTheCallerCanSee) {
  auto ids = [&](geo::Role role) {
    std::vector<std::string> out;
    const json doc = get_json("/collections", "", role);
    for (const auto& c : doc["collections"]) out.push_back(c["id"]);
    return out;
  };
  EXPECT_EQ(ids(geo::Role::public_), (std::vector<std::string>{"kayoi_no_ba", "ibasho", "areas"}));
  EXPECT_EQ(ids(geo::Role::planner), (std::vector<std::string>{"kayoi_no_ba", "ibasho", "areas"}))
      << "planners see partners-level, not internal";
  EXPECT_EQ(ids(geo::Role::coordinator),
            (std::vector<std::string>{"kayoi_no_ba", "ibasho", "placement_site", "areas"}));

  const json c = get_json("/collections/kayoi_no_ba");
  EXPECT_EQ(c["title"], "通いの場");
  EXPECT_EQ(c["itemType"], "feature");
  EXPECT_EQ(c["crs"], json::array({kCrs84}));
  const auto bbox = c["extent"]["spatial"]["bbox"][0];
  EXPECT_DOUBLE_EQ(bbox[0].get<double>(), 133.90);
  EXPECT_DOUBLE_EQ(bbox[2].get<double>(), 133.90 + 24 * 0.01)
      << "the extent covers public items only (the partners one lies further east)";
  EXPECT_FALSE(c["extent"].contains("temporal"));
  bool items_link = false;
  for (const auto& l : c["links"]) {
    if (l["rel"] == "items") {
      items_link = true;
      EXPECT_EQ(l["type"], "application/geo+json");
      EXPECT_EQ(l["href"], std::string(kBase) + "/ogc/collections/kayoi_no_ba/items");
    }
  }
  EXPECT_TRUE(items_link);

  const json areas = get_json("/collections/areas");
  EXPECT_EQ(areas["extent"]["spatial"]["bbox"][0], json::array({133.92, 34.66, 133.93, 34.67}));

  // A kind nobody has yet still answers, empty, so saved layers keep working.
  const json empty = get_json("/collections/kominkan/items");
  EXPECT_EQ(empty["numberMatched"], 0);
  const auto e = api_error([&] { (void)get("/collections/nope/items"); });
  EXPECT_EQ(e.code(), ErrorCode::not_found);
  EXPECT_THAT(e.detail(), HasSubstr("/ogc/collections lists"));
}

TEST_F(OgcTown, PublicNeverSeesNonPublicOrClosedItems) {
  const auto ids = all_ids("kayoi_no_ba", "", geo::Role::public_);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), public_kayoi_);
  EXPECT_EQ(ids.size(), public_kayoi_.size()) << "no duplicates across pages";

  // Asking does not help.
  EXPECT_EQ(get_json("/collections/kayoi_no_ba/items", "status=closed")["numberMatched"], 0);
  EXPECT_EQ(get_json("/collections/placement_site/items")["numberMatched"], 0);
  EXPECT_EQ(
      api_error([&] { (void)get("/collections/kayoi_no_ba/items", "publish=partners"); }).code(),
      ErrorCode::unknown_parameter)
      << "publish is a staff-only queryable";

  // Single items: hidden ones answer exactly like absent ones.
  const auto absent = api_error([&] { (void)get("/collections/kayoi_no_ba/items/no-such-id"); });
  EXPECT_EQ(absent.code(), ErrorCode::not_found);
  for (const auto& [coll, id] :
       std::vector<std::pair<std::string, std::string>>{{"kayoi_no_ba", partners_id_},
                                                        {"kayoi_no_ba", closed_id_},
                                                        {"placement_site", internal_id_}}) {
    const auto e = api_error([&] { (void)get("/collections/" + coll + "/items/" + id); });
    EXPECT_EQ(e.code(), ErrorCode::not_found);
    EXPECT_EQ(e.detail(), "no feature '" + id + "' in collection '" + coll + "'");
  }
  // ... and the page bodies never mention them.
  for (const auto& coll : {"kayoi_no_ba", "ibasho", "placement_site"}) {
    const std::string body = get(std::string("/collections/") + coll + "/items", "limit=100").body;
    for (const auto& hidden : {partners_id_, closed_id_, internal_id_}) {
      EXPECT_EQ(body.find(hidden), std::string::npos) << coll;
    }
    EXPECT_EQ(body.find("\"offer\""), std::string::npos) << "no staff-only fields";
  }
}

TEST_F(OgcTown, StaffSeeTheirLevelsAndClosedOnRequest) {
  auto matched = [&](const std::string& q, geo::Role role) {
    return get_json("/collections/kayoi_no_ba/items", q, role)["numberMatched"].get<int>();
  };
  EXPECT_EQ(matched("", geo::Role::public_), 26);
  EXPECT_EQ(matched("", geo::Role::planner), 27) << "+ partners";
  EXPECT_EQ(matched("status=closed", geo::Role::planner), 1);
  EXPECT_EQ(matched("status=paused", geo::Role::planner), 1);
  EXPECT_EQ(matched("status=%E4%BC%91%E6%AD%A2%E4%B8%AD", geo::Role::planner), 1)
      << "the Japanese label 休止中 works too";
  EXPECT_EQ(matched("publish=partners", geo::Role::planner), 1);
  EXPECT_EQ(get_json("/collections/placement_site/items", "", geo::Role::planner)["numberMatched"],
            0);
  const json internal =
      get_json("/collections/placement_site/items/" + internal_id_, "", geo::Role::coordinator);
  EXPECT_TRUE(internal["properties"].contains("offer"));
  EXPECT_NO_THROW(
      (void)get("/collections/kayoi_no_ba/items/" + closed_id_, "", geo::Role::coordinator));
}

TEST_F(OgcTown, PagingBoundsAndLinks) {
  const json first = get_json("/collections/kayoi_no_ba/items");
  EXPECT_EQ(first["type"], "FeatureCollection");
  EXPECT_EQ(first["numberMatched"], 26);
  EXPECT_EQ(first["numberReturned"], 10);
  EXPECT_EQ(first["features"].size(), 10u);
  EXPECT_TRUE(first["timeStamp"].is_string());

  const json clamped = get_json("/collections/kayoi_no_ba/items", "limit=100000");
  EXPECT_EQ(clamped["numberReturned"], 26) << "api_ limit is 100";
  for (const auto& l : clamped["links"]) {
    if (l["rel"] == "self") {
      EXPECT_THAT(l["href"].get<std::string>(), HasSubstr("limit=100&"));
    }
  }
  const json beyond = get_json("/collections/kayoi_no_ba/items", "offset=500");
  EXPECT_EQ(beyond["numberReturned"], 0);
  EXPECT_EQ(beyond["numberMatched"], 26);

  const auto r = get("/collections/kayoi_no_ba/items", "limit=3");
  EXPECT_EQ(*r.header("Content-Type"), "application/geo+json");
  EXPECT_EQ(*r.header("Content-Crs"), "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");

  const auto ids = all_ids("kayoi_no_ba", "limit=7&activities=taiso", geo::Role::public_);
  EXPECT_EQ(ids.size(), 13u) << "even-numbered ones do 体操";
}

TEST_F(OgcTown, BBoxAndPropertyFilters) {
  // 133.895..133.925 holds 通いの場 0, 1, 2.
  json page = get_json("/collections/kayoi_no_ba/items", "bbox=133.895,34.6,133.925,34.7");
  EXPECT_EQ(page["numberMatched"], 3);
  for (const auto& f : page["features"]) {
    const double lon = f["geometry"]["coordinates"][0];
    EXPECT_GE(lon, 133.895);
    EXPECT_LE(lon, 133.925);
  }
  page =
      get_json("/collections/kayoi_no_ba/items",
               "bbox=133.895,34.6,133.925,34.7&bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%"
               "2FOGC%2F1.3%2FCRS84&datetime=2024-01-01%2F..");
  EXPECT_EQ(page["numberMatched"], 3);
  EXPECT_EQ(api_error([&] {
              (void)get("/collections/kayoi_no_ba/items",
                        "bbox=1,2,3,4&bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%"
                        "2F4326");
            }).code(),
            ErrorCode::invalid_parameter);
  EXPECT_EQ(get_json("/collections/kayoi_no_ba/items",
                     "name=%E9%80%9A%E3%81%84%E3%81%AE%E5%A0%B43")["numberMatched"],
            1)
      << "name=通いの場3";
  EXPECT_EQ(get_json("/collections/kayoi_no_ba/items", "targets=elderly")["numberMatched"], 25);
  auto e = api_error([&] { (void)get("/collections/kayoi_no_ba/items", "targets=cats"); });
  EXPECT_THAT(e.detail(), HasSubstr("targets must be one of: elderly"));
  e = api_error([&] { (void)get("/collections/kayoi_no_ba/items", "colour=red"); });
  EXPECT_EQ(e.code(), ErrorCode::unknown_parameter);
  EXPECT_THAT(e.detail(), HasSubstr("bbox"));
  e = api_error([&] { (void)get("/collections/kayoi_no_ba/items", "f=html"); });
  EXPECT_EQ(e.code(), ErrorCode::invalid_parameter);
  EXPECT_NO_THROW((void)get("/collections/kayoi_no_ba/items", "f=json"));

  // Areas: the polygon is found by a box touching its edge, not by one beside it.
  page = get_json("/collections/areas/items", "bbox=133.925,34.665,133.95,34.7");
  EXPECT_EQ(page["numberMatched"], 1);
  EXPECT_EQ(page["features"][0]["geometry"]["type"], "MultiPolygon");
  EXPECT_EQ(page["features"][0]["properties"]["name"], "丸の内一丁目");
  EXPECT_EQ(get_json("/collections/areas/items", "bbox=133.94,34.6,133.95,34.7")["numberMatched"],
            0);
  EXPECT_EQ(get_json("/collections/areas/items", "kind=municipality")["numberMatched"], 0);
  const json area = get_json("/collections/areas/items/chome:331010001");
  EXPECT_EQ(area["id"], "chome:331010001");
}

TEST_F(OgcTown, PrivateHomesAreServedAtTheirChomeAndFilteredWhereServed) {
  // Outside every 町丁 polygon of the town: the centre of its JIS 1/2 mesh cell.
  const auto cell = geo::mesh_cell_at(133.91234, 34.65678, geo::MeshLevel::half);
  const double lon = (cell.west + cell.east) / 2;
  const double lat = (cell.south + cell.north) / 2;

  const json f = get_json("/collections/ibasho/items/" + home_id_);
  EXPECT_EQ(f["geometry"]["coordinates"], json::array({lon, lat}));
  EXPECT_EQ(f["properties"]["address"], "");
  // A tiny box around the true position misses the served one (and vice versa for staff).
  const std::string around_true = "bbox=133.9122,34.6566,133.9125,34.6569";
  EXPECT_EQ(get_json("/collections/ibasho/items", around_true)["numberMatched"], 0);
  EXPECT_EQ(get_json("/collections/ibasho/items", around_true, geo::Role::planner)["numberMatched"],
            1);
  const std::string around_served =
      "bbox=" + std::to_string(lon - 0.0001) + "," + std::to_string(lat - 0.0001) + "," +
      std::to_string(lon + 0.0001) + "," + std::to_string(lat + 0.0001);
  EXPECT_EQ(get_json("/collections/ibasho/items", around_served)["numberMatched"], 1);
  EXPECT_EQ(
      get_json("/collections/ibasho/items", around_served, geo::Role::planner)["numberMatched"], 0);
  const json c = get_json("/collections/ibasho");
  EXPECT_DOUBLE_EQ(c["extent"]["spatial"]["bbox"][0][0].get<double>(), lon);
}

TEST_F(OgcTown, OpenApiDescribesEveryPathAndEveryPathAnswers) {
  const auto r = get("/api");
  EXPECT_EQ(*r.header("Content-Type"), "application/vnd.oai.openapi+json;version=3.0");
  const json doc = json::parse(r.body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 4), "3.0.");
  EXPECT_EQ(doc["servers"][0]["url"], std::string(kBase) + "/ogc");
  const auto& paths = doc["paths"];
  for (const auto tmpl : Api::path_templates()) {
    ASSERT_TRUE(paths.contains(std::string(tmpl))) << tmpl;
    // Each template, filled in, is served.
    std::string p(tmpl);
    if (auto i = p.find("{collectionId}"); i != std::string::npos) p.replace(i, 14, "ibasho");
    if (auto i = p.find("{featureId}"); i != std::string::npos) p.replace(i, 11, home_id_);
    EXPECT_EQ(get(p == "/" ? "" : p).status, 200) << p;
  }
  // GDAL reads the queryables of /collections/<id>/items; every declared query parameter is
  // accepted and nothing else is.
  for (const auto& coll : {"kayoi_no_ba", "ibasho", "areas"}) {
    const std::string key = std::string("/collections/") + coll + "/items";
    ASSERT_TRUE(paths.contains(key)) << key;
    std::set<std::string> names;
    for (const auto& p : paths[key]["get"]["parameters"]) {
      EXPECT_EQ(p["in"], "query");
      names.insert(p["name"]);
    }
    for (const auto* must : {"bbox", "limit", "offset", "datetime", "f"}) {
      EXPECT_EQ(names.count(must), 1u) << coll << " " << must;
    }
    for (const auto& name : names) {
      const auto e = [&]() -> std::optional<ApiError> {
        try {
          (void)get(key, name + "=x");
        } catch (const ApiError& err) {
          return err;
        }
        return std::nullopt;
      }();
      if (e) {
        EXPECT_NE(e->code(), ErrorCode::unknown_parameter) << coll << " " << name;
      }
    }
  }
  EXPECT_FALSE(paths.contains("/collections/placement_site/items")) << "not visible to the public";
  for (const auto& p : paths["/collections/kayoi_no_ba/items"]["get"]["parameters"]) {
    EXPECT_NE(p["name"], "publish");
    if (p["name"] == "limit") {
      EXPECT_EQ(p["schema"]["maximum"], 100);
    }
  }
  const json staff = get_json("/api", "", geo::Role::coordinator);
  EXPECT_TRUE(staff["paths"].contains("/collections/placement_site/items"));
  bool publish = false;
  for (const auto& p : staff["paths"]["/collections/kayoi_no_ba/items"]["get"]["parameters"]) {
    publish = publish || p["name"] == "publish";
  }
  EXPECT_TRUE(publish);

  EXPECT_EQ(api_error([&] { (void)get("/nothing"); }).code(), ErrorCode::not_found);
  EXPECT_EQ(api_error([&] { (void)get("/conformance", "limit=3"); }).code(),
            ErrorCode::unknown_parameter);
}

TEST_F(OgcTown, ServesTheSnapshotItIsGiven) {
  // The feature cache is per snapshot: a new snapshot with more resources is seen at once.
  EXPECT_EQ(get_json("/collections/ibasho/items")["numberMatched"], 1);
  auto store = geo::Store::open(dir_ / "town.sqlite");
  auto r = make(ResourceKind::ibasho, "新しい居場所", 133.93, 34.66);
  store.create(r, "test");
  auto old_snapshot = snapshot_;
  snapshot_ = geo::Snapshot::build(store);
  EXPECT_EQ(get_json("/collections/ibasho/items")["numberMatched"], 2);
  // A request still holding the older snapshot (during a republish) is answered from it.
  std::swap(snapshot_, old_snapshot);
  EXPECT_EQ(get_json("/collections/ibasho/items")["numberMatched"], 1);
  std::swap(snapshot_, old_snapshot);
  EXPECT_EQ(get_json("/collections/ibasho/items")["numberMatched"], 2);
  const json f = get_json("/collections/ibasho/items/" + r.id);
  EXPECT_EQ(f["properties"]["name"], "新しい居場所");
}

}  // namespace
}  // namespace tsunagi::server::ogc
