#include "server/config.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tsunagi::server {

namespace {

std::int64_t parse_int(std::string_view key, std::string_view text, std::int64_t min,
                       std::int64_t max) {
  std::int64_t v = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || ptr != last) {
    throw std::invalid_argument(std::string(key) + " must be a whole number, not '" +
                                std::string(text) + "'");
  }
  if (v < min || v > max) {
    throw std::invalid_argument(std::string(key) + " must be between " + std::to_string(min) +
                                " and " + std::to_string(max) + ", not " + std::to_string(v));
  }
  return v;
}

double parse_double(std::string_view key, std::string_view text) {
  std::string s(text);
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size() || !std::isfinite(v)) {
    throw std::invalid_argument(std::string(key) + " must be a number, not '" + s + "'");
  }
  return v;
}

bool parse_bool(std::string_view key, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw std::invalid_argument(std::string(key) + " must be true or false, not '" +
                              std::string(text) + "'");
}

struct Field {
  std::string_view key;
  std::function<void(Config&, std::string_view)> set;
  std::function<std::string(const Config&)> get;
};

// "https://map.city.example.lg.jp/tsunagi" (no trailing slash, query or fragment), or "".
std::string parse_base_url(std::string_view v) {
  while (!v.empty() && v.back() == '/') v.remove_suffix(1);
  if (v.empty()) return {};
  const bool scheme = v.starts_with("http://") || v.starts_with("https://");
  const std::string_view rest = v.substr(v.find("://") + 3);
  if (!scheme || rest.empty() || rest.front() == '/' ||
      v.find_first_of("?# \t\"<>\\") != std::string_view::npos) {
    throw std::invalid_argument(
        "public_base_url must be an http:// or https:// address without a query, such as "
        "https://map.city.example.lg.jp (got '" +
        std::string(v.substr(0, 100)) + "')");
  }
  for (const char c : v) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) {
      throw std::invalid_argument("public_base_url must be ASCII (percent-encode the rest)");
    }
  }
  return std::string(v);
}

// CSP source expressions separated by spaces ("'self' https://www.city.example.lg.jp"): printable
// ASCII without ';' or ',' (which would end the directive or the policy), or "'none'".
std::string parse_csp_sources(std::string_view key, std::string_view v) {
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x7E || (u < 0x20) || c == ';' || c == ',' || c == '"' || c == '\\') {
      throw std::invalid_argument(std::string(key) +
                                  " must be CSP sources separated by spaces, such as 'self' "
                                  "https://www.city.example.lg.jp (no ';' or ',')");
    }
  }
  return std::string(v);
}

