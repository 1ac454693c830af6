// Editing a resource by hand, whatever the door — the HTTP API today, a host's self-service next:
// the rules every edit obeys, in one place and free of any transport.
//
//   - publish level: a role creates or keeps a resource only at a level its audience knows;
//   - fields: a role changes only the fields the field table lets it edit
//   (geo/core/resource_fields);
//   - visibility: a resource the editor may not see is not found (never "forbidden", which would
//     say that it exists);
//   - keep-unseen: what the editor's audience may not see (an internal note, a partner's field) is
//     kept as stored, not wiped by a body that could not contain it;
//   - towns: an editor scoped to towns (geo/core/municipal_scope) creates, edits and closes only
//     inside them — the town of a resource is its lg_code, and where municipality boundaries are
//     loaded also the town whose boundary holds its point (a new resource without lg_code takes
//     it), so that a move across the border is refused for both the old and the new town;
//   - provenance: the source and the row's key in it are not editable, so that a later re-import
//     still finds the row; the creation time is the store's.
//
// Every write is one store transaction with its history entry naming the editor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/catalog/snapshot.hpp"
#include "geo/core/audience.hpp"
#include "geo/core/municipal_scope.hpp"
#include "geo/core/resource.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo {

/// Who edits: the role decides what they see and may write; the name goes into the history.
struct Editor {
  Editor() = default;
  Editor(Role r, std::string who, MunicipalScope in = {}, const AreaLayer* boundaries = nullptr)
      : role(r), name(std::move(who)), scope(std::move(in)), towns(boundaries) {}
  Role role = Role::public_;
  std::string name;
  /// The towns the editor works for (every town by default).
  MunicipalScope scope;
  /// The municipality boundaries of the store (may be null: then the lg_code alone says a
  /// resource's town). Not owned.
  const AreaLayer* towns = nullptr;
};

/// The towns of a resource as the edit rule reads them: its lg_code, and the town whose boundary
/// holds its point when `towns` has one (either may be missing; both when they differ).
[[nodiscard]] std::vector<std::string> resource_towns(const AreaLayer* towns, const Resource& r);

/// @throws OutsideMunicipality when `who` is scoped and a town of `r` (or `r` having no town) is
/// outside their towns; the message names the town.
void check_towns(const Editor& who, const Resource& r);

/// @throws Forbidden when `who` may not write a resource at `r`'s publish level.
void check_publish_level(const Editor& who, const Resource& r);

/// A new resource from `r` (its id, source and key are the store's to give); without an lg_code it
/// takes the town whose boundary holds its point. Returns it as stored.
/// @throws Forbidden (OutsideMunicipality too), InvalidArgument (validate()).
Resource create_resource(Store& store, const Editor& who, Resource r);

/// Replaces resource `id` with `r` against `expected_version` (nullopt: whatever is stored),
/// keeping what `who` may not see and the provenance. Returns it as stored.
/// @throws NotFound (none `who` may see), Forbidden (OutsideMunicipality for the stored or the
///         new town), VersionConflict, InvalidArgument (also when r's id names another resource).
Resource update_resource(Store& store, const Editor& who, std::string_view id, Resource r,
                         std::optional<std::int64_t> expected_version);

/// Marks resource `id` closed (never a hard delete). @throws NotFound, OutsideMunicipality,
/// VersionConflict.
Resource close_resource(Store& store, const Editor& who, std::string_view id,
                        std::optional<std::int64_t> expected_version);

/// The history of resource `id` as `who` may know it now. @throws NotFound.
std::vector<HistoryEntry> resource_history(const Store& store, Role role, std::string_view id);

}  // namespace tsunagi::geo
