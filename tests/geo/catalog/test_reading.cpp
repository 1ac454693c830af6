// geo/catalog/reading: names found by their reading (「たいそう」 finds 体操), through the
// snapshot's search keys, with MeCab and Debian's IPA dictionary (scripts/setup installs it).
#include "geo/catalog/reading.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "geo/catalog/resource_query.hpp"
#include "support/test_support.hpp"
#include "support/tiny_town.hpp"

namespace tsunagi::geo {
namespace {

TEST(Reading, TheDictionaryGivesEachWordItsReadingInHiragana) {
  ASSERT_TRUE(reading_dictionary_available())
      << "no MeCab dictionary at " << kReadingDictionary << ": run scripts/setup";
  EXPECT_EQ(reading_of("体操教室"), "たいそうきょうしつ");
  // Words the dictionary does not know stay as written (folded): latin letters, kana.
  EXPECT_EQ(reading_of("ＡＢＣ体操クラブ"), "abcたいそうくらぶ");
  EXPECT_EQ(reading_of(""), "");
  EXPECT_EQ(reading_of("\xff\xfe"), "") << "bad UTF-8 reads as nothing rather than failing";
}

TEST(Reading, TheMemoReadsEachNameOnce) {
  ReadingMemo memo;
  const std::string& first = memo.of("子ども食堂");
  EXPECT_EQ(first, reading_of("子ども食堂"));
  EXPECT_EQ(&memo.of("子ども食堂"), &first);
}

class ReadingTown : public ::testing::Test {
 protected:
  void SetUp() override {
    test::TinyTown town(dir_ / "t.db");
    town.add("ＡＢＣ体操クラブ", ResourceKind::kayoi_no_ba, 133.650, 35.110);
    town.add("いきいき百歳体操", ResourceKind::kayoi_no_ba, 133.651, 35.111);
    // The kana field wins over the dictionary: 「新町」 read as the host wrote it (あらまち), not
    // as the dictionary would (しんまち).
    town.add("新町サロン", ResourceKind::ibasho, 133.652, 35.112,
             [](Resource& r) { r.name_kana = "あらまちさろん"; });
    town.add("職員だけの体操会", ResourceKind::kayoi_no_ba, 133.653, 35.113,
             [](Resource& r) { r.publish = PublishLevel::internal; });
    snapshot_ = town.snapshot();
  }
  [[nodiscard]] std::vector<std::string> names(const std::string& text,
                                               Audience a = Audience::public_) const {
    ResourceQuery q;
    q.text = text;
    std::vector<std::string> out;
    for (const auto& h : query(snapshot_->view(a), q).hits) out.push_back(h.resource->name);
    std::sort(out.begin(), out.end());
    return out;
  }
  test::TempDir dir_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(ReadingTown, AHiraganaOrKatakanaReadingFindsTheNameInKanji) {
  ASSERT_TRUE(reading_dictionary_available()) << "run scripts/setup";
  const std::vector<std::string> both{"いきいき百歳体操", "ＡＢＣ体操クラブ"};
  EXPECT_EQ(names("たいそう"), both);
  EXPECT_EQ(names("タイソウ"), both);
  EXPECT_EQ(names("ﾀｲｿｳ"), both);
  EXPECT_EQ(names("体操"), both);
  EXPECT_EQ(names("ひゃくさい たいそう"), std::vector<std::string>{"いきいき百歳体操"});
}

TEST_F(ReadingTown, TheKanaFieldIsTheReadingWhenThereIsOne) {
  ASSERT_TRUE(reading_dictionary_available()) << "run scripts/setup";
  EXPECT_EQ(names("アラマチ"), std::vector<std::string>{"新町サロン"});
  ASSERT_EQ(reading_of("新町"), "しんまち");
  EXPECT_TRUE(names("しんまち").empty()) << "the dictionary's reading is not added beside the kana";
}

TEST_F(ReadingTown, AReadingNeverFindsWhatTheAudienceMayNotKnow) {
  ASSERT_TRUE(reading_dictionary_available()) << "run scripts/setup";
  EXPECT_EQ(names("たいそうかい"), std::vector<std::string>{});
  EXPECT_EQ(names("たいそうかい", Audience::internal),
            std::vector<std::string>{"職員だけの体操会"});
}

}  // namespace
}  // namespace tsunagi::geo
