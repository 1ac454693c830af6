// The field table (geo/core/resource_fields): it names every field the JSON carries, and a field
// defined through it alone (access_note 「アクセス」: a row, its member, its migration) goes
// through the store (a real SpatiaLite file), the JSON codec, the visibility rule and the editing
// rights without any other code naming it.
#include "geo/core/resource_fields.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <set>

#include "geo/catalog/visibility.hpp"
#include "geo/core/error.hpp"
#include "geo/core/resource_json.hpp"
#include "geo/store/store.hpp"
#include "support/test_support.hpp"

namespace tsunagi::geo {
namespace {

using nlohmann::json;
using test::TempDir;

Resource salon() {
  Resource r;
  r.kind = ResourceKind::ibasho;
  r.name = "本町ふれあいサロン";
  r.lon = 134.0465;
  r.lat = 34.3402;
  r.address = "高松市本町1-1";
  r.access_note = "ことでんバス「本町」バス停から徒歩3分";
  r.note = "鍵は隣家に";
  return r;
}

const ResourceField& field(std::string_view key) {
  const ResourceField* f = find_resource_field(key);
  if (f == nullptr) throw std::logic_error("no field " + std::string(key));
  return *f;
}

TEST(ResourceFields, TheTableNamesEveryKeyOfTheJsonAndNothingElse) {
  std::set<std::string> written;
  const json j = to_json(salon());
  for (const auto& [key, value] : j.items()) {
    if (!key.ends_with("_ja")) written.insert(key);
  }
  std::set<std::string> table;
  std::set<std::string_view> columns;
  for (const auto& f : resource_fields()) {
    table.emplace(f.key);
    EXPECT_EQ(&f, &resource_fields()[f.index]) << f.key;
    if (!f.plain()) continue;
    EXPECT_TRUE(columns.insert(f.column).second) << "two fields in column " << f.column;
    EXPECT_FALSE(f.label.empty()) << f.key;
  }
  EXPECT_EQ(written, table);
  EXPECT_EQ(find_resource_field("kind_ja"), &field("kind"));
  EXPECT_EQ(find_resource_field("no_such_field"), nullptr);
}

TEST(ResourceFields, AFieldOfTheTableIsStoredInItsOwnColumnAndReadBack) {
  const ResourceField& f = field("access_note");
  EXPECT_EQ(f.kind, FieldKind::text);
  EXPECT_EQ(f.label, "アクセス");
  EXPECT_EQ(f.column, "access_note");

  TempDir dir;
  const auto path = dir / "town.sqlite";
  std::string id;
  {
    auto store = Store::open(path, Store::Mode::create_if_missing);
    Resource r = salon();
    store.create(r, "test");
    id = r.id;
    const auto back = store.resource(id);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->access_note, "ことでんバス「本町」バス停から徒歩3分");
    EXPECT_EQ(*back, r);

    Resource edit = *back;
    edit.access_note = "駐車場なし。JR高松駅から徒歩10分";
    store.update(edit, back->version, "test");
    EXPECT_EQ(store.resource(id)->access_note, "駐車場なし。JR高松駅から徒歩10分");
    // The history names the field by its key.
    const auto h = store.history(id);
    ASSERT_FALSE(h.empty());
    const json changes = json::parse(h.back().changes_json);
    ASSERT_TRUE(changes.contains("access_note")) << h.back().changes_json;
    EXPECT_EQ(changes["access_note"]["from"], "ことでんバス「本町」バス停から徒歩3分");
  }
  // The column itself, as another program reads the file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT access_note FROM resource WHERE resource_id = ?1", -1,
                               &st, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
               "駐車場なし。JR高松駅から徒歩10分");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST(ResourceFields, AFieldOfTheTableGoesThroughTheJsonAndIsChecked) {
  const json j = to_json(salon());
  EXPECT_EQ(j["access_note"], "ことでんバス「本町」バス停から徒歩3分");
  const Resource back = resource_from_json(j);
  EXPECT_EQ(back.access_note, "ことでんバス「本町」バス停から徒歩3分");

  json bad = j;
  bad["access_note"] = 3;
  try {
    (void)resource_from_json(bad);
    FAIL() << "a number was taken as access_note";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "access_note must be a string");
  }
  // validate() takes its limit from the row: at most 4000 characters, no control characters.
  Resource r = salon();
  r.access_note = std::string(4001, 'a');
  EXPECT_THROW(validate(r), InvalidArgument);
  r.access_note = "バス停\x01から";
  EXPECT_THROW(validate(r), InvalidArgument);
}

TEST(ResourceFields, TheVisibilityRuleReadsEachFieldsLeastAudienceFromTheTable) {
  const Resource r = salon();
  const Generalizer g;
  for (const auto& f : resource_fields()) {
    for (const Audience a : kAudiences) {
      EXPECT_EQ(to_json(r, a).contains(std::string(f.key)), f.seen_by(a))
          << f.key << " for " << audience_id(a);
      EXPECT_EQ(field_visible(a, f.key), f.seen_by(a)) << f.key;
    }
  }
  // A staff-only field (least audience partners or internal) is not in the public's JSON and is
  // emptied in what the public is served; access_note (public) is served to everyone.
  EXPECT_EQ(field("note").least, Audience::internal);
  EXPECT_FALSE(to_json(r, Audience::public_).contains("note"));
  EXPECT_TRUE(served(Audience::public_, r, g).note.empty());
  EXPECT_EQ(field("access_note").least, Audience::public_);
  EXPECT_EQ(to_json(served(Audience::public_, r, g), Audience::public_)["access_note"],
            "ことでんバス「本町」バス停から徒歩3分");
  // Directions to a private home tell where it is: withheld from the public with its address.
  Resource home = r;
  home.venue = VenueKind::private_home;
  const Resource pub = served(Audience::public_, home, g);
  EXPECT_TRUE(pub.access_note.empty());
  EXPECT_TRUE(pub.address.empty());
  EXPECT_EQ(served(Audience::partners, home, g).access_note, home.access_note);
}

TEST(ResourceFields, EditingRightsComeFromTheRow) {
  const Resource stored = salon();
  Resource edit = stored;
  edit.access_note = "バス停から徒歩5分";
  EXPECT_EQ(fields_not_editable(Role::coordinator, stored, edit), "");
  EXPECT_EQ(fields_not_editable(Role::admin, stored, edit), "");
  EXPECT_EQ(fields_not_editable(Role::matcher, stored, edit), "access_note");
  // A matcher keeps a placement's capacity current: a field every editor may change.
  Resource cap = stored;
  cap.capacity = 12;
  EXPECT_EQ(fields_not_editable(Role::matcher, stored, cap), "");
}

TEST(ResourceFields, CellTextReadsAndWritesEachPlainKind) {
  Resource r = salon();
  set_field_text(field("access_note"), r, "徒歩3分");
  EXPECT_EQ(field_text(field("access_note"), r), "徒歩3分");
  set_field_text(field("capacity"), r, "12");
  EXPECT_EQ(r.capacity, 12);
  EXPECT_THROW(set_field_text(field("capacity"), r, "十二"), InvalidArgument);
  set_field_text(field("meal_provided"), r, "はい");
  EXPECT_EQ(field_text(field("meal_provided"), r), "はい");
  set_field_text(field("venue"), r, "個人宅");
  EXPECT_EQ(r.venue, VenueKind::private_home);
  set_field_text(field("targets"), r, "高齢者、子ども");
  EXPECT_EQ(field_text(field("targets"), r), "高齢者、子ども");
}

}  // namespace
}  // namespace tsunagi::geo
