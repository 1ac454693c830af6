// tsunagi audit: the audit log's hash chain (geo/store/sqlite/audit_log.hpp). `verify` recomputes
// every link and names the first broken one (exit 1); `head` prints the last link, to be kept
// somewhere the store's file cannot reach (a cut-off tail or a rewritten chain shows only against
// such a copy).
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/towns.hpp"
#include "geo/core/error.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/referrals.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi audit verify --db FILE\n"
    "       tsunagi audit head --db FILE\n"
    "       tsunagi audit list --db FILE [--user NAME] [--municipality CODE[,CODE…]] [--after ID]\n"
    "                          [--limit N]\n"
    "\n"
    "verify  recomputes the hash chain of the audit log (each row carries a BLAKE2b hash over\n"
    "        itself and the row before it) and prints \"N rows, chain intact\" (exit 0), or the\n"
    "        first row whose link is broken — changed, or after deleted rows (exit 1).\n"
    "head    prints the number of rows, the last row's id and its chain hash. Keep that line\n"
    "        outside the store (another machine, a ticket, paper): someone who can write the\n"
    "        store's file can cut off the newest rows or rewrite the whole chain, and only a\n"
    "        head kept elsewhere shows it.\n"
    "list    prints the entries after ID (default all, at most N, default 1000): id, time, user,\n"
    "        action, case, legal basis, the case's town, detail. With --municipality or --user "
    "(an\n"
    "        admin scoped to towns), only the entries of those towns' cases.\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi audit: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int audit(Args args) {
  if (args.empty()) return usage_error("say what to do: verify or head");
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::string action(args[0]);
  if (action != "verify" && action != "head" && action != "list") {
    return usage_error("unknown action '" + action + "' (verify, head or list)");
  }
  std::optional<std::string> db;
  std::optional<std::string> user;
  std::optional<std::string> towns;
  int after = 0;
  int limit = 1000;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool list_option =
        a == "--user" || a == "--municipality" || a == "--after" || a == "--limit";
    if (a != "--db" && !(action == "list" && list_option)) {
      return usage_error("unknown option '" + std::string(a) + "'");
    }
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a value");
    const std::string_view v = args[++i];
    if (a == "--db") {
      db = std::string(v);
    } else if (a == "--user") {
      user = std::string(v);
    } else if (a == "--municipality") {
      towns = std::string(v);
    } else {
      const auto n =
          parse_whole(v, a == "--after" ? 0 : 1, a == "--after" ? 2'000'000'000 : 100000);
      if (!n)
        return usage_error(std::string(a) + " takes a whole number (got '" + std::string(v) + "')");
      (a == "--after" ? after : limit) = *n;
    }
  }
  if (!db) return usage_error("--db FILE is required");
  if (action == "list") {
    auto store = geo::Store::open(*db, geo::Store::Mode::read_only);
    try {
      const geo::MunicipalScope scope = reader_scope(store, user, towns);
      for (const auto& e : store.referrals().audit(after, limit, scope)) {
        std::printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", static_cast<long long>(e.id),
                    e.at.c_str(), e.user_name.c_str(), e.action.c_str(),
                    e.case_id.empty() ? "-" : e.case_id.c_str(),
                    e.legal_basis.empty() ? "-" : e.legal_basis.c_str(),
                    e.municipality.empty() ? "-" : e.municipality.c_str(), e.detail.c_str());
      }
    } catch (const geo::Error& e) {
      std::fprintf(stderr, "tsunagi audit list: %s\n", e.what());
      return 2;
    }
    return 0;
  }
  // Read-only: checking the log never writes the store (an old store is refused with a message
  // to open it once read-write, which chains its rows).
  const auto store = geo::Store::open(*db, geo::Store::Mode::read_only);
  if (action == "head") {
    const auto head = geo::audit_head(store);
    std::printf("%lld rows, last row %lld, head %s\n", static_cast<long long>(head.rows),
                static_cast<long long>(head.last_id), head.hash.c_str());
    return 0;
  }
  const auto v = geo::verify_audit_log(store);
  if (!v.intact) {
    std::printf("%lld rows, chain BROKEN at row %lld: %s\n", static_cast<long long>(v.rows),
                static_cast<long long>(v.broken_id), v.problem.c_str());
    return 1;
  }
  std::printf("%lld rows, chain intact; last row %lld, head %s\n", static_cast<long long>(v.rows),
              static_cast<long long>(v.head.last_id), v.head.hash.c_str());
  return 0;
}

}  // namespace tsunagi::cli
