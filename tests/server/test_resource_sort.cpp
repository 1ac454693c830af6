// server/resource_params: sort=name|id, and why it cannot go with near.
#include <gtest/gtest.h>

#include "server/config.hpp"
#include "server/errors.hpp"
#include "server/resource_params.hpp"

namespace tsunagi::server {
namespace {

std::string detail(const std::string& qs) {
  try {
    parse_resource_query(QueryParams::parse(qs), Config{});
  } catch (const ApiError& e) {
    return e.detail();
  }
  return "no error";
}

TEST(ResourceSort, ByNameOrIdAndNotWithNear) {
  EXPECT_TRUE(parse_resource_query(QueryParams::parse("sort=name"), Config{}).by_name);
  EXPECT_FALSE(parse_resource_query(QueryParams::parse("sort=id"), Config{}).by_name);
  EXPECT_FALSE(parse_resource_query(QueryParams::parse(""), Config{}).by_name);
  EXPECT_EQ(detail("sort=distance"), "sort must be name or id");
  EXPECT_EQ(detail("near=133.6,35.1&sort=name"),
            "sort=name cannot go with near (near orders by distance)");
}

}  // namespace
}  // namespace tsunagi::server
