// Identifiers that the store writes.
#pragma once

#include <string>

#include "geo/core/time.hpp"  // the store stamps ids and times

namespace tsunagi::geo {

/// A new resource id: a UUIDv7 (RFC 9562), time-ordered so that bulk inserts append to the
/// primary-key B-tree. Unique, not secret (case ids come from libsodium).
std::string new_uuid();

}  // namespace tsunagi::geo
