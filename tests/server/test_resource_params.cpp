// server/resource_params: query strings of /api/resources become geo::ResourceQuery values, or
// 400s that say what to fix.
#include "server/resource_params.hpp"

#include <gtest/gtest.h>

#include "server/config.hpp"
#include "server/errors.hpp"

namespace tsunagi::geo {
namespace {

TEST(ResourceParams, QueryStringsBecomeQueriesOrPreciseErrors) {
  server::Config c;
  using server::QueryParams;
  auto q = server::parse_resource_query(
      QueryParams::parse(
          "bbox=133.6,35.0,133.7,35.2&kind=ibasho,%E9%80%9A%E3%81%84%E3%81%AE%E5%A0%B4"
          "&open=%E6%B0%B4%E6%9B%9C%E3%81%AE%E5%8D%88%E5%BE%8C&limit=5&offset=10"
          "&near=133.64,35.1&has_vacancy=true"),
      c);
  ASSERT_TRUE(q.bbox);
  EXPECT_DOUBLE_EQ(q.bbox->min_lat, 35.0);
  EXPECT_TRUE(q.kinds.contains(ResourceKind::kayoi_no_ba));  // by its Japanese label
  EXPECT_EQ(q.open->from_minute, 720);
  EXPECT_EQ(q.limit, 5u);
  EXPECT_EQ(q.offset, 10u);
  EXPECT_TRUE(q.has_vacancy);
  auto detail = [&](const std::string& qs) {
    try {
      server::parse_resource_query(QueryParams::parse(qs), c);
    } catch (const server::ApiError& e) {
      return e.detail();
    }
    return std::string("no error");
  };
  EXPECT_EQ(detail("bbox=134,35,133,36"),
            "bbox must be minLon,minLat,maxLon,maxLat with minLon < maxLon and minLat < maxLat");
  EXPECT_NE(detail("bbox=35,133,36,134").find("longitude comes first"), std::string::npos);
  EXPECT_NE(detail("bbox=100,0,150,50").find("square degrees"), std::string::npos);
  EXPECT_NE(detail("limit=1001").find("from 0 to 1000"), std::string::npos);
  EXPECT_NE(detail("limit=-1").find("from 0 to 1000"), std::string::npos);
  EXPECT_NE(detail("near=133").find("lon,lat"), std::string::npos);
  EXPECT_NE(detail("open=wed&open_day=thu").find("not both"), std::string::npos);
  EXPECT_NE(detail("open=sunday-ish").find("open:"), std::string::npos);
  EXPECT_NE(detail("barrier_free=yes").find("true or false"), std::string::npos);
  EXPECT_NE(detail("target=aliens").find("everyone"), std::string::npos);
  EXPECT_NE(detail("order=name").find("unknown query parameter 'order'"), std::string::npos);
}

}  // namespace
}  // namespace tsunagi::geo
