// tsunagi user: accounts and API tokens. Passwords come from TSUNAGI_PASSWORD or a prompt with
// echo off, never from the command line (it would land in shell history and `ps`).
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/towns.hpp"
#include "geo/core/error.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/store/accounts.hpp"
#include "geo/store/store.hpp"
#include "server/credentials.hpp"

namespace tsunagi::cli {

namespace {

constexpr const char* kUsage =
    "usage: tsunagi user add      --db FILE --name NAME --role ROLE [--municipality CODE[,CODE…]]\n"
    "       tsunagi user municipalities --db FILE --name NAME (--municipality CODE[,CODE…] | "
    "--all)\n"
    "       tsunagi user token    --db FILE --name NAME [--label TEXT]\n"
    "       tsunagi user tokens   --db FILE --name NAME   (id, label, created, last used, "
    "revoked)\n"
    "       tsunagi user revoke   --db FILE --name NAME --token-id N\n"
    "       tsunagi user list     --db FILE\n"
    "       tsunagi user disable  --db FILE --name NAME\n"
    "       tsunagi user enable   --db FILE --name NAME\n"
    "       tsunagi user password --db FILE --name NAME   (sets a new password, unlocks)\n"
    "       tsunagi user role     --db FILE --name NAME --role ROLE\n"
    "A new password, a new role or disabling ends the user's sessions and API tokens.\n"
    "--municipality: the towns the user works for (6-digit 全国地方公共団体コード, e.g. 023612;\n"
    "one of the store's municipalities when it has their boundaries); without it, every town.\n\n"
    "Roles: coordinator, matcher, planner, admin. The password is read from TSUNAGI_PASSWORD or\n"
    "asked for on the terminal (never give it as an argument).\n";

// Reads a line from the terminal without echo.
std::optional<std::string> prompt_hidden(const char* prompt) {
  if (isatty(STDIN_FILENO) == 0) return std::nullopt;
  std::fputs(prompt, stderr);
  std::fflush(stderr);
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::fputs("\n", stderr);
  return line;
}

std::string read_new_password() {
  if (const char* env = std::getenv("TSUNAGI_PASSWORD"); env != nullptr && *env != '\0') {
    server::check_new_password(env);
    return env;
  }
  const auto first = prompt_hidden("password: ");
  if (!first) {
    throw geo::InvalidArgument(
        "no password: set TSUNAGI_PASSWORD or run on a terminal to be asked for one");
  }
  server::check_new_password(*first);
  const auto second = prompt_hidden("password again: ");
  if (!second || *second != *first) throw geo::InvalidArgument("the two passwords differ");
  return *first;
}

std::string towns_text(const geo::MunicipalScope& s) {
  return s.all() ? std::string("all towns") : s.text();
}

}  // namespace

int user(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string_view action = args[0];
  std::map<std::string, std::string, std::less<>> opts;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if ((a == "--db" || a == "--name" || a == "--role" || a == "--label" || a == "--token-id" ||
         a == "--municipality") &&
        i + 1 < args.size()) {
      opts[std::string(a.substr(2))] = std::string(args[++i]);
    } else if (a == "--all") {
      opts["all"] = "yes";
    } else {
      std::fprintf(stderr, "tsunagi user: unexpected argument '%.*s'\n\n%s",
                   static_cast<int>(a.size()), a.data(), kUsage);
      return 2;
    }
  }
  auto need = [&](const char* key) -> const std::string& {
    const auto it = opts.find(key);
    if (it == opts.end() || it->second.empty()) {
      throw geo::InvalidArgument(std::string("--") + key +
                                 " is required (see 'tsunagi user --help')");
    }
    return it->second;
  };

