// Totals among the columns of a municipality's own CSV: declared with --total or found in the
// figures, stored with the total's statistic for the small-cell rule, and reported; a name that
// is no column is refused and nothing is written.
#include "datasets/stat_totals.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "datasets/gdal_source.hpp"
#include "datasets/stat_table.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi {
namespace {

using test::TempDir;
using test::write_file;
using ::testing::HasSubstr;

void put_chome(const std::filesystem::path& db, int n) {
  auto s = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  geo::Store::Transaction tx(s);
  for (int i = 1; i <= n; ++i) {
    geo::Area a;
    a.kind = geo::AreaKind::chome;
    a.code = "3132800100" + std::to_string(i);
    a.id = "chome:" + a.code;
    a.name = a.code;
    a.parent_id = "municipality:313289";
    s.put_area(a);
  }
  tx.commit();
}

datasets::TableImportReport import(const std::filesystem::path& db,
                                   const std::filesystem::path& csv,
                                   const datasets::TableImportOptions& opt) {
  auto s = geo::Store::open(db, geo::Store::Mode::open_existing);
  geo::Store::Transaction tx(s);
  auto r = datasets::import_table(s, csv, opt);
  tx.commit();
  return r;
}

std::string breakdowns_of(const std::filesystem::path& db, const std::string& key) {
  const auto s = geo::Store::open(db, geo::Store::Mode::read_only);
  for (const auto& d : s.stat_defs()) {
    if (d.key == key) return d.breakdowns;
  }
  return "(no statistic)";
}

TEST(StatTotals, FoundInTheFiguresAndStoredWithTheTotal) {
  TempDir dir;
  put_chome(dir / "t.tsunagi", 4);
  write_file(dir / "own.csv",
             "area,nintei,nintei_m,nintei_f,dokkyo\n"
             "31328001001,42,12,30,14\n31328001002,11,3,8,6\n"
             "31328001003,66,25,41,33\n31328001004,26,7,19,9\n");
  datasets::TableImportOptions opt;
  opt.key_field = "area";
  opt.ref_date = "2024-04-01";
  const auto r = import(dir / "t.tsunagi", dir / "own.csv", opt);
  ASSERT_EQ(r.totals.size(), 1U);
  EXPECT_EQ(r.totals[0], "nintei = nintei_m+nintei_f");
  EXPECT_THAT(datasets::render_text(r), HasSubstr("total (small-cell rule): nintei = "));
  EXPECT_EQ(breakdowns_of(dir / "t.tsunagi", "nintei"), "nintei_m+nintei_f");
}

TEST(StatTotals, DeclaredOnTwoRowsAndCheckedAgainstTheColumns) {
  TempDir dir;
  put_chome(dir / "t.tsunagi", 2);
  write_file(dir / "own.csv",
             "area,要介護認定者数,男,女\n31328001001,30,4,26\n31328001002,110,46,65\n");
  datasets::TableImportOptions opt;
  opt.key_field = "area";
  opt.ref_date = "2024-04-01";
  ASSERT_FALSE(datasets::parse_total_option("要介護認定者数=男+女", opt.totals));
  const auto r = import(dir / "t.tsunagi", dir / "own.csv", opt);
  ASSERT_EQ(r.totals.size(), 1U);
  EXPECT_EQ(breakdowns_of(dir / "t.tsunagi", "own_col2"), "own_col3+own_col4");
  ASSERT_EQ(r.warnings.size(), 1U) << "110 ≠ 46 + 65";
  EXPECT_THAT(r.warnings[0].message, HasSubstr("do not add up to it on 1 rows"));

  datasets::TableImportOptions bad = opt;
  bad.totals.clear();
  ASSERT_FALSE(datasets::parse_total_option("要介護認定者数=男+不明", bad.totals));
  try {
    (void)import(dir / "t.tsunagi", dir / "own.csv", bad);
    FAIL() << "an unknown column is refused";
  } catch (const datasets::SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'不明' is not a numeric column"));
  }
  EXPECT_TRUE(datasets::parse_total_option("nintei", bad.totals));
  EXPECT_TRUE(datasets::parse_total_option("nintei=nintei_m", bad.totals));
}

}  // namespace
}  // namespace tsunagi
