#include "geo/store.hpp"

// sqlite3.h must come first: spatialite.h uses its types.
#include <sqlite3.h>
//
#include <spatialite.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <set>
#include <unordered_map>

#include "geo/address.hpp"
#include "geo/audit_log.hpp"
#include "geo/error.hpp"
#include "geo/resource_json.hpp"
#include "geo/sqlite/rtree.hpp"
#include "geo/sqlite/statement.hpp"

namespace tsunagi::geo {

namespace {

using nlohmann::json;

// ---- SQLite: statements (geo/sqlite/statement.hpp) and plain SQL ----

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw StoreError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

using Stmt = SqliteStatement;
/// The store's statements are prepared once and kept (Impl::stmt).
constexpr StatementOptions kCached{.persistent = true};

void exec_sql(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("SQL failed (" + sql.substr(0, 60) + "…): " + msg);
  }
}

std::int64_t pragma_int(sqlite3* db, const char* pragma) {
  Stmt s(db, std::string("PRAGMA ") + pragma);
  return s.step() ? s.int64(0) : 0;
}

// ---- schema ----

// Forward-only migrations: index i upgrades user_version i to i+1. Never edit a landed one.
const std::array<const char*, 12> kMigrations = {
    R"sql(
CREATE TABLE store_state(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE source(
  source_id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL DEFAULT '',
  publisher TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  license TEXT NOT NULL DEFAULT '',
  attribution TEXT NOT NULL DEFAULT '',
  vintage TEXT NOT NULL DEFAULT '',
  imported_at TEXT NOT NULL DEFAULT ''
);
CREATE TABLE import_run(
  run_id INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES source(source_id),
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  inserted INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  report_json TEXT NOT NULL
);
CREATE TABLE resource(
  resource_id TEXT PRIMARY KEY,
  source_id INTEGER REFERENCES source(source_id),
  source_key TEXT,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  subtype TEXT NOT NULL,
  name TEXT NOT NULL,
  name_kana TEXT NOT NULL,
  description TEXT NOT NULL,
  lon REAL NOT NULL,
  lat REAL NOT NULL,
  accuracy TEXT NOT NULL,
  lg_code TEXT NOT NULL,
  address TEXT NOT NULL,
  building TEXT NOT NULL,
  venue TEXT NOT NULL,
  operator_type TEXT NOT NULL,
  operator_name TEXT NOT NULL,
  corporate_number TEXT NOT NULL,
  official_id TEXT NOT NULL,
  phone TEXT NOT NULL,
  fax TEXT NOT NULL,
  email TEXT NOT NULL,
  url TEXT NOT NULL,
  activities TEXT NOT NULL,
  main_activity TEXT,
  targets TEXT NOT NULL,
  age_min INTEGER,
  age_max INTEGER,
  residency_restriction TEXT NOT NULL,
  schedules_json TEXT NOT NULL,
  fees_json TEXT NOT NULL,
  fee_note TEXT NOT NULL,
  meal_provided INTEGER,
  reservation_required INTEGER,
  barrier_free_json TEXT NOT NULL,
  parking TEXT NOT NULL,
  capacity INTEGER,
  capacity_unit TEXT NOT NULL,
  vacancy INTEGER,
  vacancy_as_of TEXT NOT NULL,
  offer_json TEXT,
  publish TEXT NOT NULL,
  status TEXT NOT NULL,
  verified_at TEXT NOT NULL,
  note TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (source_id, source_key)
);
SELECT AddGeometryColumn('resource', 'geom', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('resource', 'geom');
-- SpatiaLite's own triggers re-parse SQL on every row (RTreeAlign) and stamp
-- geometry_columns_time per row; for points whose lon/lat we store anyway, plain SQL triggers keep
-- the same R*Tree (QGIS and spatialite use it) at a fraction of the cost of an import.
DROP TRIGGER tmi_resource_geom;
DROP TRIGGER tmu_resource_geom;
DROP TRIGGER tmd_resource_geom;
DROP TRIGGER gii_resource_geom;
DROP TRIGGER giu_resource_geom;
CREATE TRIGGER gii_resource_geom AFTER INSERT ON resource FOR EACH ROW BEGIN
  INSERT INTO idx_resource_geom (pkid, xmin, xmax, ymin, ymax)
  VALUES (NEW.rowid, NEW.lon, NEW.lon, NEW.lat, NEW.lat);
END;
CREATE TRIGGER giu_resource_geom AFTER UPDATE OF geom ON resource FOR EACH ROW BEGIN
  DELETE FROM idx_resource_geom WHERE pkid = NEW.rowid;
  INSERT INTO idx_resource_geom (pkid, xmin, xmax, ymin, ymax)
  VALUES (NEW.rowid, NEW.lon, NEW.lon, NEW.lat, NEW.lat);
END;
CREATE TABLE resource_history(
  history_id INTEGER PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES resource(resource_id),
  version INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  changes_json TEXT NOT NULL
);
CREATE INDEX resource_history_resource ON resource_history(resource_id, history_id);
CREATE TABLE area(
  area_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  lg_code TEXT NOT NULL,
  source_id INTEGER REFERENCES source(source_id),
  vintage TEXT NOT NULL,
  label_lon REAL NOT NULL,
  label_lat REAL NOT NULL
);
SELECT AddGeometryColumn('area', 'geom', 4326, 'MULTIPOLYGON', 'XY');
SELECT CreateSpatialIndex('area', 'geom');
CREATE TABLE area_population(
  area_id TEXT NOT NULL REFERENCES area(area_id),
  ref_date TEXT NOT NULL,
  age_from INTEGER NOT NULL,
  age_to INTEGER,
  male INTEGER NOT NULL,
  female INTEGER NOT NULL,
  source_id INTEGER REFERENCES source(source_id),
  PRIMARY KEY (area_id, ref_date, age_from)
);
CREATE TABLE area_households(
  area_id TEXT NOT NULL REFERENCES area(area_id),
  ref_date TEXT NOT NULL,
  households INTEGER NOT NULL,
  PRIMARY KEY (area_id, ref_date)
);
CREATE TABLE app_user(
  user_id INTEGER PRIMARY KEY,
  name TEXT UNIQUE NOT NULL,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT
);
CREATE TABLE api_token(
  token_id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(user_id),
  token_hash TEXT UNIQUE NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE TABLE session(
  session_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES app_user(user_id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
)sql",
    // 2: the area layer's own generation (a resource write does not rebuild it), and the host's
    // consent to publish a private person's contact details.
    R"sql(
ALTER TABLE store_state ADD COLUMN areas_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resource ADD COLUMN contact_public INTEGER;
)sql",
    // 3: the walking network, as compact arrays (nodes: lon, lat doubles; edges: a, b u32,
    // length f32, flags u8, little endian), one per store.
    R"sql(
CREATE TABLE walk_network(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  report_json TEXT NOT NULL,
  node_count INTEGER NOT NULL,
  edge_count INTEGER NOT NULL,
  nodes BLOB NOT NULL,
  edges BLOB NOT NULL
);
)sql",
    // 4: 参加支援 referrals (pseudonymous cases, their status history) and the append-only audit
    // log of every read and write of a case: triggers refuse to change or delete its rows.
    R"sql(
CREATE TABLE referral(
  case_id TEXT PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES resource(resource_id),
  legal_basis TEXT NOT NULL,
  consent_scope TEXT NOT NULL,
  consent_date TEXT NOT NULL,
  home_area TEXT NOT NULL,
  age_band TEXT NOT NULL,
  needs TEXT NOT NULL,
  follow_up_due TEXT,
  status TEXT NOT NULL,
  decline_reason TEXT,
  slot_taken INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  created_by TEXT NOT NULL
);
CREATE INDEX referral_resource ON referral(resource_id);
CREATE INDEX referral_follow_up ON referral(follow_up_due) WHERE closed_at IS NULL;
CREATE INDEX referral_closed ON referral(closed_at) WHERE closed_at IS NOT NULL;
CREATE TABLE referral_event(
  event_id INTEGER PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES referral(case_id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX referral_event_case ON referral_event(case_id, event_id);
CREATE TABLE audit_log(
  audit_id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_id INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  action TEXT NOT NULL,
  case_id TEXT,
  legal_basis TEXT,
  detail TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;
)sql",
    // 5: the address table (町丁目/大字 representative points) the geocoder reads.
    R"sql(
CREATE TABLE address_point(
  address_id INTEGER PRIMARY KEY,
  lg_code TEXT NOT NULL,
  pref TEXT NOT NULL,
  city TEXT NOT NULL,
  town TEXT NOT NULL,
  koaza TEXT NOT NULL,
  lon REAL NOT NULL,
  lat REAL NOT NULL,
  source_id INTEGER REFERENCES source(source_id)
);
CREATE UNIQUE INDEX address_point_name ON address_point(pref, city, town, koaza);
)sql",
    // 6: statistics of areas (census tables, mesh tables, a municipality's own figures) with the
    // 秘匿・合算 marks of their source, and what each statistic is.
    R"sql(
ALTER TABLE area ADD COLUMN approximate INTEGER NOT NULL DEFAULT 0;
CREATE TABLE stat_def(
  stat_key TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  unit TEXT NOT NULL,
  publish TEXT NOT NULL,
  own_data INTEGER NOT NULL,
  min_cell INTEGER NOT NULL,
  source_id INTEGER REFERENCES source(source_id),
  note TEXT NOT NULL
);
CREATE TABLE area_stat(
  area_id TEXT NOT NULL REFERENCES area(area_id),
  stat_key TEXT NOT NULL REFERENCES stat_def(stat_key),
  ref_date TEXT NOT NULL,
  value REAL,
  status TEXT NOT NULL,
  merged TEXT NOT NULL,
  source_id INTEGER REFERENCES source(source_id),
  PRIMARY KEY (area_id, stat_key, ref_date)
);
)sql",
    // 7: analyses run as background jobs, with their stored answers.
    R"sql(
CREATE TABLE analysis_job(
  job_id TEXT PRIMARY KEY,
  analysis TEXT NOT NULL,
  request_json TEXT NOT NULL,
  audience TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  result_json TEXT NOT NULL,
  error TEXT NOT NULL
);
)sql",
    // 8: e-Stat small areas (町丁・字等) are one area type whatever their code length, with the
    // level (大字・町, 丁目, 字) as an attribute. Census areas stored as oaza:/chome: become
    // small_area:, and every reference to them follows.
    R"sql(
PRAGMA defer_foreign_keys = ON;
ALTER TABLE area ADD COLUMN level TEXT NOT NULL DEFAULT '';
CREATE TEMP TABLE small_area_rename AS
  SELECT area_id AS old_id, 'small_area:' || code AS new_id,
         CASE WHEN kind = 'oaza' THEN 'oaza'
              WHEN name LIKE '%丁目' THEN 'chome' ELSE 'aza' END AS level
  FROM area WHERE kind IN ('oaza', 'chome') AND vintage IN ('census2015', 'census2020');
UPDATE area SET level = (SELECT level FROM small_area_rename WHERE old_id = area_id),
                kind = 'small_area',
                area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area SET parent_id = (SELECT new_id FROM small_area_rename WHERE old_id = parent_id)
  WHERE parent_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_stat SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_stat SET merged = (SELECT new_id FROM small_area_rename WHERE old_id = merged)
  WHERE merged IN (SELECT old_id FROM small_area_rename);
UPDATE area_population SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_households SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE referral SET home_area = (SELECT new_id FROM small_area_rename WHERE old_id = home_area)
  WHERE home_area IN (SELECT old_id FROM small_area_rename);
DROP TABLE small_area_rename;
)sql",
    // 9: a statistic that is a total of others ("male+female"): the small-cell rule protects its
    // parts from "total minus the other parts".
    R"sql(
ALTER TABLE stat_def ADD COLUMN breakdowns TEXT NOT NULL DEFAULT '';
)sql",
    // 10: the audit log becomes a hash chain (geo/audit_log.hpp): each row carries chain_hash,
    // BLAKE2b over the row and the chain hash of the row before it. The rows already there are
    // chained in id order (tsunagi_audit_link is registered on every connection of the store);
    // a new row without its hash is refused. And the referral statistics of a closed month are
    // kept as first computed (referral_stats_month, geo/referrals.hpp), so that a later purge
    // does not move them and give away the outcome of a purged case.
    R"sql(
ALTER TABLE audit_log ADD COLUMN chain_hash TEXT;
DROP TRIGGER audit_log_no_update;
CREATE TEMP TABLE audit_chain_migration AS
WITH RECURSIVE chain(id, h) AS (
  SELECT 0, '0000000000000000000000000000000000000000000000000000000000000000'
  UNION ALL
  SELECT a.audit_id, tsunagi_audit_link(chain.h, a.audit_id, a.at, a.user_id, a.user_name,
                                        a.action, a.case_id, a.legal_basis, a.detail)
  FROM chain JOIN audit_log a
    ON a.audit_id = (SELECT min(audit_id) FROM audit_log WHERE audit_id > chain.id))
SELECT id, h FROM chain WHERE id > 0;
UPDATE audit_log SET chain_hash =
  (SELECT h FROM temp.audit_chain_migration c WHERE c.id = audit_log.audit_id);
DROP TABLE temp.audit_chain_migration;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log WHEN NEW.chain_hash IS NULL
BEGIN SELECT RAISE(ABORT, 'audit_log is a hash chain: a row needs its chain_hash'); END;
CREATE TABLE referral_stats_month(
  resource_id TEXT NOT NULL,
  month TEXT NOT NULL,
  answered INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  median_days REAL NOT NULL,
  computed_at TEXT NOT NULL,
  PRIMARY KEY (resource_id, month)
);
)sql",
    // 11: a user's jobs found without a scan (each user's kept answers are bounded, oldest first
    // deleted; the rowid gives the order in which they were submitted).
    R"sql(
