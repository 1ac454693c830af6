// The store: a real SpatiaLite file, migrations, refusal of foreign files, transactions, upserts,
// optimistic concurrency and history.
#include "geo/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <nlohmann/json.hpp>

#include "geo/catalog/indicator.hpp"
#include "geo/core/area.hpp"
#include "geo/core/error.hpp"
#include "geo/store/sqlite/sqlite_store.hpp"
#include "support/old_store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

using test::TempDir;

/// The first column of the first row `sql` gives, as text ("" when there is none).
std::string first_value(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  std::string v;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return v;
}

Resource salon(std::string name = "本町ふれあいサロン") {
  Resource r;
  r.kind = ResourceKind::ibasho;
  r.name = std::move(name);
  r.lon = 134.0465;
  r.lat = 34.3402;
  r.activities = {Activity::sawakai, Activity::shumi};
  r.main_activity = Activity::sawakai;
  r.targets = {TargetGroup::elderly, TargetGroup::everyone};
  Schedule s;
  s.rule = Schedule::Rule::monthly_nth;
  s.weekdays = {Weekday::wed};
  s.nth = (1u << 1) | (1u << 3);
  s.start_minute = 13 * 60 + 30;
  s.end_minute = 15 * 60;
  r.schedules = {s};
  r.fees = {Fee{PersonKind::any, 100, FeePer::session, ""}};
  r.capacity = 20;
  r.vacancy = 5;
  r.barrier_free.step_free = true;
  r.offer = PlacementOffer{};
  r.offer->tasks = {TaskTag::chori};
  r.offer->contact_role = "サロン世話役";
  return r;
}

TEST(Store, CreatesAVersionedSpatialiteFileWithWal) {
  TempDir dir;
  const auto path = dir / "town.sqlite";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    EXPECT_EQ(store.schema_version(), Store::kSchemaVersion);
    EXPECT_EQ(store.generation(), 1);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto pragma = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    sqlite3_step(st);
    std::string v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA user_version"), std::to_string(Store::kSchemaVersion));
  EXPECT_EQ(pragma("PRAGMA application_id"), std::to_string(Store::kApplicationId));
  // The geometry column is registered with SpatiaLite and has its R*Tree index.
  EXPECT_EQ(pragma("SELECT srid || ':' || spatial_index_enabled FROM geometry_columns "
                   "WHERE f_table_name = 'resource'"),
            "4326:1");
  sqlite3_close(db);
}

TEST(Store, RefusesAMissingFileUnlessAskedToCreate) {
  TempDir dir;
  try {
    Store::open(dir / "none.sqlite");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "none.sqlite"));
}

TEST(Store, RefusesAFileThatIsNotSqlite) {
  TempDir dir;
  test::write_file(dir / "notes.sqlite", "these are my notes, not a database\n");
  const auto before = test::file_digest(dir / "notes.sqlite");
  try {
    Store::open(dir / "notes.sqlite", Store::Mode::create_if_missing);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("not an SQLite database"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::file_digest(dir / "notes.sqlite"), before) << "the foreign file was modified";
}

TEST(Store, RefusesAnotherApplicationsSqliteFile) {
  TempDir dir;
  const auto path = dir / "other.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE invoices(id INTEGER)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    Store::open(path, Store::Mode::create_if_missing);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("not a tsunagi store"), std::string::npos) << e.what();
  }
}

TEST(Store, RefusesAStoreFromANewerVersion) {
  TempDir dir;
  const auto path = dir / "future.sqlite";
  { Store::open(path, Store::Mode::create_if_missing); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    Store::open(path);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("newer tsunagi"), std::string::npos) << msg;
    EXPECT_NE(msg.find("99"), std::string::npos) << msg;
  }
}

TEST(Store, ResourcesRoundTripWithAllTheirParts) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  Resource r = salon();
  store.create(r, "coordinator:sato");
  ASSERT_FALSE(r.id.empty());
  EXPECT_EQ(r.version, 1);
  auto back = store.resource(r.id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  EXPECT_EQ(store.resource_count(), 1);
}

TEST(Store, InvalidResourcesAreRejectedAndNothingIsWritten) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  const auto gen = store.generation();
  Resource r = salon("");
  EXPECT_THROW(store.create(r, "x"), InvalidArgument);
  Resource v = salon();
  v.vacancy = 30;  // more than capacity
  EXPECT_THROW(store.create(v, "x"), InvalidArgument);
  EXPECT_EQ(store.resource_count(), 0);
  EXPECT_EQ(store.generation(), gen);
}

