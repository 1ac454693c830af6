// GET /api/fields against the real server: the field table as each role may see it, and the
// editing rights it gives, enforced by the resources API — shown with access_note 「アクセス」,
// a field added through the table alone.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "e2e/server_town.hpp"

namespace tsunagi::test {
namespace {

using nlohmann::json;

class FieldsApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    town_ = new Town(make_town(*dir_));
    server_ = new ServerProcess({"--db", town_->db.string(), "--port", "0"});
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->stop(SIGTERM), 0);
    EXPECT_TRUE(server_->warnings().empty()) << server_->output();
    delete server_;
    delete town_;
    delete dir_;
  }
  static json get_json(const std::string& target, const std::string& role = "public") {
    HttpClient c(server_->host(), server_->port());
    const auto r = c.get(target, bearer(*town_, role));
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
  /// The fields of GET /api/fields for `role`, by key.
  static std::map<std::string, json> fields(const std::string& role) {
    std::map<std::string, json> out;
    const json body = get_json("/api/fields", role);
    for (const auto& f : body["fields"]) {
      out[f["key"].get<std::string>()] = f;
    }
    return out;
  }
  /// PUTs the resource as `role` read it, changed by `edit`.
  static HttpResult put_edited(const std::string& id, const std::string& role,
                               const std::function<void(json&)>& edit) {
    HttpClient c(server_->host(), server_->port());
    const auto got = c.get("/api/resources/" + id, bearer(*town_, role));
    EXPECT_EQ(got.status, 200) << got.body;
    json body = json::parse(got.body);
    edit(body["properties"]);
    auto h = bearer(*town_, role);
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("If-Match", got.header("etag"));
    return c.request("PUT", "/api/resources/" + id, h, body.dump());
  }

  static TempDir* dir_;
  static Town* town_;
  static ServerProcess* server_;
};
TempDir* FieldsApi::dir_ = nullptr;
Town* FieldsApi::town_ = nullptr;
ServerProcess* FieldsApi::server_ = nullptr;

TEST_F(FieldsApi, ThePublicSeesThePublicFieldsWithLabelsKindsAndCodes) {
  const auto f = fields("public");
  ASSERT_TRUE(f.contains("access_note"));
  EXPECT_EQ(f.at("access_note")["label"], "アクセス");
  EXPECT_EQ(f.at("access_note")["kind"], "text");
  EXPECT_EQ(f.at("access_note")["plain"], true);
  EXPECT_EQ(f.at("access_note")["editable"], false);
  EXPECT_EQ(f.at("name")["label"], "名称");
  EXPECT_EQ(f.at("kind")["kind"], "enum");
  EXPECT_EQ(f.at("kind")["required"], true);
  ASSERT_TRUE(f.at("kind").contains("codes"));
  EXPECT_EQ(f.at("kind")["codes"][0]["id"], "kayoi_no_ba");
  EXPECT_EQ(f.at("kind")["codes"][0]["ja"], "通いの場");
  EXPECT_EQ(f.at("schedules")["plain"], false);
  // Fields whose least audience is staff are not listed for the public at all.
  for (const char* staff : {"note", "offer", "contact_public", "version", "source_id"}) {
    EXPECT_FALSE(f.contains(staff)) << staff;
  }
}

TEST_F(FieldsApi, EachRoleSeesItsFieldsAndWhichItMayEdit) {
  const auto coord = fields("coordinator");
  EXPECT_TRUE(coord.contains("note"));
  EXPECT_EQ(coord.at("access_note")["editable"], true);
  EXPECT_EQ(coord.at("version")["editable"], false);
  const auto matcher = fields("matcher");
  EXPECT_FALSE(matcher.contains("note"));
  EXPECT_TRUE(matcher.contains("offer"));
  EXPECT_EQ(matcher.at("access_note")["editable"], false);
  EXPECT_EQ(matcher.at("capacity")["editable"], true);
  const auto planner = fields("planner");
  EXPECT_EQ(planner.at("name")["editable"], false);
}

