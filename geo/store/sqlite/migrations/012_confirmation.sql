-- 12: listings that stay true (geo/store/confirmation.hpp): a host's confirmation link (only the
-- SHA-256 of its token and of its short code are kept; one open request per listing), and
-- the review queue of what hosts answered and the public reported, until staff decide.
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
 