// The areas layer on the real e-Stat small areas of 智頭町 (Tottori): every polygon of every tile
// at every zoom is valid for GEOS as GDAL decodes it, carries its figures, and the tiles of one
// zoom together cover the areas.
#include "tiles/area_layer.hpp"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <map>

#include "geo/spatial/geometry.hpp"
#include "support/mvt_reader.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"
#include "tiles/tile_service.hpp"

namespace {

using namespace tsunagi;

const std::string kChizu = "estat-h27-small-areas/polygons/h27ka31328_chizu.geojson";

// Loads the small areas with GDAL into a store, one area per KEY_CODE, with a population.
// With `populations`, each area also gets a population; one in nine has nobody, so that its
// rates are marked missing.
std::shared_ptr<const geo::Snapshot> chizu(const test::TempDir& dir, const std::string& file,
                                           std::size_t& areas, bool populations = false) {
  GDALAllRegister();
  test::TinyTown town(dir / "chizu.db");
  GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) throw std::runtime_error("cannot open " + file);
  areas = 0;
  for (const auto& f : *ds->GetLayer(0)) {
    const OGRGeometry* g = f->GetGeometryRef();
    if (g == nullptr) continue;
    std::string wkb(static_cast<std::size_t>(g->WkbSize()), '\0');
    g->exportToWkb(wkbNDR, reinterpret_cast<unsigned char*>(wkb.data()), wkbVariantIso);
    geo::Area a;
    a.code = f->GetFieldAsString("KEY_CODE");
    a.id = "chome:" + a.code + "-" + std::to_string(areas);
    a.kind = geo::AreaKind::chome;
    a.name = f->GetFieldAsString("MOJI");
    a.wkb = geo::Geometry::from_wkb(wkb).as_multi_polygon().wkb();
    const auto [lx, ly] = geo::Geometry::from_wkb(a.wkb).point_on_surface();
    a.label_lon = lx;
    a.label_lat = ly;
    town.store().put_area(a);
    if (populations) {
      geo::AreaPopulation p;
      p.area_id = a.id;
      p.ref_date = "2020-10-01";
      const int n = static_cast<int>(areas % 9);  // 0: nobody, the rates are missing
      p.bands = {{60, 64, 3 * n, 4 * n}, {65, 69, 2 * n, 3 * n}, {75, 79, n, 2 * n}};
      p.households = 5 * n;
      town.store().put_population(p);
    }
    ++areas;
  }
  return town.snapshot();
}

TEST(AreaLayer, RealSmallAreasAreValidAtEveryZoom) {
  const auto file = test::shared_data(kChizu);
  if (!file) GTEST_SKIP() << test::shared_data_skip_message(kChizu);
  test::TempDir dir;
  std::size_t areas = 0;
  const auto snap = chizu(dir, file->string(), areas);
  ASSERT_GT(areas, 20U);
  tiles::TileService service(0);
  geo::BBox box = *snap->area_layer()->envelopes().front();
  for (const auto& e : snap->area_layer()->envelopes()) {
    box.grow(e->min_lon, e->min_lat);
    box.grow(e->max_lon, e->max_lat);
  }
  std::size_t polygons = 0;
  for (std::uint32_t z = 0; z <= 16; ++z) {
    const auto r = tiles::tiles_covering({box.min_lon, box.min_lat, box.max_lon, box.max_lat}, z);
    // At the deepest zooms, a diagonal band of tiles is enough to see many shapes cut up.
    std::set<std::string> seen;
    for (auto x = r.min_x; x <= r.max_x; ++x) {
      for (auto y = r.min_y; y <= r.max_y; ++y) {
        if (z >= 13 && (x - r.min_x) % 5 != (y - r.min_y) % 5) continue;
        const auto t = service.build(*snap, tiles::Layer::areas, tiles::make_tile(z, x, y),
                                     geo::Audience::public_, geo::ResourceQuery{});
        if (t->mvt.empty()) continue;
        for (const auto& f : test::decode_tile(t->mvt, z, x, y)) {
          ++polygons;
          seen.insert(f.props.at("id"));
          const auto g = geo::Geometry::from_wkt(f.wkt);
          EXPECT_TRUE(g.is_valid()) << "z" << z << "/" << x << "/" << y << " " << f.props.at("id")
                                    << ": " << g.invalid_reason();
          EXPECT_TRUE(f.type == "Polygon" || f.type == "Multi Polygon") << f.type;
        }
      }
    }
    // Below z8 the smallest areas are narrower than one tile unit (38 m at z8, 10 km at z0)
    // and vanish as snap-rounding collapses them, as they would on screen.
    if (z >= 8 && z <= 12) {
      EXPECT_EQ(seen.size(), areas) << "every area is drawn at z" << z;
    }
  }
  EXPECT_GT(polygons, 1000U);
}

