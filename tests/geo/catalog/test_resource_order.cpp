// geo/resource_query: a listing in an order that does not depend on where anyone looks — by
// reading (name_kana, else the name), so that a list's numbers are the same for everyone.
#include <gtest/gtest.h>

#include "geo/catalog/resource_query.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

TEST(ResourceOrder, ByReadingThenIdWhateverTheMapCentre) {
  test::TempDir dir;
  test::TinyTown town(dir / "t.db");
  town.add("体操クラブ", ResourceKind::kayoi_no_ba, 133.650, 35.110,
           [](Resource& r) { r.name_kana = "タイソウクラブ"; });
  town.add("あおぞらサロン", ResourceKind::ibasho, 133.700, 35.200);
  town.add("喫茶みどり", ResourceKind::ibasho, 133.640, 35.100,
           [](Resource& r) { r.name_kana = "きっさみどり"; });
  const auto snapshot = town.snapshot();
  ResourceQuery q;
  q.by_name = true;
  std::vector<std::string> names;
  for (const auto& h : query(snapshot->view(Audience::public_), q).hits) {
    names.push_back(h.resource->name);
  }
  // あおぞら < きっさ < たいそう (the katakana reading folded to hiragana).
  EXPECT_EQ(names, (std::vector<std::string>{"あおぞらサロン", "喫茶みどり", "体操クラブ"}));
  // Pages follow the same order.
  q.offset = 1;
  q.limit = 1;
  const auto page = query(snapshot->view(Audience::public_), q);
  ASSERT_EQ(page.hits.size(), 1u);
  EXPECT_EQ(page.hits[0].resource->name, "喫茶みどり");
  EXPECT_EQ(page.number_matched, 3u);
}

}  // namespace
}  // namespace tsunagi::geo
