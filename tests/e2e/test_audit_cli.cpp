// tsunagi audit verify|head against a store the real server wrote: the audit log's hash chain is
// intact after real API calls; a row edited in place, and a row deleted from the middle (each
// with SQLite directly, once its trigger is dropped, as someone with the file could), are named
// by `verify`, which then exits non-zero.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

/// A store whose audit log the real server wrote: two referrals created, read and moved on.
Town town_with_an_audit_log(const TempDir& dir) {
  Town town = make_town(dir);
  {
    TinyTown t(town.db);
    t.add_area("chome:demo-naka3", geo::AreaKind::chome, "中町三丁目",
               "POLYGON((133.63 35.09,133.64 35.09,133.64 35.10,133.63 35.10,133.63 35.09))",
               133.635, 35.095);
  }
  ServerProcess server({"--db", town.db.string(), "--port", "0"});
  HttpClient c(server.host(), server.port());
  auto headers = bearer(town, "matcher");
  headers.emplace_back("Content-Type", "application/json");
  for (int i = 0; i < 2; ++i) {
    const json body = {{"resource_id", town.ids.at("farm")},
                       {"legal_basis", "shien_kaigi"},
                       {"home_area", "demo-naka3"},
                       {"age_band", "50s"}};
    const auto created = c.request("POST", "/api/referrals", headers, body.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string id = json::parse(created.body).at("case_id").get<std::string>();
    EXPECT_EQ(c.request("GET", "/api/referrals/" + id, headers, "").status, 200);
    EXPECT_EQ(c.request("POST", "/api/referrals/" + id + "/transitions", headers,
                        json{{"to", "consented"}}.dump())
                  .status,
              200);
  }
  EXPECT_EQ(server.stop(SIGTERM), 0);
  return town;  // 6 rows: create, read, transition, twice
}

/// SQL on the file itself, past the triggers (dropped first, as someone with the file could).
void tamper(const std::filesystem::path& db, const std::string& sql) {
  geo::Store::open(db).exec(
      "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " +
      sql);
}

TEST(AuditCli, AnIntactChainIsReportedWithItsHead) {
  TempDir dir;
  const Town town = town_with_an_audit_log(dir);
  const auto verify = run_tsunagi({"audit", "verify", "--db", town.db.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("6 rows, chain intact"), std::string::npos) << verify.out;
  const auto head = run_tsunagi({"audit", "head", "--db", town.db.string()});
  EXPECT_EQ(head.exit_code, 0) << head.err;
  EXPECT_NE(head.out.find("6 rows, last row 6, head "), std::string::npos) << head.out;
  // The same head as verify reports, 64 hex digits.
  const auto at = head.out.find("head ");
  ASSERT_NE(at, std::string::npos);
  const std::string hash = head.out.substr(at + 5, 64);
  EXPECT_EQ(hash.find_first_not_of("0123456789abcdef"), std::string::npos) << hash;
  EXPECT_NE(verify.out.find(hash), std::string::npos) << verify.out;
  // Bad usage: exit 2 with a message.
  EXPECT_EQ(run_tsunagi({"audit", "verify"}).exit_code, 2);
  EXPECT_EQ(run_tsunagi({"audit", "rewrite", "--db", town.db.string()}).exit_code, 2);
}

TEST(AuditCli, AnEditedRowIsNamed) {
  TempDir dir;
  const Town town = town_with_an_audit_log(dir);
  tamper(town.db, "UPDATE audit_log SET user_name = 'someone else' WHERE audit_id = 4");
  const auto verify = run_tsunagi({"audit", "verify", "--db", town.db.string()});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("chain BROKEN at row 4: row 4 does not match its hash"),
            std::string::npos)
      << verify.out;
  EXPECT_EQ(verify.out.find("chain intact"), std::string::npos) << verify.out;
}

TEST(AuditCli, ADeletedMiddleRowIsFound) {
  TempDir dir;
  const Town town = town_with_an_audit_log(dir);
  tamper(town.db, "DELETE FROM audit_log WHERE audit_id = 3");
  const auto verify = run_tsunagi({"audit", "verify", "--db", town.db.string()});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("chain BROKEN at row 4: row 4 does not follow row 2: row 3 is missing"),
            std::string::npos)
      << verify.out;
}

TEST(AuditCli, ARowRenumberedToHideTheGapIsFoundToo) {
  TempDir dir;
  const Town town = town_with_an_audit_log(dir);
  // Delete row 3 and move the rows after it down, so the ids have no gap.
  tamper(town.db,
         "DELETE FROM audit_log WHERE audit_id = 3; "
         "UPDATE audit_log SET audit_id = audit_id - 1 WHERE audit_id > 3");
  const auto verify = run_tsunagi({"audit", "verify", "--db", town.db.string()});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("chain BROKEN at row 3"), std::string::npos) << verify.out;
}

}  // namespace
}  // namespace tsunagi::test
