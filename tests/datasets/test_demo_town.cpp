// The demo town generator: deterministic, labelled fictional, geographically consistent, and
// realistic in the ways the domain notes describe (MHLW 通いの場 survey shares, an aging pyramid).
#include "datasets/demo_town.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "geo/core/error.hpp"
#include "geo/spatial/geodesic.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/spatial/network.hpp"
#include "support/test_support.hpp"

namespace {

using namespace tsunagi;
using geo::ResourceKind;

const datasets::DemoOptions kOptions{42, "2026-04-01"};

/// Everything the demo wrote, without what the store assigns (ids, timestamps, source ids).
struct Content {
  std::vector<geo::Resource> resources;
  std::vector<geo::Area> areas;
  std::vector<geo::AreaPopulation> populations;
};

Content read_back(const geo::Store& store) {
  Content c;
  store.for_each_resource([&](geo::Resource&& r) {
    r.id.clear();
    r.created_at.clear();
    r.updated_at.clear();
    r.source_id = 0;
    c.resources.push_back(std::move(r));
  });
  std::sort(c.resources.begin(), c.resources.end(),
            [](const auto& a, const auto& b) { return a.source_key < b.source_key; });
  c.areas = store.areas();
  for (auto& a : c.areas) a.source_id = 0;
  std::sort(c.areas.begin(), c.areas.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  c.populations = store.populations();
  for (auto& p : c.populations) p.source_id = 0;
  std::sort(c.populations.begin(), c.populations.end(),
            [](const auto& a, const auto& b) { return a.area_id < b.area_id; });
  return c;
}

void expect_same_population(const geo::AreaPopulation& a, const geo::AreaPopulation& b) {
  EXPECT_EQ(a.area_id, b.area_id);
  EXPECT_EQ(a.ref_date, b.ref_date);
  EXPECT_EQ(a.households, b.households);
  EXPECT_EQ(a.bands, b.bands) << a.area_id;
}

std::int64_t days_between(const std::string& from, const std::string& to) {
  const auto parse = [](const std::string& s) {
    const std::chrono::year_month_day ymd{
        std::chrono::year{std::stoi(s.substr(0, 4))},
        std::chrono::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
        std::chrono::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
    return std::chrono::sys_days{ymd};
  };
  return (parse(to) - parse(from)).count();
}

TEST(DemoTown, TheSameSeedWritesTheSameTownTwice) {
  test::TempDir dir;
  auto a = geo::Store::open(dir / "a.db", geo::Store::Mode::create_if_missing);
  auto b = geo::Store::open(dir / "b.db", geo::Store::Mode::create_if_missing);
  datasets::generate_demo_town(a, kOptions);
  datasets::generate_demo_town(b, kOptions);
  const Content ca = read_back(a);
  const Content cb = read_back(b);
  ASSERT_EQ(ca.resources.size(), cb.resources.size());
  for (std::size_t i = 0; i < ca.resources.size(); ++i) {
    EXPECT_EQ(ca.resources[i], cb.resources[i]) << ca.resources[i].source_key;
  }
  EXPECT_EQ(ca.areas, cb.areas);
  ASSERT_EQ(ca.populations.size(), cb.populations.size());
  for (std::size_t i = 0; i < ca.populations.size(); ++i) {
    expect_same_population(ca.populations[i], cb.populations[i]);
  }
}

TEST(DemoTown, ADifferentSeedMakesADifferentTownWithTheSameKeys) {
  const auto a = datasets::make_demo_town(kOptions);
  const auto b = datasets::make_demo_town({43, kOptions.as_of});
  ASSERT_EQ(a.resources.size(), b.resources.size());
  ASSERT_EQ(a.chome.size(), b.chome.size());
  int moved = 0;
  for (std::size_t i = 0; i < a.resources.size(); ++i) {
    // Stable keys are what lets --force replace the demo's rows one for one.
    EXPECT_EQ(a.resources[i].source_key, b.resources[i].source_key);
    if (a.resources[i].lon != b.resources[i].lon || a.resources[i].lat != b.resources[i].lat)
      ++moved;
  }
  EXPECT_GT(moved, static_cast<int>(a.resources.size()) / 2);
  int reshaped = 0;
  for (std::size_t i = 0; i < a.chome.size(); ++i) {
    EXPECT_EQ(a.chome[i].id, b.chome[i].id);
    EXPECT_EQ(a.chome[i].name, b.chome[i].name);
    if (a.chome[i].wkb != b.chome[i].wkb) ++reshaped;
  }
  EXPECT_GT(reshaped, 0);
  EXPECT_NE(a.populations.back().total(), b.populations.back().total());
}

TEST(DemoTown, HasEveryKindAtTheScaleOfASmallTown) {
  const auto town = datasets::make_demo_town(kOptions);
  std::map<ResourceKind, int> per_kind;
  for (const auto& r : town.resources) ++per_kind[r.kind];
  for (const auto& c : geo::CodeTable<ResourceKind>::entries) {
    EXPECT_GT(per_kind[c.value], 0) << "no " << c.id;
  }
  EXPECT_GE(town.resources.size(), 130u);
  EXPECT_LE(town.resources.size(), 170u);
  EXPECT_GE(town.chome.size(), 35u);
  EXPECT_LE(town.chome.size(), 45u);
  EXPECT_GT(per_kind[ResourceKind::kayoi_no_ba], per_kind[ResourceKind::ibasho]);
  std::set<std::string> keys;
  std::set<std::string> names;
  for (const auto& r : town.resources) {
    EXPECT_TRUE(keys.insert(r.source_key).second) << "duplicate key " << r.source_key;
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate name " << r.name;
    EXPECT_NO_THROW(geo::validate(r)) << r.source_key;
  }
}

TEST(DemoTown, IsLabelledFictionalEverywhere) {
  const auto town = datasets::make_demo_town(kOptions);
  EXPECT_EQ(town.source.license, "fictional");
  EXPECT_NE(town.source.attribution.find("架空"), std::string::npos);
  EXPECT_NE(town.source.attribution.find("Fictional"), std::string::npos);
  EXPECT_NE(town.town.name.find("（架空）"), std::string::npos);
  EXPECT_EQ(town.town.kind, geo::AreaKind::municipality);
  EXPECT_EQ(town.town.code, "demo");
  EXPECT_TRUE(town.town.lg_code.empty()) << "a real 全国地方公共団体コード would claim a real town";
  for (const auto& a : town.chome) {
    EXPECT_TRUE(a.lg_code.empty());
    EXPECT_EQ(a.kind, geo::AreaKind::chome);
    EXPECT_EQ(a.parent_id, town.town.id);
    EXPECT_TRUE(a.id.starts_with("chome:demo-")) << a.id;
  }
  const auto fictional_phone = [](const std::string& p) {
    if (p.empty()) return true;
    if (p.size() != 12 || !p.starts_with("0867-00-")) return false;
    return std::all_of(p.begin() + 8, p.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  for (const auto& r : town.resources) {
    EXPECT_TRUE(r.address.ends_with("（架空）")) << r.source_key << ": " << r.address;
    EXPECT_TRUE(r.address.starts_with("つなぎ町")) << r.address;
    EXPECT_TRUE(r.lg_code.empty());
    EXPECT_TRUE(r.corporate_number.empty());
    EXPECT_NE(r.note.find("架空"), std::string::npos) << r.source_key;
    EXPECT_TRUE(fictional_phone(r.phone)) << r.source_key << ": " << r.phone;
    EXPECT_TRUE(fictional_phone(r.fax)) << r.source_key << ": " << r.fax;
    if (!r.url.empty()) {
      EXPECT_NE(r.url.find(".example/"), std::string::npos) << r.url;
    }
    if (!r.official_id.empty()) {
      EXPECT_TRUE(r.official_id.starts_with("99")) << "都道府県コード 99 does not exist";
    }
  }
}

TEST(DemoTown, SmallAreasTileTheBoundaryExactly) {
  const auto town = datasets::make_demo_town(kOptions);
  const auto boundary = geo::Geometry::from_wkb(town.town.wkb);
  ASSERT_TRUE(boundary.is_valid()) << boundary.invalid_reason();
  EXPECT_EQ(boundary.type_name(), "MultiPolygon");
  std::vector<geo::Geometry> parts;
  double sum = 0;
  for (const auto& a : town.chome) {
    auto g = geo::Geometry::from_wkb(a.wkb);
    EXPECT_TRUE(g.is_valid()) << a.id << ": " << g.invalid_reason();
    EXPECT_EQ(g.type_name(), "MultiPolygon") << a.id;
    EXPECT_GT(g.area(), 0) << a.id;
    EXPECT_TRUE(g.contains(geo::Geometry::point(a.label_lon, a.label_lat))) << a.id;
    sum += g.area();
    parts.push_back(std::move(g));
  }
  const auto all = geo::Geometry::union_all(parts);
  const double town_area = boundary.area();
  // No overlaps: the parts add up to their union. No gaps: the union is the boundary.
  EXPECT_NEAR(sum / town_area, 1.0, 1e-9);
  EXPECT_NEAR(all.area() / town_area, 1.0, 1e-9);
  EXPECT_NEAR(all.intersection(boundary).area() / town_area, 1.0, 1e-9);
  // ~6 × 5 km: 20–30 km² at 35°N (1° lon ≈ 91 km, 1° lat ≈ 111 km).
  const double km2 = town_area * 91.08 * 110.95;
  EXPECT_GT(km2, 20.0);
  EXPECT_LT(km2, 30.0);
  const auto env = boundary.envelope();
  EXPECT_GT((env.max_x - env.min_x) * 91.08, 5.0);
  EXPECT_LT((env.max_x - env.min_x) * 91.08, 7.5);
  EXPECT_GT((env.max_y - env.min_y) * 110.95, 4.0);
  EXPECT_LT((env.max_y - env.min_y) * 110.95, 6.0);
}

TEST(DemoTown, EverySeedKeepsTheTownConsistent) {
  // The seed moves nodes, people and places; it must never break the geometry or the sums.
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const auto town = datasets::make_demo_town({seed, kOptions.as_of});
    const auto boundary = geo::Geometry::from_wkb(town.town.wkb);
    std::vector<geo::PreparedGeometry> small;
    double sum = 0;
    for (const auto& a : town.chome) {
      auto g = geo::Geometry::from_wkb(a.wkb);
      EXPECT_TRUE(g.is_valid()) << a.id << ": " << g.invalid_reason();
      sum += g.area();
      small.emplace_back(std::move(g));
    }
    EXPECT_NEAR(sum / boundary.area(), 1.0, 1e-9);
    for (const auto& r : town.resources) {
      int in = 0;
      for (const auto& g : small) in += g.contains_point(r.lon, r.lat) ? 1 : 0;
      EXPECT_EQ(in, 1) << r.name;
    }
    std::int64_t people = 0;
    for (const auto& p : town.populations) {
      EXPECT_GT(p.total(), 0) << p.area_id;
      if (p.area_id != datasets::kDemoTownAreaId) people += p.total();
    }
    EXPECT_EQ(people, town.populations.back().total());
  }
}

TEST(DemoTown, SitsInlandInTheChugokuMountains) {
  const auto town = datasets::make_demo_town(kOptions);
  // 1次メッシュ 5233 spans 34°40′–35°20′N, 133–134°E: 岡山県北部, inland.
  EXPECT_EQ(geo::mesh_cell_at(town.town.label_lon, town.town.label_lat, geo::MeshLevel::first).code,
            "5233");
  const auto env = geo::Geometry::from_wkb(town.town.wkb).envelope();
  EXPECT_GT(env.min_x, 133.5);
  EXPECT_LT(env.max_x, 133.8);
  EXPECT_GT(env.min_y, 35.0);
  EXPECT_LT(env.max_y, 35.2);
}

TEST(DemoTown, PopulationIsAnAgingRuralTownAndAddsUp) {
  const auto town = datasets::make_demo_town(kOptions);
  ASSERT_EQ(town.populations.size(), town.chome.size() + 1);
  const geo::AreaPopulation* total = nullptr;
  std::map<std::string, const geo::AreaPopulation*> by_area;
  for (const auto& p : town.populations) {
    by_area[p.area_id] = &p;
    if (p.area_id == datasets::kDemoTownAreaId) total = &p;
  }
  ASSERT_NE(total, nullptr);
  ASSERT_EQ(total->bands.size(), 18u);
  EXPECT_EQ(total->bands.front().age_from, 0);
  EXPECT_EQ(total->bands.front().age_to, 4);
  EXPECT_EQ(total->bands.back().age_from, 85);
  EXPECT_FALSE(total->bands.back().age_to.has_value());

  std::vector<geo::AgeBandCount> sums = total->bands;
  for (auto& b : sums) b.male = b.female = 0;
  std::int64_t households = 0;
  for (const auto& a : town.chome) {
    const auto* p = by_area.at(a.id);
    ASSERT_EQ(p->bands.size(), sums.size());
    EXPECT_GT(p->total(), 0) << a.name;
    ASSERT_TRUE(p->households.has_value());
    EXPECT_GT(*p->households, 0);
    EXPECT_LT(*p->households, p->total());
    households += *p->households;
    for (std::size_t i = 0; i < sums.size(); ++i) {
      sums[i].male += p->bands[i].male;
      sums[i].female += p->bands[i].female;
    }
  }
  EXPECT_EQ(sums, total->bands);
  EXPECT_EQ(households, total->households.value_or(-1));

  EXPECT_GT(total->total(), 11000);
  EXPECT_LT(total->total(), 13000);
  const double aging =
      static_cast<double>(total->aged_at_least(65)) / static_cast<double>(total->total());
  EXPECT_GT(aging, 0.33);
  EXPECT_LT(aging, 0.42);
  // Women outlive men: the 85+ band is mostly women.
  EXPECT_GT(total->bands.back().female, total->bands.back().male * 3 / 2);

  const auto share_65 = [&](std::string_view name) {
    for (const auto& a : town.chome) {
      if (a.name == name) {
        const auto* p = by_area.at(a.id);
        return static_cast<double>(p->aged_at_least(65)) / static_cast<double>(p->total());
      }
    }
    ADD_FAILURE() << "no 町丁 named " << name;
    return 0.0;
  };
  EXPECT_GT(share_65("上ノ山"), share_65("駅前一丁目") + 0.1) << "hillside older than the station";
  EXPECT_GT(share_65("南台"), share_65("桜ヶ丘") + 0.1)
      << "the 1970s 団地 older than the 1990s 分譲地";
}

TEST(DemoTown, KayoiNoBaFollowTheMhlwSurvey) {
  const auto town = datasets::make_demo_town(kOptions);
  int n = 0;
  int taiso = 0;
  int hall = 0;
  int residents_group = 0;
  int weekly = 0;
  for (const auto& r : town.resources) {
    if (r.kind != ResourceKind::kayoi_no_ba) continue;
    ++n;
    ASSERT_TRUE(r.main_activity.has_value()) << r.name;
    EXPECT_TRUE(r.activities.contains(*r.main_activity));
    if (*r.main_activity == geo::Activity::taiso) ++taiso;
    if (r.venue == geo::VenueKind::kominkan_shukaijo) ++hall;
    if (r.operator_type == geo::OperatorType::jumin_dantai) ++residents_group;
    ASSERT_EQ(r.schedules.size(), 1u) << r.name;
    const auto freq = r.schedules.front().freq_class();
    // The survey only counts sites held at least monthly.
    EXPECT_TRUE(freq == geo::FreqClass::weekly_plus || freq == geo::FreqClass::m2to4 ||
                freq == geo::FreqClass::m1to2)
        << r.name;
    if (freq == geo::FreqClass::weekly_plus) ++weekly;
    EXPECT_TRUE(r.targets.contains(geo::TargetGroup::elderly) ||
                r.targets.contains(geo::TargetGroup::everyone));
    ASSERT_TRUE(r.capacity.has_value());
    EXPECT_LE(*r.capacity, 40) << "81.6% of sites have 1–20 participants per session";
    EXPECT_FALSE(r.fees.empty()) << r.name;
  }
  ASSERT_GE(n, 30);
  const auto share = [&](int k) { return static_cast<double>(k) / n; };
  EXPECT_NEAR(share(taiso), 0.539, 0.08) << "体操 53.9%";
  EXPECT_NEAR(share(hall), 0.831, 0.08) << "公民館・集会所 83.1%";
  EXPECT_NEAR(share(residents_group), 0.705, 0.1) << "住民団体 70.5%";
  EXPECT_NEAR(share(weekly), 0.389, 0.15) << "週1回以上 38.9%";
}

TEST(DemoTown, PrivateHomesArePlacedOnlyToTheirChome) {
  const auto town = datasets::make_demo_town(kOptions);
  std::set<std::pair<double, double>> labels;
  for (const auto& a : town.chome) labels.emplace(a.label_lon, a.label_lat);
  int homes = 0;
  for (const auto& r : town.resources) {
    if (r.venue != geo::VenueKind::private_home) continue;
    ++homes;
    EXPECT_EQ(r.accuracy, geo::PositionAccuracy::chome) << r.name;
    EXPECT_TRUE(labels.contains({r.lon, r.lat})) << r.name << " is not at its 町丁's label point";
    EXPECT_NE(r.address.find("町丁目まで"), std::string::npos) << r.address;
    EXPECT_TRUE(r.operator_name.empty() || r.operator_type != geo::OperatorType::jumin_kojin)
        << "a 住民個人's name is never published";
  }
  EXPECT_GE(homes, 2);
}

TEST(DemoTown, PlacementSitesDescribeWhatMatchingNeeds) {
  const auto town = datasets::make_demo_town(kOptions);
  int sites = 0;
  int partners = 0;
  int internal = 0;
  int short_hours = 0;
  for (const auto& r : town.resources) {
    if (r.kind != ResourceKind::placement_site && r.kind != ResourceKind::nofuku_site) {
      EXPECT_FALSE(r.offer.has_value()) << r.name;
      continue;
    }
    ++sites;
    ASSERT_TRUE(r.offer.has_value()) << r.name;
    const auto& o = *r.offer;
    EXPECT_FALSE(o.tasks.empty()) << r.name;
    ASSERT_TRUE(o.slots_total && o.slots_open);
    EXPECT_LE(*o.slots_open, *o.slots_total);
    ASSERT_TRUE(o.min_hours_per_day && o.max_hours_per_day);
    EXPECT_LE(*o.min_hours_per_day, *o.max_hours_per_day);
    EXPECT_FALSE(o.contact_role.empty()) << r.name;
    EXPECT_EQ(o.contact_role.find("さん"), std::string::npos) << "a role, never a person";
    EXPECT_EQ(o.contact_role.find("様"), std::string::npos) << "a role, never a person";
    if (r.kind == ResourceKind::nofuku_site) {
      EXPECT_TRUE(o.tasks.contains(geo::TaskTag::nosagyo)) << r.name;
    }
    if (o.reward == geo::RewardType::wage) {
      EXPECT_EQ(o.insurance, geo::Insurance::rousai) << r.name;
    }
    if (o.accommodations.contains(geo::Accommodation::short_hours)) ++short_hours;
    if (r.publish == geo::PublishLevel::partners) ++partners;
    if (r.publish == geo::PublishLevel::internal) ++internal;
  }
  EXPECT_GE(sites, 15);
  EXPECT_GT(partners, sites / 2) << "placement sites are mostly shared with partners only";
  EXPECT_GE(internal, 1);
  EXPECT_GE(short_hours, 5);
}

TEST(DemoTown, LifecycleAndFreshnessLookLikeARealInventory) {
  const auto town = datasets::make_demo_town(kOptions);
  int paused = 0;
  int closed = 0;
  int stale = 0;
  for (const auto& r : town.resources) {
    if (r.status == geo::ResourceStatus::paused) ++paused;
    if (r.status == geo::ResourceStatus::closed) ++closed;
    ASSERT_EQ(r.verified_at.size(), 10u) << r.name;
    const auto age = days_between(r.verified_at, kOptions.as_of);
    EXPECT_GE(age, 0) << r.name;
    EXPECT_LE(age, 731) << r.name;
    if (age > 365) ++stale;
    if (r.vacancy) {
      EXPECT_EQ(r.vacancy_as_of, r.verified_at);
    }
  }
  EXPECT_GE(paused, 2);
  EXPECT_GE(closed, 1);
  EXPECT_GE(stale, 10) << "some entries have not been checked for over a year";
  EXPECT_LT(stale, static_cast<int>(town.resources.size()) / 2);
}

TEST(DemoTown, RejectsADateThatIsNotADate) {
  for (const char* bad : {"2026-02-30", "2026/04/01", "yesterday", "", "2026-4-1"}) {
    try {
      (void)datasets::make_demo_town({42, bad});
      ADD_FAILURE() << "accepted " << bad;
    } catch (const geo::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("as_of"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW((void)datasets::make_demo_town({42, "2028-02-29"}));
}

TEST(DemoTown, RerunningUpdatesTheDemoRowsAndKeepsOtherSources) {
  test::TempDir dir;
  auto store = geo::Store::open(dir / "t.db", geo::Store::Mode::create_if_missing);
  geo::SourceInfo other;
  other.key = "other:list";
  other.license = "cc_by_4_0";
  const auto other_id = store.upsert_source(other);
  geo::Resource mine;
  mine.source_id = other_id;
  mine.source_key = "1";
  mine.name = "よそのデータ";
  mine.lon = 134.0;
  mine.lat = 34.3;
  store.upsert_imported(mine, "test");

  const auto first = datasets::generate_demo_town(store, kOptions);
  EXPECT_EQ(first.inserted, first.resources);
  EXPECT_EQ(store.resource_count(), first.resources + 1);

  const auto again = datasets::generate_demo_town(store, kOptions);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.unchanged, again.resources) << "same seed, same date: nothing changes";

  const auto reseeded = datasets::generate_demo_town(store, {7, kOptions.as_of});
  EXPECT_EQ(reseeded.inserted, 0);
  EXPECT_GT(reseeded.updated, reseeded.resources / 2);
  EXPECT_EQ(store.resource_count(), first.resources + 1);
  EXPECT_EQ(store.areas().size(), static_cast<std::size_t>(first.chome_count + 1));
  const auto kept = store.resource(mine.id);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->name, "よそのデータ");
  EXPECT_EQ(store.sources().size(), 2u);
}

TEST(DemoTown, AFailedWriteLeavesTheStoreAsItWas) {
  test::TempDir dir;
  const auto path = dir / "t.db";
  {
    auto store = geo::Store::open(path, geo::Store::Mode::create_if_missing);
    // Fail half-way through: after the source, the areas and some populations are written.
    store.exec(
        "CREATE TRIGGER fail_midway BEFORE INSERT ON area_population "
        "WHEN NEW.area_id = 'chome:demo-20' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); "
        "END");
  }
  auto store = geo::Store::open(path);
  EXPECT_THROW(datasets::generate_demo_town(store, kOptions), geo::Error);
  EXPECT_EQ(store.resource_count(), 0);
  EXPECT_TRUE(store.areas().empty());
  EXPECT_TRUE(store.sources().empty());
  EXPECT_TRUE(store.populations().empty());
}

}  // namespace

namespace {

// The demo town's streets: one connected network, crossed by the river, with two bridges only —
// so a place just across the water is a long walk away, as the matching page should show.
TEST(DemoNetwork, TheRiverIsCrossedOnlyByItsTwoBridges) {
  const auto net = tsunagi::datasets::make_demo_network(kOptions);
  const tsunagi::geo::WalkGraph g{tsunagi::geo::NetworkData(net)};
  EXPECT_GT(g.node_count(), 2000U);
  const auto parts = g.components();
  EXPECT_GT(static_cast<double>(parts.largest), 0.97 * static_cast<double>(g.node_count()));
  // Km frame of the demo: origin 133.585 E, 35.075 N; the river near y = 2.35 km at x = 3.0 km,
  // between the bridges at x = 1.6 and 4.6 km.
  const auto at = [](double x_km, double y_km) {
    return std::pair{133.585 + x_km / 91.08, 35.075 + y_km / 110.95};
  };
  const auto [nlon, nlat] = at(3.0, 2.55);
  const auto [slon, slat] = at(3.0, 2.15);
  const auto from = g.snap(nlon, nlat);
  const auto to = g.snap(slon, slat);
  ASSERT_TRUE(from && to);
  const auto reach = g.reach(*from, 10000, false);
  const auto walk = reach.to(*to);
  ASSERT_TRUE(walk);
  const double straight = tsunagi::geo::geodesic_distance_m(nlon, nlat, slon, slat);
  EXPECT_LT(straight, 500);
  EXPECT_GT(*walk, 3 * straight) << "round by a bridge: " << *walk << " m";
  // Beside a bridge, the same crossing is short.
  const auto bn = g.snap(at(1.6, 2.55).first, at(1.6, 2.55).second);
  const auto bs = g.snap(at(1.6, 2.05).first, at(1.6, 2.05).second);
  ASSERT_TRUE(bn && bs);
  const auto over = g.reach(*bn, 10000, false).to(*bs);
  ASSERT_TRUE(over);
  EXPECT_LT(*over, 800);
}

}  // namespace
