-- 5: the address table (町丁目/大字 representative points) the geocoder reads.
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
