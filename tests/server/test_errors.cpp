#include "server/errors.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "geo/core/error.hpp"
#include "tiles/error.hpp"

namespace tsunagi::server {
namespace {

TEST(Errors, OneTableWithUniqueStableCodesAndErrorStatuses) {
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < error_table().size(); ++i) {
    const auto& row = error_table()[i];
    EXPECT_EQ(static_cast<std::size_t>(row.code), i) << row.id;
    EXPECT_TRUE(ids.insert(row.id).second) << "duplicate " << row.id;
    EXPECT_GE(row.status, 400) << row.id;
    EXPECT_LT(row.status, 600) << row.id;
    EXPECT_FALSE(row.title.empty());
    EXPECT_EQ(&error_info(row.code), &row);
  }
  EXPECT_EQ(error_info(ErrorCode::precondition_failed).status, 412);
  EXPECT_EQ(error_info(ErrorCode::precondition_required).status, 428);
  EXPECT_EQ(error_info(ErrorCode::header_fields_too_large).status, 431);
}

TEST(Errors, ProblemJsonHasTheFiveMembers) {
  const Problem p =
      make_problem(ErrorCode::invalid_parameter, "bbox must be …", {{"Retry-After", "1"}});
  EXPECT_EQ(p.status, 400);
  const auto j = nlohmann::json::parse(p.body);
  EXPECT_EQ(j["type"], "urn:tsunagi:problem:invalid_parameter");
  EXPECT_EQ(j["title"], "Invalid query parameter");
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["code"], "invalid_parameter");
  EXPECT_EQ(j["detail"], "bbox must be …");
  EXPECT_EQ(p.headers.size(), 1u);
  // Invalid UTF-8 in a detail never makes rendering throw.
  EXPECT_NO_THROW(make_problem(ErrorCode::invalid_body, "bad \xff byte"));
}

Problem from(const std::function<void()>& f) {
  try {
    f();
  } catch (...) {
    return problem_from_exception(std::current_exception());
  }
  return {};
}

TEST(Errors, ExceptionsMapInOnePlaceAndInternalTextStaysInTheLog) {
  EXPECT_EQ(from([] { throw geo::InvalidArgument("lat must be between -90 and 90"); }).status, 400);
  EXPECT_EQ(from([] { throw geo::NotFound("no resource x"); }).status, 404);
  EXPECT_EQ(from([] { throw geo::VersionConflict("version 3 is not 2"); }).status, 412);
  EXPECT_EQ(from([] { throw geo::Conflict("a user named 'sato' exists"); }).status, 409)
      << "a taken name is a conflict, not a failed precondition";
  EXPECT_EQ(from([] { throw geo::CrsError("unknown CRS EPSG:99999"); }).status, 400);
  EXPECT_EQ(from([] { throw geo::GeometryError("self-intersection"); }).status, 400);
  EXPECT_EQ(from([] { throw tiles::InvalidTile("zoom 25 is above 22"); }).status, 400);
  const Problem store = from([] { throw geo::StoreError("disk I/O error in /var/x.db"); });
  EXPECT_EQ(store.status, 503);
  EXPECT_EQ(store.body.find("/var/x.db"), std::string::npos);
  EXPECT_NE(store.log_text.find("/var/x.db"), std::string::npos);
  const Problem oops = from([] { throw std::out_of_range("vector::_M_range_check: secret"); });
  EXPECT_EQ(oops.status, 500);
  EXPECT_EQ(oops.body.find("_M_range_check"), std::string::npos);
  EXPECT_NE(oops.log_text.find("_M_range_check"), std::string::npos);
  EXPECT_EQ(from([] { throw 42; }).status, 500);
  const Problem api = from([] {
    throw ApiError(ErrorCode::login_throttled, "wait 3 s", {{"Retry-After", "3"}});
  });
  EXPECT_EQ(api.status, 429);
  EXPECT_EQ(api.headers.at(0).second, "3");
}

}  // namespace
}  // namespace tsunagi::server
