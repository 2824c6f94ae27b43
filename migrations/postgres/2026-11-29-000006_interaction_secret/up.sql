-- The interaction cookie carries a random secret of its own (the uid is in the URL, so it
-- cannot be the proof of being the browser that started the sign-in); its SHA-256 is kept
-- here. Rows written before have none and match no cookie: those sign-ins start again.
ALTER TABLE interactions ADD COLUMN secret_hash TEXT;
