// tsunagi demo --db FILE [--seed N] [--as-of YYYY-MM-DD] [--force]: writes the fictional demo
// town つなぎ町（架空） into a store (creating it when missing) and prints what it wrote.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "datasets/demo_osm.hpp"
#include "datasets/demo_town.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

namespace {

constexpr std::string_view kUsage =
    "usage: tsunagi demo --db FILE [--seed N] [--as-of YYYY-MM-DD] [--force]\n"
    "       tsunagi demo --osm FILE.osm.pbf [--seed N]\n"
    "\n"
    "Generates つなぎ町（架空）, a fictional town in the Chugoku mountains: its boundary, ~40\n"
    "町丁 with population by 5-year age band, and ~150 resources of every kind. Everything is\n"
    "labelled fictional (licence \"fictional\", addresses ending in （架空）, phone numbers\n"
    "0867-00-xxxx, which can never be assigned).\n"
    "\n"
    "  --db FILE          the store; created when it does not exist\n"
    "  --seed N           the random seed (default 42); the same seed and date give the same town\n"
    "  --as-of DATE       the date the data pretends to be checked against (default: today, UTC);\n"
    "                     verified_at dates fall in the two years before it\n"
    "  --force            write into a store that already holds data: the demo's own rows are\n"
    "                     replaced, rows of other sources are kept\n"
    "  --osm FILE.osm.pbf write the town's map as OpenStreetMap data instead (streets, river,\n"
    "                     bridges, railway and station, names), for its basemap:\n"
    "                     tsunagi import --db FILE --basemap FILE.osm.pbf\n";

std::string today_utc() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{today};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

/// "12,002"
std::string grouped(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tsunagi demo: %s\n\n%.*s", message.c_str(), static_cast<int>(kUsage.size()),
               kUsage.data());
  return 2;
}

}  // namespace

int demo(Args args) {
  std::string db;
  datasets::DemoOptions options;
  options.as_of = today_utc();
  bool force = false;
  std::string osm;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%.*s", static_cast<int>(kUsage.size()), kUsage.data());
      return 0;
    }
    if (a == "--force") {
      force = true;
      continue;
    }
    if (a != "--db" && a != "--seed" && a != "--as-of" && a != "--osm") {
      return usage_error("unknown option '" + std::string(a) + "'");
    }
    if (i + 1 >= args.size()) return usage_error(std::string(a) + " needs a value");
    const std::string value(args[++i]);
    if (a == "--db") {
      db = value;
    } else if (a == "--osm") {
      osm = value;
    } else if (a == "--seed") {
      std::uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        return usage_error("--seed needs a whole number from 0 to 18446744073709551615, got '" +
                           value + "'");
      }
      options.seed = seed;
    } else {
      options.as_of = value;
    }
  }
  if (!osm.empty()) {
    if (!db.empty()) return usage_error("--osm writes the map only: give it without --db");
    try {
      const auto w = datasets::write_demo_osm(options, osm);
      std::printf("Wrote the demo town's map to %s: %llu nodes, %llu ways (fictional).\n",
                  osm.c_str(), static_cast<unsigned long long>(w.nodes),
                  static_cast<unsigned long long>(w.ways));
    } catch (const geo::Error& e) {
      std::fprintf(stderr, "tsunagi demo: %s\n", e.what());
      return 2;
    }
    return 0;
  }
  if (db.empty()) return usage_error("--db FILE is required");

  try {
    datasets::validate_demo_options(options);
  } catch (const geo::InvalidArgument& e) {
    return usage_error(std::string("--as-of: ") + e.what());
  }

  // Look before writing: a store that already holds data is only touched with --force.
  const bool existed = geo::Store::exists(db);
  std::size_t sources_before = 0;
  std::int64_t resources_before = 0;
  std::size_t areas_before = 0;
  std::int64_t demo_rows_before = 0;
  if (existed) {
    const geo::Store existing = geo::Store::open(db, geo::Store::Mode::read_only);
    const auto sources = existing.sources();
    sources_before = sources.size();
    resources_before = existing.resource_count();
    areas_before = existing.areas().size();
    for (const auto& s : sources) {
      if (s.key == datasets::kDemoSourceKey) {
        demo_rows_before = static_cast<std::int64_t>(existing.source_keys(s.id).size());
      }
    }
  }
  const bool has_data = resources_before > 0 || areas_before > 0 || sources_before > 0;
  if (has_data && !force) {
    std::fprintf(stderr,
                 "tsunagi demo: %s already holds data (%s resources, %zu areas, %zu source%s); "
                 "refusing to write the demo town into it.\n"
                 "Use --force to replace the demo town's own rows (source '%.*s'); rows of other "
                 "sources are kept. Or pass a new file to --db.\n",
                 db.c_str(), grouped(resources_before).c_str(), areas_before, sources_before,
                 sources_before == 1 ? "" : "s", static_cast<int>(datasets::kDemoSourceKey.size()),
                 datasets::kDemoSourceKey.data());
    return 2;
  }

  geo::Store store = geo::Store::open(db, geo::Store::Mode::create_if_missing);
  const datasets::DemoSummary s = datasets::generate_demo_town(store, options);

  std::printf("Generated the demo town %s into %s (%s).\n", s.town_name.c_str(), db.c_str(),
              !existed   ? "new store"
              : has_data ? "replacing the demo's own rows"
                         : "empty store");
  std::printf(
      "  seed %llu, as of %s. Everything in it is fictional: names, addresses, phone "
      "numbers.\n",
      static_cast<unsigned long long>(options.seed), options.as_of.c_str());
  if (has_data) {
    const std::int64_t others = resources_before - demo_rows_before;
    if (others > 0) {
      std::printf("  kept %s resources of other sources; the demo's rows were updated in place.\n",
                  grouped(others).c_str());
    } else {
      std::printf("  the demo's rows were updated in place.\n");
    }
  }
  std::printf("  areas:      1 town boundary + %d 町丁 (small areas)\n", s.chome_count);
  const double aged = s.population > 0 ? 100.0 * static_cast<double>(s.population_65plus) /
                                             static_cast<double>(s.population)
                                       : 0.0;
  std::printf("  population: %s (65歳以上 %.1f%%), %s households\n", grouped(s.population).c_str(),
              aged, grouped(s.households).c_str());
  std::printf("  resources:  %d (%d new, %d updated, %d unchanged", s.resources, s.inserted,
              s.updated, s.unchanged);
  if (s.closed_leftovers > 0) {
    std::printf(", %d left over from an older demo closed", s.closed_leftovers);
  }
  std::printf(")\n");
  for (const auto& [kind, count] : s.resources_per_kind) {
    const std::string_view id = geo::code_id(kind);
    const std::string_view ja = geo::code_ja(kind);
    std::printf("    %-30.*s %4d  %.*s\n", static_cast<int>(id.size()), id.data(), count,
                static_cast<int>(ja.size()), ja.data());
  }
  return 0;
}

}  // namespace tsunagi::cli
