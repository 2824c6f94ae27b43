-- Hosted passwordless sign-in: "Email me a sign-in link" on the sign-in page. One row per
-- mail sent: the interaction it belongs to (its id hash), the address, the SHA-256 of the
-- link's token and of its 6-digit code (never the plaintexts), wrong codes typed so far, and
-- when it was spent. `sealed_uid` is the interaction's id, readable only with the link's token
-- (the link's page needs it to go on; the database alone does not give it away).
CREATE TABLE hosted_links (
    id TEXT PRIMARY KEY NOT NULL,
    interaction_hash TEXT NOT NULL,
    sealed_uid TEXT NOT NULL,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    last_sent_at BIGINT NOT NULL
);
-- The link's lookup, and the waiting page's: one row per interaction (sending again
-- replaces its token and code, so one link and one code are live at a time).
CREATE UNIQUE INDEX hosted_links_token ON hosted_links (token_hash);
CREATE UNIQUE INDEX hosted_links_interaction ON hosted_links (interaction_hash);