CREATE INDEX analysis_job_by_owner ON analysis_job(owner);
)sql",
    // 12: listings that stay true (geo/confirmation.hpp): a host's confirmation link (only the
    // SHA-256 of its token and of its short code are kept; one open request per listing), and
    // the review queue of what hosts answered and the public reported, until staff decide.
    R"sql(
CREATE TABLE confirmation_request(
  request_id INTEGER PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES resource(resource_id),
  token_hash TEXT NOT NULL UNIQUE,
  code_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT,
  answered_at TEXT,
  answer TEXT
);
CREATE INDEX confirmation_request_by_resource ON confirmation_request(resource_id);
CREATE TABLE listing_proposal(
  proposal_id INTEGER PRIMARY KEY,
  resource_id TEXT NOT NULL REFERENCES resource(resource_id),
  origin TEXT NOT NULL,
  request_id INTEGER REFERENCES confirmation_request(request_id),
  answer TEXT NOT NULL,
  changes_json TEXT NOT NULL,
  diff_json TEXT NOT NULL,
  report_text TEXT NOT NULL,
  base_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  decision TEXT
);
CREATE INDEX listing_proposal_by_status ON listing_proposal(status, proposal_id);
)sql",
};
static_assert(kMigrations.size() == Store::kSchemaVersion, "one migration per schema version");

// The resource columns in one order, shared by INSERT, UPDATE and SELECT.
constexpr std::array<const char*, 50> kResourceColumns = {"resource_id",
                                                          "source_id",
                                                          "source_key",
                                                          "version",
                                                          "created_at",
                                                          "updated_at",
                                                          "kind",
                                                          "subtype",
                                                          "name",
                                                          "name_kana",
                                                          "description",
                                                          "lon",
                                                          "lat",
                                                          "accuracy",
                                                          "lg_code",
                                                          "address",
                                                          "building",
                                                          "venue",
                                                          "operator_type",
                                                          "operator_name",
                                                          "corporate_number",
                                                          "official_id",
                                                          "phone",
                                                          "fax",
                                                          "email",
                                                          "url",
                                                          "activities",
                                                          "main_activity",
                                                          "targets",
                                                          "age_min",
                                                          "age_max",
                                                          "residency_restriction",
                                                          "schedules_json",
                                                          "fees_json",
                                                          "fee_note",
                                                          "meal_provided",
                                                          "reservation_required",
                                                          "barrier_free_json",
                                                          "parking",
                                                          "capacity",
                                                          "capacity_unit",
                                                          "vacancy",
                                                          "vacancy_as_of",
                                                          "offer_json",
                                                          "publish",
                                                          "status",
                                                          "verified_at",
                                                          "note",
                                                          "contact_public",
                                                          "created_by"};

std::string column_list() {
  std::string s;
  for (const char* c : kResourceColumns) {
    if (!s.empty()) s += ", ";
    s += c;
  }
  return s;
}

std::string make_insert_sql() {
  std::string values;
  for (std::size_t i = 1; i <= kResourceColumns.size(); ++i) {
    values += '?';
    values += std::to_string(i);
    values += ", ";
  }
  return "INSERT INTO resource (" + column_list() + ", geom) VALUES (" + values +
         "MakePoint(?12, ?13, 4326))";
}

std::string make_update_sql() {
  std::string sets;
  // Every column but resource_id (1), created_at (5) and created_by (the last).
  for (std::size_t i = 1; i < kResourceColumns.size() - 1; ++i) {
    if (i == 4) continue;
    sets += kResourceColumns[i];
    sets += " = ?";
    sets += std::to_string(i + 1);
    sets += ", ";
  }
  return "UPDATE resource SET " + sets + "geom = MakePoint(?12, ?13, 4326)" +
         " WHERE resource_id = ?1";
}

template <typename E>
std::string join_ids(EnumSet<E> set) {
  return code_ids(set);
}

