-- When a takeover ended the account's credentials: a sign-in whose first factor was proven
-- before then (parked part-way, e.g. at the second factor) can no longer finish.
ALTER TABLE users ADD COLUMN credentials_changed_at BIGINT;
