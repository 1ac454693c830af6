// The geocoder's address table: Geolonia files read, stored, and matched at 町丁目/大字 level.
#include "datasets/address_table.hpp"

#include <gtest/gtest.h>

#include "geo/core/address.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::datasets {
namespace {

using geo::AddressIndex;
using geo::AddressLevel;
using geo::AddressPoint;

TEST(NormalizeAddress, FoldsWidthKanaAndChomeNumbers) {
  EXPECT_EQ(geo::normalize_address("番町３丁目"), geo::normalize_address("番町三丁目"));
  EXPECT_EQ(geo::normalize_address("本町12丁目"), geo::normalize_address("本町十二丁目"));
  EXPECT_EQ(geo::normalize_address("外ヶ浜町"), geo::normalize_address("外ケ浜町"));
  EXPECT_EQ(geo::normalize_address("3-14"), "3-14");  // house numbers stay digits
}

AddressIndex small_index() {
  return AddressIndex({
      {"", "香川県", "高松市", "番町一丁目", "", 134.04, 34.34},
      {"", "香川県", "高松市", "栄町", "", 134.05, 34.33},
      {"", "香川県", "高松市", "塩江町安原上", "", 134.00, 34.17},
      {"", "香川県", "高松市", "塩江町安原上", "東", 134.01, 34.18},
      {"", "鳥取県", "八頭郡智頭町", "智頭", "", 134.22, 35.26},
  });
}

TEST(AddressIndex, ExactTownWithHouseNumber) {
  const auto m = small_index().geocode("香川県高松市番町1丁目5-3");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].point.town, "番町一丁目");
  EXPECT_EQ(m[0].level, AddressLevel::town);
  EXPECT_FALSE(m[0].approximate);
  EXPECT_EQ(m[0].rest, "5-3");
}

TEST(AddressIndex, UnknownChomeIsApproximate) {
  // Only 栄町 is in the table: 栄町五丁目 lands on 栄町, said to be approximate.
  const auto m = small_index().geocode("高松市栄町5丁目");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].point.town, "栄町");
  EXPECT_TRUE(m[0].approximate);
}

TEST(AddressIndex, TheStartOfATownNameIsApproximate) {
  const auto m = small_index().geocode("高松市番町");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].point.town, "番町一丁目");
  EXPECT_TRUE(m[0].approximate);
}

TEST(AddressIndex, KoazaIsFinerThanTown) {
  const auto m = small_index().geocode("高松市塩江町安原上東");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].level, AddressLevel::koaza);
  EXPECT_EQ(m[0].point.koaza, "東");
  EXPECT_FALSE(m[0].approximate);
}

TEST(AddressIndex, CityOnlyIsApproximateAtCityLevel) {
  const auto m = small_index().geocode("香川県高松市どこか");
  ASSERT_EQ(m.size(), 1U);
  EXPECT_EQ(m[0].level, AddressLevel::city);
  EXPECT_TRUE(m[0].approximate);
  EXPECT_NEAR(m[0].point.lat, (34.34 + 34.33 + 34.17 + 34.18) / 4, 1e-9);
}

TEST(AddressIndex, AnotherCityNeverMatches) {
  EXPECT_TRUE(small_index().geocode("大阪府大阪市番町一丁目").empty());
  EXPECT_THROW((void)small_index().geocode("\xff"), geo::InvalidArgument);
}

TEST(AddressTable, DemoTownGeocodesItsOwnAddresses) {
  const DemoTown town = make_demo_town({});
  const auto points = demo_addresses(town);
  ASSERT_EQ(points.size(), town.chome.size());
  const AddressIndex index(points);
  // Every resource address the demo wrote (つなぎ町<町丁><番地>（架空）) finds its 町丁.
  int checked = 0;
  for (const auto& r : town.resources) {
    if (r.address.empty() || r.address.find("個人宅") != std::string::npos) continue;
    const auto m = index.geocode(r.address, 1);
    ASSERT_EQ(m.size(), 1U) << r.address;
    EXPECT_EQ(m[0].point.city, "つなぎ町");
    EXPECT_EQ(m[0].level, AddressLevel::town) << r.address;
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST(AddressTable, GeoloniaFilesRoundTripThroughTheStore) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "geolonia-addresses");
  const AddressTable t = read_geolonia_addresses(dir / "香川県_高松市.json");
  EXPECT_EQ(t.points.size(), 255U);  // SOURCE.txt: 高松市 255
  EXPECT_EQ(t.rejected, 0U);
  EXPECT_EQ(t.points.front().pref, "香川県");
  EXPECT_EQ(t.points.front().city, "高松市");

  test::TempDir tmp;
  geo::Store store = geo::Store::open(tmp / "a.sqlite", geo::Store::Mode::create_if_missing);
  EXPECT_EQ(store.put_addresses(t.points, 0), 255U);
  // Importing the same city again replaces its points rather than adding to them.
  store.put_addresses(t.points, 0);
  const auto stored = store.addresses();
  ASSERT_EQ(stored.size(), 255U);

  const AddressIndex index(stored);
  const auto m = index.geocode("高松市旅篭町1-2");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].point.town, "旅篭町");
  EXPECT_FALSE(m[0].approximate);
  EXPECT_NEAR(m[0].point.lat, 34.335562, 1e-9);
}

TEST(AddressTable, DerivedGeoJsonCarriesEachCity) {
  TSUNAGI_REQUIRE_SHARED_DATA(dir, "geolonia-addresses");
  const AddressTable t = read_geolonia_addresses(dir / "all_target_towns_points_derived.geojson");
  EXPECT_EQ(t.points.size() + t.rejected, 1097U);  // SOURCE.txt: total 1,097
  const AddressIndex index(t.points);
  // Geolonia writes 外ケ浜町; people write 外ヶ浜町 too.
  const auto m = index.geocode("青森県東津軽郡外ヶ浜町");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].point.city, "東津軽郡外ケ浜町");
  // …and without the 郡.
  const auto short_form = index.geocode("外ヶ浜町");
  ASSERT_FALSE(short_form.empty());
  EXPECT_EQ(short_form[0].point.city, "東津軽郡外ケ浜町");
}

TEST(AddressTable, ArrayWithoutACityIsRefused) {
  test::TempDir tmp;
  test::write_file(tmp / "addresses.json", R"([{"town":"本町","koaza":"","lat":35,"lng":135}])");
  EXPECT_THROW((void)read_geolonia_addresses(tmp / "addresses.json"), geo::InvalidArgument);
  const auto t = read_geolonia_addresses(tmp / "addresses.json", "鳥取県", "八頭郡智頭町");
  EXPECT_EQ(t.points.size(), 1U);
}

}  // namespace
}  // namespace tsunagi::datasets
