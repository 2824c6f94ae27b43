-- One row per grant (the family of tokens born from one code). Revoking a grant and issuing
-- tokens into it both go through this row first (on PostgreSQL, under its row lock), so a
-- revocation never misses tokens being issued at the same moment, and nothing is issued into a
-- revoked grant. Rows are created when the code is redeemed; grants that already have tokens
-- or a redeemed code get theirs here.
CREATE TABLE grants (
    id TEXT PRIMARY KEY NOT NULL,
    revoked_at BIGINT
);
INSERT INTO grants (id)
    SELECT grant_id FROM authorization_codes WHERE consumed_at IS NOT NULL
    UNION SELECT grant_id FROM access_tokens
    UNION SELECT grant_id FROM refresh_tokens;