// The integer clipper against GEOS alone, tile by tile on the real small areas at every zoom: the
// same features with the same properties, and the same shapes but for cut points moved onto the
// grid (areas within a unit per cut).
TEST(AreaLayer, TheIntegerClipperGivesTheFeaturesOfGeos) {
  const auto file = test::shared_data(kChizu);
  if (!file) GTEST_SKIP() << test::shared_data_skip_message(kChizu);
  test::TempDir dir;
  std::size_t areas = 0;
  const auto snap = chizu(dir, file->string(), areas);
  const tiles::AreaTiles own(snap->area_layer());
  const tiles::AreaTiles geos(snap->area_layer(), tiles::AreaTiles::Clipper::geos);
  geo::BBox box = *snap->area_layer()->envelopes().front();
  for (const auto& e : snap->area_layer()->envelopes()) {
    box.grow(e->min_lon, e->min_lat);
    box.grow(e->max_lon, e->max_lat);
  }
  std::size_t compared = 0;
  for (std::uint32_t z = 6; z <= 16; ++z) {
    const auto r = tiles::tiles_covering({box.min_lon, box.min_lat, box.max_lon, box.max_lat}, z);
    for (auto x = r.min_x; x <= r.max_x; ++x) {
      for (auto y = r.min_y; y <= r.max_y; ++y) {
        if (z >= 13 && (x - r.min_x) % 7 != (y - r.min_y) % 7) continue;
        const auto t = tiles::make_tile(z, x, y);
        tiles::LayerBuilder a{"areas"};
        tiles::LayerBuilder b{"areas"};
        own.add_to(a, t, geo::Audience::public_);
        geos.add_to(b, t, geo::Audience::public_);
        // A tile without features is empty bytes, which GDAL does not open.
        const auto decode = [&](const tiles::LayerBuilder& layer) {
          const auto bytes = tiles::encode_tile({&layer});
          return bytes.empty() ? std::vector<test::DecodedFeature>{}
                               : test::decode_tile(bytes, z, x, y);
        };
        const auto fa = decode(a);
        const auto fb = decode(b);
        std::map<std::string, const test::DecodedFeature*> by_id;
        for (const auto& f : fb) by_id[f.props.at("id")] = &f;
        for (const auto& f : fa) {
          const auto it = by_id.find(f.props.at("id"));
          if (it == by_id.end()) {
            // GEOS's snap-rounding may collapse a sliver that the integer cut keeps.
            EXPECT_LT(geo::Geometry::from_wkt(f.wkt).area(), 1e-9)
                << "z" << z << "/" << x << "/" << y << " " << f.props.at("id");
            continue;
          }
          EXPECT_EQ(f.props, it->second->props);
          const auto ga = geo::Geometry::from_wkt(f.wkt);
          const auto gb = geo::Geometry::from_wkt(it->second->wkt);
          EXPECT_TRUE(ga.is_valid()) << ga.invalid_reason();
          // decode_tile gives EPSG:3857 metres: compare in tile units² of this zoom.
          const double unit =
              2 * tiles::kOriginShift / (std::ldexp(1.0, static_cast<int>(z)) * tiles::kExtent);
          const double tolerance = unit * unit * 64;
          EXPECT_NEAR(ga.area(), gb.area(), std::max(tolerance, gb.area() * 1e-3))
              << "z" << z << "/" << x << "/" << y << " " << f.props.at("id");
          by_id.erase(it);
          ++compared;
        }
        for (const auto& [id, f] : by_id) {
          ADD_FAILURE() << "z" << z << "/" << x << "/" << y << " " << id
                        << ": GEOS drew it, the integer clipper did not";
        }
      }
    }
  }
  EXPECT_GT(compared, 1000U);
}

