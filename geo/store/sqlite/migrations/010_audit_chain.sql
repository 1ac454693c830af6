-- 10: the audit log becomes a hash chain (geo/store/sqlite/audit_log.hpp): each row carries
-- chain_hash, BLAKE2b over the row and the chain hash of the row before it. The rows already
-- there are chained in id order (tsunagi_audit_link is registered on every connection of the
-- store); a new row without its hash is refused. And the referral statistics of a closed month
-- are kept as first computed (referral_stats_month, geo/store/sqlite/referrals.hpp), so that a
-- later purge does not move them and give away the outcome of a purged case.
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
