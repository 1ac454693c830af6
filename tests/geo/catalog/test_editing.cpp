// The edit facade's rules on a real store: the publish level a role may write, an unseen resource
// not found, what the editor cannot see kept, provenance not editable, history as the reader may
// know it.
#include "geo/catalog/editing.hpp"

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

class Editing : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = town_.store().upsert_source({0, "city.csv", "市", "", "", "cc_by_4_0", "", "", ""});
    Resource r = test::resource_at("さくらサロン", ResourceKind::kayoi_no_ba, 134.0, 34.0);
    r.source_id = source_;
    r.source_key = "row-7";
    r.note = "鍵は民生委員が管理";
    r.publish = PublishLevel::public_;
    town_.store().upsert_imported(r, "import:city.csv");
    salon_ = r;
    Resource hidden = test::resource_at("内部の拠点", ResourceKind::ibasho, 134.001, 34.0);
    hidden.publish = PublishLevel::internal;
    town_.store().create(hidden, "coordinator1");
    hidden_ = hidden;
  }
  test::TempDir dir_;
  test::TinyTown town_{dir_ / "town.sqlite"};
  std::int64_t source_ = 0;
  Resource salon_;
  Resource hidden_;
  const Editor coordinator_{Role::coordinator, "coordinator1"};
  const Editor matcher_{Role::matcher, "matcher1"};
};

TEST_F(Editing, ARoleWritesOnlyAtAPublishLevelItsAudienceKnows) {
  Resource r = test::resource_at("新しい拠点", ResourceKind::ibasho, 134.002, 34.0);
  r.publish = PublishLevel::internal;
  EXPECT_THROW(create_resource(town_.store(), matcher_, r), Forbidden);
  const auto count = town_.store().resource_count();
  const Resource made = create_resource(town_.store(), coordinator_, r);
  EXPECT_FALSE(made.id.empty());
  EXPECT_EQ(made.source_id, 0);
  EXPECT_EQ(town_.store().resource_count(), count + 1);

  Resource raise = salon_;
  raise.publish = PublishLevel::internal;
  EXPECT_THROW(update_resource(town_.store(), matcher_, salon_.id, raise, std::nullopt), Forbidden);
  EXPECT_EQ(town_.store().resource(salon_.id)->publish, PublishLevel::public_);  // nothing written
}

TEST_F(Editing, AResourceTheEditorMayNotSeeIsNotFoundForEveryEdit) {
  Resource r = hidden_;
  r.publish = PublishLevel::public_;
  EXPECT_THROW(update_resource(town_.store(), matcher_, hidden_.id, r, std::nullopt), NotFound);
  EXPECT_THROW(close_resource(town_.store(), matcher_, hidden_.id, std::nullopt), NotFound);
  EXPECT_THROW(resource_history(town_.store(), Role::matcher, hidden_.id), NotFound);
  EXPECT_THROW(close_resource(town_.store(), coordinator_, "no-such-id", std::nullopt), NotFound);
  EXPECT_EQ(town_.store().resource(hidden_.id)->status, ResourceStatus::active);
}

TEST_F(Editing, AnEditKeepsWhatTheEditorCannotSeeAndTheProvenance) {
  Resource edit = salon_;
  edit.name = "さくらサロン（月曜）";
  edit.note.clear();  // a partner's body never held the internal note
  edit.source_id = 0;
  edit.source_key = "forged";
  const Resource saved = update_resource(town_.store(), matcher_, salon_.id, edit, salon_.version);
  EXPECT_EQ(saved.name, "さくらサロン（月曜）");
  const auto stored = town_.store().resource(salon_.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->note, "鍵は民生委員が管理");
  EXPECT_EQ(stored->source_id, source_);
  EXPECT_EQ(stored->source_key, "row-7");
  EXPECT_EQ(stored->version, salon_.version + 1);

  // The same version again: someone else's change came first.
  EXPECT_THROW(update_resource(town_.store(), coordinator_, salon_.id, edit, salon_.version),
               VersionConflict);
  Resource other = edit;
  other.id = hidden_.id;
  EXPECT_THROW(update_resource(town_.store(), coordinator_, salon_.id, other, std::nullopt),
               InvalidArgument);

  const auto history = resource_history(town_.store(), Role::matcher, salon_.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history.back().actor, "matcher1");
  EXPECT_EQ(close_resource(town_.store(), coordinator_, salon_.id, std::nullopt).status,
            ResourceStatus::closed);
}

}  // namespace
}  // namespace tsunagi::geo