TEST(Store, UpdateNeedsTheCurrentVersionAndRecordsWhatChanged) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  Resource r = salon();
  store.create(r, "coordinator:sato");
  Resource edit = r;
  edit.vacancy = 2;
  store.update(edit, 1, "coordinator:sato");
  EXPECT_EQ(edit.version, 2);

  Resource stale = r;  // someone else still holds version 1
  stale.name = "別の名前";
  EXPECT_THROW(store.update(stale, 1, "coordinator:suzuki"), Conflict);
  EXPECT_EQ(store.resource(r.id)->name, r.name);

  const auto closed = store.close(r.id, 2, "coordinator:sato");
  EXPECT_EQ(closed.status, ResourceStatus::closed);
  EXPECT_EQ(store.resource_count(), 1) << "closing never deletes";

  const auto h = store.history(r.id);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].action, "created");
  EXPECT_EQ(h[1].action, "updated");
  EXPECT_EQ(h[1].actor, "coordinator:sato");
  const auto changes = nlohmann::json::parse(h[1].changes_json);
  EXPECT_EQ(changes["vacancy"]["from"], 5);
  EXPECT_EQ(changes["vacancy"]["to"], 2);
  EXPECT_EQ(changes.size(), 1u) << changes.dump();
  EXPECT_EQ(h[2].action, "closed");
}

TEST(Store, ReimportingASourceUpdatesInsteadOfDuplicating) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  const auto src = store.upsert_source(
      {0, "city-salons.csv", "サロン一覧", "○○市社協", "", "cc_by_4_0", "", "", ""});
  auto import_once = [&](int vacancy) {
    Store::Transaction tx(store);
    Resource a = salon("A");
    a.source_id = src;
    a.source_key = "1";
    a.vacancy = vacancy;
    Resource b = salon("B");
    b.source_id = src;
    b.source_key = "2";
    auto oa = store.upsert_imported(a, "import:city-salons.csv");
    auto ob = store.upsert_imported(b, "import:city-salons.csv");
    tx.commit();
    return std::pair{oa, ob};
  };
  auto [a1, b1] = import_once(5);
  EXPECT_EQ(a1, UpsertOutcome::inserted);
  EXPECT_EQ(b1, UpsertOutcome::inserted);
  auto [a2, b2] = import_once(3);
  EXPECT_EQ(a2, UpsertOutcome::updated);
  EXPECT_EQ(b2, UpsertOutcome::unchanged);
  EXPECT_EQ(store.resource_count(), 2);
  const auto keys = store.source_keys(src);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].first, "1");
  const auto h = store.history(keys[0].second);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].action, "imported");
  EXPECT_EQ(h[1].action, "imported");
  EXPECT_EQ(nlohmann::json::parse(h[1].changes_json)["vacancy"]["to"], 3);
}

TEST(Store, KeepsTheSpatialiteRTreeInStepForOtherTools) {
  test::TempDir dir;
  const auto path = dir / "s.sqlite";
  std::string moved_id;
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    Resource a = salon("A");
    Resource b = salon("B");
    b.lon = 135.5;
    b.lat = 34.7;
    store.create(a, "x");
    store.create(b, "x");
    Resource moved = a;
    moved.lon = 139.77;
    moved.lat = 35.68;
    store.update(moved, 1, "x");
    moved_id = moved.id;
  }
  // What QGIS or spatialite would ask: the R*Tree, joined back to the rows.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto ids_in = [&](double x0, double y0, double x1, double y1) {
    const std::string sql =
        "SELECT r.resource_id FROM resource r JOIN idx_resource_geom i ON i.pkid = r.rowid "
        "WHERE i.xmin >= " +
        std::to_string(x0) + " AND i.xmax <= " + std::to_string(x1) +
        " AND i.ymin >= " + std::to_string(y0) + " AND i.ymax <= " + std::to_string(y1);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
    sqlite3_finalize(st);
    return out;
  };
  EXPECT_EQ(ids_in(139.7, 35.6, 139.8, 35.7), std::vector<std::string>{moved_id});
  EXPECT_TRUE(ids_in(134.0, 34.3, 134.1, 34.4).empty()) << "the old position left the index";
  EXPECT_EQ(ids_in(135.4, 34.6, 135.6, 34.8).size(), 1u);
  sqlite3_close(db);
}

