// The PostgreSQL backend as geo/store/store.cpp reaches it: a location (`postgresql://…` or
// `postgres://…`, a libpq URI) opened, looked for, discarded or checked for writability.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "geo/store/change_listener.hpp"
#include "geo/store/store.hpp"

namespace tsunagi::geo::pg_store {

/// Whether `location` names a PostgreSQL store.
bool is_location(std::string_view location);
/// Connects, and creates (PostGIS, the schema `tsunagi`) or migrates the store. @throws StoreError.
std::unique_ptr<StoreBackend> open(const std::string& location, Store::Mode mode);
bool exists(const std::string& location);
/// Drops the schema `tsunagi` with everything in it. @throws StoreError when it cannot connect.
void discard(const std::string& location);
StoreHealth writable(const std::string& location);
/// A connection that LISTENs for the store's notifications (listener.cpp). @throws StoreError.
std::unique_ptr<ChangeListener> listen(const std::string& location);

}  // namespace tsunagi::geo::pg_store
