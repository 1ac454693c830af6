// PROJ transformations: axis order normalised to (lon, lat)/(E, N), ballpark detection, errors,
// and use of one Transformer from several threads.
#include "geo/spatial/crs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"

namespace {

using ::testing::HasSubstr;
using tsunagi::geo::CrsError;
using tsunagi::geo::geodesic_distance_m;
using tsunagi::geo::InvalidArgument;
using tsunagi::geo::jgd2011_plane_zone_epsg;
using tsunagi::geo::Transformer;
using tsunagi::geo::XY;

constexpr double kZoneIxOriginLon = 139.0 + 50.0 / 60.0;  // 139°50′E, 36°N
constexpr double kZoneIvOriginLon = 133.5;                // 133°30′E, 33°N

TEST(Crs, PlaneZoneEpsgCodes) {
  EXPECT_EQ(jgd2011_plane_zone_epsg(1), "EPSG:6669");
  EXPECT_EQ(jgd2011_plane_zone_epsg(4), "EPSG:6672");
  EXPECT_EQ(jgd2011_plane_zone_epsg(9), "EPSG:6677");
  EXPECT_EQ(jgd2011_plane_zone_epsg(19), "EPSG:6687");
  EXPECT_THROW((void)jgd2011_plane_zone_epsg(0), InvalidArgument);
  EXPECT_THROW((void)jgd2011_plane_zone_epsg(20), InvalidArgument);
}

TEST(Crs, ZoneOriginsMapToZero) {
  const Transformer ix("EPSG:6668", jgd2011_plane_zone_epsg(9));
  const XY o9 = ix.forward({kZoneIxOriginLon, 36.0});
  EXPECT_NEAR(o9.x, 0.0, 1e-6);
  EXPECT_NEAR(o9.y, 0.0, 1e-6);
  const Transformer iv("EPSG:6668", jgd2011_plane_zone_epsg(4));
  const XY o4 = iv.forward({kZoneIvOriginLon, 33.0});
  EXPECT_NEAR(o4.x, 0.0, 1e-6);
  EXPECT_NEAR(o4.y, 0.0, 1e-6);
  EXPECT_FALSE(ix.is_ballpark());
  EXPECT_FALSE(iv.is_ballpark());
}

TEST(Crs, AxisOrderIsEastingNorthing) {
  const Transformer ix("EPSG:6668", "EPSG:6677");
  // Tokyo Station is south-west of the zone IX origin (139°50′E, 36°N).
  const XY p = ix.forward({139.767125, 35.681236});
  EXPECT_LT(p.x, 0);  // easting: west of the central meridian
  EXPECT_LT(p.y, 0);  // northing: south of 36°
  // The distances agree with the ellipsoid (scale factor 0.9999 near the central meridian).
  EXPECT_NEAR(std::abs(p.x),
              geodesic_distance_m(kZoneIxOriginLon, 35.681236, 139.767125, 35.681236), 10.0);
  EXPECT_NEAR(std::abs(p.y),
              geodesic_distance_m(kZoneIxOriginLon, 36.0, kZoneIxOriginLon, 35.681236), 10.0);
  // A point one degree north of the origin: northing is a meridian degree (~111 km), easting 0.
  const XY n = ix.forward({kZoneIxOriginLon, 37.0});
  EXPECT_NEAR(n.x, 0.0, 1e-6);
  EXPECT_NEAR(n.y, 0.9999 * geodesic_distance_m(kZoneIxOriginLon, 36, kZoneIxOriginLon, 37), 1e-3);
}

TEST(Crs, RoundTripTakamatsuZoneIv) {
  const Transformer iv("EPSG:6668", "EPSG:6672");
  for (const XY lonlat : {XY{134.0465, 34.3402}, XY{133.95, 34.25}, XY{134.2, 34.4}}) {
    const XY en = iv.forward(lonlat);
    EXPECT_GT(en.x, 0);  // 高松 is east of 133°30′
    EXPECT_GT(en.y, 0);  // and north of 33°
    const XY back = iv.inverse(en);
    EXPECT_NEAR(back.x, lonlat.x, 1e-9);
    EXPECT_NEAR(back.y, lonlat.y, 1e-9);
  }
}

TEST(Crs, WebMercatorEdge) {
  const Transformer t("EPSG:4326", "EPSG:3857");
  const XY e = t.forward({180.0, 0.0});
  EXPECT_NEAR(e.x, 20037508.342789244, 1e-6);
  EXPECT_NEAR(e.y, 0.0, 1e-6);
}

TEST(Crs, TokyoDatumIsShiftedByEpsgHelmertsNotBallpark) {
  // Without the TKY2JGD grid PROJ still knows Tokyo → WGS 84 (EPSG:15484, 9 m) and Tokyo → JGD2000
  // → JGD2011 (10 m): not ballpark, and a point in Tokyo moves by roughly 400–500 m.
  const Transformer to_wgs84("EPSG:4301", "EPSG:4326");
  const Transformer to_jgd2011("EPSG:4301", "EPSG:6668");
  EXPECT_FALSE(to_wgs84.is_ballpark());
  EXPECT_FALSE(to_jgd2011.is_ballpark());
  const XY w = to_wgs84.forward({139.767125, 35.681236});
  const XY j = to_jgd2011.forward({139.767125, 35.681236});
  const double shift = geodesic_distance_m(139.767125, 35.681236, w.x, w.y);
  EXPECT_GT(shift, 300);
  EXPECT_LT(shift, 600);
  EXPECT_GT(w.y, 35.681236);  // the same place has a larger latitude in WGS 84 here
  EXPECT_LT(w.x, 139.767125);
  EXPECT_LT(geodesic_distance_m(w.x, w.y, j.x, j.y), 20.0);  // both paths agree within accuracy
}

TEST(Crs, DatumlessBesselIsBallpark) {
  // A lon/lat CRS on the Bessel ellipsoid with no datum (as some old .prj files say) has no known
  // shift: PROJ's ballpark offset leaves the coordinates unchanged, hundreds of metres off.
  const Transformer t("+proj=longlat +ellps=bessel +type=crs", "EPSG:4326");
  EXPECT_TRUE(t.is_ballpark());
  const XY p = t.forward({139.767125, 35.681236});
  EXPECT_NEAR(p.x, 139.767125, 1e-9);
  EXPECT_NEAR(p.y, 35.681236, 1e-9);
  // Tokyo 1892 has a real shift only in Korea; elsewhere PROJ falls back to ballpark.
  EXPECT_TRUE(Transformer("EPSG:5132", "EPSG:4326").is_ballpark());
}

TEST(Crs, UnknownCrsSaysWhich) {
  try {
    const Transformer t("EPSG:99999", "EPSG:4326");
    FAIL() << "no error";
  } catch (const CrsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown CRS \"EPSG:99999\""));
    EXPECT_THAT(e.what(), HasSubstr("not found"));  // PROJ's own words
  }
  EXPECT_THROW(Transformer("EPSG:4326", "no such thing"), CrsError);
  // PROJ would match a bare name loosely ("foo" → Amersfoort): refused.
  try {
    const Transformer t("EPSG:4326", "foo");
    FAIL() << "no error";
  } catch (const CrsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"foo\" is not a CRS definition"));
  }
  EXPECT_THROW(Transformer("EPSG:4326", "+proj=longlat +ellps=bessel"), CrsError);
  // Explicit forms other than EPSG codes work.
  EXPECT_FALSE(Transformer("OGC:CRS84", "urn:ogc:def:crs:EPSG::6677").is_ballpark());
}