TEST(Store, ALargeImportPacksTheRTreeAndLaterWritesKeepItWhole) {
  test::TempDir dir;
  const auto path = dir / "s.sqlite";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    Resource before = salon("before");
    store.create(before, "x");
    const auto src = store.upsert_source({0, "big.csv", "", "", "", "cc_by_4_0", "", "", ""});
    Store::Transaction tx(store);
    for (int i = 0; i < 3'000; ++i) {
      Resource r = salon("r" + std::to_string(i));
      r.source_id = src;
      r.source_key = std::to_string(i);
      r.lon = 130.0 + (i % 100) * 0.1;
      r.lat = 31.0 + (i / 100) * 0.1;
      store.upsert_imported(r, "import:big.csv");
    }
    tx.commit();
    Resource after = salon("after");
    after.lon = 141.35;
    after.lat = 43.06;
    store.create(after, "x");
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto one = [&](const char* sql) { return first_value(db, sql); };
  EXPECT_EQ(one("SELECT rtreecheck('idx_resource_geom')"), "ok");
  EXPECT_EQ(one("SELECT count(*) FROM idx_resource_geom"), "3002");
  // Rows 0..9 of the grid, plus nothing else, lie in this box; the row made after the import too.
  EXPECT_EQ(one("SELECT count(*) FROM idx_resource_geom WHERE xmin >= 129.95 AND xmax <= 139.95 "
                "AND ymin >= 30.95 AND ymax <= 31.05"),
            "100");
  EXPECT_EQ(one("SELECT r.name FROM resource r JOIN idx_resource_geom i ON i.pkid = r.rowid "
                "WHERE i.xmin >= 141.3 AND i.xmax <= 141.4 AND i.ymin >= 43.0 AND i.ymax <= 43.1"),
            "after");
  EXPECT_EQ(one("SELECT count(*) FROM sqlite_master WHERE name = 'gii_resource_geom'"), "1");
  // SpatiaLite's geometry-constraint trigger, set aside during the import, is back for others.
  EXPECT_EQ(one("SELECT count(*) FROM sqlite_master WHERE name = 'ggi_resource_geom'"), "1");
  sqlite3_close(db);
}

// The index of an import's new rows is built at commit from the points the import noted; a row
// written some other way inside the same transaction is read back, never left out of the index.
TEST(Store, ARowCreatedInsideAnImportsTransactionIsIndexedToo) {
  test::TempDir dir;
  const auto path = dir / "s.sqlite";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    const auto src = store.upsert_source({0, "big.csv", "", "", "", "cc_by_4_0", "", "", ""});
    Store::Transaction tx(store);
    for (int i = 0; i < 2'000; ++i) {
      Resource r = salon("r" + std::to_string(i));
      r.source_id = src;
      r.source_key = std::to_string(i);
      r.lon = 130.0 + (i % 100) * 0.1;
      r.lat = 31.0 + (i / 100) * 0.1;
      store.upsert_imported(r, "import:big.csv");
      if (i == 1'000) {
        Resource made = salon("made by hand");
        made.lon = 141.35;
        made.lat = 43.06;
        store.create(made, "x");
      }
    }
    tx.commit();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto one = [&](const char* sql) { return first_value(db, sql); };
  EXPECT_EQ(one("SELECT rtreecheck('idx_resource_geom')"), "ok");
  EXPECT_EQ(one("SELECT count(*) FROM idx_resource_geom"), "2001");
  EXPECT_EQ(
      one("SELECT count(*) FROM resource r JOIN idx_resource_geom i ON i.pkid = r.rowid "
          "WHERE i.xmin <= r.lon AND i.xmax >= r.lon AND i.ymin <= r.lat AND i.ymax >= r.lat"),
      "2001");
  EXPECT_EQ(one("SELECT r.name FROM resource r JOIN idx_resource_geom i ON i.pkid = r.rowid "
                "WHERE i.xmin >= 141.3 AND i.xmax <= 141.4 AND i.ymin >= 43.0 AND i.ymax <= 43.1"),
            "made by hand");
  sqlite3_close(db);
}

