// A referral as the matcher sends it and as it is shown: case ids, the status machine, the
// request's fields (no personal field, a home area that is an area, the legal basis with its
// consent, age bands and need tags) and its JSON (labels and next steps, nothing personal).
// The store's part — cases kept, followed and audited — is in tests/geo/store's contract.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "geo/core/error.hpp"
#include "geo/core/referral.hpp"

namespace tsunagi::test {
namespace {

using geo::ReferralStatus;
using nlohmann::json;

class ReferralRequest : public ::testing::Test {
 protected:
  static geo::Referral parse(const json& body) {
    return geo::parse_new_referral(body, [](std::string_view t) -> std::optional<std::string> {
      if (t == "chome:demo-naka3" || t == "demo-naka3") return std::string("chome:demo-naka3");
      return std::nullopt;
    });
  }
  static json body() {
    return {{"resource_id", "r-farm"},
            {"legal_basis", "shien_kaigi"},
            {"home_area", "demo-naka3"},
            {"age_band", "50s"},
            {"needs", {"short_hours", "low_contact"}}};
  }
};

TEST(ReferralCodes, CaseIdsAreRandomAndShapedSo) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto id = geo::new_case_id();
    EXPECT_TRUE(geo::is_case_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200U);
  EXPECT_FALSE(geo::is_case_id("C-1234"));
  EXPECT_FALSE(geo::is_case_id("C-ABCDEFGHIJKLMNO1"));  // 1 is not base32
  EXPECT_FALSE(geo::is_case_id("X-ABCDEFGHIJKLMNOP"));
}

TEST(ReferralCodes, StatusMachineAllowsOnlyTheNextSteps) {
  using S = ReferralStatus;
  EXPECT_TRUE(geo::allowed_next(S::proposed).contains(S::consented));
  EXPECT_FALSE(geo::allowed_next(S::proposed).contains(S::started));
  EXPECT_FALSE(geo::allowed_next(S::proposed).contains(S::declined_by_host));
  EXPECT_TRUE(geo::allowed_next(S::host_asked).contains(S::visit));
  EXPECT_TRUE(geo::allowed_next(S::host_asked).contains(S::started));  // no 見学 offered
  EXPECT_FALSE(geo::allowed_next(S::trial).contains(S::visit));        // never backwards
  EXPECT_TRUE(geo::allowed_next(S::started).contains(S::ended));
  for (const S s : {S::ended, S::declined_by_person, S::declined_by_host}) {
    EXPECT_TRUE(geo::allowed_next(s).empty());
    EXPECT_TRUE(geo::is_final(s));
  }
}

TEST_F(ReferralRequest, PersonalFieldsAreRefusedByName) {
  for (const std::string field : {"name", "氏名", "address", "住所", "birth_date", "diagnosis",
                                  "disability_grade", "lon", "lat", "note", "phone"}) {
    json b = body();
    b[field] = "x";
    try {
      parse(b);
      ADD_FAILURE() << field << " was accepted";
    } catch (const geo::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("unknown field '" + field + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST_F(ReferralRequest, HomeAreaIsAnAreaNeverAnAddressOrPoint) {
  for (const json& bad : {json("中町3-14-15"), json("中町三丁目5番地"), json("133.635,35.095"),
                          json::array({133.635, 35.095}), json("chome:nowhere")}) {
    json b = body();
    b["home_area"] = bad;
    EXPECT_THROW(parse(b), geo::InvalidArgument) << bad.dump();
  }
  json b = body();
  b["home_area"] = "chome:demo-naka3";
  EXPECT_EQ(parse(b).home_area, "chome:demo-naka3");
}

TEST_F(ReferralRequest, LegalBasisAgeBandAndDatesAreChecked) {
  json b = body();
  b["legal_basis"] = "consent";
  EXPECT_THROW(parse(b), geo::InvalidArgument);  // no scope and date
  b["consent_scope"] = {"share_with_host"};
  b["consent_date"] = "2026-02-30";
  EXPECT_THROW(parse(b), geo::InvalidArgument);
  b["consent_date"] = "2026-02-03";
  const auto r = parse(b);
  EXPECT_EQ(r.legal_basis, geo::LegalBasis::consent);
  EXPECT_TRUE(r.consent_scope.contains(geo::ConsentScope::share_with_host));

  json k = body();
  k["consent_date"] = "2026-02-03";  // consent fields with 支援会議
  EXPECT_THROW(parse(k), geo::InvalidArgument);
  for (const std::string band : {"53", "1973-04-01", "5s", "100s", "50代"}) {
    json a = body();
    a["age_band"] = band;
    EXPECT_THROW(parse(a), geo::InvalidArgument) << band;
  }
  json n = body();
  n["needs"] = {"統合失調症"};  // a diagnosis is not a need tag
  EXPECT_THROW(parse(n), geo::InvalidArgument);
}

TEST_F(ReferralRequest, JsonHasLabelsAndNextStepsButNoPersonalField) {
  const auto r = parse(body());
  const json j = geo::referral_json(r);
  EXPECT_EQ(j["status"], "proposed");
  EXPECT_EQ(j["status_label"], "提案");
  EXPECT_EQ(j["legal_basis"]["code"], "shien_kaigi");
  EXPECT_EQ(j["allowed_next"], json({"consented", "declined_by_person"}));
  for (const char* k : {"name", "address", "birth_date", "diagnosis", "lon", "lat"}) {
    EXPECT_FALSE(j.contains(k)) << k;
  }
}

}  // namespace
}  // namespace tsunagi::test
