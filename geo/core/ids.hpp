// Identifiers and time stamps that the store and the accounts write.
#pragma once

#include <string>

namespace tsunagi::geo {

/// Current UTC time as "2026-11-23T15:20:38Z".
std::string utc_now_iso();
/// A new resource id: a UUIDv7 (RFC 9562), time-ordered so that bulk inserts append to the
/// primary-key B-tree. Unique, not secret (case ids come from libsodium).
std::string new_uuid();

}  // namespace tsunagi::geo