TEST(Store, OnlyContentWritesMoveTheGeneration) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  const auto g0 = store.generation();
  {
    // A login: sessions and failed-login counters are not content; snapshots and tiles stay.
    Store::Transaction tx(store, Store::Transaction::Writes::accounts);
    tx.commit();
  }
  EXPECT_EQ(store.generation(), g0);
  {
    Store::Transaction tx(store);
    Resource r = salon();
    store.create(r, "x");
    tx.commit();
  }
  EXPECT_EQ(store.generation(), g0 + 1);
}

TEST(Store, ReadsLeaveNothingPendingSoAnotherProgramsCommitsAreSeenAndWritesGoOn) {
  // The server holds a store open while `tsunagi import` writes the same file from another
  // process (here: another connection).
  TempDir dir;
  const auto path = dir / "s.sqlite";
  auto server = Store::open(path, Store::Mode::create_if_missing);
  Resource first = salon("A");
  server.create(first, "x");
  const auto src = server.upsert_source({0, "a.csv", "", "", "", "cc_by_4_0", "", "", ""});
  // Every kind of read the server makes.
  EXPECT_EQ(server.resource_count(), 1);
  EXPECT_TRUE(server.resource(first.id).has_value());
  EXPECT_FALSE(server.resource("nope").has_value());
  EXPECT_TRUE(server.source_by_key("a.csv").has_value());
  EXPECT_TRUE(server.source_by_id(src).has_value());
  EXPECT_FALSE(server.history(first.id).empty());
  EXPECT_TRUE(server.areas().empty());
  EXPECT_FALSE(server.area("chome:1").has_value());
  const auto g = server.generation();
  // The SQLite backend's own connection (this is its test).
  sqlite3* db = dynamic_cast<SqliteStore&>(server.backend()).raw_handle();
  for (sqlite3_stmt* st = sqlite3_next_stmt(db, nullptr); st != nullptr;
       st = sqlite3_next_stmt(db, st)) {
    EXPECT_EQ(sqlite3_stmt_busy(st), 0) << "left pending: " << sqlite3_sql(st);
  }

  {
    auto importer = Store::open(path, Store::Mode::open_existing);
    Store::Transaction tx(importer);
    Resource r = salon("B");
    r.source_id = src;
    r.source_key = "1";
    importer.upsert_imported(r, "import:a.csv");
    tx.commit();
  }
  EXPECT_EQ(server.generation(), g + 1);
  EXPECT_EQ(server.resource_count(), 2);
  Resource after = salon("C");
  EXPECT_NO_THROW(server.create(after, "x")) << "a write after another program's commit";
  EXPECT_EQ(server.resource_count(), 3);
}

TEST(Store, IdsSortInCreationOrder) {
  std::string prev = new_uuid();
  for (int i = 0; i < 10000; ++i) {
    const std::string next = new_uuid();
    ASSERT_LT(prev, next);
    ASSERT_EQ(next.size(), 36u);
    ASSERT_EQ(next[14], '7') << "UUIDv7";
    prev = next;
  }
}

TEST(Store, AnUncommittedTransactionLeavesTheFileByteIdentical) {
  TempDir dir;
  const auto path = dir / "s.sqlite";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    Resource r = salon();
    store.create(r, "x");
  }
  const auto before = test::file_digest(path);
  {
    auto store = Store::open(path);
    Store::Transaction tx(store);
    for (int i = 0; i < 500; ++i) {
      Resource r = salon("row " + std::to_string(i));
      store.create(r, "x");
    }
    // no commit: the destructor rolls back
  }
  EXPECT_EQ(test::file_digest(path), before);
  auto store = Store::open(path);
  EXPECT_EQ(store.resource_count(), 1);
}

