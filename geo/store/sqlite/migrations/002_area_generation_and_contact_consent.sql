-- 2: the area layer's own generation (a resource write does not rebuild it), and the host's
-- consent to publish a private person's contact details.
ALTER TABLE store_state ADD COLUMN areas_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resource ADD COLUMN contact_public INTEGER;
