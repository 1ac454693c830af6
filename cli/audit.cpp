// tsunagi audit: the audit log's hash chain (geo/store/sqlite/audit_log.hpp). `verify` recomputes
// every link and names the first broken one (exit 1); `head` prints the last link, to be kept
// somewhere the store's file cannot reach (a cut-off tail or a rewritten chain shows only against
// such a copy).
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "geo/store/audit_log.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi audit verify --db FILE\n"
    "       tsunagi audit head --db FILE\n"
    "\n"
    "verify  recomputes the hash chain of the audit log (each row carries a BLAKE2b hash over\n"
    "        itself and the row before it) and prints \"N rows, chain intact\" (exit 0), or the\n"
    "        first row whose link is broken — changed, or after deleted rows (exit 1).\n"
    "head    prints the number of rows, the last row's id and its chain hash. Keep that line\n"
    "        outside the store (another machine, a ticket, paper): someone who can write the\n"
    "        store's file can cut off the newest rows or rewrite the whole chain, and only a\n"
    "        head kept elsewhere shows it.\n";

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
  if (action != "verify" && action != "head") {
    return usage_error("unknown action '" + action + "' (verify or head)");
  }
  std::optional<std::string> db;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a != "--db") return usage_error("unknown option '" + std::string(a) + "'");
    if (i + 1 >= args.size()) return usage_error("--db needs a value");
    db = std::string(args[++i]);
  }
  if (!db) return usage_error("--db FILE is required");
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
