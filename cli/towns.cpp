#include "cli/towns.hpp"

#include <map>
#include <vector>

#include "geo/catalog/municipality_scope.hpp"
#include "geo/core/error.hpp"
#include "geo/store/accounts.hpp"

namespace tsunagi::cli {

geo::MunicipalScope towns_of(const geo::Store& store, const std::string& list) {
  std::vector<std::string> codes;
  try {
    codes = geo::parse_municipality_list(list);
  } catch (const geo::InvalidArgument& e) {
    throw geo::InvalidArgument(std::string("--") + e.what());
  }
  std::map<std::string, std::string, std::less<>> known;  // code → short name
  for (const auto& a : store.areas(geo::AreaKind::municipality)) {
    known[a.lg_code.empty() ? a.code : a.lg_code] = geo::municipality_short_name(a.name);
  }
  if (known.empty()) return geo::MunicipalScope(codes);  // no boundaries: the codes' form only
  for (const auto& code : codes) {
    if (known.contains(code)) continue;
    std::string towns;
    for (const auto& [c, n] : known) towns += (towns.empty() ? "" : ", ") + c + " " + n;
    throw geo::InvalidArgument("--municipality " + code +
                               " is not a municipality of this store; its towns are: " + towns);
  }
  return geo::MunicipalScope(codes);
}

geo::MunicipalScope reader_scope(geo::Store& store, const std::optional<std::string>& user,
                                 const std::optional<std::string>& municipality) {
  geo::MunicipalScope scope;
  if (user) {
    const auto u = store.accounts().user_by_name(*user);
    if (!u) throw geo::NotFound("--user: no user named '" + *user + "'");
    scope = u->municipalities;
  }
  if (!municipality) return scope;
  geo::MunicipalScope asked = towns_of(store, *municipality);
  if (!scope.covers(asked)) {
    throw geo::OutsideMunicipality("--municipality " + asked.text() +
                                       " is not within the towns of " + *user + " (" +
                                       scope.text() + ")",
                                   asked.text());
  }
  return asked;
}

}  // namespace tsunagi::cli
