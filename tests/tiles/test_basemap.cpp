// The offline basemap's reader (tiles/basemap): an MBTiles written here with SQLite, as tilemaker
// writes them — TMS rows, gzip-stored tiles, vector_layers in the metadata — read back at XYZ
// addresses; files that are not a vector basemap are refused with a clear message.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "support/test_support.hpp"
#include "tiles/basemap.hpp"
#include "tiles/error.hpp"
#include "tiles/tile_service.hpp"

namespace tsunagi::tiles {
namespace {

void exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
}

/// An MBTiles with one tile (`data`) at XYZ z/x/y, stored at its TMS row.
void write_mbtiles(const std::filesystem::path& file, const std::string& format, std::uint32_t z,
                   std::uint32_t x, std::uint32_t y, const std::string& data) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  exec(db, "CREATE TABLE metadata (name text, value text)");
  exec(db,
       "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
       "tile_data blob)");
  exec(db, "INSERT INTO metadata VALUES ('format', '" + format +
               "'), ('minzoom', '0'), ('maxzoom', '14'), ('bounds', '9.4,47.0,9.7,47.3'), "
               "('json', '{\"vector_layers\":[{\"id\":\"transportation\",\"fields\":{}}]}')");
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO tiles VALUES (?, ?, ?, ?)", -1, &s, nullptr),
            SQLITE_OK);
  sqlite3_bind_int(s, 1, static_cast<int>(z));
  sqlite3_bind_int64(s, 2, x);
  sqlite3_bind_int64(s, 3, (std::int64_t{1} << z) - 1 - y);
  sqlite3_bind_blob(s, 4, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(BasemapTiles, ReadsTmsRowsAtXyzAddressesAndKnowsGzip) {
  const test::TempDir dir;
  const auto file = dir / "b.mbtiles";
  const std::string mvt = "\x1a\x05hello";  // any bytes: the reader does not decode them
  write_mbtiles(file, "pbf", 14, 8625, 5753, gzip(mvt));
  const BasemapTiles b(file);
  EXPECT_EQ(b.max_zoom(), 14U);
  EXPECT_EQ(b.vector_layers().size(), 1U);
  EXPECT_DOUBLE_EQ(b.bounds()[0], 9.4);
  const auto t = b.tile({14, 8625, 5753});
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->gzip);
  EXPECT_EQ(gunzip(t->data), mvt);
  EXPECT_EQ(b.tile({14, 8625, 5753}), t) << "the second read comes from memory";
  // The TMS row itself, read as an XYZ row, is another tile: absent.
  EXPECT_EQ(b.tile({14, 8625, (1U << 14) - 1 - 5753}), nullptr);
  EXPECT_EQ(b.tile({15, 0, 0}), nullptr);  // beyond its zooms
  EXPECT_THROW((void)gunzip("not gzip"), Error);
}

TEST(BasemapTiles, RefusesFilesThatAreNotAVectorBasemap) {
  const test::TempDir dir;
  write_mbtiles(dir / "raster.mbtiles", "png", 0, 0, 0, "png");
  try {
    const BasemapTiles b(dir / "raster.mbtiles");
    FAIL() << "a raster MBTiles was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not hold vector tiles (format 'png'"),
              std::string::npos)
        << e.what();
  }
  test::write_file(dir / "text.mbtiles", "not a database at all, just some text in a file");
  EXPECT_THROW(BasemapTiles(dir / "text.mbtiles"), Error);
}

}  // namespace
}  // namespace tsunagi::tiles
