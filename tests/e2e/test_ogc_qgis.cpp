// OGC API – Features in QGIS: QGIS's own OAPIF provider (headless, through PyQGIS) opens a
// collection of the real `tsunagi serve`, counts it, reads every feature across pages and asks for
// a map view's bbox. The public must get exactly the public resources. Skips with a message when
// QGIS is not installed (scripts/test installs it).
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

bool have_pyqgis() {
  try {
    return run_program(
               {"env", "QT_QPA_PLATFORM=offscreen", "/usr/bin/python3", "-c", "import qgis.core"})
               .exit_code == 0;
  } catch (const std::exception&) {
    return false;
  }
}

TEST(OgcQgis, QgisOpensACollectionPagesThroughItAndFiltersAMapView) {
  if (!have_pyqgis()) {
    GTEST_SKIP() << "QGIS is not installed (Debian packages python3-qgis and qgis-providers; "
                    "scripts/test installs them)";
  }
  TempDir dir;
  const auto db = dir / "town.db";
  std::set<std::string> public_ids;
  std::set<std::string> hidden_ids;
  std::set<std::string> in_view;
  {
    auto store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
    geo::Store::Transaction tx(store);
    // 150 通いの場 on a grid (more than one of QGIS's pages); every fifth is not public.
    for (int i = 0; i < 150; ++i) {
      const double lon = 133.60 + (i % 15) * 0.002;
      const double lat = 35.08 + (i / 15) * 0.002;
      auto r = town_resource("いきいき体操 " + std::to_string(i), geo::ResourceKind::kayoi_no_ba,
                             lon, lat);
      r.publish = i % 5 == 2 ? geo::PublishLevel::partners : geo::PublishLevel::public_;
      store.create(r, "test");
      if (r.publish == geo::PublishLevel::public_) {
        public_ids.insert(r.id);
        if (lon < 133.6095 && lat < 35.0895) in_view.insert(r.id);
      } else {
        hidden_ids.insert(r.id);
      }
    }
    tx.commit();
  }
  ServerProcess server({"--db", db.string(), "--port", "0"});
  const std::string base = "http://" + server.host() + ":" + std::to_string(server.port());
  const auto run =
      run_program({"env", "QT_QPA_PLATFORM=offscreen", "NO_PROXY=127.0.0.1", "/usr/bin/python3",
                   std::string(TSUNAGI_SOURCE_DIR) + "/tests/e2e/qgis_oapif.py", base,
                   "kayoi_no_ba", "133.5995", "35.0795", "133.6095", "35.0895"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // The script prints one JSON line; QGIS may print its own messages before it.
  const auto at = run.out.rfind("{\"valid\"");
  ASSERT_NE(at, std::string::npos) << run.out << run.err;
  const auto seen = json::parse(run.out.substr(at));
  ASSERT_TRUE(seen["valid"].get<bool>()) << seen.dump();

  std::set<std::string> fields;
  for (const auto& f : seen["fields"]) fields.insert(f.get<std::string>());
  for (const char* f : {"id", "name", "kind", "address", "activities", "schedules"}) {
    EXPECT_TRUE(fields.contains(f)) << "QGIS has no field " << f;
  }
  EXPECT_FALSE(fields.contains("offer")) << "a non-public field reached the public layer";
  EXPECT_EQ(seen["count"], public_ids.size());

  std::set<std::string> ids;
  for (const auto& id : seen["ids"]) ids.insert(id.get<std::string>());
  EXPECT_EQ(ids.size(), seen["ids"].size()) << "a feature came twice across pages";
  EXPECT_EQ(ids, public_ids);

  std::set<std::string> view;
  for (const auto& id : seen["bbox_ids"]) view.insert(id.get<std::string>());
  EXPECT_EQ(view, in_view);

  ASSERT_TRUE(seen.contains("first"));
  EXPECT_TRUE(public_ids.contains(seen["first"]["id"].get<std::string>()));
  EXPECT_NEAR(seen["first"]["x"].get<double>(), 133.61, 0.02) << "lon/lat order";
  EXPECT_NEAR(seen["first"]["y"].get<double>(), 35.09, 0.02);
  // QGIS paged through items with limit/offset or next links, never an error.
  EXPECT_EQ(server.output().find(" 500 "), std::string::npos) << server.output();
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tsunagi::test
