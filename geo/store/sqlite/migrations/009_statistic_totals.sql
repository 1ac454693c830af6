-- 9: a statistic that is a total of others ("male+female"): the small-cell rule protects its
-- parts from "total minus the other parts".
ALTER TABLE stat_def ADD COLUMN breakdowns TEXT NOT NULL DEFAULT '';