#define TSUNAGI_INT_FIELD(name, min, max)                                                 \
  Field {                                                                                 \
#name,                                                                                  \
        [](Config& c, std::string_view v) {                                                 \
          c.name = static_cast<decltype(c.name)>(parse_int(#name, v, min, max));            \
        },                                                                                  \
        [](const Config& c) { return std::to_string(c.name); } \
  }
#define TSUNAGI_BOOL_FIELD(name)                                                   \
  Field {                                                                          \
#name, [](Config& c, std::string_view v) { c.name = parse_bool(#name, v); },     \
        [](const Config& c) { return std::string(c.name ? "true" : "false"); } \
  }

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = {
      {"db", [](Config& c, std::string_view v) { c.db = std::string(v); },
       [](const Config& c) { return c.db.string(); }},
      {"host", [](Config& c, std::string_view v) { c.host = std::string(v); },
       [](const Config& c) { return c.host; }},
      TSUNAGI_INT_FIELD(port, 0, 65535),
      TSUNAGI_INT_FIELD(threads, 1, 64),
      TSUNAGI_INT_FIELD(workers, 1, 64),
      TSUNAGI_INT_FIELD(worker_queue, 1, 100000),
      TSUNAGI_INT_FIELD(login_workers, 1, 64),
      TSUNAGI_INT_FIELD(login_queue, 1, 100000),
      TSUNAGI_INT_FIELD(login_per_client, 1, 1000),
      {"frontend", [](Config& c, std::string_view v) { c.frontend = std::string(v); },
       [](const Config& c) { return c.frontend.string(); }},
      {"public_base_url",
       [](Config& c, std::string_view v) { c.public_base_url = parse_base_url(v); },
       [](const Config& c) { return c.public_base_url; }},
      TSUNAGI_INT_FIELD(max_request_bytes, 1024, std::int64_t{1} << 30),
      TSUNAGI_INT_FIELD(max_header_bytes, 1024, 1024 * 1024),
      TSUNAGI_INT_FIELD(request_timeout_s, 1, 3600),
      TSUNAGI_INT_FIELD(keepalive_timeout_s, 1, 3600),
      TSUNAGI_INT_FIELD(tile_cache_mb, 0, 1 << 20),
      TSUNAGI_INT_FIELD(tile_max_age_s, 0, 86400),
      {"basemap",
       [](Config& c, std::string_view v) {
         if (v != "auto" && v != "local" && v != "remote" && v != "off") {
           throw std::invalid_argument("basemap must be auto, local, remote or off, not '" +
                                       std::string(v.substr(0, 40)) + "'");
         }
         c.basemap = std::string(v);
       },
       [](const Config& c) { return c.basemap; }},
      {"basemap_file", [](Config& c, std::string_view v) { c.basemap_file = std::string(v); },
       [](const Config& c) { return c.basemap_file.string(); }},
      TSUNAGI_INT_FIELD(job_keep_days, 0, 36500),
      TSUNAGI_INT_FIELD(job_queue, 1, 10000),
      TSUNAGI_INT_FIELD(job_queue_per_user, 1, 10000),
      TSUNAGI_INT_FIELD(job_keep_per_user, 1, 1000000),
      TSUNAGI_INT_FIELD(job_keep_total, 1, 10000000),
      {"frame_ancestors",
       [](Config& c, std::string_view v) {
         c.frame_ancestors = parse_csp_sources("frame_ancestors", v);
       },
       [](const Config& c) { return c.frame_ancestors; }},
      {"map_tile_origins",
       [](Config& c, std::string_view v) {
         c.map_tile_origins = parse_csp_sources("map_tile_origins", v);
       },
       [](const Config& c) { return c.map_tile_origins; }},
      TSUNAGI_INT_FIELD(default_page_size, 1, 100000),
      TSUNAGI_INT_FIELD(max_page_size, 1, 100000),
      {"max_bbox_area_deg2",
       [](Config& c, std::string_view v) {
         c.max_bbox_area_deg2 = parse_double("max_bbox_area_deg2", v);
       },
       [](const Config& c) {
         std::ostringstream ss;
         ss << c.max_bbox_area_deg2;
         return ss.str();
       }},
      TSUNAGI_BOOL_FIELD(cookie_secure),
      TSUNAGI_INT_FIELD(session_hours, 1, 24 * 365),
      TSUNAGI_INT_FIELD(login_free_attempts, 0, 1000),
      TSUNAGI_INT_FIELD(login_delay_ms, 0, 3600000),
      TSUNAGI_INT_FIELD(login_lock_after, 1, 1000),
      TSUNAGI_INT_FIELD(login_lock_minutes, 1, 7 * 24 * 60),
      TSUNAGI_INT_FIELD(auth_cache_s, 1, 300),
      TSUNAGI_INT_FIELD(unconfirmed_after_days, 1, 36500),
      {"unconfirmed_public",
       [](Config& c, std::string_view v) {
         if (v != "flag" && v != "hide") {
           throw std::invalid_argument(
               "unconfirmed_public must be flag (show unconfirmed listings to the public with "
               "「要確認」) or hide (not to the public at all), not '" +
               std::string(v.substr(0, 40)) + "'");
         }
         c.unconfirmed_public = std::string(v);
       },
       [](const Config& c) { return c.unconfirmed_public; }},
      TSUNAGI_INT_FIELD(confirmation_valid_days, 1, 365),
      TSUNAGI_BOOL_FIELD(access_log),
      TSUNAGI_INT_FIELD(store_poll_ms, 0, 3600000),
  };
  return kFields;
}

#undef TSUNAGI_INT_FIELD
#undef TSUNAGI_BOOL_FIELD

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

}  // namespace

