-- 3: the walking network, as compact arrays (nodes: lon, lat doubles; edges: a, b u32,
-- length f32, flags u8, little endian), one per store.
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
