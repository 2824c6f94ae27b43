ALTER TABLE interactions DROP COLUMN secret_hash;
