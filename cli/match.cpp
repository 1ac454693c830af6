// tsunagi match: the placements a person can walk to, from the command line — the same request
// and the same JSON as POST /api/match (geo/analysis/matching), over the partners' view (what a
// matcher sees).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "geo/analysis/matching.hpp"
#include "geo/catalog/snapshot.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi match --db FILE (--at LON,LAT | --area AREA) [options]\n"
    "\n"
    "Ranks the places a person can walk to, nearest and best fitting first, with the reasons,\n"
    "and lists the close places left out and why. No personal data is asked for or stored.\n"
    "\n"
    "  --at LON,LAT         the person's approximate place (e.g. the 町丁's centre)\n"
    "  --area AREA          or a 町丁 (area id or code): its representative point\n"
    "  --kind KIND          a kind of place (repeat); default: placement sites, 農福, 居場所,\n"
    "                       通いの場, 地域活動支援センター\n"
    "  --task TAG           wanted work (repeat): seiso, nosagyo, keisagyo, chori…\n"
    "  --activity CODE      wanted activity (repeat)\n"
    "  --available WHEN     when the person can go (repeat): 火曜の午前, \"thu,09:00-12:00\"\n"
    "  --max-walk-min N     the longest walk, minutes (default 20)\n"
    "  --slow               a slow walker (50 m/min instead of 80)\n"
    "  --step-free          no steps at the place or on the way\n"
    "  --short-hours, --low-contact, --companion   accommodations needed\n"
    "  --age-band 50s       the person's age band\n"
    "  --limit N            candidates to list (default 20)\n"
    "  --json               print the JSON of POST /api/match\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi match: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int match(Args args) {
  std::optional<std::filesystem::path> db;
  nlohmann::json body = nlohmann::json::object();
  bool as_json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto next = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return std::string(args[++i]);
    };
    auto push = [&](const char* key) -> bool {
      const auto v = next();
      if (!v) return false;
      body[key].push_back(*v);
      return true;
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--db") {
      const auto v = next();
      if (!v) return usage_error("--db needs a file");
      db = *v;
    } else if (a == "--at") {
      const auto v = next();
      double lon = 0;
      double lat = 0;
      char extra = 0;
      if (!v || std::sscanf(v->c_str(), "%lf,%lf%c", &lon, &lat, &extra) != 2) {
        return usage_error("--at needs LON,LAT (e.g. 133.64,35.10)");
      }
      body["at"] = {lon, lat};
    } else if (a == "--area") {
      const auto v = next();
      if (!v) return usage_error("--area needs an area id or code");
      body["area"] = *v;
    } else if (a == "--kind") {
      if (!push("kinds")) return usage_error("--kind needs a kind");
    } else if (a == "--task") {
      if (!push("tasks")) return usage_error("--task needs a tag");
    } else if (a == "--activity") {
      if (!push("activities")) return usage_error("--activity needs a code");
    } else if (a == "--available") {
      if (!push("availability")) return usage_error("--available needs a time such as 火曜の午前");
    } else if (a == "--max-walk-min" || a == "--limit") {
      const auto v = next();
      int n = 0;
      char extra = 0;
      if (!v || std::sscanf(v->c_str(), "%d%c", &n, &extra) != 1) {
        return usage_error(std::string(a) + " needs a whole number");
      }
      body[a == "--limit" ? "limit" : "max_walk_min"] = n;
    } else if (a == "--slow") {
      body["walking_profile"] = "slow";
    } else if (a == "--step-free") {
      body["step_free"] = true;
    } else if (a == "--short-hours") {
      body["short_hours"] = true;
    } else if (a == "--low-contact") {
      body["low_contact"] = true;
    } else if (a == "--companion") {
      body["companion"] = true;
    } else if (a == "--age-band") {
      const auto v = next();
      if (!v) return usage_error("--age-band needs a decade such as 50s");
      body["age_band"] = *v;
    } else if (a == "--json") {
      as_json = true;
    } else {
      return usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  if (!db) return usage_error("--db FILE is required");
  const geo::Store store = geo::Store::open(*db, geo::Store::Mode::read_only);
  const auto snapshot = geo::Snapshot::build(store);
  geo::MatchRequest request;
  try {
    request = geo::parse_match_request(body, *snapshot);
  } catch (const geo::InvalidArgument& e) {
    return usage_error(e.what());
  }
  const auto result = geo::match(*snapshot, geo::Audience::partners, request);
  const nlohmann::json out = geo::match_json(result);
  if (as_json) {
    std::puts(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s, %s (%d 分まで)%s\n",
              result.walking ? "徒歩ネットワークの道のり" : "直線距離×1.3（ネットワークなし）",
              request.profile == "slow" ? "ゆっくり 50 m/分" : "80 m/分", request.max_walk_min,
              result.note.empty() ? "" : ("\n  " + result.note).c_str());
  int rank = 0;
  for (const auto& c : out["candidates"]) {
    std::printf("%2d. %s（%s）  %d分 %ld m  score %.1f\n", ++rank,
                c["name"].get<std::string>().c_str(), c["kind_ja"].get<std::string>().c_str(),
                c["walk_min"].get<int>(), c["walk_m"].get<long>(), c["score"].get<double>());
    for (const auto& why : c["reasons"])
      std::printf("      - %s\n", why.get<std::string>().c_str());
  }
  if (!out["excluded"].empty()) std::printf("対象外:\n");
  for (const auto& e : out["excluded"]) {
    std::string why;
    for (const auto& w : e["reasons"]) why += (why.empty() ? "" : "、") + w.get<std::string>();
    std::printf("  - %s: %s\n", e["name"].get<std::string>().c_str(), why.c_str());
  }
  return 0;
}

}  // namespace tsunagi::cli
