// The one visibility rule: roles to audiences, who may know a resource exists, what each audience
// may know of it (the projection), generalized positions, history and edits by partners.
#include "geo/catalog/visibility.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "geo/core/resource_json.hpp"
#include "geo/spatial/geometry.hpp"
#include "geo/spatial/mesh.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {
namespace {

using nlohmann::json;

Resource home_salon() {
  Resource r;
  r.id = "6f1c1f5e-0000-4000-8000-000000000001";
  r.kind = ResourceKind::ibasho;
  r.name = "えんがわサロン";
  r.lon = 133.912345;
  r.lat = 35.067891;
  r.address = "つなぎ町上ノ山3-14-15（架空）";
  r.building = "離れ";
  r.venue = VenueKind::private_home;
  r.operator_type = OperatorType::jumin_kojin;
  r.operator_name = "山田 花子";
  r.phone = "090-0000-0000";
  r.email = "salon@example.jp";
  r.note = "鍵は隣家に預けてある";
  r.offer = PlacementOffer{};
  r.offer->slots_open = 2;
  r.source_id = 4;
  r.source_key = "row-7";
  r.version = 9;
  r.updated_at = "2026-11-20T10:00:00Z";
  r.created_at = "2026-01-01T10:00:00Z";
  return r;
}

Area square(const std::string& id, double x0, double y0, double size, AreaKind kind) {
  Area a;
  a.id = id;
  a.kind = kind;
  const auto x1 = std::to_string(x0 + size);
  const auto y1 = std::to_string(y0 + size);
  const auto xs = std::to_string(x0);
  const auto ys = std::to_string(y0);
  a.wkb = Geometry::from_wkt("POLYGON((" + xs + " " + ys + "," + x1 + " " + ys + "," + x1 + " " +
                             y1 + "," + xs + " " + y1 + "," + xs + " " + ys + "))")
              .wkb();
  a.label_lon = x0 + size / 2;
  a.label_lat = y0 + size / 2;
  return a;
}

TEST(Visibility, RolesReadAsAudiences) {
  EXPECT_EQ(audience_for(Role::public_), Audience::public_);
  EXPECT_EQ(audience_for(Role::planner), Audience::partners);
  EXPECT_EQ(audience_for(Role::matcher), Audience::partners);
  EXPECT_EQ(audience_for(Role::coordinator), Audience::internal);
  EXPECT_EQ(audience_for(Role::admin), Audience::internal);
  for (const auto a : kAudiences) EXPECT_EQ(parse_audience(audience_id(a)), a);
  EXPECT_FALSE(parse_audience("everyone"));
}

TEST(Visibility, ToJsonLeavesOutWhatTheAudienceMayNotSee) {
  const json pub = to_json(home_salon(), Audience::public_);
  for (const char* key : {"offer", "note", "source_key", "source_id", "created_at", "version",
                          "updated_at", "publish", "contact_public"}) {
    EXPECT_FALSE(pub.contains(key)) << key;
  }
  EXPECT_TRUE(pub.contains("name"));
  const json partners = to_json(home_salon(), Audience::partners);
  EXPECT_FALSE(partners.contains("note"));
  EXPECT_TRUE(partners.contains("offer"));
  EXPECT_TRUE(partners.contains("version"));
  EXPECT_TRUE(to_json(home_salon(), Audience::internal).contains("note"));
}

TEST(Visibility, PublishLevelsAndTheOnePolicyForClosedResources) {
  Resource r = home_salon();
  for (const auto level : {PublishLevel::public_, PublishLevel::partners, PublishLevel::internal}) {
    r.publish = level;
    EXPECT_EQ(visible(Audience::public_, r), level == PublishLevel::public_);
    EXPECT_EQ(visible(Audience::partners, r), level != PublishLevel::internal);
    EXPECT_TRUE(visible(Audience::internal, r));
  }
  r.publish = PublishLevel::public_;
  r.status = ResourceStatus::closed;
  EXPECT_FALSE(visible(Audience::public_, r)) << "the public never sees a closed resource";
  EXPECT_TRUE(visible(Audience::partners, r));
  EXPECT_TRUE(visible(Audience::internal, r));
}

TEST(Visibility, ThePublicGetsNoHomeNoPrivatePersonAndNoInternals) {
  const Generalizer none;
  const Resource s = served(Audience::public_, home_salon(), none);
  const MeshCell cell = mesh_cell_at(133.912345, 35.067891, MeshLevel::half);
  EXPECT_DOUBLE_EQ(s.lon, (cell.west + cell.east) / 2) << "no area known: its 1/2 mesh centre";
  EXPECT_DOUBLE_EQ(s.lat, (cell.south + cell.north) / 2);
  EXPECT_EQ(s.accuracy, PositionAccuracy::chome);
  EXPECT_EQ(s.address, "");
  EXPECT_EQ(s.building, "");
  EXPECT_EQ(s.operator_name, "") << "a private person's name";
  EXPECT_EQ(s.phone, "") << "a private host's phone without consent";
  EXPECT_EQ(s.email, "");
  EXPECT_EQ(s.note, "");
  EXPECT_FALSE(s.offer) << "placement slots are for 参加支援 staff";
  EXPECT_EQ(s.version, 0) << "the public cannot count edits";
  EXPECT_EQ(s.updated_at, "");
  EXPECT_EQ(s.source_key, "");
  EXPECT_EQ(s.name, "えんがわサロン");

  Resource agreed = home_salon();
  agreed.contact_public = true;
  const Resource t = served(Audience::public_, agreed, none);
  EXPECT_EQ(t.phone, "090-0000-0000") << "the host agreed to be called";
  EXPECT_EQ(t.email, "salon@example.jp");
  EXPECT_FALSE(t.contact_public) << "the consent flag itself is not the public's";

  Resource hall = home_salon();  // an organisation in a 公民館 keeps its contact and position
  hall.venue = VenueKind::kominkan_shukaijo;
  hall.operator_type = OperatorType::jumin_dantai;
  const Resource h = served(Audience::public_, hall, none);
  EXPECT_EQ(h.lon, hall.lon);
  EXPECT_EQ(h.address, hall.address);
  EXPECT_EQ(h.phone, hall.phone);
  EXPECT_EQ(h.operator_name, hall.operator_name);
}

TEST(Visibility, PartnersLoseOnlyTheInternalNoteAndInternalLosesNothing) {
  const Generalizer none;
  const Resource r = home_salon();
  Resource p = served(Audience::partners, r, none);
  EXPECT_EQ(p.note, "");
  p.note = r.note;
  EXPECT_EQ(p, r);
  EXPECT_EQ(served(Audience::internal, r, none), r);
}

TEST(Visibility, APrivateHomeIsShownAtItsChomeAndDoesNotMoveWithEachEdit) {
  const std::vector<Area> areas{square("oaza:1", 133.90, 35.06, 0.02, AreaKind::oaza),
                                square("chome:1", 133.91, 35.065, 0.005, AreaKind::chome),
                                square("mesh:x", 133.911, 35.066, 0.002, AreaKind::mesh3)};
  const Generalizer g(areas);
  // Inside the 丁目 (smaller than its 大字; a mesh cell is not a place of residence).
  const auto chome = std::make_pair(areas[1].label_lon, areas[1].label_lat);
  EXPECT_EQ(g.position(133.912345, 35.067891), chome);
  EXPECT_EQ(g.position(133.9101, 35.0651), chome)
      << "another house in the same 丁目: the same point";
  // In the 大字 but outside the 丁目.
  EXPECT_EQ(g.position(133.901, 35.061), std::make_pair(areas[0].label_lon, areas[0].label_lat));
  // Outside every area: the 1/2 mesh centre.
  const MeshCell cell = mesh_cell_at(134.5, 34.5, MeshLevel::half);
  EXPECT_EQ(g.position(134.5, 34.5),
            std::make_pair((cell.west + cell.east) / 2, (cell.south + cell.north) / 2));
}

TEST(Visibility, KeepUnseenKeepsWhatAPartnerCouldNotSend) {
  const Resource stored = home_salon();
  Resource edit = served(Audience::partners, stored, Generalizer{});
  edit.name = "えんがわサロン（改）";
  keep_unseen(Audience::partners, stored, edit);
  EXPECT_EQ(edit.note, stored.note) << "the internal note is not wiped by a partner's edit";
  EXPECT_EQ(edit.name, "えんがわサロン（改）");
}

TEST(Visibility, HistoryShowsNothingFromWhenTheReaderCouldNotSee) {
  Resource current = home_salon();
  current.publish = PublishLevel::partners;
  auto entry = [](std::int64_t version, const json& changes) {
    HistoryEntry e;
    e.version = version;
    e.action = "updated";
    e.changes_json = changes.dump();
    return e;
  };
  std::vector<HistoryEntry> history{
      entry(1, {{"publish", {{"from", "public"}, {"to", "internal"}}},
                {"address", {{"from", nullptr}, {"to", "旧住所 1-1"}}}}),
      entry(2, {{"note", {{"from", ""}, {"to", "内部のメモ"}}},
                {"address", {{"from", "旧住所 1-1"}, {"to", "旧住所 2-2"}}}}),
      entry(3, {{"publish", {{"from", "internal"}, {"to", "partners"}}},
                {"address", {{"from", "旧住所 2-2"}, {"to", "つなぎ町上ノ山3-14-15（架空）"}}}}),
      entry(4, {{"note", {{"from", "内部のメモ"}, {"to", "鍵は隣家に預けてある"}}},
                {"name", {{"from", "サロン"}, {"to", "えんがわサロン"}}}}),
  };
  const auto seen = project_history(Audience::partners, current, history);
  ASSERT_EQ(seen.size(), 4u) << "versions still add up";
  const json v1 = json::parse(seen[0].changes_json);
  const json v2 = json::parse(seen[1].changes_json);
  const json v3 = json::parse(seen[2].changes_json);
  const json v4 = json::parse(seen[3].changes_json);
  EXPECT_TRUE(v1.contains("redacted")) << v1.dump();
  EXPECT_FALSE(v1.contains("address"));
  EXPECT_TRUE(v2.contains("redacted")) << "internal at that version: " << v2.dump();
  EXPECT_TRUE(v3["address"]["from"].is_null()) << "the old address from its internal days";
  EXPECT_EQ(v3["address"]["to"], "つなぎ町上ノ山3-14-15（架空）");
  EXPECT_FALSE(v4.contains("note")) << "a field partners may not see now is never shown";
  EXPECT_EQ(v4["name"]["to"], "えんがわサロン");
  EXPECT_EQ(
      json::parse(
          project_history(Audience::internal, current, history)[1].changes_json)["note"]["to"],
      "内部のメモ");
}

}  // namespace
}  // namespace tsunagi::geo
