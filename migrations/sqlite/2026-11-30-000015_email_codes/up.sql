-- Codes and links Sesame mails to prove an address: a public registration waiting for its
-- 6-digit code (the account is created only when it is typed), a password reset (a code typed
-- in the asking browser, or a link). Only hashes of the code and the link are kept; a pending
-- registration holds the argon2 hash of its password, never the password.
CREATE TABLE email_codes (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL,
    interaction_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    user_id TEXT,
    code_hash TEXT NOT NULL,
    link_hash TEXT,
    name TEXT,
    password_hash TEXT,
    attempts INTEGER NOT NULL,
    verified_at BIGINT,
    sent_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT
);
-- The code page's lookup (the interaction's latest code) and the reset link's.
CREATE INDEX email_codes_interaction ON email_codes (interaction_hash, purpose, created_at);
CREATE INDEX email_codes_link ON email_codes (link_hash);
-- A finished reset spends the account's other resets.
CREATE INDEX email_codes_user ON email_codes (user_id);
-- SQLite sweeps by rowid (see the clean-up): no index on expires_at.
