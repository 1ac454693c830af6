-- 4: 参加支援 referrals (pseudonymous cases, their status history) and the append-only audit
-- log of every read and write of a case: triggers refuse to change or delete its rows.
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
