// The tile cache's fairness: every visitor asks for the unfiltered map, while each filter makes
// tiles of its own. A client asking for many distinct filters, or choices of fields, must not
// evict the unfiltered tiles everyone shares (issue 18).
#include "tiles/tile_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "geo/catalog/resource_query.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

// Allocations made on this thread while counting (for the warm path's test). Replacing the
// global operator new applies to this test binary only; it allocates as the default one does.
// Under AddressSanitizer the replacement is left out: ASan owns operator new and delete, and a
// library's nothrow new (PROJ's) freed through a replaced delete is a mismatch it rightly reports.
#if defined(__SANITIZE_ADDRESS__)
#define TSUNAGI_COUNTS_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSUNAGI_COUNTS_ALLOCATIONS 0
#endif
#endif
#ifndef TSUNAGI_COUNTS_ALLOCATIONS
#define TSUNAGI_COUNTS_ALLOCATIONS 1
#endif

namespace {
thread_local bool counting = false;
thread_local std::size_t allocations = 0;
}  // namespace

#if TSUNAGI_COUNTS_ALLOCATIONS
void* operator new(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  if (counting) ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  if (counting) ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*n*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t /*n*/) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
  std::free(p);
}
#endif

namespace {

using namespace tsunagi;
using geo::ResourceKind;

// A tile served from the cache allocates nothing: the key is looked up by view (the filter's
// text borrowed), and the answer is the cached tile's shared pointer.
TEST(TileService, AWarmTileAllocatesNothing) {
  if (!TSUNAGI_COUNTS_ALLOCATIONS) {
    GTEST_SKIP() << "AddressSanitizer owns operator new here; allocations are counted in the "
                    "build without it";
  }
  test::TempDir dir;
  test::TinyTown town(dir / "town.db");
  for (int i = 0; i < 40; ++i) {
    town.add("place " + std::to_string(i), ResourceKind::ibasho, 133.60 + 0.002 * i,
             35.10 + 0.001 * (i % 7));
  }
  const auto snap = town.snapshot();
  tiles::TileService service(1024 * 1024);
  const auto t = tiles::tile_at(133.64, 35.10, 13);
  geo::ResourceQuery q;
  q.text = "place";
  const std::string filter = "q=place";
  for (int round = 0; round < 2; ++round) {  // the first builds and caches, the second is warm
    counting = true;
    allocations = 0;
    const auto plain = service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_,
                                    geo::ResourceQuery{}, "");
    const auto filtered =
        service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_, q, filter);
    const auto areas = service.tile(*snap, tiles::Layer::areas, t, geo::Audience::public_,
                                    geo::ResourceQuery{}, "");
    counting = false;
    ASSERT_TRUE(plain && filtered && areas);
    if (round == 0) {
      EXPECT_GT(allocations, 0U) << "the counter counts";
    } else {
      EXPECT_EQ(allocations, 0U) << "a warm tile allocated";
    }
  }
  EXPECT_EQ(service.stats().hits, 3U);
}

// A town of forty places, ibasho and kominkan by turns, around (133.64, 35.10).
std::shared_ptr<const geo::Snapshot> forty_places(const test::TempDir& dir) {
  test::TinyTown town(dir / "town.db");
  for (int i = 0; i < 40; ++i) {
    town.add("place " + std::to_string(i),
             i % 2 == 0 ? ResourceKind::ibasho : ResourceKind::kominkan, 133.60 + 0.002 * i,
             35.10 + 0.001 * (i % 7));
  }
  return town.snapshot();
}

// The tiles over the middle of forty_places' town, one per zoom from `from` to `to`.
std::vector<tiles::TileId> map_over_town(std::uint32_t from, std::uint32_t to) {
  std::vector<tiles::TileId> map;
  for (std::uint32_t z = from; z <= to; ++z) map.push_back(tiles::tile_at(133.64, 35.10, z));
  return map;
}

TEST(TileService, AFloodOfDistinctFiltersDoesNotEvictTheUnfilteredTiles) {
  test::TempDir dir;
  const auto snap = forty_places(dir);
  tiles::TileService service(256 * 1024);
  // The public map: the resources and areas tiles of a few zooms over the town.
  const auto map = map_over_town(8, 14);
  const geo::ResourceQuery none;
  auto visit_map = [&] {
    for (const auto& t : map) {
      service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_, none, "");
      service.tile(*snap, tiles::Layer::areas, t, geo::Audience::public_, none, "");
    }
  };
  visit_map();
  const auto warm = service.stats();
  ASSERT_EQ(warm.entries, 2 * map.size());
  // One client: thousands of distinct filters (each a keyword nobody else asks for), each tile
  // then cached under its own key, together far more than the whole cache.
  for (int i = 0; i < 3000; ++i) {
    geo::ResourceQuery q;
    q.text = "word" + std::to_string(i);
    service.tile(*snap, tiles::Layer::resources, map.back(), geo::Audience::public_, q,
                 "q=word" + std::to_string(i));
  }
  const auto flooded = service.stats();
  EXPECT_GT(flooded.misses - warm.misses, 2999U);
  EXPECT_LE(flooded.bytes, flooded.capacity);
  EXPECT_GT(flooded.filtered_entries, 0U) << "filtered tiles are cached too";
  EXPECT_LE(flooded.filtered_bytes, flooded.capacity / tiles::TileService::kFilteredShareDivisor);
  // Everyone's map is still served from memory: all hits, no miss.
  visit_map();
  const auto after = service.stats();
  EXPECT_EQ(after.misses, flooded.misses) << "an unfiltered tile was evicted by the filters";
  EXPECT_EQ(after.hits - flooded.hits, 2 * map.size());
}

// The map asks for points with their id and kind alone (fields=): those tiles are everyone's map as
// much as the tiles with every property, and a flood of other choices of fields, each cached under
// its own key, evicts neither.
TEST(TileService, TheMapsFieldsStayWithEveryonesMap) {
  test::TempDir dir;
  const auto snap = forty_places(dir);
  tiles::TileService service(64 * 1024);
  const auto map = map_over_town(8, 16);
  const geo::ResourceQuery none;
  const auto lean = tiles::ResourceFields::parse(geo::Audience::public_, "");
  auto visit_map = [&] {
    for (const auto& t : map) {
      service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_, none, "", {}, lean);
      service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_, none, "");
    }
  };
  visit_map();
  const auto warm = service.stats();
  ASSERT_EQ(warm.entries, 2 * map.size());
  EXPECT_EQ(warm.filtered_entries, 0U) << "the map's tiles went to the filtered share";
  // Every other choice of fields, at every zoom, several times over the cache.
  std::size_t flood = 0;
  for (int round = 0; round < 3; ++round) {
    for (std::uint8_t mask = 1; mask < 0x7F; ++mask) {
      for (const auto& t : map) {
        service.tile(*snap, tiles::Layer::resources, t, geo::Audience::public_, none, "", {},
                     tiles::ResourceFields{mask});
        ++flood;
      }
    }
  }
  const auto flooded = service.stats();
  EXPECT_GT(flooded.misses - warm.misses, flood / 3);
  EXPECT_GT(flooded.filtered_entries, 0U);
  EXPECT_LE(flooded.filtered_bytes, flooded.capacity / tiles::TileService::kFilteredShareDivisor);
  visit_map();
  const auto after = service.stats();
  EXPECT_EQ(after.misses, flooded.misses) << "a tile of everyone's map was evicted";
  EXPECT_EQ(after.hits - flooded.hits, 2 * map.size());
}

}  // namespace