// The properties encoded once per audience give, tile by tile, the features written anew: the
// same properties and shapes for every audience and selection of figures, at every zoom.
TEST(AreaLayer, PreEncodedPropertiesGiveTheFeaturesWrittenAnew) {
  const auto file = test::shared_data(kChizu);
  if (!file) GTEST_SKIP() << test::shared_data_skip_message(kChizu);
  test::TempDir dir;
  std::size_t areas = 0;
  const auto snap = chizu(dir, file->string(), areas, true);
  const tiles::AreaTiles tiles_of(snap->area_layer());
  geo::BBox box = *snap->area_layer()->envelopes().front();
  for (const auto& e : snap->area_layer()->envelopes()) {
    box.grow(e->min_lon, e->min_lat);
    box.grow(e->max_lon, e->max_lat);
  }
  std::size_t compared = 0;
  std::size_t hidden = 0;
  for (const auto a : {geo::Audience::public_, geo::Audience::internal}) {
    const auto some = tiles::AreaFields::parse(*snap->area_layer(), a, "aging_rate,population");
    for (const auto* fields : {&some, static_cast<const tiles::AreaFields*>(nullptr)}) {
      const tiles::AreaFields chosen = fields != nullptr ? *fields : tiles::AreaFields::every();
      for (std::uint32_t z = 6; z <= 16; z += 2) {
        const auto r =
            tiles::tiles_covering({box.min_lon, box.min_lat, box.max_lon, box.max_lat}, z);
        for (auto x = r.min_x; x <= r.max_x; ++x) {
          for (auto y = r.min_y; y <= r.max_y; ++y) {
            if (z >= 12 && (x - r.min_x) % 5 != (y - r.min_y) % 5) continue;
            const auto t = tiles::make_tile(z, x, y);
            tiles::LayerBuilder plain{"areas"};
            tiles::LayerBuilder encoded{"areas", tiles_of.dictionary(a)};
            tiles_of.add_to(plain, t, a, {}, chosen);
            tiles_of.add_to(encoded, t, a, {}, chosen);
            ASSERT_EQ(plain.size(), encoded.size());
            if (plain.empty()) continue;
            const auto fp = test::decode_tile(tiles::encode_tile({&plain}), z, x, y);
            const auto fe = test::decode_tile(tiles::encode_tile({&encoded}), z, x, y);
            ASSERT_EQ(fp.size(), fe.size());
            for (std::size_t i = 0; i < fp.size(); ++i) {
              EXPECT_EQ(fe[i].id, fp[i].id);
              EXPECT_EQ(fe[i].props, fp[i].props) << "z" << z << "/" << x << "/" << y;
              EXPECT_EQ(fe[i].wkt, fp[i].wkt);
              for (const auto& [k, v] : fe[i].props) {
                hidden += k.ends_with("_status") ? 1U : 0U;
              }
              ++compared;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 1000U);
  EXPECT_GT(hidden, 0U) << "marked figures (秘匿, missing…) come as a status";
}

TEST(AreaLayer, AreasCarryTheirFiguresAndIds) {
  test::TempDir dir;
  test::TinyTown town(dir / "t.db");
  town.add_area("chome:1", geo::AreaKind::chome, "一丁目",
                "POLYGON((133.60 35.09,133.62 35.09,133.62 35.11,133.60 35.11,133.60 35.09))",
                133.61, 35.10);
  geo::AreaPopulation p;
  p.area_id = "chome:1";
  p.ref_date = "2020-10-01";
  p.bands = {{60, 64, 10, 12}, {65, 69, 8, 9}, {75, 79, 5, 7}};
  p.households = 30;
  town.store().put_population(p);
  const auto snap = town.snapshot();
  tiles::TileService service(0);
  const auto t = tiles::tile_at(133.61, 35.10, 12);
  const auto tile =
      service.build(*snap, tiles::Layer::areas, t, geo::Audience::public_, geo::ResourceQuery{});
  const auto f = test::decode_tile(tile->mvt, t.z, t.x, t.y);
  ASSERT_EQ(f.size(), 1U);
  EXPECT_EQ(f[0].props.at("id"), "chome:1");
  EXPECT_EQ(f[0].props.at("name"), "一丁目");
  EXPECT_EQ(f[0].props.at("population"), "51");
  EXPECT_EQ(f[0].props.at("aged_65"), "29");
  EXPECT_EQ(f[0].props.at("aged_75"), "12");
  EXPECT_EQ(f[0].props.at("households"), "30");
  EXPECT_EQ(f[0].id, tiles::feature_id("chome:1"));
}

}  // namespace