TEST(Store, AreasAndPopulationsRoundTrip) {
  TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  // A unit square as little-endian ISO WKB Polygon.
  auto le32 = [](std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  auto le64 = [](double v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
  std::string wkb = std::string(1, '\x01') + le32(3) + le32(1) + le32(5);
  const double ring[5][2] = {{134, 34}, {134.01, 34}, {134.01, 34.01}, {134, 34.01}, {134, 34}};
  for (const auto& p : ring) wkb += le64(p[0]) + le64(p[1]);
  Area a;
  a.id = "chome:demo-01";
  a.kind = AreaKind::chome;
  a.code = "demo-01";
  a.name = "本町一丁目";
  a.wkb = wkb;
  a.label_lon = 134.005;
  a.label_lat = 34.005;
  store.put_area(a);
  auto back = store.area(a.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "本町一丁目");
  EXPECT_EQ(static_cast<unsigned char>(back->wkb[0]), 1);
  EXPECT_EQ(back->wkb.size(), wkb.size() + 9) << "stored as a MultiPolygon";

  AreaPopulation p{a.id, "2026-04-01", {{0, 4, 10, 12}, {85, std::nullopt, 3, 9}}, 30, 0};
  store.put_population(p);
  const auto pops = store.populations();
  ASSERT_EQ(pops.size(), 1u);
  EXPECT_EQ(pops[0].total(), 34);
  EXPECT_EQ(pops[0].aged_at_least(65), 12);
  EXPECT_EQ(pops[0].households, 30);

  Area broken = a;
  broken.id = "chome:broken";
  broken.wkb = "not wkb";
  EXPECT_THROW(store.put_area(broken), InvalidArgument);
  EXPECT_FALSE(store.area("chome:broken"));
}

}  // namespace
}  // namespace tsunagi::geo

namespace tsunagi::geo {
namespace {

// A store of schema version 7 held e-Stat small areas as oaza:/chome: by code length; opening
// it moves them to one small_area: layer with their level, and every reference follows: their
// figures, their population, the 合算 marks that name them, and a referral's home area.
TEST(Store, AnOlderStoresCensusSmallAreasBecomeOneLayerWhenOpened) {
  TempDir dir;
  const auto path = dir / "old.db";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    // back to the schema of version 7
    test::downgrade_to_version_7(store);
    store.exec(
        "INSERT INTO area (area_id, kind, code, name, parent_id, lg_code, vintage, label_lon, "
        "label_lat) VALUES "
        "('municipality:372013', 'municipality', '372013', '高松市', '', '372013', 'n03', 134, 34),"
        "('oaza:372011330', 'oaza', '372011330', '香西東町', 'municipality:372013', '372013', "
        "'census2015', 134.0, 34.3),"
        "('chome:37201033003', 'chome', '37201033003', '栗林町３丁目', 'municipality:372013', "
        "'372013', 'census2015', 134.04, 34.32),"
        "('chome:37201160001', 'chome', '37201160001', '牟礼町牟礼', 'municipality:372013', "
        "'372013', 'census2015', 134.1, 34.33),"
        "('chome:K1', 'chome', 'K1', '自作の丁目', 'municipality:372013', '372013', 'mine', 134, "
        "34); "
        "INSERT INTO stat_def (stat_key, label, unit, publish, own_data, min_cell, note) VALUES "
        "('population', '人口総数', 'count', 'public', 0, 10, ''); "
        "INSERT INTO area_stat (area_id, stat_key, ref_date, value, status, merged) VALUES "
        "('oaza:372011330', 'population', '2015-10-01', 1768, 'merged', 'chome:37201033003'), "
        "('chome:37201033003', 'population', '2015-10-01', NULL, 'absorbed', 'oaza:372011330'); "
        "INSERT INTO area_population (area_id, ref_date, age_from, age_to, male, female) VALUES "
        "('chome:37201033003', '2015-10-01', 0, 4, 10, 12); ");
  }
  auto store = Store::open(path);
  EXPECT_EQ(store.schema_version(), Store::kSchemaVersion);
  const auto oaza = store.area("small_area:372011330");
  ASSERT_TRUE(oaza);
  EXPECT_EQ(oaza->kind, AreaKind::small_area);
  EXPECT_EQ(oaza->level, SmallAreaLevel::oaza);
  EXPECT_EQ(store.area("small_area:37201033003")->level, SmallAreaLevel::chome);
  EXPECT_EQ(store.area("small_area:37201160001")->level, SmallAreaLevel::aza);
  EXPECT_FALSE(store.area("oaza:372011330"));
  // an area of the operator's own (not a census one) keeps its id and kind
  ASSERT_TRUE(store.area("chome:K1"));
  EXPECT_EQ(store.area("chome:K1")->kind, AreaKind::chome);
  std::map<std::string, StatValue> stats;
  for (const auto& v : store.stats()) stats[v.area_id] = v;
  ASSERT_TRUE(stats.contains("small_area:372011330"));
  EXPECT_EQ(stats["small_area:372011330"].merged, "small_area:37201033003");
  EXPECT_EQ(stats["small_area:37201033003"].merged, "small_area:372011330");
  const auto pops = store.populations();
  ASSERT_EQ(pops.size(), 1u);
  EXPECT_EQ(pops[0].area_id, "small_area:37201033003");
}

}  // namespace
}  // namespace tsunagi::geo

