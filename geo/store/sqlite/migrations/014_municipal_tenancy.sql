-- 14: municipalities as tenants (広域: one instance serving several towns). A user works for the
-- towns of app_user.municipalities (lg_codes separated by commas; '' = every town, as before). A
-- referral belongs to the person's town (municipality) and records the placement's town
-- (host_municipality), so that the host town's matchers can follow the slot. Each audit entry
-- records the municipality of its case (NULL for older entries and for entries of no case: the
-- chain hashes a row with a municipality in its v2 form, one without in v1, so the rows already
-- chained still verify). The cases already there take the town of their home area and of their
-- placement.
ALTER TABLE app_user ADD COLUMN municipalities TEXT NOT NULL DEFAULT '';
ALTER TABLE referral ADD COLUMN municipality TEXT NOT NULL DEFAULT '';
ALTER TABLE referral ADD COLUMN host_municipality TEXT NOT NULL DEFAULT '';
UPDATE referral SET municipality = coalesce(
  (SELECT CASE WHEN a.lg_code <> '' THEN a.lg_code
               WHEN a.kind = 'municipality' THEN a.code ELSE '' END
   FROM area a WHERE a.area_id = referral.home_area), '');
UPDATE referral SET host_municipality = coalesce(
  (SELECT r.lg_code FROM resource r WHERE r.resource_id = referral.resource_id), '');
CREATE INDEX referral_municipality ON referral(municipality, host_municipality);
ALTER TABLE audit_log ADD COLUMN municipality TEXT;
