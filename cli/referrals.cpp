// tsunagi referrals: the retention of 参加支援 referrals, and the list of a town's cases. `list`
// prints the cases a user (or, without --user, the command line) reaches, one line each without
// their content (each one is audited as read); `purge` deletes referrals that reached
// a final status (終了, 本人辞退, 受入れ不可) more than N days ago, with their history; the audit
// log keeps one entry per purged case (its pseudonymous id and legal basis, no content).
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/towns.hpp"
#include "geo/core/error.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi referrals purge --db FILE --older-than-days N\n"
    "       tsunagi referrals list --db FILE [--user NAME] [--municipality CODE[,CODE…]]\n"
    "\n"
    "list: the cases of the towns named (the person's town, or the placement's: then marked\n"
    "host), within the towns of --user when given (a user scoped to towns reads only theirs);\n"
    "case id, status, the person's town, the placement's town, the placement. Audited.\n"
    "\n"
    "Deletes referrals that ended or were declined more than N days ago (the retention period),\n"
    "with their status history, and reports how many. Referrals still under way are kept. The\n"
    "audit log records each purge (case id and legal basis only) and is never purged.\n";

int usage_error(const std::string& message) {
  return cli::usage_error("referrals", message, kUsage);
}

int list_referrals(Args args) {
  std::optional<std::string> db;
  std::optional<std::string> user;
  std::optional<std::string> towns;
  const auto done = read_action_options(args, "referrals", "list", kUsage,
                                        [&](std::string_view a, std::string_view v) -> std::string {
                                          if (a == "--db") {
                                            db = std::string(v);
                                          } else if (a == "--user") {
                                            user = std::string(v);
                                          } else if (a == "--municipality") {
                                            towns = std::string(v);
                                          } else {
                                            return "unknown option '" + std::string(a) + "'";
                                          }
                                          return {};
                                        });
  if (done) return *done;
  if (!db) return usage_error("--db FILE is required");
  auto store = geo::Store::open(*db, geo::Store::Mode::open_existing);
  try {
    const geo::MunicipalScope scope = reader_scope(store, user, towns);
    const geo::AuditActor who{0, "cli:referrals list" + (user ? " (as " + *user + ")" : ""), scope};
    const auto list = store.referrals().list({}, who);
    std::printf("%-20s %-20s %-8s %-8s %-6s %s\n", "case_id", "status", "town", "host", "view",
                "placement");
    for (const auto& r : list) {
      std::printf("%-20s %-20s %-8s %-8s %-6s %s\n", r.case_id.c_str(),
                  std::string(geo::code_id(r.status)).c_str(),
                  r.municipality.empty() ? "-" : r.municipality.c_str(),
                  r.host_municipality.empty() ? "-" : r.host_municipality.c_str(),
                  scope.covers(r.municipality) ? "case" : "host", r.resource_id.c_str());
    }
    std::printf("%zu referral(s)\n", list.size());
  } catch (const geo::Error& e) {
    std::fprintf(stderr, "tsunagi referrals list: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

int referrals(Args args) {
  if (!args.empty() && args[0] == "list") return list_referrals(args);
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
