// The small-cell rule (秘匿) against an attacker: a small town whose own table holds a total
// (要介護認定者数) with its breakdown by sex and an unrelated count, for 町丁 and for the 小学校区
// holding them (both carry the key), served through the store, the snapshot and a gap job. The
// attacker takes every difference of published cells (row total minus the other columns, parent
// minus visible children, sums of published siblings against published totals, a gap job's
// per-area answer against the published figures) and then solves, for every suppressed cell, the
// exact linear programme over all of them together (GLPK): no suppressed cell may be known
// exactly, nor to an interval narrower than k.
#include "geo/catalog/small_cell.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/analysis/gap.hpp"
#include "geo/analysis/milp.hpp"
#include "geo/catalog/indicator.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

constexpr int kK = 10;
const std::vector<std::string> kCols{"nintei", "nintei_m", "nintei_f", "dokkyo"};

std::string rect(double w, double s, double e, double n) {
  std::ostringstream o;
  o.precision(12);
  o << "MULTIPOLYGON(((" << w << " " << s << "," << e << " " << s << "," << e << " " << n << ","
    << w << " " << n << "," << w << " " << s << ")))";
  return Geometry::from_wkt(o.str()).wkb();
}

Area area(AreaKind kind, const std::string& code, double w, double s, double e, double n) {
  Area a;
  a.kind = kind;
  a.code = code;
  a.id = std::string(code_id(kind)) + ":" + code;
  a.name = code;
  a.parent_id = "municipality:313289";
  a.lg_code = "313289";
  a.wkb = rect(w, s, e, n);
  a.label_lon = (w + e) / 2;
  a.label_lat = (s + n) / 2;
  return a;
}

/// The town: 3 小学校区 of 5, 5 and 4 町丁. Per 町丁: 男, 女 (認定者), 独居高齢者.
struct Town {
  std::vector<Area> areas;  ///< 町丁, then 小学校区 (and the town itself when it has a row)
  std::map<std::string, std::vector<std::string>> chome_of;  ///< 小学校区 id → its 町丁 ids
  std::map<std::string, std::map<std::string, double>> truth;  ///< area id → column → count
  std::string town_id = "municipality:313289";
};

Town make_town(bool town_row) {
  const std::vector<std::vector<std::array<double, 3>>> sd{
      {{12, 30, 14}, {3, 8, 6}, {25, 41, 33}, {0, 2, 1}, {18, 27, 21}},
      {{7, 19, 9}, {22, 35, 40}, {15, 9, 17}, {31, 44, 25}, {4, 11, 5}},
      {{16, 24, 28}, {2, 6, 3}, {28, 39, 36}, {10, 13, 12}}};
  Town t;
  std::vector<Area> districts;
  for (std::size_t j = 0; j < sd.size(); ++j) {
    const double w = 133.90 + 0.02 * static_cast<double>(j);
    const double e = w + 0.02;
    Area d = area(AreaKind::school_district, "sd" + std::to_string(j + 1), w, 35.00, e, 35.02);
    const auto n = static_cast<double>(sd[j].size());
    for (std::size_t i = 0; i < sd[j].size(); ++i) {
      const double s = 35.00 + 0.02 * static_cast<double>(i) / n;
      const std::string code =
          "31328" + std::to_string(j + 1) + "00" + std::to_string(i + 1) + "00";
      Area c = area(AreaKind::chome, code, w, s, e, s + 0.02 / n);
      const auto& [m, f, dk] = sd[j][i];
      t.truth[c.id] = {{"nintei", m + f}, {"nintei_m", m}, {"nintei_f", f}, {"dokkyo", dk}};
      for (const auto& col : kCols) t.truth[d.id][col] += t.truth[c.id][col];
      t.chome_of[d.id].push_back(c.id);
      t.areas.push_back(c);
    }
    for (const auto& col : kCols) t.truth[t.town_id][col] += t.truth[d.id][col];
    districts.push_back(d);
  }
  for (auto& d : districts) t.areas.push_back(d);
  if (town_row) {
    Area m = area(AreaKind::municipality, "313289", 133.90, 35.00, 133.96, 35.02);
    m.parent_id = "";
    t.areas.push_back(m);
  }
  return t;
}

