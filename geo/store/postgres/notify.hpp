// The store's notification channels (geo::ChangeListener): one database holds one store (its schema
// `tsunagi`), so the channel names are fixed. Internal to geo/store/postgres.
#pragma once

#include <string>
#include <string_view>

#include "geo/store/postgres/connection.hpp"

namespace tsunagi::geo::pg {

inline constexpr std::string_view kContentChannel = "tsunagi_content";
inline constexpr std::string_view kAccountsChannel = "tsunagi_accounts";
inline constexpr std::string_view kJobsChannel = "tsunagi_jobs";

/// Tells every listener of `channel`; inside a transaction, only when (and if) it commits.
inline void notify(Connection& conn, std::string_view channel) {
  conn.exec("NOTIFY " + std::string(channel));
}

}  // namespace tsunagi::geo::pg
