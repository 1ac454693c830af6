// The server's configuration: one struct with defaults in code and validate(). Sources apply in
// this order, each overriding the one before: the config file (--config FILE), then TSUNAGI_*
// environment variables, then command-line flags.
//
// The config file is plain "key = value" lines; '#' starts a comment; blank lines are ignored;
// keys are the snake_case names below (e.g. "port = 8080"). The environment variable of a key is
// TSUNAGI_ + the key in upper case (TSUNAGI_PORT), its flag is -- + the key with '-' for '_'
// (--port, --max-request-bytes). Unknown keys in the file are reported as warnings; unknown flags
// are errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "geo/catalog/visibility.hpp"

namespace tsunagi::server {

struct Config {
  std::filesystem::path db;  ///< the store (required)
  std::string host = "127.0.0.1";
  int port = 8080;           ///< 0 picks a free port
  int threads = 2;           ///< reactor threads (Pistache); handlers that are quick run here
  int workers = 2;           ///< worker threads for writes and logins (argon2id)
  int worker_queue = 64;     ///< queued slow requests before answering 503
  int login_workers = 1;     ///< threads for logins (argon2id), apart from the workers
  int login_queue = 16;      ///< queued logins before answering 503
  int login_per_client = 2;  ///< logins of one client address at once (queued or running); 429
  std::filesystem::path frontend;  ///< static files; empty = frontend/dist if present
  /// The address clients reach the server at ("https://map.city.example.lg.jp/tsunagi", no
  /// trailing slash), used for every link in responses. Empty: http://HOST:PORT of the bound
  /// socket (the real port under --port 0). The Host header is never used.
  std::string public_base_url;

  // request limits and timeouts (slowloris, oversized requests)
  std::int64_t max_request_bytes = 1024 * 1024;  ///< body
  std::int64_t max_header_bytes = 16 * 1024;     ///< request line + headers
  int request_timeout_s = 10;  ///< a whole request (line, headers and body) must arrive within this
  int keepalive_timeout_s = 30;  ///< an idle keep-alive connection is closed after this

  // API limits: beyond them a request gets 400, never a slow response
  int default_page_size = 100;
  int max_page_size = 1000;
  double max_bbox_area_deg2 = 25.0;  ///< about 500 km × 500 km at Japan's latitudes

  // vector tiles
  int tile_cache_mb = 64;  ///< encoded tiles kept in memory (LRU); 0 = no cache
  /// How long a browser or proxy may reuse a public tile without asking (staff tiles are always
  /// revalidated: their ETag makes that a cheap 304).
  int tile_max_age_s = 60;
  /// The offline basemap (`tsunagi import --basemap`), served at /tiles/basemap/…: `auto` uses it
  /// as the map's basemap when its file exists; `local` requires it (serve refuses to start
  /// without it); `remote` keeps the page's configured basemap (GSI) first and the local one as
  /// its fallback; `off` serves none.
  std::string basemap = "auto";
  /// The basemap's MBTiles file; empty: DB.basemap.mbtiles beside the store.
  std::filesystem::path basemap_file;

  // gap analyses
  /// Stored analysis answers older than this (by when they ended) are deleted when the server
  /// starts; 0 keeps them for ever.
  int job_keep_days = 180;
  int job_queue = 16;          ///< analyses waiting at once, of everyone; more → 503
  int job_queue_per_user = 4;  ///< of one user, waiting or running; more → 429 with Retry-After
  /// Ended analyses kept per user, and of everyone: beyond them the oldest are deleted when
  /// another ends (a flood of jobs cannot fill the disk).
  int job_keep_per_user = 50;
  int job_keep_total = 1000;

  // headers of every response (Content-Security-Policy)
  /// Who may show the map in a frame (the CSP frame-ancestors sources): 'self' by default; add
  /// the municipality's site to embed the map (?embed=1), e.g. "'self'
  /// https://www.city.example.lg.jp".
  std::string frame_ancestors = "'self'";
  /// Origins the map page may load basemap tiles from (CSP img-src and connect-src), space
  /// separated; the default is GSI's (地理院タイル). Set it with the basemap of config.json.
  std::string map_tile_origins = "https://cyberjapandata.gsi.go.jp";

  // accounts
  bool cookie_secure = false;  ///< add Secure to the session cookie (set when behind HTTPS)
  int session_hours = 12;
  /// Failed logins of one client address for one name before each next attempt must wait (the
  /// address's failures over all names get 5 times as many).
  int login_free_attempts = 3;
  int login_delay_ms = 1000;  ///< first wait; doubles with each further failure (max 5 min)
  /// Failed logins in a row for one name (from any address) that lock it for login_lock_minutes
  /// — against the addresses that failed for it only: the real user's correct login from another
  /// address still gets in. Failure counts are forgotten after login_lock_minutes without one.
  int login_lock_after = 10;
  int login_lock_minutes = 15;
  /// Sessions and tokens are looked up in the store at most this often: a disabled user, a new
  /// password or a revoked token takes effect within it.
  int auth_cache_s = 30;

  // listings that stay true (issue 23)
  /// A listing whose last confirmation (verified_at, else its creation) is more than this many
  /// days old is unconfirmed: flagged 「要確認」 for everyone ("unconfirmed": true in the JSON,
  /// OGC items and tiles), and for the public hidden when unconfirmed_public = hide.
  int unconfirmed_after_days = 365;
  /// What the public sees of an unconfirmed listing: `flag` (shown with the marker) or `hide`
  /// (absent from every public route: list, search, count, OGC items, tiles, freshness stats,
  /// and `tsunagi export --config` of the public view). Staff always see it, flagged.
  std::string unconfirmed_public = "flag";
  /// How long a confirmation request's link and code stay valid (days) when the request does
  /// not say (POST .../confirmation-requests without valid_days).
  int confirmation_valid_days = 60;

  bool access_log = true;
  /// How often (ms) the server looks for changes that another program — `tsunagi import` run
  /// while it serves — committed to the store, and then serves them; 0 = never.
  int store_poll_ms = 1000;

  /// @throws std::invalid_argument naming the first value out of range.
  void validate() const;
  /// "key = value" lines of every setting (the effective configuration).
  [[nodiscard]] std::string to_text() const;
};

/// The rule of unconfirmed listings for today (unconfirmed_after_days, unconfirmed_public).
geo::FreshnessRule freshness_rule(const Config& config);

/// The keys Config understands (for messages and tests).
const std::vector<std::string_view>& config_keys();

/// Sets one key from its text form. @throws std::invalid_argument (unknown key, bad value).
void set_config_value(Config& config, std::string_view key, std::string_view value);

/// Applies a "key = value" file. Unknown keys are not applied and are returned as warnings
/// ("config.conf:3: unknown key 'prot'"). @throws std::invalid_argument on a bad line or value.
std::vector<std::string> apply_config_file(Config& config, const std::filesystem::path& file);

/// Applies TSUNAGI_<KEY> variables from `env` (name → value). Variables that are not config keys
/// (TSUNAGI_PASSWORD...) are ignored. @throws std::invalid_argument on a bad value.
void apply_environment(Config& config, const std::map<std::string, std::string>& env);

/// The process environment as a map (for apply_environment).
std::map<std::string, std::string> process_environment();

}  // namespace tsunagi::server