void store_town(Store& store, const Town& t) {
  Store::Transaction tx(store);
  for (const auto& a : t.areas) store.put_area(a);
  std::vector<StatDef> defs;
  for (const auto& col : kCols) {
    StatDef d;
    d.key = col;
    d.label = col;
    d.own_data = true;
    d.publish = PublishLevel::partners;
    d.min_cell = kK;
    defs.push_back(d);
  }
  std::vector<StatValue> values;
  for (const auto& a : t.areas) {
    for (const auto& col : kCols) {
      StatValue v;
      v.area_id = a.id;
      v.key = col;
      v.ref_date = "2024-03-31";
      v.value = t.truth.at(a.id).at(col);
      values.push_back(v);
    }
  }
  store.put_stats(defs, values);
  for (int i = 0; i < 3; ++i) {
    Resource r;
    r.kind = ResourceKind::kayoi_no_ba;
    r.name = "通いの場 " + std::to_string(i);
    r.lon = 133.91 + 0.02 * i;
    r.lat = 35.005;
    store.create(r, "test");
  }
  tx.commit();
}

/// What the attacker knows: a variable per (area, column), the published value or unknown (≥ 0),
/// and the relations every reader can write down from the map and the column names.
struct Attacker {
  std::vector<std::pair<std::string, std::string>> var;  ///< (area id, column)
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  std::vector<std::optional<double>> known;
  struct Relation {
    std::vector<std::pair<std::size_t, double>> terms;  ///< Σ coef·x = rhs
    double rhs = 0;
    std::string what;
  };
  std::vector<Relation> rel;
  std::size_t differences = 0;

  std::size_t at(const std::string& area, const std::string& col) {
    const auto [it, added] = index.try_emplace({area, col}, var.size());
    if (added) {
      var.emplace_back(area, col);
      known.emplace_back();
    }
    return it->second;
  }
  void sum(const std::string& parent, const std::vector<std::string>& children,
           const std::string& col, const std::string& what) {
    Relation r;
    r.terms.emplace_back(at(parent, col), 1.0);
    for (const auto& c : children) r.terms.emplace_back(at(c, col), -1.0);
    r.what = what;
    rel.push_back(std::move(r));
  }
};

struct Finding {
  std::string cell;
  double lo, hi;
  std::string how;
};

/// Every single difference: a relation with its published terms taken out leaves the sum of its
/// unknown terms; one unknown is recovered exactly, several unknown children are each bounded by
/// what is left.
std::vector<Finding> differences(Attacker& at) {
  std::vector<Finding> out;
  for (const auto& r : at.rel) {
    ++at.differences;
    double left = r.rhs;
    std::vector<std::pair<std::size_t, double>> unknown;
    for (const auto& [v, coef] : r.terms) {
      if (at.known[v]) {
        left -= coef * *at.known[v];
      } else {
        unknown.emplace_back(v, coef);
      }
    }
    auto name = [&](std::size_t v) { return at.var[v].first + "/" + at.var[v].second; };
    if (unknown.size() == 1) {
      const double x = left / unknown[0].second;
      out.push_back({name(unknown[0].first), x, x, r.what});
    } else if (unknown.size() > 1 && std::all_of(unknown.begin(), unknown.end(),
                                                 [](const auto& u) { return u.second < 0; })) {
      for (const auto& u : unknown) {  // Σ unknown children = −left: each in [0, −left]
        if (-left < kK) out.push_back({name(u.first), 0, -left, r.what + " (sum of hidden)"});
      }
    }
  }
  return out;
}

