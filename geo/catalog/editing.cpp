#include "geo/catalog/editing.hpp"

#include "geo/catalog/municipality_scope.hpp"
#include "geo/catalog/visibility.hpp"
#include "geo/core/code_lists.hpp"
#include "geo/core/error.hpp"
#include "geo/core/resource_fields.hpp"

namespace tsunagi::geo {

namespace {

/// A resource the editor may not see is reported exactly like one that does not exist.
[[noreturn]] void not_found(std::string_view id) {
  throw NotFound("no resource with id '" + std::string(id.substr(0, 80)) +
                 "' (or it is not visible to your role)");
}

Resource visible_current(const Store& store, Audience a, std::string_view id) {
  auto current = store.resource(id);
  if (!current || !visible(a, *current)) not_found(id);
  return std::move(*current);
}

/// @throws Forbidden naming the fields `who` changed and may not edit (the field table says who
/// edits each).
void check_fields_editable(const Editor& who, const Resource& before, const Resource& after) {
  const std::string refused = fields_not_editable(who.role, before, after);
  if (refused.empty()) return;
  throw Forbidden("the role '" + std::string(role_id(who.role)) + "' may not change " + refused +
                  " (GET /api/fields says which fields it may edit)");
}

}  // namespace

std::vector<std::string> resource_towns(const AreaLayer* towns, const Resource& r) {
  std::vector<std::string> out;
  if (!r.lg_code.empty()) out.push_back(r.lg_code);
  if (towns != nullptr) {
    const std::string at = municipality_at(*towns, r.lon, r.lat);
    if (!at.empty() && at != r.lg_code) out.push_back(at);
  }
  return out;
}

void check_towns(const Editor& who, const Resource& r) {
  if (who.scope.all()) return;
  const auto towns = resource_towns(who.towns, r);
  if (towns.empty()) {
    throw OutsideMunicipality(
        "the resource " + r.name.substr(0, 80) +
            " has no municipality (no lg_code, and no boundary of this "
            "server holds its point): it is outside the towns you work for (" +
            who.scope.text() + ")",
        "");
  }
  for (const auto& t : towns) {
    if (who.scope.covers(t)) continue;
    std::string name = t;
    if (who.towns != nullptr) {
      for (const auto& m : municipalities(*who.towns)) {
        if (m.lg_code == t) name = m.short_name + " (" + t + ")";
      }
    }
    throw OutsideMunicipality("the resource " + r.name.substr(0, 80) + " is in " + name +
                                  ", outside the towns you work for (" + who.scope.text() + ")",
                              t);
  }
}

void check_publish_level(const Editor& who, const Resource& r) {
  if (!levels_for(audience_for(who.role)).contains(r.publish)) {
    throw Forbidden("the role '" + std::string(role_id(who.role)) +
                    "' may not create or keep a resource at publish level '" +
                    std::string(code_id(r.publish)) + "'");
  }
}

Resource create_resource(Store& store, const Editor& who, Resource r) {
  check_publish_level(who, r);
  check_fields_editable(who, Resource{}, r);
  if (r.lg_code.empty() && who.towns != nullptr) {
    r.lg_code = municipality_at(*who.towns, r.lon, r.lat);  // the boundary holding the point
  }
  check_towns(who, r);
  r.id.clear();
  r.source_id = 0;
  r.source_key.clear();
  store.create(r, who.name);
  return r;
}

Resource update_resource(Store& store, const Editor& who, std::string_view id, Resource r,
                         std::optional<std::int64_t> expected_version) {
  if (!r.id.empty() && r.id != id) {
    throw InvalidArgument("the body's id '" + r.id.substr(0, 80) +
                          "' differs from the id of the resource edited");
  }
  check_publish_level(who, r);
  const Audience a = audience_for(who.role);
  const Resource current = visible_current(store, a, id);
  keep_unseen(a, current, r);
  check_fields_editable(who, current, r);
  check_towns(who, current);  // the town it is in now…
  check_towns(who, r);        // …and the one it would be in: a move across the border needs both
  r.id = std::string(id);
  r.source_id = current.source_id;
  r.source_key = current.source_key;
  r.created_at = current.created_at;
  store.update(r, expected_version.value_or(current.version), who.name);
  return r;
}

Resource close_resource(Store& store, const Editor& who, std::string_view id,
                        std::optional<std::int64_t> expected_version) {
  const Resource current = visible_current(store, audience_for(who.role), id);
  check_towns(who, current);
  return store.close(id, expected_version.value_or(current.version), who.name);
}

std::vector<HistoryEntry> resource_history(const Store& store, Role role, std::string_view id) {
  const Audience a = audience_for(role);
  const Resource current = visible_current(store, a, id);
  // What the reader may know now decides what is shown of the past.
  return project_history(a, current, store.history(id));
}

}  // namespace tsunagi::geo
