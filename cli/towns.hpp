// The towns a command works for, in a store serving several municipalities: the codes of
// --municipality, checked against the store, and the reach of a user named with --user.
#pragma once

#include <optional>
#include <string>

#include "geo/core/municipal_scope.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::cli {

/// The towns `list` ("023612,023671") names, checked: each a 6-digit code with its check digit
/// and, when the store holds municipality boundaries, one of them.
/// @throws geo::InvalidArgument naming the code and the towns there are.
geo::MunicipalScope towns_of(const geo::Store& store, const std::string& list);

/// What a reading command reaches: the towns of user `user` (when given; every town for an
/// unscoped user), narrowed to `municipality` (when given, which must lie inside them).
/// @throws geo::NotFound (no such user), geo::InvalidArgument, geo::OutsideMunicipality.
geo::MunicipalScope reader_scope(geo::Store& store, const std::optional<std::string>& user,
                                 const std::optional<std::string>& municipality);

}  // namespace tsunagi::cli
