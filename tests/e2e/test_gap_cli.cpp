// tsunagi gap access|site on files: the real binary on pysal/access's hospital example and
// spopt's San Francisco example, converted by the test into COSTS/DEMAND/SUPPLY CSVs, and on
// bad input (exit 2, the file and line named, nothing on stdout).
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/analysis/gap_test_data.hpp"
#include "geo/core/csv.hpp"
#include "support/test_support.hpp"

namespace tsunagi::test {
namespace {

std::vector<std::pair<std::string, double>> parse_access_csv(const std::string& out) {
  const auto records = geo::csv::read_all(out);
  std::vector<std::pair<std::string, double>> rows;
  if (records.empty()) {
    ADD_FAILURE() << "no header in: " << out;
    return rows;
  }
  EXPECT_EQ(records[0].cells, (std::vector<std::string>{"id", "access"}));
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& cells = records[r].cells;
    EXPECT_EQ(cells.size(), 2U) << "line " << records[r].line;
    rows.emplace_back(cells.at(0), std::stod(cells.at(1)));
  }
  return rows;
}

// The hospital example's scenario `s` as tsunagi's three files, tracts named "tract-N"; the
// demand file lists the tracts in the order 3, 1, 2 so that the output order can be checked.
void write_hospital(const std::filesystem::path& data, std::size_t s, const TempDir& dir) {
  std::string costs = "origin,dest,cost\n";
  for (const auto& r : gap_data::read_csv(data / "hospital_example_costs.csv")) {
    if (std::stoul(r.at("scenario")) != s) continue;
    costs += "tract-" + r.at("origin") + ",tract-" + r.at("dest") + "," + r.at("cost") + "\n";
  }
  std::map<std::string, std::pair<std::string, std::string>> tracts;
  for (const auto& r : gap_data::read_csv(data / "hospital_example_tracts.csv")) {
    tracts[r.at("geoid")] = {r.at("pop"), r.at("doc")};
  }
  std::string demand = "id,value\n";
  std::string supply = "id,value\n";
  for (const char* g : {"3", "1", "2"}) {
    demand += std::string("tract-") + g + "," + tracts.at(g).first + "\n";
    supply += std::string("tract-") + g + "," + tracts.at(g).second + "\n";
  }
  write_file(dir / "costs.csv", costs);
  write_file(dir / "demand.csv", demand);
  write_file(dir / "supply.csv", supply);
}

// pysal/access test_hospital_example.py: two_stage_fca and three_stage_fca with gravity(1, -1),
// max_cost 61, equal the test's simple_2sfca() — whose values these are (tracts 1, 2, 3).
TEST(GapCli, AccessOnThePysalHospitalFiles) {
  TSUNAGI_REQUIRE_SHARED_DATA(data, "pysal-access");
  const std::array<std::array<double, 3>, 4> g2{{
      {0.331444116980277, 0.579828132066938, 7.28641816986254},
      {0.435340220876381, 0.683724235963042, 5.72797661142099},
      {0.331071913161465, 0.577857785778578, 7.29999193949246},
      {0.442568395398584, 0.666758279965827, 5.74052464618502},
  }};
  const std::array<std::array<double, 3>, 4> three{{
      {0.15625658829062, 0.406216452450861, 9.9063518548395},
      {0.173813542920754, 0.423772440088754, 9.64300237034868},
      {0.156525927418226, 0.406372740952074, 9.90287702105737},
      {0.174802148079814, 0.424035508556526, 9.63180097641923},
  }};
  for (std::size_t s = 0; s < 4; ++s) {
    TempDir dir;
    write_hospital(data, s, dir);
    for (const auto& [method, want] :
         {std::pair{"g2sfca", g2.at(s)}, std::pair{"3sfca", three.at(s)}}) {
      const auto r = run_tsunagi({"gap", "access", "--method", method, "--weight", "gravity:1:-1",
                                  "--max-cost", "61", "--costs", (dir / "costs.csv").string(),
                                  "--demand", (dir / "demand.csv").string(), "--supply",
                                  (dir / "supply.csv").string(), "--format", "csv"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.err, "");  // no progress bar when stderr is not a terminal
      const auto rows = parse_access_csv(r.out);
      ASSERT_EQ(rows.size(), 3U);
      const std::array<std::size_t, 3> tract{3, 1, 2};
      for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(rows[i].first, "tract-" + std::to_string(tract.at(i)));
        EXPECT_NEAR(rows[i].second, want.at(tract.at(i) - 1), 1e-12 * want.at(tract.at(i) - 1))
            << method << " scenario " << s << " tract " << tract.at(i);
      }
    }
  }
}

// spopt's files as COSTS.csv (origin = tract NAME, dest = store) and DEMAND.csv (POP2000).
void write_spopt(const std::filesystem::path& data, const TempDir& dir) {
  std::string costs = "origin,dest,cost\n";
  for (const auto& r :
       gap_data::read_csv(data / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")) {
    costs += r.at("DestinationName") + "," + r.at("name") + "," + r.at("distance") + "\n";
  }
  std::string demand = "id,value\n";
  for (const auto& r : gap_data::read_csv(data / "SF_demand_205_centroid_uniform_weight.csv")) {
    demand += r.at("NAME") + "," + r.at("POP2000") + "\n";
  }
  write_file(dir / "costs.csv", costs);
  write_file(dir / "demand.csv", demand);
}

nlohmann::json run_site(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> args{"gap",      "site",
                                "--costs",  (dir / "costs.csv").string(),
                                "--demand", (dir / "demand.csv").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_tsunagi(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

// spopt test_mclp.py (21 tracts uncovered; 89.756 % covered) and notebooks/facloc-real-world.ipynb
// (MCLP objective 875247; p-median objective 2848268129.7145104), p = 4, radius 5000 m.
TEST(GapCli, SiteOnTheSpoptSanFranciscoFiles) {
  TSUNAGI_REQUIRE_SHARED_DATA(data, "spopt-sf");
  TempDir dir;
  write_spopt(data, dir);
  const auto mclp = run_site(dir, {"--model", "mclp", "--k", "4", "--radius", "5000"});
  EXPECT_EQ(mclp.at("solver"), "glpk");
  EXPECT_EQ(mclp.at("optimal"), true);
  EXPECT_EQ(mclp.at("chosen").size(), 4U);
  EXPECT_EQ(mclp.at("uncovered_demand_ids").size(), 21U);
  EXPECT_EQ(mclp.at("objective").get<double>(), 875247);
  EXPECT_EQ(mclp.at("bound").get<double>(), 875247);
  EXPECT_EQ(mclp.at("covered_weight").get<double>(), 875247);
  for (const auto& id : mclp.at("chosen")) EXPECT_EQ(id.get<std::string>().rfind("Store_", 0), 0U);
  for (const auto& id : mclp.at("uncovered_demand_ids")) {
    EXPECT_EQ(id.get<std::string>().size(), 12U) << id;  // tract NAMEs such as 060816029.00
  }

  const auto greedy =
      run_site(dir, {"--model", "mclp", "--k", "4", "--radius", "5000", "--greedy"});
  EXPECT_EQ(greedy.at("solver"), "greedy+swap");
  EXPECT_EQ(greedy.at("optimal"), false);
  EXPECT_LE(greedy.at("objective").get<double>(), 875247);
  EXPECT_GE(greedy.at("bound").get<double>(), 875247);

  const auto pmedian = run_site(dir, {"--model", "pmedian", "--k", "4"});
  EXPECT_EQ(pmedian.at("solver"), "glpk");
  EXPECT_NEAR(pmedian.at("objective").get<double>(), 2848268129.7145104, 1e-3);
  EXPECT_TRUE(pmedian.at("uncovered_demand_ids").empty());

  // With two stores open already and only three others allowed, one new store.
  write_file(dir / "cands.txt", "id\nStore_1\nStore_3\nStore_19\n");
  const auto some =
      run_site(dir, {"--model", "mclp", "--k", "1", "--radius", "5000", "--existing",
                     "Store_11,Store_12", "--candidates", (dir / "cands.txt").string()});
  ASSERT_EQ(some.at("chosen").size(), 1U);
  const auto pick = some.at("chosen")[0].get<std::string>();
  EXPECT_TRUE(pick == "Store_1" || pick == "Store_3" || pick == "Store_19") << pick;
  EXPECT_EQ(some.at("optimal"), true);
}

struct BadCase {
  std::vector<std::string> args;  // {dir} is replaced by the temp dir
  std::string expected;           // in stderr
};

TEST(GapCli, BadInputIsRejectedWithTheFileAndLine) {
  TempDir dir;
  write_file(dir / "costs.csv", "origin,dest,cost\na,s1,1\nb,s1,2\nb,s2,3\n");
  write_file(dir / "demand.csv", "id,value\na,10\nb,5\n");
  write_file(dir / "supply.csv", "id,value\ns1,1\ns2,2\n");
  write_file(dir / "unknown_origin.csv", "origin,dest,cost\na,s1,1\nzz,s1,2\n");
  write_file(dir / "unknown_dest.csv", "origin,dest,cost\na,s1,1\na,s9,2\n");
  write_file(dir / "bad_cost.csv", "origin,dest,cost\na,s1,1\nb,s1,abc\n");
  write_file(dir / "negative_cost.csv", "origin,dest,cost\na,s1,-4\n");
  write_file(dir / "pair_twice.csv", "origin,dest,cost\na,s1,1\na,s1,2\n");
  write_file(dir / "no_cost_column.csv", "origin,dest,minutes\na,s1,1\n");
  write_file(dir / "empty.csv", "");
  write_file(dir / "open_quote.csv", "origin,dest,cost\na,s1,1\n\"b,s1,2\nb,s2,3\n");
  write_file(dir / "dup_demand.csv", "id,value\na,1\nb,2\na,3\n");
  write_file(dir / "negative_value.csv", "id,value\na,1\nb,-2\n");
  write_file(dir / "cands.txt", "s1\ns7\n");
  const std::vector<BadCase> cases{
      {{"access", "--method", "2sfca", "--costs", "{dir}/unknown_origin.csv"},
       "unknown_origin.csv:3: origin 'zz' is not an id of"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/unknown_dest.csv"},
       "unknown_dest.csv:3: dest 's9' is not an id of"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/bad_cost.csv"},
       "bad_cost.csv:3: the cost 'abc' is not a number >= 0"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/negative_cost.csv"},
       "negative_cost.csv:2: the cost '-4' is not a number >= 0"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/pair_twice.csv"},
       "pair_twice.csv:3: the pair origin 'a', dest 's1' is given twice"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/no_cost_column.csv"},
       "no_cost_column.csv:1: the header has no column 'cost'"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/empty.csv"},
       "empty.csv: the file is empty"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/open_quote.csv"},
       "open_quote.csv:3: a quoted cell is never closed"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/costs.csv", "--demand",
        "{dir}/dup_demand.csv"},
       "dup_demand.csv:4: the id 'a' is given twice"},
      {{"access", "--method", "2sfca", "--costs", "{dir}/costs.csv", "--demand",
        "{dir}/negative_value.csv"},
       "negative_value.csv:3: the value '-2' is not a number >= 0"},
      {{"access", "--method", "4sfca", "--costs", "{dir}/costs.csv"}, "--method must be"},
      {{"access", "--method", "g2sfca", "--costs", "{dir}/costs.csv"}, "needs a gravity weight"},
      {{"access", "--method", "2sfca", "--weight", "gravity:1", "--costs", "{dir}/costs.csv"},
       "--weight gravity needs SCALE:ALPHA"},
      {{"access", "--method", "2sfca", "--db", "x.sqlite", "--costs", "{dir}/costs.csv"},
       "cannot be combined"},
      {{"site", "--model", "mclp", "--k", "1", "--costs", "{dir}/costs.csv"},
       "--radius is required for --model mclp"},
      {{"site", "--model", "mclp", "--k", "3", "--radius", "5", "--costs", "{dir}/costs.csv"},
       "k (3) is larger than the 2 candidate sites"},
      {{"site", "--model", "pmedian", "--k", "1", "--existing", "s5", "--costs", "{dir}/costs.csv"},
       "--existing: site 's5' is not a dest of the costs"},
      {{"site", "--model", "pmedian", "--k", "1", "--candidates", "{dir}/cands.txt", "--costs",
        "{dir}/costs.csv"},
       "cands.txt:2: site 's7' is not a dest of the costs"},
      {{"site", "--model", "pmedian", "--k", "one", "--costs", "{dir}/costs.csv"},
       "--k needs a whole number"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"gap"};
    bool has_demand = false;
    bool has_supply = false;
    for (auto a : c.args) {
      if (const auto at = a.find("{dir}"); at != std::string::npos) {
        a.replace(at, 5, dir.path().string());
      }
      has_demand = has_demand || a == "--demand";
      has_supply = has_supply || a == "--supply";
      args.push_back(a);
    }
    if (!has_demand) {
      args.push_back("--demand");
      args.push_back((dir / "demand.csv").string());
    }
    if (!has_supply && c.args[0] == "access") {
      args.push_back("--supply");
      args.push_back((dir / "supply.csv").string());
    }
    const auto r = run_tsunagi(args);
    EXPECT_EQ(r.exit_code, 2) << c.expected;
    EXPECT_EQ(r.out, "") << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in: " << r.err;
  }
}

TEST(GapCli, PmedianWithADemandNoSiteReachesNamesIt) {
  TempDir dir;
  // Demand 'c' has a row only to s2, which is neither existing nor a candidate.
  write_file(dir / "costs.csv", "origin,dest,cost\na,s1,1\nb,s1,2\nc,s2,3\n");
  write_file(dir / "demand.csv", "id,value\na,10\nb,5\nc,1\n");
  write_file(dir / "cands.txt", "s1\n");
  const auto r = run_tsunagi(
      {"gap", "site", "--model", "pmedian", "--k", "1", "--costs", (dir / "costs.csv").string(),
       "--demand", (dir / "demand.csv").string(), "--candidates", (dir / "cands.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("demand ids c"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tsunagi::test
