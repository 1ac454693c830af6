-- 7: analyses run as background jobs, with their stored answers.
CREATE TABLE analysis_job(
  job_id TEXT PRIMARY KEY,
  analysis TEXT NOT NULL,
  request_json TEXT NOT NULL,
  audience TEXT NOT NULL,
  owner TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  result_json TEXT NOT NULL,
  error TEXT NOT NULL
);