  try {
    const std::string& db = need("db");
    if (action == "add") {
      const std::string& name = need("name");
      const auto role = geo::parse_role(need("role"));
      if (!role || *role == geo::Role::public_) {
        throw geo::InvalidArgument("--role must be one of " + geo::assignable_role_ids());
      }
      geo::Accounts::validate_name(name);
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      geo::Accounts& accounts = store.accounts();
      if (accounts.user_by_name(name)) {
        throw geo::Conflict("a user named '" + name + "' already exists");
      }
      geo::MunicipalScope towns;
      if (const auto it = opts.find("municipality"); it != opts.end()) {
        towns = towns_of(store, it->second);
      }
      const std::string hash =
          server::hash_password(read_new_password(), server::password_cost_from_env());
      geo::Store::Transaction tx(store, geo::Store::Transaction::Writes::accounts);
      const auto u = accounts.add_user(name, *role, hash);
      if (!towns.all()) accounts.set_municipalities(name, towns);
      tx.commit();
      std::printf("added user %s (role %s, %s)\n", u.name.c_str(),
                  std::string(geo::role_id(u.role)).c_str(), towns_text(towns).c_str());
      return 0;
    }
    if (action == "municipalities") {
      const std::string& name = need("name");
      const bool all = opts.contains("all");
      if (all == opts.contains("municipality")) {
        throw geo::InvalidArgument(
            "give either --municipality CODE[,CODE…] or --all (every town), one of them");
      }
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      const geo::MunicipalScope towns =
          all ? geo::MunicipalScope() : towns_of(store, need("municipality"));
      store.accounts().set_municipalities(name, towns);
      std::printf("user %s now works for %s (a running server applies it within 30 s)\n",
                  name.c_str(), towns_text(towns).c_str());
      return 0;
    }
    if (action == "token") {
      const std::string& name = need("name");
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      geo::Accounts& accounts = store.accounts();
      const auto u = accounts.user_by_name(name);
      if (!u) throw geo::NotFound("no user named '" + name + "'");
      if (u->disabled) throw geo::InvalidArgument("user '" + name + "' is disabled");
      const std::string token = server::random_token("tsu_");
      const auto it = opts.find("label");
      accounts.add_token(name, server::sha256_hex(token), it == opts.end() ? "" : it->second);
      // The only time the token is shown: only its hash is stored.
      std::printf("%s\n", token.c_str());
      std::fprintf(stderr,
                   "token for %s (role %s) printed above; it is shown only once. Use it as\n"
                   "  Authorization: Bearer <token>\n",
                   name.c_str(), std::string(geo::role_id(u->role)).c_str());
      return 0;
    }
    if (action == "tokens") {
      const std::string& name = need("name");
      auto store = geo::Store::open(db, geo::Store::Mode::read_only);
      geo::Accounts& accounts = store.accounts();
      const auto u = accounts.user_by_name(name);
      if (!u) throw geo::NotFound("no user named '" + name + "'");
      // Last use is stamped at most every 30 s per token (the server's authentication cache).
      std::printf("%-6s %-20s %-20s %-20s %s\n", "id", "label", "created", "last used", "revoked");
      for (const auto& t : accounts.tokens(u->id)) {
        std::printf("%-6lld %-20s %-20s %-20s %s\n", static_cast<long long>(t.id), t.label.c_str(),
                    t.created_at.c_str(), t.last_used_at.empty() ? "never" : t.last_used_at.c_str(),
                    t.revoked_at.empty() ? "-" : t.revoked_at.c_str());
      }
      return 0;
    }
    if (action == "revoke") {
      const std::string& name = need("name");
      const std::string& id_text = need("token-id");
      std::int64_t id = 0;
      const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
      if (ec != std::errc{} || end != id_text.data() + id_text.size() || id <= 0) {
        throw geo::InvalidArgument(
            "--token-id must be a token's number from `tsunagi user "
            "tokens`, not '" +
            id_text + "'");
      }
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      store.accounts().revoke_token(name, id);
      std::printf("revoked token %lld of %s (a running server refuses it within 30 s)\n",
                  static_cast<long long>(id), name.c_str());
      return 0;
    }
    if (action == "list") {
      auto store = geo::Store::open(db, geo::Store::Mode::read_only);
      geo::Accounts& accounts = store.accounts();
      std::printf("%-24s %-12s %-9s %-8s %-20s %s\n", "name", "role", "status", "tokens", "created",
                  "towns");
      for (const auto& u : accounts.users()) {
        int live = 0;
        for (const auto& t : accounts.tokens(u.id)) live += t.revoked_at.empty() ? 1 : 0;
        const bool locked = !u.locked_until.empty() && u.locked_until > geo::utc_now_iso();
        std::printf("%-24s %-12s %-9s %-8d %-20s %s\n", u.name.c_str(),
                    std::string(geo::role_id(u.role)).c_str(),
                    u.disabled ? "disabled" : (locked ? "locked" : "active"), live,
                    u.created_at.c_str(), towns_text(u.municipalities).c_str());
      }
      return 0;
    }
    if (action == "disable" || action == "enable") {
      const std::string& name = need("name");
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      store.accounts().set_disabled(name, action == "disable");
      std::printf("%s user %s\n", action == "disable" ? "disabled" : "enabled", name.c_str());
      return 0;
    }
    if (action == "role") {
      const std::string& name = need("name");
      const auto role = geo::parse_role(need("role"));
      if (!role || *role == geo::Role::public_) {
        throw geo::InvalidArgument("--role must be one of " + geo::assignable_role_ids());
      }
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      store.accounts().set_role(name, *role);
      std::printf("user %s now has the role %s; their sessions and tokens were ended\n",
                  name.c_str(), std::string(geo::role_id(*role)).c_str());
      return 0;
    }
    if (action == "password") {
      const std::string& name = need("name");
      auto store = geo::Store::open(db, geo::Store::Mode::open_existing);
      geo::Accounts& accounts = store.accounts();
      if (!accounts.user_by_name(name)) throw geo::NotFound("no user named '" + name + "'");
      accounts.set_password_hash(
          name, server::hash_password(read_new_password(), server::password_cost_from_env()));
      std::printf("new password set for %s (failed-login lock cleared)\n", name.c_str());
      return 0;
    }
    std::fprintf(stderr, "tsunagi user: unknown action '%.*s'\n\n%s",
                 static_cast<int>(action.size()), action.data(), kUsage);
    return 2;
  } catch (const geo::Error& e) {
    std::fprintf(stderr, "tsunagi user %.*s: %s\n", static_cast<int>(action.size()), action.data(),
                 e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "tsunagi user %.*s: %s\n", static_cast<int>(action.size()), action.data(),
                 e.what());
    return 2;
  }
}

}  // namespace tsunagi::cli
