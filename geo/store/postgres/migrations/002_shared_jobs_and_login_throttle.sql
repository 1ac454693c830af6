-- 16 (geo/store/sqlite/migrations/016_shared_jobs_and_login_throttle.sql): several servers on one
-- store. An analysis job is claimed by the server that runs it (claimed_by, its instance id),
-- which beats while it runs (heartbeat_at, progress, stage); a job whose beats stopped is taken
-- over by another server. A reader's request to stop a running job waits in cancel_requested for
-- its runner's next beat. Failed logins are counted per key (a hash the server makes: no name or
-- address in clear), so that every server sees the same count.
ALTER TABLE analysis_job
  ADD COLUMN started_at text COLLATE "C" NOT NULL DEFAULT '',
  ADD COLUMN claimed_by text COLLATE "C" NOT NULL DEFAULT '',
  ADD COLUMN heartbeat_at text COLLATE "C" NOT NULL DEFAULT '',
  ADD COLUMN progress double precision NOT NULL DEFAULT 0,
  ADD COLUMN stage text COLLATE "C" NOT NULL DEFAULT '',
  ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;
-- The claim looks at queued and running jobs only, a few among many ended ones.
CREATE INDEX analysis_job_by_status ON analysis_job(status);
CREATE TABLE login_throttle(
  key text COLLATE "C" PRIMARY KEY,
  failures bigint NOT NULL,
  last_failure text COLLATE "C" NOT NULL,
  locked_until text COLLATE "C" NOT NULL DEFAULT ''
);
