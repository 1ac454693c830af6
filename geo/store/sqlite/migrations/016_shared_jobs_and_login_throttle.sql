-- 16: several servers on one store. An analysis job is claimed by the server that runs it
-- (claimed_by, its instance id), which beats while it runs (heartbeat_at, progress, stage); a job
-- whose beats stopped is taken over by another server. A reader's request to stop a running job
-- waits in cancel_requested for its runner's next beat. Failed logins are counted per key (a hash
-- the server makes: no name or address in clear), so that every server sees the same count.
ALTER TABLE analysis_job ADD COLUMN started_at TEXT NOT NULL DEFAULT '';
ALTER TABLE analysis_job ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE analysis_job ADD COLUMN heartbeat_at TEXT NOT NULL DEFAULT '';
ALTER TABLE analysis_job ADD COLUMN progress REAL NOT NULL DEFAULT 0;
ALTER TABLE analysis_job ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE analysis_job ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
-- The claim looks at queued and running jobs only, a few among many ended ones.
CREATE INDEX analysis_job_by_status ON analysis_job(status);
CREATE TABLE login_throttle(
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure TEXT NOT NULL,
  locked_until TEXT NOT NULL DEFAULT ''
);
