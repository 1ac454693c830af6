// The SQLite backend as geo/store/store.cpp reaches it: a FILE (the location's `sqlite:` scheme
// already taken off) opened, looked for, discarded or checked for writability.
#pragma once

#include <filesystem>
#include <memory>

#include "geo/store/store.hpp"

namespace tsunagi::geo::sqlite_store {

/// Opens (creates, migrates) the SpatiaLite store FILE. @throws StoreError (see Store::open).
std::unique_ptr<StoreBackend> open(const std::filesystem::path& file, Store::Mode mode);
bool exists(const std::filesystem::path& file);
/// Removes FILE with its -wal, -shm and -journal.
void discard(const std::filesystem::path& file) noexcept;
StoreHealth writable(const std::filesystem::path& file);

}  // namespace tsunagi::geo::sqlite_store
