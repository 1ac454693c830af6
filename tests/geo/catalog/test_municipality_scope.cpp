// The towns a snapshot knows: short names, the checks of a `municipality=` code, and the town whose
// boundary holds a point — none for a boundary without a real code (the demo town's "demo"), so
// that a listing placed there is of no town instead of an invalid lg_code.
#include "geo/catalog/municipality_scope.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

TEST(MunicipalityScope, ShortNamesDropThePrefectureAndTheGun) {
  EXPECT_EQ(municipality_short_name("青森県南津軽郡藤崎町"), "藤崎町");
  EXPECT_EQ(municipality_short_name("福島県郡山市"), "郡山市");
  EXPECT_EQ(municipality_short_name("大阪府大阪市北区"), "大阪市北区");
  EXPECT_EQ(municipality_short_name("つなぎ町"), "つなぎ町");
}

class TwoBoundaries : public ::testing::Test {
 protected:
  void SetUp() override {
    test::TinyTown town(dir_.path() / "towns.db");
    town.add_area("municipality:023612", AreaKind::municipality, "青森県南津軽郡藤崎町",
                  "POLYGON((140.0 40.0,140.1 40.0,140.1 40.1,140.0 40.1,140.0 40.0))", 140.05,
                  40.05);
    town.add_area("municipality:demo", AreaKind::municipality, "つなぎ町",
                  "POLYGON((133.6 35.0,133.7 35.0,133.7 35.1,133.6 35.1,133.6 35.0))", 133.65,
                  35.05);
    snap_ = town.snapshot();
  }
  test::TempDir dir_;
  std::shared_ptr<const Snapshot> snap_;
};

TEST_F(TwoBoundaries, APointIsInTheTownWhoseBoundaryHoldsItAndADemoBoundaryIsNoTown) {
  const auto& layer = *snap_->area_layer();
  EXPECT_EQ(municipality_at(layer, 140.05, 40.05), "023612");
  EXPECT_EQ(municipality_at(layer, 133.65, 35.05), "") << "the demo town's code is no lg_code";
  EXPECT_EQ(municipality_at(layer, 135.0, 35.0), "") << "outside every boundary";
}

TEST_F(TwoBoundaries, ACodeIsOneOfTheTownsOrRefusedSayingWhy) {
  const auto& layer = *snap_->area_layer();
  const auto ok = find_municipality(layer, "023612");
  ASSERT_TRUE(ok.town);
  EXPECT_EQ(ok.town->short_name, "藤崎町");
  EXPECT_EQ(ok.town->area_id, "municipality:023612");
  EXPECT_EQ(find_municipality(layer, "02361").problem, MunicipalityProblem::malformed);
  EXPECT_EQ(find_municipality(layer, "023611").problem, MunicipalityProblem::malformed)
      << "a wrong check digit";
  const auto unknown = find_municipality(layer, "023817");
  EXPECT_EQ(unknown.problem, MunicipalityProblem::unknown);
  EXPECT_NE(unknown.message.find("023612"), std::string::npos) << unknown.message;
}

}  // namespace
}  // namespace tsunagi::geo
