-- 11: a user's jobs found without a scan (each user's kept answers are bounded, oldest first
-- deleted; the rowid gives the order in which they were submitted).
CREATE INDEX analysis_job_by_owner ON analysis_job(owner);