template <typename E>
EnumSet<E> split_ids(const std::string& s) {
  EnumSet<E> set;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (auto v = parse_code<E>(std::string_view(s).substr(start, end - start))) set.insert(*v);
    start = end + 1;
  }
  return set;
}

template <typename E>
E code_or(const std::string& s, E fallback) {
  return parse_code<E>(s).value_or(fallback);
}

// Text that lives in `r` (or is a static code id) is bound without a copy: the caller steps the
// statement before `r` and `created_by` go away.
void bind_resource(Stmt& s, const Resource& r, std::string_view created_by) {
  s.bind_static(1, r.id);
  if (r.source_id > 0) {
    s.bind(2, r.source_id);
    s.bind_static(3, r.source_key);
  } else {
    s.bind_null(2);
    s.bind_null(3);
  }
  s.bind(4, r.version);
  s.bind_static(5, r.created_at);
  s.bind_static(6, r.updated_at);
  s.bind_static(7, code_id(r.kind));
  s.bind_static(8, r.subtype);
  s.bind_static(9, r.name);
  s.bind_static(10, r.name_kana);
  s.bind_static(11, r.description);
  s.bind(12, r.lon);
  s.bind(13, r.lat);
  s.bind_static(14, code_id(r.accuracy));
  s.bind_static(15, r.lg_code);
  s.bind_static(16, r.address);
  s.bind_static(17, r.building);
  s.bind_static(18, code_id(r.venue));
  s.bind_static(19, code_id(r.operator_type));
  s.bind_static(20, r.operator_name);
  s.bind_static(21, r.corporate_number);
  s.bind_static(22, r.official_id);
  s.bind_static(23, r.phone);
  s.bind_static(24, r.fax);
  s.bind_static(25, r.email);
  s.bind_static(26, r.url);
  s.bind(27, join_ids(r.activities));
  if (r.main_activity) {
    s.bind_static(28, code_id(*r.main_activity));
  } else {
    s.bind_null(28);
  }
  s.bind(29, join_ids(r.targets));
  s.bind(30, r.age_min);
  s.bind(31, r.age_max);
  s.bind_static(32, r.residency_restriction);
  s.bind(33, r.schedules.empty() ? std::string("[]") : schedules_to_json(r.schedules).dump());
  s.bind(34, r.fees.empty() ? std::string("[]") : fees_to_json(r.fees).dump());
  s.bind_static(35, r.fee_note);
  s.bind(36, r.meal_provided);
  s.bind(37, r.reservation_required);
  if (r.barrier_free == BarrierFree{}) {
    s.bind_static(38, "{}");
  } else {
    // Only the known flags: most imported rows know none, and every byte counts 200k times.
    json bf = barrier_free_to_json(r.barrier_free);
    for (auto it = bf.begin(); it != bf.end();) it = it->is_null() ? bf.erase(it) : std::next(it);
    s.bind(38, bf.dump());
  }
  s.bind_static(39, r.parking);
  s.bind(40, r.capacity);
  s.bind_static(41, code_id(r.capacity_unit));
  s.bind(42, r.vacancy);
  s.bind_static(43, r.vacancy_as_of);
  if (r.offer) {
    s.bind(44, offer_to_json(*r.offer).dump());
  } else {
    s.bind_null(44);
  }
  s.bind_static(45, code_id(r.publish));
  s.bind_static(46, code_id(r.status));
  s.bind_static(47, r.verified_at);
  s.bind_static(48, r.note);
  s.bind(49, r.contact_public);
  s.bind_static(50, created_by);
}

Resource read_resource(const Stmt& s) {
  Resource r;
  r.id = s.text(0);
  r.source_id = s.is_null(1) ? 0 : s.int64(1);
  r.source_key = s.text(2);
  r.version = s.int64(3);
  r.created_at = s.text(4);
  r.updated_at = s.text(5);
  r.kind = code_or(s.text(6), ResourceKind::public_facility);
  r.subtype = s.text(7);
  r.name = s.text(8);
  r.name_kana = s.text(9);
  r.description = s.text(10);
  r.lon = s.real(11);
  r.lat = s.real(12);
  r.accuracy = code_or(s.text(13), PositionAccuracy::exact);
  r.lg_code = s.text(14);
  r.address = s.text(15);
  r.building = s.text(16);
  r.venue = code_or(s.text(17), VenueKind::unknown);
  r.operator_type = code_or(s.text(18), OperatorType::unknown);
  r.operator_name = s.text(19);
  r.corporate_number = s.text(20);
  r.official_id = s.text(21);
  r.phone = s.text(22);
  r.fax = s.text(23);
  r.email = s.text(24);
  r.url = s.text(25);
  r.activities = split_ids<Activity>(s.text(26));
  if (!s.is_null(27)) r.main_activity = parse_code<Activity>(s.text(27));
  r.targets = split_ids<TargetGroup>(s.text(28));
  r.age_min = s.opt_int(29);
  r.age_max = s.opt_int(30);
  r.residency_restriction = s.text(31);
  const std::string sched = s.text(32);
  if (sched != "[]") r.schedules = schedules_from_json(json::parse(sched));
  const std::string fees = s.text(33);
  if (fees != "[]") r.fees = fees_from_json(json::parse(fees));
  r.fee_note = s.text(34);
  r.meal_provided = s.opt_bool(35);
  r.reservation_required = s.opt_bool(36);
  r.barrier_free = barrier_free_from_json(json::parse(s.text(37)));
  r.parking = s.text(38);
  r.capacity = s.opt_int(39);
  r.capacity_unit = code_or(s.text(40), CapacityUnit::person);
  r.vacancy = s.opt_int(41);
  r.vacancy_as_of = s.text(42);
  if (!s.is_null(43)) r.offer = offer_from_json(json::parse(s.text(43)));
  r.publish = code_or(s.text(44), PublishLevel::internal);
  r.status = code_or(s.text(45), ResourceStatus::active);
  r.verified_at = s.text(46);
  r.note = s.text(47);
  r.contact_public = s.opt_bool(48);
  return r;
}

/// The fields that differ between two versions of a resource, as {"field": {"from", "to"}}.
/// Bookkeeping fields and derived labels are left out.
json diff(const Resource& before, const Resource& after) {
  json a = to_json(before);
  json b = to_json(after);
  json out = json::object();
  for (const auto& [key, value] : b.items()) {
    if (key == "version" || key == "updated_at" || key == "created_at" || key.ends_with("_ja")) {
      continue;
    }
    if (!a.contains(key) || a[key] != value) {
      out[key] = {{"from", a.contains(key) ? a[key] : json()}, {"to", value}};
    }
  }
  return out;
}

/// True when two resources carry the same content (ignoring bookkeeping).
bool same_content(Resource a, const Resource& b) {
  a.id = b.id;
  a.version = b.version;
  a.created_at = b.created_at;
  a.updated_at = b.updated_at;
  a.source_id = b.source_id;
  a.source_key = b.source_key;
  return a == b;
}

const std::string& insert_sql() {
  static const std::string sql = make_insert_sql();
  return sql;
}

const std::string& update_sql() {
  static const std::string sql = make_update_sql();
  return sql;
}

std::string resource_select_sql(const std::string& where) {
  return "SELECT " + column_list() + " FROM resource " + where;
}

}  // namespace

// ---- Impl ----

struct Store::Impl {
  std::filesystem::path path;
  sqlite3* db = nullptr;
  void* spatialite_cache = nullptr;
  bool read_only = false;
  int schema_version = 0;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> statements;
  std::unordered_map<const void*, std::unique_ptr<Stmt>> static_statements;

  ~Impl() {
    statements.clear();
    static_statements.clear();
    if (db) sqlite3_close_v2(db);
    if (spatialite_cache) spatialite_cleanup_ex(spatialite_cache);
  }

