-- Applications allowed to introspect the tokens of other applications (RFC 7662).
ALTER TABLE applications ADD COLUMN introspection BOOLEAN NOT NULL DEFAULT FALSE;