TEST_F(FieldsApi, ACoordinatorSetsAccessNoteEveryoneReadsItAMatcherMayNotChangeIt) {
  const std::string id = town_->ids.at("cafe");
  const auto set = put_edited(id, "coordinator", [](json& p) {
    p["access_note"] = "ことでんバス「本町」バス停から徒歩3分";
  });
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(get_json("/api/resources/" + id)["properties"]["access_note"],
            "ことでんバス「本町」バス停から徒歩3分");

  const auto refused =
      put_edited(id, "matcher", [](json& p) { p["access_note"] = "駅から徒歩10分"; });
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("access_note"), std::string::npos) << refused.body;
  // The same matcher keeps the capacity current: access_note is sent back as read.
  const auto ok = put_edited(id, "matcher", [](json& p) { p["vacancy"] = 3; });
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(get_json("/api/resources/" + id)["properties"]["access_note"],
            "ことでんバス「本町」バス停から徒歩3分");
}

// The public attacks a table field that tells where a private home is: a サロン in a 個人宅 whose
// アクセス names the home's back door. Neither the record, nor a search, nor the list's count, nor
// a tile, nor a public export gives the words back; staff still find them.
TEST_F(FieldsApi, ThePublicLearnsNothingOfAPrivateHomesAccessNoteByAnyDoor) {
  const std::string secret = "裏口の合鍵は郵便受けの中";
  HttpClient c(server_->host(), server_->port());
  auto h = bearer(*town_, "coordinator");
  h.emplace_back("Content-Type", "application/json");
  const json body = {{"type", "Feature"},
                     {"geometry", {{"type", "Point"}, {"coordinates", {133.6452, 35.1017}}}},
                     {"properties",
                      {{"kind", "ibasho"},
                       {"name", "ひだまりサロン"},
                       {"venue", "private_home"},
                       {"publish", "public"},
                       {"access_note", secret}}}};
  const auto made = c.request("POST", "/api/resources", h, body.dump());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = json::parse(made.body)["id"].get<std::string>();

  const json record = get_json("/api/resources/" + id);
  EXPECT_EQ(record["properties"]["name"], "ひだまりサロン");  // the salon itself is public
  EXPECT_FALSE(record["properties"].contains("access_note") &&
               record["properties"]["access_note"] == secret);
  EXPECT_EQ(record.dump().find("合鍵"), std::string::npos) << record.dump();

  // A search for the words finds nothing for the public, the salon for staff.
  EXPECT_EQ(get_json("/api/resources?q=%E5%90%88%E9%8D%B5")["numberMatched"], 0);  // 合鍵
  EXPECT_EQ(get_json("/api/resources?q=%E3%81%B2%E3%81%A0%E3%81%BE%E3%82%8A")["numberMatched"],
            1);  // ひだまり: it is listed, by name
  const json all = get_json("/api/resources?limit=1000");
  EXPECT_EQ(all.dump().find("合鍵"), std::string::npos);
  EXPECT_EQ(get_json("/ogc/collections/ibasho/items?limit=1000").dump().find("合鍵"),
            std::string::npos);
  EXPECT_EQ(get_json("/api/resources/" + id, "coordinator")["properties"]["access_note"], secret);

  // Tiles over the home's true point, at every zoom a street shows; the salon's name is in them
  // (so the tiles are read as they are, not compressed past a search).
  int named = 0;
  for (std::uint32_t z = 12; z <= 18; ++z) {
    const auto t = c.get(tile_path("resources", tiles::tile_at(133.6452, 35.1017, z)));
    ASSERT_TRUE(t.status == 200 || t.status == 204) << z << ": " << t.status;
    EXPECT_EQ(t.body.find("合鍵"), std::string::npos) << "z" << z;
    if (t.body.find("ひだまりサロン") != std::string::npos) ++named;
  }
  EXPECT_GT(named, 0);

  // The public export, CSV and GeoJSON.
  for (const std::string format : {"csv", "geojson"}) {
    const auto out = *dir_ / ("public." + format);
    const auto r = run_tsunagi({"export", "--db", town_->db.string(), "--format", format, "--out",
                                out.string(), "--audience", "public"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = read_file(out);
    EXPECT_NE(text.find("ひだまりサロン"), std::string::npos) << format;
    EXPECT_EQ(text.find("合鍵"), std::string::npos) << format;
  }
}

}  // namespace
}  // namespace tsunagi::test