/// The exact attack: for every suppressed cell, its least and greatest value over every
/// non-negative assignment consistent with all published cells and all relations at once.
std::vector<Finding> linear_programme(Attacker& at, const std::vector<std::size_t>& targets,
                                      std::size_t& programmes) {
  std::vector<Finding> out;
  for (const auto target : targets) {
    double bound[2] = {0, 0};
    for (int dir = 0; dir < 2; ++dir) {
      gap::detail::Milp m;
      m.maximize = dir == 1;
      for (std::size_t v = 0; v < at.var.size(); ++v) {
        const double lo = at.known[v] ? *at.known[v] : 0.0;
        const double hi = at.known[v] ? *at.known[v] : 1e6;
        m.add_column(v == target ? 1.0 : 0.0, lo, hi, false);
      }
      for (const auto& r : at.rel) {
        for (const auto& [v, coef] : r.terms) {
          m.add_entry(static_cast<std::uint32_t>(v), coef);
        }
        m.close_row(r.rhs, r.rhs);
      }
      const auto opt = gap::detail::lp_relaxation_with_glpk(m);
      ++programmes;
      EXPECT_TRUE(opt) << "the published figures must be consistent";
      bound[dir] = opt.value_or(dir == 0 ? 0 : 1e6);
    }
    if (bound[1] - bound[0] < kK - 1e-6) {
      out.push_back({at.var[target].first + "/" + at.var[target].second, bound[0], bound[1],
                     "linear programme"});
    }
  }
  return out;
}

std::string show(const std::vector<Finding>& f) {
  std::string s;
  for (const auto& x : f) {
    s += "  " + x.cell + " in [" + std::to_string(x.lo) + ", " + std::to_string(x.hi) + "] by " +
         x.how + "\n";
  }
  return s;
}

