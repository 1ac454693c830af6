-- 6: statistics of areas (census tables, mesh tables, a municipality's own figures) with the
-- 秘匿・合算 marks of their source, and what each statistic is.
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
