// The towns a user works for: none named is every town; a scoped user covers their towns only,
// never a thing of no known town; a code is six digits with its check digit.
#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"

namespace tsunagi::geo {
namespace {

constexpr const char* kFujisaki = "023612";
constexpr const char* kItayanagi = "023817";
constexpr const char* kHiranai = "023035";

TEST(MunicipalScope, NoTownNamedIsEveryTownEvenAnUnknownOne) {
  const MunicipalScope all;
  EXPECT_TRUE(all.all());
  EXPECT_TRUE(all.covers(kFujisaki));
  EXPECT_TRUE(all.covers(""));
  EXPECT_EQ(all.text(), "");
  EXPECT_EQ(MunicipalScope::parse(""), all);
  EXPECT_TRUE(MunicipalScope(std::vector<std::string>{}).all());
}

TEST(MunicipalScope, AScopedUserCoversTheirTownsOnlyAndNothingOfNoTown) {
  const MunicipalScope two({kItayanagi, kFujisaki, kFujisaki});
  EXPECT_FALSE(two.all());
  EXPECT_TRUE(two.covers(kFujisaki));
  EXPECT_TRUE(two.covers(kItayanagi));
  EXPECT_FALSE(two.covers(kHiranai));
  EXPECT_FALSE(two.covers(""));
  EXPECT_EQ(two.text(), "023612,023817");  // sorted, once each
  EXPECT_EQ(MunicipalScope::parse(two.text()), two);
}

TEST(MunicipalScope, AScopeCoversAnotherOnlyWhenItHoldsAllOfItsTowns) {
  const MunicipalScope all;
  const MunicipalScope fujisaki({kFujisaki});
  const MunicipalScope two({kFujisaki, kItayanagi});
  EXPECT_TRUE(all.covers(two));
  EXPECT_TRUE(two.covers(fujisaki));
  EXPECT_FALSE(fujisaki.covers(two));
  EXPECT_FALSE(two.covers(all));  // an all-town user is no scoped admin's to manage
}

TEST(MunicipalScope, CodesAreSixDigitsWithTheirCheckDigit) {
  EXPECT_NO_THROW(check_municipality_code(kFujisaki));
  EXPECT_THROW(check_municipality_code("02361"), InvalidArgument);   // five digits
  EXPECT_THROW(check_municipality_code("023613"), InvalidArgument);  // wrong check digit
  EXPECT_THROW(check_municipality_code("O23612"), InvalidArgument);  // a letter
  EXPECT_THROW(check_municipality_code("990001"), InvalidArgument);  // no prefecture 99
  try {
    check_municipality_code("023613");
    FAIL() << "a wrong check digit was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("023612"), std::string::npos) << e.what();
  }
  const auto list = parse_municipality_list("023612, 023817");
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[1], kItayanagi);
  EXPECT_THROW((void)parse_municipality_list(""), InvalidArgument);
  EXPECT_THROW((void)parse_municipality_list("023612,"), InvalidArgument);
  EXPECT_THROW((void)parse_municipality_list("023612,12345"), InvalidArgument);
}

}  // namespace
}  // namespace tsunagi::geo
