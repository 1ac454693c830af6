// tsunagi migrate: copies a store whole into a new or empty store of any backend — typically an
// SQLite file into PostgreSQL when one machine is no longer enough — then reads both back and
// compares every table's rows and checksum (geo/store/copy.hpp).
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "geo/core/error.hpp"
#include "geo/store/copy.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi migrate --from STORE --to STORE\n"
    "\n"
    "Copies the store at --from (sqlite:FILE, FILE or postgresql://…) whole — resources with "
    "their\n"
    "history, areas, statistics, the walking network, accounts, cases with their audit log,\n"
    "confirmations and jobs, ids and times as they are — into the new or empty store at --to, in\n"
    "one transaction, then compares each table's row count and checksum on both sides and prints\n"
    "them. A target that already holds data is refused; a copy that differs is discarded.\n"
    "\n"
    "  tsunagi migrate --from var/city.sqlite --to postgresql://tsunagi@db.example/tsunagi\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi migrate: %s\n\n%s", message.c_str(), kUsage);
  return 2;
}

}  // namespace

int migrate(Args args) {
  std::optional<std::string> from;
  std::optional<std::string> to;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a != "--from" && a != "--to") return usage_error("unknown option '" + std::string(a) + "'");
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a store");
    (a == "--from" ? from : to) = std::string(args[++i]);
  }
  if (!from || !to) return usage_error("give both --from and --to");
  if (*from == *to) return usage_error("--from and --to name the same store");
  try {
    const auto report = geo::copy_store(*from, *to);
    std::int64_t total = 0;
    for (const auto& t : report) {
      std::printf("%-22s %9lld rows  checksum %016llx  same\n", t.table.c_str(),
                  static_cast<long long>(t.rows_to),
                  static_cast<unsigned long long>(t.checksum_to));
      total += t.rows_to;
    }
    std::printf("copied %lld rows in %zu tables; every table's rows and checksum match\n",
                static_cast<long long>(total), report.size());
    return 0;
  } catch (const geo::Error& e) {
    std::fprintf(stderr, "tsunagi migrate: %s\n", e.what());
    return 1;
  }
}

}  // namespace tsunagi::cli
