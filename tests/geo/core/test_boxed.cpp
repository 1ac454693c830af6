// Boxed<T>: std::optional's meaning, a pointer's size.
#include "geo/core/boxed.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "geo/core/resource.hpp"

namespace {

using tsunagi::geo::Boxed;
using tsunagi::geo::PlacementOffer;

TEST(Boxed, CopiesAreValuesNotSharedPointers) {
  Boxed<std::string> a = std::string("居場所");
  Boxed<std::string> b = a;
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(&*a, &*b) << "a copy owns its own value";
  *b += "・通いの場";
  EXPECT_EQ(*a, "居場所");
  EXPECT_EQ(*b, "居場所・通いの場");
  EXPECT_FALSE(a == b);
  b = a;
  EXPECT_TRUE(a == b);
}

TEST(Boxed, EmptyBehavesAsNullopt) {
  Boxed<PlacementOffer> none;
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_TRUE(none == std::nullopt);
  EXPECT_THROW((void)none.value(), std::bad_optional_access);
  Boxed<PlacementOffer> other = std::nullopt;
  EXPECT_TRUE(none == other) << "two empty boxes are equal";
  other.emplace().slots_total = 3;
  EXPECT_FALSE(none == other);
  EXPECT_EQ(other->slots_total, 3);
  other.reset();
  EXPECT_TRUE(none == other);
}

TEST(Boxed, AResourceWithoutAnOfferCarriesAPointerNotAnOffer) {
  // The reason for the box: every copy of every resource held an inline optional offer.
  EXPECT_EQ(sizeof(Boxed<PlacementOffer>), sizeof(void*));
  EXPECT_GT(sizeof(std::optional<PlacementOffer>), 8 * sizeof(void*));
  tsunagi::geo::Resource r;
  r.offer = PlacementOffer{};
  r.offer->slots_open = 1;
  const tsunagi::geo::Resource copy = r;
  r.offer->slots_open = 0;
  EXPECT_EQ(copy.offer->slots_open, 1) << "copying a resource copies its offer";
  EXPECT_FALSE(copy == r);
}

}  // namespace
