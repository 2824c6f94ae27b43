DROP TABLE outbox;
DROP TABLE application_landing_uris;
ALTER TABLE applications DROP COLUMN landing_uris;