  Stmt& stmt(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      it = statements.emplace(sql, std::make_unique<Stmt>(db, sql, kCached)).first;
    }
    return it->second->reset();
  }
  /// A statement whose SQL has static storage (a literal), found by its address: hashing the SQL
  /// text on every row was 5% of a large import.
  Stmt& stmt_static(const void* key, std::string_view sql) {
    auto it = static_statements.find(key);
    if (it == static_statements.end()) {
      it = static_statements.emplace(key, std::make_unique<Stmt>(db, sql, kCached)).first;
    }
    return it->second->reset();
  }
  /// Resets every cached statement, ending any read a caller left pending. Before a write
  /// transaction starts: a pending read pins an old view of the file, and writing from it after
  /// another program committed fails (SQLITE_BUSY_SNAPSHOT).
  void end_reads() {
    for (auto& [sql, st] : statements) st->end();
    for (auto& [key, st] : static_statements) st->end();
  }
  template <std::size_t N>
  Stmt& stmt(const char (&sql)[N]) {
    return stmt_static(sql, std::string_view(sql, N - 1));
  }

  void require_writable() const {
    if (read_only) throw StoreError(path.string() + " is opened read-only");
  }

  // Within an import's transaction the R*Tree entries of new rows are added at commit, in one
  // pass, instead of by the per-row trigger (which cost half of a 200k-row import). The trigger is
  // dropped inside the transaction and re-created from its own SQL before COMMIT; DDL is
  // transactional, so a rollback or a crash restores it.
  std::string deferred_trigger_sql;     ///< non-empty while deferring
  std::int64_t rowid_before_defer = 0;  ///< rows above it were inserted while deferring

  void defer_rtree() {
    if (!deferred_trigger_sql.empty()) return;
    auto& q =
        stmt("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'gii_resource_geom'");
    const auto q_done = q.reset_at_end();
    if (!q.step()) return;  // no trigger: nothing to defer
    deferred_trigger_sql = q.text(0);
    // Rowids only grow (resources are never deleted), so the new rows are those above this one.
    auto& m = stmt("SELECT coalesce(max(rowid), 0) FROM resource");
    const auto m_done = m.reset_at_end();
    m.step();
    rowid_before_defer = m.int64(0);
    exec_sql(db, "DROP TRIGGER gii_resource_geom");
  }

  void finish_rtree() {
    if (deferred_trigger_sql.empty()) return;
    auto& count = stmt("SELECT count(*), count(*) FILTER (WHERE rowid > ?1) FROM resource");
    count.bind(1, rowid_before_defer);
    count.step();
    const std::int64_t total = count.int64(0);
    const std::int64_t added = count.int64(1);
    count.end();
    // SQLite adds an R*Tree entry in ~8 µs; packing the whole tree costs ~1 µs per entry. Repack
    // when the new rows are a large share of all rows, else insert just the new ones.
    if (added * 8 > total) {
      std::vector<RTreeEntry> entries;
      entries.reserve(static_cast<std::size_t>(total));
      auto& all = stmt("SELECT rowid, lon, lat FROM resource");
      while (all.step()) {
        entries.push_back({all.int64(0), all.real(1), all.real(1), all.real(2), all.real(2)});
      }
      bulk_load_rtree(db, "idx_resource_geom", std::move(entries));
    } else {
      // One statement: a statement per row would copy R*Tree pages into a statement journal.
      auto& ins = stmt(
          "INSERT OR REPLACE INTO idx_resource_geom (pkid, xmin, xmax, ymin, ymax) "
          "SELECT rowid, lon, lon, lat, lat FROM resource WHERE rowid > ?1");
      ins.bind(1, rowid_before_defer);
      ins.run();
    }
    exec_sql(db, deferred_trigger_sql);
    forget_deferred();
  }

  void forget_deferred() {
    deferred_trigger_sql.clear();
    rowid_before_defer = 0;
  }

  void bump_generation() { stmt("UPDATE store_state SET generation = generation + 1").run(); }
  /// Marks the area layer changed as of the generation this write commits as.
  void bump_areas_generation() {
    stmt("UPDATE store_state SET areas_generation = generation + 1 WHERE id = 1").run();
  }

  void add_history(const std::string& id, std::int64_t version, std::string_view actor,
                   std::string_view action, const json& changes) {
    auto& s = stmt(
        "INSERT INTO resource_history (resource_id, version, at, actor, action, changes_json) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, id);
    s.bind(2, version);
    s.bind(3, utc_now_iso());
    s.bind(4, actor);
    s.bind(5, action);
    s.bind(6, changes.dump());
    s.run();
  }

  std::optional<Resource> find(std::string_view id) {
    auto& s = stmt(resource_select_sql("WHERE resource_id = ?1"));
    const auto done = s.reset_at_end();
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_resource(s);
  }
};

