// geo/gap answer_csv: for a person in Excel, the columns' Japanese names first and the keys in
// the row below; for programs (the CLI), the keys alone as before. (Columns after the identifying
// ones come in key order.)
#include <gtest/gtest.h>

#include "geo/analysis/gap.hpp"

namespace tsunagi::geo::gap {
namespace {

TEST(AnswerCsvHeader, JapaneseNamesThenKeys) {
  const std::string answer =
      R"({"areas":[{"rank":1,"id":"chome:x","name":"本町","uncovered":12,"covered_after":30,"odd":1}],)"
      R"("sources":[{"title":"国勢調査","attribution":"総務省"}]})";
  const std::string ja = answer_csv(answer, true);
  EXPECT_EQ(ja.find("\xEF\xBB\xBF順位,地域ID,地域名,整備後に届く人数,odd,届かない人数\r\n"
                    "rank,id,name,covered_after,odd,uncovered\r\n"
                    "1,chome:x,本町,30,1,12\r\n"),
            0u)
      << ja;
  const std::string keys = answer_csv(answer);
  EXPECT_EQ(keys.find("\xEF\xBB\xBFrank,id,name,covered_after,odd,uncovered\r\n1,"), 0u) << keys;
}

}  // namespace
}  // namespace tsunagi::geo::gap
