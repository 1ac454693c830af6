// tsunagi referrals: the retention of 参加支援 referrals. `purge` deletes referrals that reached
// a final status (終了, 本人辞退, 受入れ不可) more than N days ago, with their history; the audit
// log keeps one entry per purged case (its pseudonymous id and legal basis, no content).
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi referrals purge --db FILE --older-than-days N\n"
    "\n"
    "Deletes referrals that ended or were declined more than N days ago (the retention period),\n"
    "with their status history, and reports how many. Referrals still under way are kept. The\n"
    "audit log records each purge (case id and legal basis only) and is never purged.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi referrals: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int referrals(Args args) {
  if (args.empty()) return usage_error("say what to do: purge");
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] != "purge") return usage_error("unknown action '" + std::string(args[0]) + "'");
  std::optional<std::string> db;
  std::optional<int> days;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a value");
    const std::string_view v = args[++i];
    if (a == "--db") {
      db = std::string(v);
    } else if (a == "--older-than-days") {
      int n = 0;
      const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || ptr != v.data() + v.size() || n < 0) {
        return usage_error("--older-than-days must be a whole number of days, 0 or more (got '" +
                           std::string(v) + "')");
      }
      days = n;
    } else {
      return usage_error("unknown option '" + std::string(a) + "'");
    }
  }
  if (!db) return usage_error("--db FILE is required");
  if (!days) return usage_error("--older-than-days N is required (the retention period)");
  auto store = geo::Store::open(*db, geo::Store::Mode::open_existing);
  const auto report = store.referrals().purge(*days, {0, "cli:referrals purge"});
  std::printf("purged %d referral(s) final before %s (retention %d days): %d ended, %d declined\n",
              report.purged, report.cutoff.c_str(), *days, report.ended, report.declined);
  return 0;
}

}  // namespace tsunagi::cli