void attack_town(bool town_row) {
  const Town town = make_town(town_row);
  test::TempDir dir;
  auto store = Store::open(dir / "s.sqlite", Store::Mode::create_if_missing);
  store_town(store, town);
  const auto snap = Snapshot::build(store);
  const auto& layer = *snap->area_layer();
  const auto& table = layer.indicators();

  Attacker at;
  std::vector<std::size_t> suppressed;
  std::size_t published = 0;
  for (std::size_t i = 0; i < layer.areas().size(); ++i) {
    const auto& a = layer.areas()[i];
    for (const auto& f : served_area_figures(Audience::partners, table, i)) {
      const std::string key(f.key());
      if (std::find(kCols.begin(), kCols.end(), key) == kCols.end()) continue;
      const auto v = at.at(a.id, key);
      if (f.value) {
        at.known[v] = f.value;
        ++published;
        EXPECT_EQ(*f.value, town.truth.at(a.id).at(key)) << a.id << " " << key;
      } else {
        ASSERT_EQ(f.status, StatStatus::suppressed) << a.id << " " << key;
        suppressed.push_back(v);
      }
    }
  }
  ASSERT_FALSE(suppressed.empty());
  if (!town_row) {
    // The town's own totals are public elsewhere (介護保険事業状況報告).
    for (const auto& col : kCols)
      at.known[at.at(town.town_id, col)] = town.truth.at(town.town_id).at(col);
  }
  // Row total minus the other columns, on every area.
  for (const auto& [id, cols] : town.truth) {
    Attacker::Relation r;
    r.terms = {
        {at.at(id, "nintei"), 1.0}, {at.at(id, "nintei_m"), -1.0}, {at.at(id, "nintei_f"), -1.0}};
    r.what = id + ": nintei − nintei_m − nintei_f";
    at.rel.push_back(std::move(r));
  }
  // Parent minus its children, per area type and column.
  std::vector<std::string> all_chome;
  std::vector<std::string> districts;
  for (const auto& [d, chome] : town.chome_of) {
    districts.push_back(d);
    all_chome.insert(all_chome.end(), chome.begin(), chome.end());
    for (const auto& col : kCols) at.sum(d, chome, col, d + " − its 町丁 (" + col + ")");
  }
  for (const auto& col : kCols) {
    at.sum(town.town_id, districts, col, "town − 小学校区 (" + col + ")");
    at.sum(town.town_id, all_chome, col, "town − 町丁 (" + col + ")");
  }

  // A gap job as a planner runs it: demand of the breakdown column on the 町丁, reported per
  // 小学校区. Its per-area answer against the published figures: anything beyond the published
  // 町丁 in a district is the sum of hidden ones, and becomes a relation.
  for (const std::string col : {"nintei_m", "nintei_f", "nintei"}) {
    gap::AnalysisRequest req;
    req.analysis = "coverage";
    req.kinds.insert(ResourceKind::kayoi_no_ba);
    req.target = col;
    req.demand_kind = AreaKind::chome;
    req.report_kind = AreaKind::school_district;
    req.threshold = 500;
    req.minutes = false;
    req.network = "straight_line";
    const auto answer =
        nlohmann::json::parse(gap::run_analysis(*snap, Audience::partners, req, store.sources()));
    for (const auto& row : answer.at("areas")) {
      const std::string d = row.at("id");
      double visible = 0;
      std::vector<std::string> hidden;
      for (const auto& c : town.chome_of.at(d)) {
        if (const auto& k = at.known[at.at(c, col)]) {
          visible += *k;
        } else {
          hidden.push_back(c);
        }
      }
      const double left = row.at("target").get<double>() - visible;
      ++at.differences;
      if (at.known[at.at(d, col)]) ++at.differences;  // the district's figure minus the answer
      EXPECT_EQ(left, 0) << d << " " << col << ": the gap answer counts more than is published";
      if (left != 0) {
        Attacker::Relation r;
        for (const auto& h : hidden) r.terms.emplace_back(at.at(h, col), 1.0);
        r.rhs = left;
        r.what = "gap answer of " + d;
        at.rel.push_back(std::move(r));
      }
    }
  }

  const auto single = differences(at);
  EXPECT_TRUE(single.empty()) << "recovered by one difference of published cells:\n"
                              << show(single);
  std::size_t programmes = 0;
  const auto exact = linear_programme(at, suppressed, programmes);
  EXPECT_TRUE(exact.empty()) << "narrowed below k = " << kK << " by all published cells:\n"
                             << show(exact);
  std::cout << "[ attacker ] " << (town_row ? "with" : "without") << " a town row: " << published
            << " published and " << suppressed.size() << " suppressed cells, " << at.rel.size()
            << " relations, " << at.differences << " differences tried, " << programmes
            << " linear programmes solved\n";
}

TEST(SmallCellAttack, NoSuppressedCellIsRecoveredWithTheTownsTotalsPublishedElsewhere) {
  attack_town(false);
}

TEST(SmallCellAttack, NoSuppressedCellIsRecoveredWithTheTownsRowInTheTable) {
  attack_town(true);
}

TEST(SmallCell, TotalsAreFoundInTheFigures) {
  // nintei, nintei_m, nintei_f, dokkyo over 4 rows; a blank cell does not hide the relation.
  const std::vector<std::vector<std::optional<double>>> rows{
      {42, 12, 30, 14}, {11, 3, 8, 6}, {std::nullopt, 25, 41, 33}, {2, 0, 2, 1}, {45, 18, 27, 21}};
  const auto found = detect_breakdowns(rows, 4);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], (Breakdown{0, {1, 2}}));
  EXPECT_TRUE(detect_breakdowns({{42, 12, 30}, {11, 3, 8}}, 3).empty())
      << "two rows are not enough to call it a total";
  EXPECT_EQ(parse_breakdowns("a+b; c+d+e"),
            (std::vector<std::vector<std::string>>{{"a", "b"}, {"c", "d", "e"}}));
  EXPECT_EQ(format_breakdowns({{"a", "b"}, {"c", "d", "e"}}), "a+b;c+d+e");
}

