// The import's writing thread: every checked row reaches the store in the order it was read, what
// became of each is counted, and a failure on either side leaves nothing half-written.
#include "datasets/row_writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "geo/core/error.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace ds = tsunagi::datasets;
namespace geo = tsunagi::geo;
using testing::HasSubstr;
using tsunagi::test::resource_at;
using tsunagi::test::TempDir;

namespace {

geo::Resource row(std::int64_t source, int i, const std::string& name) {
  geo::Resource r = resource_at(name, geo::ResourceKind::public_facility, 134.0 + i * 1e-5, 34.3);
  r.source_id = source;
  r.source_key = "k" + std::to_string(i);
  return r;
}

std::map<std::string, std::string> names_by_key(const geo::Store& store) {
  std::map<std::string, std::string> out;
  store.for_each_resource(
      [&](geo::Resource&& r) { out[r.source_key] = static_cast<std::string>(r.name); });
  return out;
}

std::int64_t a_source(geo::Store& store) {
  return store.upsert_source({0, "rows.csv", "", "", "", "cc_by_4_0", "", "", ""});
}

}  // namespace

TEST(RowWriter, StoresEveryRowInReadingOrderAndCountsWhatBecameOfIt) {
  const TempDir dir;
  geo::Store store =
      geo::Store::open(dir.path() / "s.tsunagi", geo::Store::Mode::create_if_missing);
  const auto src = a_source(store);
  {
    geo::Store::Transaction tx(store);
    ds::RowWriter writer(store, "import:rows");
    for (int i = 0; i < 1000; ++i) writer.push(row(src, i, "施設" + std::to_string(i)));
    // The same id again, many batches later: it must be written after its first row.
    writer.push(row(src, 5, "施設5（移転）"));
    writer.push(row(src, 7, "施設7"));  // the same content: unchanged
    const auto counts = writer.finish();
    EXPECT_EQ(counts.inserted, 1000);
    EXPECT_EQ(counts.updated, 1);
    EXPECT_EQ(counts.unchanged, 1);
    tx.commit();
  }
  const auto names = names_by_key(store);
  ASSERT_EQ(names.size(), 1000U);
  EXPECT_EQ(names.at("k5"), "施設5（移転）");
  EXPECT_EQ(names.at("k999"), "施設999");
}

TEST(RowWriter, AStoreErrorOnTheWritingThreadReachesTheReaderAndNothingIsKept) {
  const TempDir dir;
  geo::Store store =
      geo::Store::open(dir.path() / "s.tsunagi", geo::Store::Mode::create_if_missing);
  const auto src = a_source(store);
  std::string error;
  int pushed = 0;
  try {
    geo::Store::Transaction tx(store);
    ds::RowWriter writer(store, "import:rows");
    for (; pushed < 5000; ++pushed) {
      // The store refuses a row without its source: on the writer's thread, at row 300.
      writer.push(row(pushed == 300 ? 0 : src, pushed, "施設"));
    }
    (void)writer.finish();
    tx.commit();
  } catch (const geo::Error& e) {
    error = e.what();
  }
  EXPECT_THAT(error, HasSubstr("needs its source"));
  EXPECT_LT(pushed, 5000) << "the reader was not stopped when the writer failed";
  EXPECT_TRUE(names_by_key(store).empty());
}

TEST(RowWriter, AReaderThatFailsMidwayLeavesNothingAndTheStoreWritable) {
  const TempDir dir;
  geo::Store store =
      geo::Store::open(dir.path() / "s.tsunagi", geo::Store::Mode::create_if_missing);
  const auto src = a_source(store);
  try {
    geo::Store::Transaction tx(store);
    ds::RowWriter writer(store, "import:rows");
    for (int i = 0; i < 3000; ++i) writer.push(row(src, i, "施設"));
    throw geo::InvalidArgument("the file cannot be read past row 3001");  // as GDAL would
  } catch (const geo::InvalidArgument&) {
  }
  EXPECT_TRUE(names_by_key(store).empty());
  {
    geo::Store::Transaction tx(store);
    ds::RowWriter writer(store, "import:rows");
    writer.push(row(src, 1, "施設"));
    EXPECT_EQ(writer.finish().inserted, 1);
    tx.commit();
  }
  EXPECT_EQ(names_by_key(store).size(), 1U);
}