/// Makes one store operation atomic: its own transaction when none is open, otherwise a savepoint
/// inside the caller's transaction (so a failed row of an import leaves nothing half-written).
class WriteScope {
 public:
  explicit WriteScope(Store::Impl& impl) : impl_(impl), own_(sqlite3_get_autocommit(impl.db) != 0) {
    if (own_) impl_.end_reads();
    impl_.stmt(own_ ? "BEGIN IMMEDIATE" : "SAVEPOINT write_scope").run();
  }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;
  ~WriteScope() {
    if (committed_) return;
    if (own_) {
      sqlite3_exec(impl_.db, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(impl_.db, "ROLLBACK TO write_scope; RELEASE write_scope", nullptr, nullptr,
                   nullptr);
    }
  }
  /// `changed` = false when the operation found nothing to write.
  void commit(bool changed = true) {
    // The generation moves once per transaction: here when this scope owns it, otherwise in
    // Store::Transaction::commit().
    if (own_ && changed) impl_.bump_generation();
    impl_.stmt(own_ ? "COMMIT" : "RELEASE write_scope").run();
    committed_ = true;
  }

 private:
  Store::Impl& impl_;
  bool own_;
  bool committed_ = false;
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::filesystem::path& path, Mode mode) {
  // SQLite counts every allocation under a global mutex unless told not to; tsunagi never reads
  // those counters. Only possible before SQLite initialises (else a harmless SQLITE_MISUSE).
  static std::once_flag sqlite_configured;
  std::call_once(sqlite_configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (!existed && mode != Mode::create_if_missing) {
    throw StoreError("store " + path.string() +
                     " does not exist (create one with `tsunagi import --db " + path.string() +
                     " …` or `tsunagi demo --db " + path.string() + "`)");
  }
  if (existed && std::filesystem::is_directory(path, ec)) {
    throw StoreError(path.string() + " is a directory, not a store file");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->read_only = mode == Mode::read_only;
  const int flags =
      (impl->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK) {
    throw StoreError("cannot open " + path.string() + ": " +
                     (impl->db ? sqlite3_errmsg(impl->db) : std::strerror(errno)));
  }
  // A store we create and fail to initialise is removed again, so no half-made file remains.
  auto cleanup_new = [&] {
    if (!existed) {
      impl.reset();
      std::filesystem::remove(path, ec);
      std::filesystem::remove(path.string() + "-wal", ec);
      std::filesystem::remove(path.string() + "-shm", ec);
    }
  };
  try {
    impl->spatialite_cache = spatialite_alloc_connection();
    spatialite_init_ex(impl->db, impl->spatialite_cache, 0);
    sqlite3_busy_timeout(impl->db, 5000);
    audit_chain::register_sql_function(impl->db);

    std::int64_t app_id = 0;
    std::int64_t version = 0;
    std::int64_t tables = 0;
    {
      // The first read tells whether this is SQLite at all.
      sqlite3_stmt* probe = nullptr;
      int rc =
          sqlite3_prepare_v2(impl->db, "SELECT count(*) FROM sqlite_master", -1, &probe, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(probe);
      if (rc == SQLITE_ROW) tables = sqlite3_column_int64(probe, 0);
      sqlite3_finalize(probe);
      if (rc == SQLITE_NOTADB) {
        throw StoreError(path.string() +
                         " is not a tsunagi store: it is not an SQLite database at all");
      }
      if (rc != SQLITE_ROW) fail(impl->db, "cannot read " + path.string());
      app_id = pragma_int(impl->db, "application_id");
      version = pragma_int(impl->db, "user_version");
    }
    const bool fresh = tables == 0 && app_id == 0 && version == 0;
    if (!fresh && app_id != kApplicationId) {
      throw StoreError(
          path.string() + " is an SQLite database but not a tsunagi store (its application_id is " +
          std::to_string(app_id) + "); give the path of a tsunagi store or a new file");
    }
    if (version > kSchemaVersion) {
      throw StoreError(path.string() + " was written by a newer tsunagi (schema version " +
                       std::to_string(version) + "; this build reads up to " +
                       std::to_string(kSchemaVersion) + "): upgrade tsunagi to open it");
    }
    if (fresh && existed && mode != Mode::create_if_missing) {
      throw StoreError(path.string() + " is an empty file, not a tsunagi store");
    }
    if (impl->read_only && version < kSchemaVersion) {
      throw StoreError(path.string() + " has schema version " + std::to_string(version) +
                       " and needs an upgrade; open it once read-write");
    }
    if (!impl->read_only) {
      exec_sql(impl->db, "PRAGMA journal_mode = WAL");
      exec_sql(impl->db, "PRAGMA synchronous = NORMAL");
    }
    exec_sql(impl->db, "PRAGMA foreign_keys = ON");
    // Savepoints inside long transactions keep their sub-journals in memory, not in temp files.
    exec_sql(impl->db, "PRAGMA temp_store = MEMORY");
    if (fresh) {
      // InitSpatialMetadata(1) runs its own transaction (fast); 'WGS84' keeps the file small.
      exec_sql(impl->db, "SELECT InitSpatialMetadata(1, 'WGS84')");
    }
    for (auto v = version; v < kSchemaVersion; ++v) {
      WriteScope tx(*impl);
      exec_sql(impl->db, kMigrations[static_cast<std::size_t>(v)]);
      if (v == 0) {
        exec_sql(impl->db, "PRAGMA application_id = " + std::to_string(kApplicationId));
        exec_sql(impl->db, "INSERT INTO store_state (id, generation, created_at) VALUES (1, 1, '" +
                               utc_now_iso() + "')");
      }
      exec_sql(impl->db, "PRAGMA user_version = " + std::to_string(v + 1));
      tx.commit(/*changed=*/false);  // a new or upgraded file is not a data change
    }
    impl->schema_version = static_cast<int>(pragma_int(impl->db, "user_version"));
  } catch (...) {
    cleanup_new();
    throw;
  }
  return Store(std::move(impl));
}

const std::filesystem::path& Store::path() const {
  return impl_->path;
}
int Store::schema_version() const {
  return impl_->schema_version;
}

std::int64_t Store::generation() const {
  auto& s = impl_->stmt("SELECT generation FROM store_state WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::int64_t Store::areas_generation() const {
  auto& s = impl_->stmt("SELECT areas_generation FROM store_state WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

void Store::read_consistent(const std::function<void()>& f) const {
  const bool own = sqlite3_get_autocommit(impl_->db) != 0;
  if (own && sqlite3_exec(impl_->db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StoreError(std::string("cannot read the store: ") + sqlite3_errmsg(impl_->db));
  }
  try {
    f();
  } catch (...) {
    if (own) sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (own) sqlite3_exec(impl_->db, "COMMIT", nullptr, nullptr, nullptr);
}

sqlite3* Store::raw_handle() const {
  return impl_->db;
}

void Store::touch() {
  impl_->require_writable();
  WriteScope tx(*impl_);
  tx.commit();
}

void Store::exec(std::string_view sql) {
  exec_sql(impl_->db, std::string(sql));
}

Store::Transaction::Transaction(Store& store, Writes writes) : store_(&store), writes_(writes) {
  // A long transaction whose pages do not fit the page cache spills them into the WAL and reads
  // them back again and again (the kernel dominated a 200k-row import); give explicit
  // transactions a page cache that grows up to 256 MiB as needed.
  store.impl_->stmt("PRAGMA cache_size = -262144").run();
  store.impl_->require_writable();
  if (sqlite3_get_autocommit(store.impl_->db) == 0) {
    throw StoreError("a transaction is already open on this store");
  }
  store.impl_->end_reads();
  exec_sql(store.impl_->db, "BEGIN IMMEDIATE");
}

Store::Transaction::~Transaction() {
  if (done_) return;
  sqlite3_exec(store_->impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
  store_->impl_->forget_deferred();  // the rollback restored the trigger
}

void Store::Transaction::commit() {
  store_->impl_->finish_rtree();
  if (writes_ == Writes::content) store_->impl_->bump_generation();
  store_->impl_->stmt("COMMIT").run();
  done_ = true;
}

// ---- sources and runs ----

std::int64_t Store::upsert_source(const SourceInfo& info) {
  impl_->require_writable();
  if (info.key.empty()) throw InvalidArgument("a source needs a key");
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO source (key, title, publisher, url, license, attribution, vintage, imported_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(key) DO UPDATE SET title = ?2, "
      "publisher = ?3, url = ?4, license = ?5, attribution = ?6, vintage = ?7, imported_at = ?8");
  s.bind(1, info.key);
  s.bind(2, info.title);
  s.bind(3, info.publisher);
  s.bind(4, info.url);
  s.bind(5, info.license);
  s.bind(6, info.attribution);
  s.bind(7, info.vintage);
  s.bind(8, info.imported_at.empty() ? utc_now_iso() : info.imported_at);
  s.run();
  auto& q = impl_->stmt("SELECT source_id FROM source WHERE key = ?1");
  q.bind(1, info.key);
  q.step();
  const auto id = q.int64(0);
  q.end();
  tx.commit();
  return id;
}

namespace {
const char* kSourceColumns =
    "SELECT source_id, key, title, publisher, url, license, attribution, vintage, imported_at "
    "FROM source ";
SourceInfo read_source(const Stmt& s) {
  return SourceInfo{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                    s.text(5),  s.text(6), s.text(7), s.text(8)};
}
}  // namespace

std::optional<SourceInfo> Store::source_by_key(std::string_view key) const {
  auto& s = impl_->stmt(std::string(kSourceColumns) + "WHERE key = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return read_source(s);
}

std::optional<SourceInfo> Store::source_by_id(std::int64_t id) const {
  auto& s = impl_->stmt(std::string(kSourceColumns) + "WHERE source_id = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_source(s);
}

std::vector<SourceInfo> Store::sources() const {
  std::vector<SourceInfo> out;
  auto& s = impl_->stmt(std::string(kSourceColumns) + "ORDER BY source_id");
  while (s.step()) out.push_back(read_source(s));
  return out;
}

std::int64_t Store::record_import(const ImportRun& run) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO import_run (source_id, started_at, finished_at, inserted, updated, unchanged, "
      "rejected, report_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (run.source_id > 0) {
    s.bind(1, run.source_id);
  } else {
    s.bind_null(1);
  }
  s.bind(2, run.started_at);
  s.bind(3, run.finished_at.empty() ? utc_now_iso() : run.finished_at);
  s.bind(4, run.inserted);
  s.bind(5, run.updated);
  s.bind(6, run.unchanged);
  s.bind(7, run.rejected);
  s.bind(8, run.report_json.empty() ? std::string("{}") : run.report_json);
  s.run();
  const auto id = sqlite3_last_insert_rowid(impl_->db);
  tx.commit();
  return id;
}

std::vector<ImportRun> Store::import_runs() const {
  std::vector<ImportRun> out;
  auto& s = impl_->stmt(
      "SELECT run_id, source_id, started_at, finished_at, inserted, updated, unchanged, rejected, "
      "report_json FROM import_run ORDER BY run_id");
  while (s.step()) {
    out.push_back(ImportRun{s.int64(0), s.is_null(1) ? 0 : s.int64(1), s.text(2), s.text(3),
                            s.int64(4), s.int64(5), s.int64(6), s.int64(7), s.text(8)});
  }
  return out;
}

// ---- resources ----

UpsertOutcome Store::upsert_imported(Resource& r, std::string_view actor) {
  impl_->require_writable();
  if (r.source_id <= 0 || r.source_key.empty()) {
    throw InvalidArgument("an imported resource needs its source and its id in that source");
  }
  validate(r);
  static const std::string select_sql =
      resource_select_sql("WHERE source_id = ?1 AND source_key = ?2");
  auto& q = impl_->stmt(select_sql);
  const auto q_done = q.reset_at_end();
  q.bind(1, r.source_id);
  q.bind(2, r.source_key);
  const std::string now = utc_now_iso();
  if (!q.step()) {
    r.id = new_uuid();
    r.version = 1;
    r.created_at = now;
    r.updated_at = now;
    // One INSERT is atomic on its own: inside an import's transaction it needs no savepoint
    // (a savepoint per row cost a fifth of a 200k-row import).
    std::optional<WriteScope> tx;
    if (sqlite3_get_autocommit(impl_->db) != 0) {
      tx.emplace(*impl_);
    } else {
      impl_->defer_rtree();
    }
    auto& ins = impl_->stmt_static(&insert_sql(), insert_sql());
    bind_resource(ins, r, actor);
    ins.run();
    if (tx) tx->commit();
    return UpsertOutcome::inserted;
  }
  const Resource old = read_resource(q);
  if (same_content(r, old)) {
    r = old;
    return UpsertOutcome::unchanged;
  }
  WriteScope tx(*impl_);
  r.id = old.id;
  r.version = old.version + 1;
  r.created_at = old.created_at;
  r.updated_at = now;
  auto& up = impl_->stmt(update_sql());
  bind_resource(up, r, actor);
  up.run();
  impl_->add_history(r.id, r.version, actor, "imported", diff(old, r));
  tx.commit();
  return UpsertOutcome::updated;
}

void Store::create(Resource& r, std::string_view actor) {
  impl_->require_writable();
  validate(r);
  WriteScope tx(*impl_);
  r.id = new_uuid();
  r.version = 1;
  r.created_at = utc_now_iso();
  r.updated_at = r.created_at;
  if (r.source_id > 0 && r.source_key.empty()) r.source_key = r.id;
  auto& ins = impl_->stmt_static(&insert_sql(), insert_sql());
  bind_resource(ins, r, actor);
  ins.run();
  impl_->add_history(r.id, r.version, actor, "created", diff(Resource{}, r));
  tx.commit();
}

void Store::update(Resource& r, std::int64_t expected_version, std::string_view actor) {
  impl_->require_writable();
  validate(r);
  WriteScope tx(*impl_);
  auto old = impl_->find(r.id);
  if (!old) throw NotFound("no resource with id " + r.id);
  if (old->version != expected_version) {
    throw VersionConflict("resource " + r.id + " was changed by someone else (now version " +
                          std::to_string(old->version) + ", you edited version " +
                          std::to_string(expected_version) +
                          "): reload it and apply your change again");
  }
  r.source_id = old->source_id;
  r.source_key = old->source_key;
  r.created_at = old->created_at;
  if (same_content(r, *old)) {
    r = *old;
    tx.commit(/*changed=*/false);
    return;
  }
  r.version = old->version + 1;
  r.updated_at = utc_now_iso();
  auto& up = impl_->stmt(update_sql());
  bind_resource(up, r, actor);
  up.run();
  impl_->add_history(r.id, r.version, actor,
                     r.status == ResourceStatus::closed && old->status != ResourceStatus::closed
                         ? "closed"
                         : "updated",
                     diff(*old, r));
  tx.commit();
}

Resource Store::close(std::string_view id, std::int64_t expected_version, std::string_view actor) {
  auto current = resource(id);
  if (!current) throw NotFound("no resource with id " + std::string(id));
  Resource r = *current;
  r.status = ResourceStatus::closed;
  update(r, expected_version, actor);
  return r;
}

std::optional<Resource> Store::resource(std::string_view id) const {
  return impl_->find(id);
}

void Store::for_each_resource(const std::function<void(Resource&&)>& f) const {
  auto& s = impl_->stmt(resource_select_sql("ORDER BY resource_id"));
  while (s.step()) f(read_resource(s));
}

Store::ChangeMark Store::change_mark() const {
  ChangeMark m;
  auto& r = impl_->stmt("SELECT coalesce(max(rowid), 0) FROM resource");
  const auto r_done = r.reset_at_end();
  if (r.step()) m.last_rowid = r.int64(0);
  auto& h = impl_->stmt("SELECT coalesce(max(history_id), 0) FROM resource_history");
  const auto h_done = h.reset_at_end();
  if (h.step()) m.last_history_id = h.int64(0);
  return m;
}

void Store::for_each_resource_changed_since(const ChangeMark& mark,
                                            const std::function<void(Resource&&)>& f) const {
  // Rows are never deleted: a change is a new row (a rowid above the mark) or an edit, which
  // always writes a history entry. Two primary-key range reads, so there is no index to keep up
  // on the import path (an OR, or an ORDER BY, would scan the table); the few rows are put in id
  // order here.
  auto& s = impl_->stmt(
      resource_select_sql("WHERE rowid > ?1") + " UNION ALL " +
      resource_select_sql("WHERE resource_id IN (SELECT resource_id FROM resource_history "
                          "WHERE history_id > ?2) AND rowid <= ?1"));
  s.bind(1, mark.last_rowid);
  s.bind(2, mark.last_history_id);
  std::vector<Resource> rows;
  while (s.step()) rows.push_back(read_resource(s));
  std::sort(rows.begin(), rows.end(),
            [](const Resource& a, const Resource& b) { return a.id < b.id; });
  for (auto& r : rows) f(std::move(r));
}

std::int64_t Store::resources_changed_since(const ChangeMark& mark) const {
  auto& s = impl_->stmt(
      "SELECT (SELECT count(*) FROM resource WHERE rowid > ?1) + "
      "(SELECT count(DISTINCT resource_id) FROM resource_history WHERE history_id > ?2)");
  const auto done = s.reset_at_end();
  s.bind(1, mark.last_rowid);
  s.bind(2, mark.last_history_id);
  return s.step() ? s.int64(0) : 0;
}

std::int64_t Store::resource_count() const {
  auto& s = impl_->stmt("SELECT count(*) FROM resource");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::vector<std::pair<std::string, std::string>> Store::source_keys(std::int64_t source_id) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto& s = impl_->stmt(
      "SELECT source_key, resource_id FROM resource WHERE source_id = ?1 ORDER BY source_key");
  s.bind(1, source_id);
  while (s.step()) out.emplace_back(s.text(0), s.text(1));
  return out;
}

std::vector<HistoryEntry> Store::history(std::string_view resource_id) const {
  std::vector<HistoryEntry> out;
  // Imported rows record their creation on the row itself (one write per row keeps imports fast);
  // it is the first entry of their history.
  auto& c =
      impl_->stmt("SELECT created_at, created_by, source_id FROM resource WHERE resource_id = ?1");
  const auto c_done = c.reset_at_end();
  c.bind(1, resource_id);
  if (!c.step()) throw NotFound("no resource with id " + std::string(resource_id));
  const bool imported = !c.is_null(2);
  if (imported) {
    out.push_back(
        HistoryEntry{0, std::string(resource_id), 1, c.text(0), c.text(1), "imported", "{}"});
  }
  auto& s = impl_->stmt(
      "SELECT history_id, resource_id, version, at, actor, action, changes_json "
      "FROM resource_history WHERE resource_id = ?1 ORDER BY history_id");
  s.bind(1, resource_id);
  while (s.step()) {
    out.push_back(HistoryEntry{s.int64(0), s.text(1), s.int64(2), s.text(3), s.text(4), s.text(5),
                               s.text(6)});
  }
  return out;
}

// ---- areas ----

// ---- walking network ----

namespace {

template <typename T>
void append_le(std::string& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));  // the machines we run on are little endian
  out.append(bytes, sizeof(T));
}

template <typename T>
T read_le(const std::string& in, std::size_t& at) {
  if (at + sizeof(T) > in.size()) throw StoreError("the stored walking network is truncated");
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

constexpr std::size_t kEdgeBytes = 4 + 4 + 4 + 1;

}  // namespace

void Store::put_network(const NetworkData& n) {
  impl_->require_writable();
  if (n.lon.size() != n.lat.size()) throw InvalidArgument("network: lon and lat differ in size");
  std::string nodes;
  nodes.reserve(n.lon.size() * 16);
  for (std::size_t i = 0; i < n.lon.size(); ++i) {
    append_le(nodes, n.lon[i]);
    append_le(nodes, n.lat[i]);
  }
  std::string edges;
  edges.reserve(n.edges.size() * kEdgeBytes);
  for (const auto& e : n.edges) {
    if (e.a >= n.lon.size() || e.b >= n.lon.size()) {
      throw InvalidArgument("network: an edge names a missing node");
    }
    append_le(edges, e.a);
    append_le(edges, e.b);
    append_le(edges, e.length_m);
    append_le(edges, static_cast<std::uint8_t>(e.steps ? 1 : 0));
  }
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO walk_network (id, generation, source, imported_at, report_json, node_count, "
      "edge_count, nodes, edges) VALUES (1, (SELECT generation + 1 FROM store_state WHERE id = 1), "
      "?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, "
      "source = ?1, imported_at = ?2, report_json = ?3, node_count = ?4, edge_count = ?5, "
      "nodes = ?6, edges = ?7");
  s.bind(1, n.source);
  s.bind(2, utc_now_iso());
  s.bind(3, n.report_json);
  s.bind(4, static_cast<std::int64_t>(n.lon.size()));
  s.bind(5, static_cast<std::int64_t>(n.edges.size()));
  s.bind_blob(6, nodes);
  s.bind_blob(7, edges);
  s.run();
  tx.commit();
}

std::int64_t Store::network_generation() const {
  auto& s = impl_->stmt("SELECT generation FROM walk_network WHERE id = 1");
  const auto done = s.reset_at_end();
  return s.step() ? s.int64(0) : 0;
}

std::optional<NetworkData> Store::network() const {
  auto& s = impl_->stmt(
      "SELECT source, report_json, node_count, edge_count, nodes, edges FROM walk_network "
      "WHERE id = 1");
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  NetworkData n;
  n.source = s.text(0);
  n.report_json = s.text(1);
  const auto node_count = static_cast<std::size_t>(s.int64(2));
  const auto edge_count = static_cast<std::size_t>(s.int64(3));
  const std::string nodes = s.blob(4);
  const std::string edges = s.blob(5);
  if (nodes.size() != node_count * 16 || edges.size() != edge_count * kEdgeBytes) {
    throw StoreError("the stored walking network does not match its counts: import it again");
  }
  n.lon.resize(node_count);
  n.lat.resize(node_count);
  std::size_t at = 0;
  for (std::size_t i = 0; i < node_count; ++i) {
    n.lon[i] = read_le<double>(nodes, at);
    n.lat[i] = read_le<double>(nodes, at);
  }
  n.edges.resize(edge_count);
  at = 0;
  for (auto& e : n.edges) {
    e.a = read_le<std::uint32_t>(edges, at);
    e.b = read_le<std::uint32_t>(edges, at);
    e.length_m = read_le<float>(edges, at);
    e.steps = read_le<std::uint8_t>(edges, at) != 0;
  }
  return n;
}

void Store::put_area(const Area& a) {
  impl_->require_writable();
  if (a.id.empty()) throw InvalidArgument("an area needs an id");
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO area (area_id, kind, code, name, parent_id, lg_code, source_id, vintage, "
      "label_lon, label_lat, geom, approximate, level) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, CASE WHEN ?11 IS NULL THEN NULL ELSE CastToMultiPolygon(GeomFromWKB(?11, 4326)) "
      "END, ?12, ?13) ON CONFLICT(area_id) DO UPDATE SET kind = ?2, code = ?3, name = ?4, "
      "parent_id = ?5, lg_code = ?6, source_id = ?7, vintage = ?8, label_lon = ?9, "
      "label_lat = ?10, geom = excluded.geom, approximate = ?12, level = ?13");
  s.bind(1, a.id);
  s.bind(2, code_id(a.kind));
  s.bind(3, a.code);
  s.bind(4, a.name);
  s.bind(5, a.parent_id);
  s.bind(6, a.lg_code);
  if (a.source_id > 0) {
    s.bind(7, a.source_id);
  } else {
    s.bind_null(7);
  }
  s.bind(8, a.vintage);
  s.bind(9, a.label_lon);
  s.bind(10, a.label_lat);
  if (a.wkb.empty()) {
    s.bind_null(11);
  } else {
    s.bind_blob(11, a.wkb);
  }
  s.bind(12, static_cast<std::int64_t>(a.approximate ? 1 : 0));
  s.bind(13, small_area_level_id(a.level));
  s.run();
  impl_->bump_areas_generation();
  if (!a.wkb.empty()) {
    auto& chk = impl_->stmt("SELECT geom IS NULL FROM area WHERE area_id = ?1");
    const auto chk_done = chk.reset_at_end();
    chk.bind(1, a.id);
    if (chk.step() && chk.int64(0) != 0) {
      throw InvalidArgument("area " + a.id +
                            ": the boundary is not a valid WKB Polygon or MultiPolygon");
    }
  }
  tx.commit();
}

void Store::put_population(const AreaPopulation& p) {
  impl_->require_writable();
  if (p.area_id.empty() || p.ref_date.empty()) {
    throw InvalidArgument("a population needs an area id and a reference date");
  }
  WriteScope tx(*impl_);
  auto& del = impl_->stmt("DELETE FROM area_population WHERE area_id = ?1 AND ref_date = ?2");
  del.bind(1, p.area_id);
  del.bind(2, p.ref_date);
  del.run();
  for (const auto& b : p.bands) {
    if (b.male < 0 || b.female < 0) {
      throw InvalidArgument("population of " + p.area_id + " has a negative count in band " +
                            std::to_string(b.age_from));
    }
    auto& s = impl_->stmt(
        "INSERT INTO area_population (area_id, ref_date, age_from, age_to, male, female, "
        "source_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    s.bind(1, p.area_id);
    s.bind(2, p.ref_date);
    s.bind(3, static_cast<std::int64_t>(b.age_from));
    s.bind(4, b.age_to);
    s.bind(5, b.male);
    s.bind(6, b.female);
    if (p.source_id > 0) {
      s.bind(7, p.source_id);
    } else {
      s.bind_null(7);
    }
    try {
      s.run();
    } catch (const StoreError& e) {
      throw InvalidArgument("population of " + p.area_id + ": " + e.what() +
                            " (is the area stored, and are the bands distinct?)");
    }
  }
  auto& h = impl_->stmt(
      "INSERT INTO area_households (area_id, ref_date, households) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(area_id, ref_date) DO UPDATE SET households = ?3");
  if (p.households) {
    h.bind(1, p.area_id);
    h.bind(2, p.ref_date);
    h.bind(3, *p.households);
    h.run();
  }
  impl_->bump_areas_generation();
  tx.commit();
}

namespace {
const char* kAreaColumns =
    "SELECT area_id, kind, code, name, parent_id, lg_code, source_id, vintage, AsBinary(geom), "
    "label_lon, label_lat, approximate, level FROM area ";
Area read_area(const Stmt& s) {
  Area a;
  a.id = s.text(0);
  a.kind = code_or(s.text(1), AreaKind::custom);
  a.code = s.text(2);
  a.name = s.text(3);
  a.parent_id = s.text(4);
  a.lg_code = s.text(5);
  a.source_id = s.is_null(6) ? 0 : s.int64(6);
  a.vintage = s.text(7);
  a.wkb = s.blob(8);
  a.label_lon = s.real(9);
  a.label_lat = s.real(10);
  a.approximate = s.int64(11) != 0;
  a.level = parse_small_area_level(s.text(12)).value_or(SmallAreaLevel::none);
  return a;
}
}  // namespace

std::optional<Area> Store::area(std::string_view id) const {
  auto& s = impl_->stmt(std::string(kAreaColumns) + "WHERE area_id = ?1");
  const auto done = s.reset_at_end();
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_area(s);
}

std::vector<Area> Store::areas(std::optional<AreaKind> kind) const {
  std::vector<Area> out;
  if (kind) {
    auto& s = impl_->stmt(std::string(kAreaColumns) + "WHERE kind = ?1 ORDER BY area_id");
    s.bind(1, code_id(*kind));
    while (s.step()) out.push_back(read_area(s));
  } else {
    auto& s = impl_->stmt(std::string(kAreaColumns) + "ORDER BY area_id");
    while (s.step()) out.push_back(read_area(s));
  }
  return out;
}

std::vector<AreaPopulation> Store::populations() const {
  std::vector<AreaPopulation> out;
  auto& s = impl_->stmt(
      "SELECT p.area_id, p.ref_date, p.age_from, p.age_to, p.male, p.female, p.source_id, "
      "h.households FROM area_population p LEFT JOIN area_households h "
      "ON h.area_id = p.area_id AND h.ref_date = p.ref_date ORDER BY p.area_id, p.ref_date, "
      "p.age_from");
  while (s.step()) {
    const std::string area_id = s.text(0);
    const std::string ref_date = s.text(1);
    if (out.empty() || out.back().area_id != area_id || out.back().ref_date != ref_date) {
      AreaPopulation p;
      p.area_id = area_id;
      p.ref_date = ref_date;
      p.source_id = s.is_null(6) ? 0 : s.int64(6);
      if (!s.is_null(7)) p.households = s.int64(7);
      out.push_back(std::move(p));
    }
    out.back().bands.push_back(
        AgeBandCount{static_cast<int>(s.int64(2)), s.opt_int(3), s.int64(4), s.int64(5)});
  }
  return out;
}

// ---- statistics ----

void Store::put_stats(const std::vector<StatDef>& defs, const std::vector<StatValue>& values) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  for (const auto& d : defs) {
    if (d.key.empty()) throw InvalidArgument("a statistic needs a key");
    if (d.min_cell < 1) throw InvalidArgument("statistic " + d.key + ": min_cell must be >= 1");
    // One key, one protection: the values of every source under a key are served at the key's
    // publish level and small-cell rule, so another source may not change them (a public census
    // table must not make a municipality's internal figures of the same key public, nor the other
    // way round). The same source re-imported may.
    {
      auto& q = impl_->stmt(
          "SELECT d.publish, d.own_data, d.source_id, coalesce(src.title, '') FROM stat_def d "
          "LEFT JOIN source src ON src.source_id = d.source_id WHERE d.stat_key = ?1");
      const auto done = q.reset_at_end();
      q.bind(1, d.key);
      if (q.step()) {
        const std::string publish = q.text(0);
        const bool own = q.int64(1) != 0;
        const std::int64_t source = q.is_null(2) ? 0 : q.int64(2);
        if (source != d.source_id && (publish != code_id(d.publish) || own != d.own_data)) {
          throw InvalidArgument(
              "statistic '" + d.key + "' is stored already as " + publish +
              (own ? " own figures (small-cell rule)" : " figures") +
              (q.text(3).empty() ? std::string() : " of " + q.text(3)) +
              "; this import would serve them as " + std::string(code_id(d.publish)) +
              (d.own_data ? " own figures" : " figures") +
              ": give the column another name, or re-import that source with the level you want");
        }
      }
    }
    auto& s = impl_->stmt(
        "INSERT INTO stat_def (stat_key, label, unit, publish, own_data, min_cell, source_id, "
        "note, breakdowns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(stat_key) DO "
        "UPDATE SET label = ?2, unit = ?3, publish = ?4, own_data = ?5, min_cell = ?6, "
        "source_id = ?7, note = ?8, breakdowns = ?9");
    s.bind(1, d.key);
    s.bind(2, d.label);
    s.bind(3, stat_unit_id(d.unit));
    s.bind(4, code_id(d.publish));
    s.bind(5, static_cast<std::int64_t>(d.own_data ? 1 : 0));
    s.bind(6, static_cast<std::int64_t>(d.min_cell));
    if (d.source_id > 0) {
      s.bind(7, d.source_id);
    } else {
      s.bind_null(7);
    }
    s.bind(8, d.note);
    s.bind(9, d.breakdowns);
    s.run();
  }
  for (const auto& v : values) {
    if (v.ref_date.empty()) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " has no reference date");
    }
    if (v.value && !std::isfinite(*v.value)) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + " is not a number");
    }
    auto& s = impl_->stmt(
        "INSERT INTO area_stat (area_id, stat_key, ref_date, value, status, merged, source_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(area_id, stat_key, ref_date) DO UPDATE "
        "SET value = ?4, status = ?5, merged = ?6, source_id = ?7");
    s.bind(1, v.area_id);
    s.bind(2, v.key);
    s.bind(3, v.ref_date);
    if (v.value) {
      s.bind(4, *v.value);
    } else {
      s.bind_null(4);
    }
    s.bind(5, stat_status_id(v.status));
    s.bind(6, v.merged);
    if (v.source_id > 0) {
      s.bind(7, v.source_id);
    } else {
      s.bind_null(7);
    }
    try {
      s.run();
    } catch (const StoreError& e) {
      throw InvalidArgument("statistic " + v.key + " of " + v.area_id + ": " + e.what() +
                            " (is the area stored and the statistic defined?)");
    }
  }
  impl_->bump_areas_generation();
  tx.commit();
}

std::vector<StatDef> Store::stat_defs() const {
  std::vector<StatDef> out;
  auto& s = impl_->stmt(
      "SELECT stat_key, label, unit, publish, own_data, min_cell, source_id, note, breakdowns "
      "FROM stat_def "
      "ORDER BY stat_key");
  while (s.step()) {
    StatDef d;
    d.key = s.text(0);
    d.label = s.text(1);
    d.unit = parse_stat_unit(s.text(2)).value_or(StatUnit::count);
    d.publish = code_or(s.text(3), PublishLevel::internal);
    d.own_data = s.int64(4) != 0;
    d.min_cell = static_cast<int>(s.int64(5));
    d.source_id = s.is_null(6) ? 0 : s.int64(6);
    d.note = s.text(7);
    d.breakdowns = s.text(8);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<StatValue> Store::stats() const {
  std::vector<StatValue> out;
  auto& s = impl_->stmt(
      "SELECT area_id, stat_key, ref_date, value, status, merged, source_id FROM area_stat "
      "ORDER BY area_id, stat_key, ref_date");
  while (s.step()) {
    StatValue v;
    v.area_id = s.text(0);
    v.key = s.text(1);
    v.ref_date = s.text(2);
    if (!s.is_null(3)) v.value = s.real(3);
    v.status = parse_stat_status(s.text(4)).value_or(StatStatus::missing);
    v.merged = s.text(5);
    v.source_id = s.is_null(6) ? 0 : s.int64(6);
    out.push_back(std::move(v));
  }
  return out;
}

// ---- analysis jobs ----

void Store::put_job(const AnalysisJob& j) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "INSERT INTO analysis_job (job_id, analysis, request_json, audience, owner, status, "
      "created_at, finished_at, result_json, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10) ON CONFLICT(job_id) DO UPDATE SET status = ?6, finished_at = ?8, result_json = ?9, "
      "error = ?10");
  s.bind(1, j.id);
  s.bind(2, j.analysis);
  s.bind(3, j.request_json);
  s.bind(4, j.audience);
  s.bind(5, j.owner);
  s.bind(6, j.status);
  s.bind(7, j.created_at);
  s.bind(8, j.finished_at);
  s.bind(9, j.result_json);
  s.bind(10, j.error);
  s.run();
  tx.commit(/*changed=*/false);  // not content: no new snapshot, no tile invalidated
}

std::vector<AnalysisJob> Store::jobs() const {
  std::vector<AnalysisJob> out;
  auto& s = impl_->stmt(
      "SELECT job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
      "result_json, error FROM analysis_job ORDER BY created_at, job_id");
  while (s.step()) {
    out.push_back(AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                              s.text(6), s.text(7), s.text(8), s.text(9)});
  }
  return out;
}

std::optional<AnalysisJob> Store::job(std::string_view id) const {
  auto& s = impl_->stmt(
      "SELECT job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
      "result_json, error FROM analysis_job WHERE job_id = ?1");
  s.bind(1, id);
  const auto done = s.reset_at_end();
  if (!s.step()) return std::nullopt;
  return AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4),
                     s.text(5), s.text(6), s.text(7), s.text(8), s.text(9)};
}

namespace {

// Binds up to three audience ids to ?1..?3 (repeating the last: IN (a, b, b) is IN (a, b)).
void bind_audiences(Stmt& s, const std::vector<std::string>& audiences) {
  if (audiences.empty()) throw InvalidArgument("jobs: at least one audience");
  for (int i = 0; i < 3; ++i) {
    s.bind(i + 1,
           audiences[std::min<std::size_t>(static_cast<std::size_t>(i), audiences.size() - 1)]);
  }
}

}  // namespace

std::vector<AnalysisJob> Store::jobs(const std::vector<std::string>& audiences, std::int64_t limit,
                                     std::int64_t offset) const {
  std::vector<AnalysisJob> out;
  auto& s = impl_->stmt(
      "SELECT job_id, analysis, request_json, audience, owner, status, created_at, finished_at, "
      "error FROM analysis_job WHERE audience IN (?1, ?2, ?3) ORDER BY rowid DESC LIMIT ?4 "
      "OFFSET ?5");
  bind_audiences(s, audiences);
  s.bind(4, limit);
  s.bind(5, offset);
  while (s.step()) {
    out.push_back(AnalysisJob{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
                              s.text(6), s.text(7), "", s.text(8)});
  }
  return out;
}

std::int64_t Store::count_jobs(const std::vector<std::string>& audiences) const {
  auto& s = impl_->stmt("SELECT count(*) FROM analysis_job WHERE audience IN (?1, ?2, ?3)");
  bind_audiences(s, audiences);
  std::int64_t n = 0;
  while (s.step()) n = s.int64(0);
  return n;
}

std::int64_t Store::fail_unfinished_jobs(std::string_view error, std::string_view finished_at) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt(
      "UPDATE analysis_job SET status = 'failed', error = ?1, finished_at = ?2 "
      "WHERE status IN ('queued', 'running')");
  s.bind(1, error);
  s.bind(2, finished_at);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t Store::trim_jobs(std::string_view owner, std::int64_t keep_per_owner,
                              std::int64_t keep_total) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  std::int64_t n = 0;
  {
    auto& s = impl_->stmt(
        "DELETE FROM analysis_job WHERE rowid IN (SELECT rowid FROM analysis_job WHERE owner = ?1 "
        "AND status NOT IN ('queued', 'running') ORDER BY rowid DESC LIMIT -1 OFFSET ?2)");
    s.bind(1, owner);
    s.bind(2, keep_per_owner);
    s.run();
    n += static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  }
  {
    auto& s = impl_->stmt(
        "DELETE FROM analysis_job WHERE rowid IN (SELECT rowid FROM analysis_job WHERE status NOT "
        "IN ('queued', 'running') ORDER BY rowid DESC LIMIT -1 OFFSET ?1)");
    s.bind(1, keep_total);
    s.run();
    n += static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  }
  tx.commit(/*changed=*/false);
  return n;
}

std::int64_t Store::purge_jobs(std::string_view before) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  auto& s = impl_->stmt("DELETE FROM analysis_job WHERE finished_at <> '' AND finished_at < ?1");
  s.bind(1, before);
  s.run();
  const auto n = static_cast<std::int64_t>(sqlite3_changes(impl_->db));
  tx.commit(/*changed=*/false);
  return n;
}

// ---- the address table ----

std::size_t Store::put_addresses(const std::vector<AddressPoint>& points, std::int64_t source_id) {
  impl_->require_writable();
  WriteScope tx(*impl_);
  std::set<std::pair<std::string, std::string>> cities;
  for (const auto& p : points) cities.emplace(p.pref, p.city);
  for (const auto& [pref, city] : cities) {
    auto& del = impl_->stmt("DELETE FROM address_point WHERE pref = ?1 AND city = ?2");
    del.bind(1, pref);
    del.bind(2, city);
    del.run();
  }
  std::size_t written = 0;
  for (const auto& p : points) {
    if (p.city.empty() || p.town.empty() || !std::isfinite(p.lon) || !std::isfinite(p.lat)) {
      throw InvalidArgument("an address point needs a city, a town and finite coordinates");
    }
    auto& s = impl_->stmt(
        "INSERT INTO address_point (lg_code, pref, city, town, koaza, lon, lat, source_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(pref, city, town, koaza) DO UPDATE "
        "SET lg_code = ?1, lon = ?6, lat = ?7, source_id = ?8");
    s.bind(1, p.lg_code);
    s.bind(2, p.pref);
    s.bind(3, p.city);
    s.bind(4, p.town);
    s.bind(5, p.koaza);
    s.bind(6, p.lon);
    s.bind(7, p.lat);
    if (source_id > 0) {
      s.bind(8, source_id);
    } else {
      s.bind_null(8);
    }
    s.run();
    ++written;
  }
  tx.commit(!points.empty());
  return written;
}

std::vector<AddressPoint> Store::addresses() const {
  std::vector<AddressPoint> out;
  auto& s = impl_->stmt(
      "SELECT lg_code, pref, city, town, koaza, lon, lat FROM address_point "
      "ORDER BY pref, city, town, koaza");
  while (s.step()) {
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.real(5), s.real(6)});
  }
  return out;
}

}  // namespace tsunagi::geo
