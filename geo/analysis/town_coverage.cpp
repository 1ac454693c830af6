#include "geo/analysis/town_coverage.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "geo/analysis/gap.hpp"
#include "geo/core/error.hpp"

namespace tsunagi::geo {

TownCoverage town_coverage(const Snapshot& snap, Audience a, const std::string& area_id,
                           EnumSet<ResourceKind> kinds, double walk_min,
                           const std::vector<SourceInfo>& sources) {
  TownCoverage out;
  try {
    gap::AnalysisRequest g;
    g.analysis = "coverage";
    g.kinds = kinds;
    g.target = "aged_75";
    g.report_kind = AreaKind::municipality;
    g.threshold = walk_min;
    const auto answer = nlohmann::json::parse(gap::run_analysis(snap, a, g, sources, nullptr));
    const std::string network = answer.value("network", std::string("walking"));
    for (const auto& row : answer.value("areas", nlohmann::json::array())) {
      if (row.value("id", "") != area_id) continue;
      const auto people = [&](const char* key) {
        return static_cast<std::int64_t>(std::llround(row.value(key, 0.0)));
      };
      out.figures = TownCoverage::Figures{people("target"), people("covered"), people("uncovered")};
    }
    out.note = out.figures ? "徒歩" + std::to_string(static_cast<int>(walk_min)) + "分以内（" +
                                 (network == "walking" ? "歩行ネットワーク" : "直線距離") + "）"
                           : "この町の75歳以上の人数がありません";
  } catch (const InvalidArgument& e) {
    out.note = std::string("カバー率は計算できません: ") + e.what();
  }
  return out;
}

}  // namespace tsunagi::geo
