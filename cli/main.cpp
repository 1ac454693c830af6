// tsunagi: the one program. Thin: parses the subcommand and hands over to cli/<name>.cpp.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace {

struct Command {
  std::string_view name;
  int (*run)(tsunagi::cli::Args);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"serve", tsunagi::cli::serve, "serve the map, the API and OGC API Features over HTTP"},
    {"import", tsunagi::cli::import, "import resource lists and boundaries into a store"},
    {"export", tsunagi::cli::export_, "export resources as CSV (Excel), GeoJSON or GeoPackage"},
    {"match", tsunagi::cli::match,
     "参加支援: placements a person can walk to, ranked (as POST /api/match)"},
    {"referrals", tsunagi::cli::referrals,
     "参加支援 referrals: purge those past the retention period"},
    {"audit", tsunagi::cli::audit,
     "the audit log's hash chain: verify it, or print its head to keep elsewhere"},
    {"confirm", tsunagi::cli::confirm,
     "ask hosts to confirm their listings: links, codes and a mail-merge CSV"},
    {"report", tsunagi::cli::report,
     "a town's annual report (事業報告) as CSV or A4 PDF, counts under 5 suppressed"},
    {"gap", tsunagi::cli::gap,
     "access (2SFCA family) and siting (MCLP, p-median) from cost and demand files"},
    {"demo", tsunagi::cli::demo, "generate the fictional demo town into a store"},
    {"user", tsunagi::cli::user, "manage accounts and API tokens"},
    {"migrate", tsunagi::cli::migrate,
     "copy a store whole into another (SQLite to PostgreSQL), verified table by table"},
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "tsunagi — community resources, need and access for 重層的支援体制整備事業\n\n"
               "usage: tsunagi <command> [options]\n\ncommands:\n");
  for (const auto& c : kCommands) {
    std::fprintf(out, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "\n'tsunagi <command> --help' describes a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    usage(stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("tsunagi 0.1.0\n");
    return 0;
  }
  for (const auto& c : kCommands) {
    if (c.name == args[0]) {
      try {
        return c.run(tsunagi::cli::Args(args).subspan(1));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "tsunagi %.*s: %s\n", static_cast<int>(c.name.size()), c.name.data(),
                     e.what());
        return 2;
      }
    }
  }
  std::fprintf(stderr, "tsunagi: unknown command '%.*s'\n\n", static_cast<int>(args[0].size()),
               args[0].data());
  usage(stderr);
  return 2;
}
