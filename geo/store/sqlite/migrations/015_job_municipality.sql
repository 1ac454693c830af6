-- 15: an analysis job belongs to a town (広域: the figures of one municipality are its planners'),
-- or to none ('' = the whole region, readable only by users of every town). Jobs already stored
-- take the town their request named.
ALTER TABLE analysis_job ADD COLUMN municipality TEXT NOT NULL DEFAULT '';
UPDATE analysis_job SET municipality = json_extract(request_json, '$.municipality')
  WHERE CASE WHEN json_valid(request_json)
             THEN coalesce(json_type(request_json, '$.municipality') = 'text', 0) ELSE 0 END;
CREATE INDEX analysis_job_by_municipality ON analysis_job(municipality);