TEST(SmallCell, ADeclaredTotalProtectsItsPartsWhereTheFiguresAreTooFewToShowIt) {
  // Two 町丁 only (the town's totals public elsewhere): too few rows to see the total, so the
  // declaration is what tells the rule.
  std::vector<Area> areas;
  for (const std::string code : {"1", "2"}) {
    Area a;
    a.id = "chome:" + code;
    a.kind = AreaKind::chome;
    a.parent_id = "municipality:313289";
    areas.push_back(a);
  }
  std::vector<StatDef> defs;
  for (const std::string key : {"nintei", "nintei_m", "nintei_f"}) {
    StatDef d;
    d.key = key;
    d.own_data = true;
    defs.push_back(d);
  }
  std::vector<StatValue> values;
  auto put = [&](const std::string& id, double total, double m, double f) {
    for (const auto& [key, v] : std::vector<std::pair<std::string, double>>{
             {"nintei", total}, {"nintei_m", m}, {"nintei_f", f}}) {
      StatValue s;
      s.area_id = id;
      s.key = key;
      s.ref_date = "2024";
      s.value = v;
      values.push_back(s);
    }
  };
  put("chome:1", 30, 4, 26);
  put("chome:2", 110, 46, 64);
  const IndicatorTable plain(areas, {}, defs, values);
  const auto m = *plain.column("nintei_m");
  const auto f = *plain.column("nintei_f");
  EXPECT_EQ(plain.cell(0, m).status, StatStatus::suppressed);
  EXPECT_EQ(plain.cell(0, f).status, StatStatus::value)
      << "no total declared and too few rows to see one: 26 stays";

  defs[0].breakdowns = "nintei_m+nintei_f";
  const IndicatorTable declared(areas, {}, defs, values);
  EXPECT_EQ(declared.cell(0, m).status, StatStatus::suppressed);
  EXPECT_EQ(declared.cell(0, f).status, StatStatus::suppressed) << "30 − 26 would give the 4 back";
}

TEST(SmallCell, TheSecondCellIsLargeEnoughNotTheSmallest) {
  // 4 is hidden; its siblings are 0, 25 and 41 under a published 70. The smallest (0) would
  // leave 4 in [0, 4]: the rule takes 25 and the interval is [0, 29].
  Area town;
  town.id = "municipality:313289";
  town.kind = AreaKind::municipality;
  std::vector<Area> areas{town};
  for (const std::string code : {"1", "2", "3", "4"}) {
    Area a;
    a.id = "chome:" + code;
    a.kind = AreaKind::chome;
    a.parent_id = town.id;
    areas.push_back(a);
  }
  StatDef d;
  d.key = "nintei";
  d.own_data = true;
  std::vector<StatValue> values;
  const std::vector<std::pair<std::string, double>> cells{
      {town.id, 70}, {"chome:1", 4}, {"chome:2", 0}, {"chome:3", 25}, {"chome:4", 41}};
  for (const auto& [id, v] : cells) {
    StatValue s;
    s.area_id = id;
    s.key = d.key;
    s.ref_date = "2024";
    s.value = v;
    values.push_back(s);
  }
  const IndicatorTable t(areas, {}, {d}, values);
  EXPECT_EQ(t.cell(1, 0).status, StatStatus::suppressed);
  EXPECT_EQ(t.cell(2, 0).status, StatStatus::suppressed) << "0 < 10 is hidden itself";
  EXPECT_EQ(t.cell(3, 0).status, StatStatus::suppressed) << "the partner that protects";
  EXPECT_EQ(t.cell(4, 0).status, StatStatus::value);
  EXPECT_EQ(t.cell(0, 0).status, StatStatus::value);
}

}  // namespace
}  // namespace tsunagi::geo
