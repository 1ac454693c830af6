// tsunagi confirm request: asks the hosts of listings that have not been confirmed for a while to
// confirm them (geo/confirmation.hpp). Each gets a new link and short code (a listing's open
// request is revoked); the links are shown once, in a mail-merge CSV for the letters — they are
// stored only as hashes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/letters.hpp"
#include "cli/options.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/csv.hpp"
#include "geo/store/confirmation.hpp"
#include "geo/store/store.hpp"
#include "server/confirmation_links.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi confirm request --db FILE --base-url URL [--out LETTERS.pdf] [--csv FILE]\n"
    "                               [--older-than-days N] [--kind KIND] [--valid-days D]\n"
    "\n"
    "Makes a confirmation request for every listing (not closed) whose last confirmation\n"
    "(verified_at, else its creation) is N days old or more (default 365; 0: all), of one\n"
    "kind when --kind is given. Each host gets a link (URL/c/TOKEN) and a short code to type\n"
    "in at URL/c, valid for D days (default 60); a listing's earlier open request stops\n"
    "working.\n"
    "\n"
    "--base-url  the address hosts reach the server at, e.g. https://map.city.example.lg.jp\n"
    "--out       the letters: one A4 page per listing with the listing as the map shows it, a\n"
    "            QR code of its link, its code and a reply form to fill in by hand\n"
    "--csv       the mail-merge file (UTF-8 with BOM, for Excel/Word): resource_id, name, kind,\n"
    "            address, url, code, expires_at.\n"
    "At least one of --out and --csv. The links are in no other place: keep the files as safe\n"
    "as the letters, and delete them after printing.\n";

int usage_error(const std::string& message) {
  return cli::usage_error("confirm", message, kUsage);
}

}  // namespace

int confirm(Args args) {
  std::optional<std::string> db;
  std::optional<std::string> base_url;
  std::optional<std::filesystem::path> csv_path;
  std::optional<std::filesystem::path> pdf_path;
  int older_than = 365;
  int valid_days = server::kConfirmationValidDays;
  std::optional<geo::ResourceKind> kind;
  const auto done = read_action_options(
      args, "confirm", "request", kUsage,
      [&](std::string_view a, std::string_view v) -> std::string {
        if (a == "--db") {
          db = std::string(v);
        } else if (a == "--base-url") {
          base_url = std::string(v);
          while (!base_url->empty() && base_url->back() == '/') base_url->pop_back();
          if (!base_url->starts_with("http://") && !base_url->starts_with("https://")) {
            return "--base-url must start with https:// (or http://), not '" + std::string(v) + "'";
          }
        } else if (a == "--out") {
          pdf_path = std::filesystem::path(std::string(v));
        } else if (a == "--csv") {
          csv_path = std::filesystem::path(std::string(v));
        } else if (a == "--older-than-days") {
          const auto n = parse_whole(v, 0, 36500);
          if (!n) return "--older-than-days must be a whole number from 0 to 36500";
          older_than = *n;
        } else if (a == "--valid-days") {
          const auto n = parse_whole(v, 1, 365);
          if (!n) {
            return "--valid-days must be a whole number of days from 1 to 365, not '" +
                   std::string(v.substr(0, 40)) + "'";
          }
          valid_days = *n;
        } else if (a == "--kind") {
          kind = geo::parse_code<geo::ResourceKind>(v);
          if (!kind) return "unknown --kind '" + std::string(v) + "' (see /api/meta for the kinds)";
        } else {
          return "unknown option '" + std::string(a) + "'";
        }
        return {};
      });
  if (done) return *done;
  if (!db) return usage_error("--db FILE is required");
  if (!base_url) return usage_error("--base-url URL is required (where hosts reach the server)");
  if (!csv_path && !pdf_path) {
    return usage_error(
        "--out LETTERS.pdf or --csv FILE is required (the links are shown only there)");
  }

  auto store = geo::Store::open(*db);
  const auto listings =
      store.confirmations().unconfirmed_since(server::date_in_japan(older_than), kind);
  // Written to temporary files first, and the requests made (all in one transaction) only once
  // they are written: a failure leaves neither half-written files nor requests without links.
  const std::string expires_at = server::confirmation_expiry(valid_days);
  std::vector<geo::Confirmations::NewRequest> requests;
  std::vector<Letter> letters;
  requests.reserve(listings.size());
  letters.reserve(listings.size());
  std::string text(geo::csv::kBom);
  geo::csv::append_row(text,
                       {"resource_id", "name", "kind", "address", "url", "code", "expires_at"});
  for (const auto& r : listings) {
    const auto secret = server::new_confirmation_secret();
    requests.push_back({r.id, secret.token_hash, secret.code_hash});
    const std::string url = *base_url + "/c/" + secret.token;
    geo::csv::append_row(
        text, {r.id, r.name, geo::code_ja(r.kind), r.address, url, secret.code, expires_at});
    letters.push_back({r, url, *base_url + "/c", secret.code, expires_at});
  }
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> written;  // tmp → final
  auto discard = [&] {
    for (const auto& [tmp, final_path] : written) std::filesystem::remove(tmp);
  };
  try {
    if (csv_path) {
      const std::filesystem::path tmp = csv_path->string() + ".tmp";
      written.emplace_back(tmp, *csv_path);
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) throw std::runtime_error("writing " + tmp.string() + " failed (disk full?)");
    }
    if (pdf_path) {
      const std::filesystem::path tmp = pdf_path->string() + ".tmp";
      written.emplace_back(tmp, *pdf_path);
      write_letters_pdf(tmp, letters);
    }
    store.confirmations().add_requests(requests, expires_at, {0, "cli:confirm request"});
  } catch (...) {
    discard();  // no request made: the files' links would not work
    throw;
  }
  for (const auto& [tmp, final_path] : written) std::filesystem::rename(tmp, final_path);
  std::printf("%zu confirmation requests made%s%s%s%s\n", listings.size(),
              pdf_path ? "; letters: " : "", pdf_path ? pdf_path->string().c_str() : "",
              csv_path ? "; mail merge: " : "", csv_path ? csv_path->string().c_str() : "");
  return 0;
}

}  // namespace tsunagi::cli
