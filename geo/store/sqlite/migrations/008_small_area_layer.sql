-- 8: e-Stat small areas (町丁・字等) are one area type whatever their code length, with the
-- level (大字・町, 丁目, 字) as an attribute. Census areas stored as oaza:/chome: become
-- small_area:, and every reference to them follows.
PRAGMA defer_foreign_keys = ON;
ALTER TABLE area ADD COLUMN level TEXT NOT NULL DEFAULT '';
CREATE TEMP TABLE small_area_rename AS
  SELECT area_id AS old_id, 'small_area:' || code AS new_id,
         CASE WHEN kind = 'oaza' THEN 'oaza'
              WHEN name LIKE '%丁目' THEN 'chome' ELSE 'aza' END AS level
  FROM area WHERE kind IN ('oaza', 'chome') AND vintage IN ('census2015', 'census2020');
UPDATE area SET level = (SELECT level FROM small_area_rename WHERE old_id = area_id),
                kind = 'small_area',
                area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area SET parent_id = (SELECT new_id FROM small_area_rename WHERE old_id = parent_id)
  WHERE parent_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_stat SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_stat SET merged = (SELECT new_id FROM small_area_rename WHERE old_id = merged)
  WHERE merged IN (SELECT old_id FROM small_area_rename);
UPDATE area_population SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE area_households SET area_id = (SELECT new_id FROM small_area_rename WHERE old_id = area_id)
  WHERE area_id IN (SELECT old_id FROM small_area_rename);
UPDATE referral SET home_area = (SELECT new_id FROM small_area_rename WHERE old_id = home_area)
  WHERE home_area IN (SELECT old_id FROM small_area_rename);
DROP TABLE small_area_rename;
