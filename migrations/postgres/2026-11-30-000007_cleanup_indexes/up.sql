-- The clean-up (src/storage/cleanup.rs) deletes by these columns, in small batches; each
-- batch finds its rows through an index instead of scanning the table.
CREATE INDEX interactions_expires ON interactions (expires_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
CREATE INDEX audit_log_created ON audit_log (created_at);
