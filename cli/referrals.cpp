// tsunagi referrals: the retention of 参加支援 referrals. `purge` deletes referrals that reached
// a final status (終了, 本人辞退, 受入れ不可) more than N days ago, with their history; the audit
// log keeps one entry per purged case (its pseudonymous id and legal basis, no content).
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
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
  return cli::usage_error("referrals", message, kUsage);
}

}  // namespace

int referrals(Args args) {
  std::optional<std::string> db;
  std::optional<int> days;
  const auto done = read_action_options(
      args, "referrals", "purge", kUsage,
      [&](std::string_view a, std::string_view v) -> std::string {
        if (a == "--db") {
          db = std::string(v);
        } else if (a == "--older-than-days") {
          days = parse_whole(v, 0, std::numeric_limits<int>::max());
          if (!days) {
            return "--older-than-days must be a whole number of days, 0 or more (got '" +
                   std::string(v) + "')";
          }
        } else {
          return "unknown option '" + std::string(a) + "'";
        }
        return {};
      });
  if (done) return *done;
  if (!db) return usage_error("--db FILE is required");
  if (!days) return usage_error("--older-than-days N is required (the retention period)");
  auto store = geo::Store::open(*db, geo::Store::Mode::open_existing);
  const auto report = store.referrals().purge(*days, {0, "cli:referrals purge"});
  std::printf("purged %d referral(s) final before %s (retention %d days): %d ended, %d declined\n",
              report.purged, report.cutoff.c_str(), *days, report.ended, report.declined);
  return 0;
}

}  // namespace tsunagi::cli
