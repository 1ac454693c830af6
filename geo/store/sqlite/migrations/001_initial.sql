-- 1: the first schema: the store's state, sources and import runs, resources (with their
-- spatial index triggers) and their history, areas with their populations and households, and
-- the accounts (users, API tokens, sessions).
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