namespace tsunagi::geo {
namespace {

TEST(StoreSqlite, TheUriNamesTheFileAndAPostgresUriIsNeverTakenForAFile) {
  test::TempDir dir;
  const auto file = dir / "city.sqlite";
  { auto store = Store::open("sqlite:" + file.string(), Store::Mode::create_if_missing); }
  EXPECT_TRUE(std::filesystem::exists(file)) << "sqlite:FILE is the file FILE";
  EXPECT_EQ(Store::open(file).path(), file);
  EXPECT_EQ(Store::open("sqlite://" + file.string()).path(), file);
  // A PostgreSQL URI goes to the PostgreSQL backend (here: a server that is not there), and its
  // password is never repeated in the message.
  try {
    (void)Store::open("postgresql://tsunagi:s3cret@/tsunagi?host=" + (dir / "no-server").string());
    FAIL() << "a PostgreSQL URI was taken for a file";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cannot connect to the PostgreSQL store"), std::string::npos) << what;
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
  }
  EXPECT_FALSE(std::filesystem::exists("postgresql:")) << "no file was made of the URI";
  EXPECT_THROW((void)Store::open("sqlite:"), StoreError);
}

TEST(StoreSqlite, HealthSaysWhenTheWriteAheadLogIsGone) {
  test::TempDir dir;
  const auto file = dir / "city.sqlite";
  auto store = Store::open(file, Store::Mode::create_if_missing);
  Resource r;
  r.kind = ResourceKind::ibasho;
  r.name = "A";
  r.lon = 134.0;
  r.lat = 34.3;
  store.create(r, "t");
  ASSERT_TRUE(store.health().ok) << store.health().problem;
  std::filesystem::remove(file.string() + "-wal");
  const auto h = store.health();
  EXPECT_FALSE(h.ok);
  EXPECT_NE(h.problem.find("write-ahead log"), std::string::npos) << h.problem;
}

TEST(StoreSqlite, AReadOnlyStoreIsNotWritableAndSaysWhy) {
  test::TempDir dir;
  const auto file = dir / "city.sqlite";
  { auto store = Store::open(file, Store::Mode::create_if_missing); }
  EXPECT_TRUE(Store::writable(file).ok);
  EXPECT_TRUE(Store::writable(dir / "missing.sqlite").ok) << "nothing there yet: open says why";
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  const auto h = Store::writable("sqlite:" + file.string());
  EXPECT_FALSE(h.ok);
  EXPECT_NE(h.problem.find("read-only"), std::string::npos) << h.problem;
}

// Jobs stored before analyses belonged to a town take the town their request named (migration 15).
TEST(StoreSqlite, AnOlderStoresJobsTakeTheTownTheirRequestNamed) {
  TempDir dir;
  const auto path = dir / "old-jobs.db";
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    test::downgrade_to_version_7(store);
    store.exec(
        "INSERT INTO analysis_job (job_id, analysis, request_json, audience, owner, status, "
        "created_at, finished_at, result_json, error) VALUES "
        "('town', 'coverage', '{\"analysis\":\"coverage\",\"municipality\":\"023612\"}', "
        "'partners', 'p', 'done', '2026-01-01T00:00:00Z', '', '{}', ''),"
        "('all', 'coverage', '{\"analysis\":\"coverage\"}', 'partners', 'p', 'done', "
        "'2026-01-01T00:00:01Z', '', '{}', ''),"
        "('odd', 'coverage', '{\"municipality\":23612}', 'partners', 'p', 'failed', "
        "'2026-01-01T00:00:02Z', '', '', 'bad'),"
        "('broken', 'coverage', 'not json', 'partners', 'p', 'failed', '2026-01-01T00:00:03Z', "
        "'', '', 'bad')");
  }
  const auto store = Store::open(path);
  EXPECT_EQ(store.job("town")->municipality, "023612");
  EXPECT_EQ(store.job("all")->municipality, "");
  EXPECT_EQ(store.job("odd")->municipality, "") << "not a code: a job of no one town";
  EXPECT_EQ(store.job("broken")->municipality, "");
  EXPECT_EQ(store.count_jobs({"partners"}, MunicipalScope({"023612"})), 1);
}

}  // namespace
}  // namespace tsunagi::geo