TEST(Crs, UntransformablePointThrows) {
  const Transformer t("EPSG:3857", "EPSG:4326");
  EXPECT_THROW((void)t.forward({std::nan(""), 0}), CrsError);
  const Transformer ix("EPSG:6668", "EPSG:6677");
  EXPECT_THROW((void)ix.forward({139.8, 95.0}), CrsError);
}

TEST(Crs, MovedFromTransformerThrows) {
  Transformer a("EPSG:6668", "EPSG:6677");
  Transformer b = std::move(a);
  EXPECT_NEAR(b.forward({kZoneIxOriginLon, 36.0}).x, 0.0, 1e-6);
  EXPECT_THROW((void)a.forward({0, 0}), CrsError);  // NOLINT(bugprone-use-after-move)
}

TEST(Crs, OneTransformerSharedByThreads) {
  const Transformer t("EPSG:6668", "EPSG:6677");
  const XY expected = t.forward({139.767125, 35.681236});
  std::vector<int> mismatches(4, 0);
  std::vector<int> checked(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < mismatches.size(); ++i) {
    threads.emplace_back([&t, &expected, &mismatches, &checked, i] {
      for (int k = 0; k < 2000; ++k) {
        ++checked[i];
        const XY p = t.forward({139.767125, 35.681236});
        const XY back = t.inverse(p);
        if (p.x != expected.x || p.y != expected.y || std::abs(back.x - 139.767125) > 1e-9) {
          ++mismatches[i];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(checked, std::vector<int>(4, 2000)) << "every thread ran all its transforms";
  for (const int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(Crs, ManyTransformersOnOneThread) {
  // More transformers than the per-thread cache holds still work, in any order.
  std::vector<Transformer> zones;
  for (int z = 1; z <= 19; ++z) zones.emplace_back("EPSG:6668", jgd2011_plane_zone_epsg(z));
  ASSERT_EQ(zones.size(), 19U);
  for (int round = 0; round < 2; ++round) {
    for (const Transformer& t : zones) {
      const XY p = t.forward({135.0, 35.0});
      const XY back = t.inverse(p);
      EXPECT_NEAR(back.x, 135.0, 1e-8);
      EXPECT_NEAR(back.y, 35.0, 1e-8);
    }
  }
}

}  // namespace
