ALTER TABLE applications DROP COLUMN introspection;
