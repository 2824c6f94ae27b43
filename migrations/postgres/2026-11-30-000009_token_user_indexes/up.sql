-- Ending a user's sessions and tokens (users::end_user_sessions_and_tokens, run on the first
-- link sign-in of an unverified account) deletes these rows by user; an index finds them
-- instead of a scan of each table.
CREATE INDEX authorization_codes_user ON authorization_codes (user_id);
CREATE INDEX access_tokens_user ON access_tokens (user_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