geo::FreshnessRule freshness_rule(const Config& config) {
  return geo::freshness_rule(config.unconfirmed_after_days, config.unconfirmed_public == "hide"
                                                                ? geo::FreshnessRule::Public::hide
                                                                : geo::FreshnessRule::Public::flag);
}

const std::vector<std::string_view>& config_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> k;
    for (const auto& f : fields()) k.push_back(f.key);
    return k;
  }();
  return keys;
}

void set_config_value(Config& config, std::string_view key, std::string_view value) {
  for (const auto& f : fields()) {
    if (f.key == key) {
      f.set(config, value);
      return;
    }
  }
  throw std::invalid_argument("unknown configuration key '" + std::string(key) + "'");
}

void Config::validate() const {
  if (db.empty()) throw std::invalid_argument("db is required: give --db FILE (the store)");
  if (host.empty()) throw std::invalid_argument("host must not be empty");
  if (default_page_size > max_page_size) {
    throw std::invalid_argument("default_page_size (" + std::to_string(default_page_size) +
                                ") must not exceed max_page_size (" +
                                std::to_string(max_page_size) + ")");
  }
  if (!(max_bbox_area_deg2 > 0) || max_bbox_area_deg2 > 64800) {
    throw std::invalid_argument("max_bbox_area_deg2 must be > 0 and at most 64800");
  }
  if (job_queue_per_user > job_queue) {
    throw std::invalid_argument("job_queue_per_user (" + std::to_string(job_queue_per_user) +
                                ") must not exceed job_queue (" + std::to_string(job_queue) + ")");
  }
  if (job_keep_per_user > job_keep_total) {
    throw std::invalid_argument("job_keep_per_user (" + std::to_string(job_keep_per_user) +
                                ") must not exceed job_keep_total (" +
                                std::to_string(job_keep_total) + ")");
  }
  if (max_header_bytes < 1024) throw std::invalid_argument("max_header_bytes must be >= 1024");
}

std::string Config::to_text() const {
  std::string out;
  for (const auto& f : fields()) {
    out += f.key;
    out += " = ";
    out += f.get(*this);
    out += '\n';
  }
  return out;
}

std::vector<std::string> apply_config_file(Config& config, const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::invalid_argument("cannot read the config file " + file.string());
  std::vector<std::string> warnings;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string_view l = line;
    if (const auto hash = l.find('#'); hash != std::string_view::npos) l = l.substr(0, hash);
    l = trim(l);
    if (l.empty()) continue;
    const auto eq = l.find('=');
    const std::string where = file.string() + ":" + std::to_string(n);
    if (eq == std::string_view::npos) {
      throw std::invalid_argument(where + ": expected 'key = value', got '" + std::string(l) + "'");
    }
    const std::string_view key = trim(l.substr(0, eq));
    const std::string_view value = trim(l.substr(eq + 1));
    bool known = false;
    for (const auto k : config_keys()) known = known || k == key;
    if (!known) {
      warnings.push_back(where + ": unknown key '" + std::string(key) + "' (ignored)");
      continue;
    }
    try {
      set_config_value(config, key, value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
  }
  return warnings;
}

void apply_environment(Config& config, const std::map<std::string, std::string>& env) {
  for (const auto key : config_keys()) {
    std::string name = "TSUNAGI_";
    for (const char c : key)
      name.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    const auto it = env.find(name);
    if (it == env.end()) continue;
    try {
      set_config_value(config, key, it->second);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("environment variable " + name + ": " + e.what());
    }
  }
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view kv = *e;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace tsunagi::server
