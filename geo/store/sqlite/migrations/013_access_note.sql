-- 13: アクセス, how to get to a resource ("バス停から徒歩3分"): a plain field of the field table
-- (geo/core/resource_fields.cpp).
ALTER TABLE resource ADD COLUMN access_note TEXT NOT NULL DEFAULT '';
