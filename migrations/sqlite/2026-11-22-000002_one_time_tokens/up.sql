-- Magic-link tokens: only the SHA-256 of the token is stored; the plaintext is shown once.
CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    context TEXT NOT NULL,
    status TEXT NOT NULL,
    application_id TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX one_time_tokens_email ON one_time_tokens (email_lower, created_at);
CREATE INDEX one_time_tokens_created ON one_time_tokens (created_at);

-- What happened to each token, by whom, from where.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    event TEXT NOT NULL,
    token_id TEXT,
    application_id TEXT,
    client_ip TEXT,
    detail TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_token ON audit_log (token_id, created_at);
