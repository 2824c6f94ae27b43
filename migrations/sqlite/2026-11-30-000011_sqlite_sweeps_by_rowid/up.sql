-- SQLite has one writer, and every index is one more page it writes per insert: the expiry
-- indexes (and the user_id ones of the short-lived codes and access tokens) cost the magic-link
-- flow about a quarter of its throughput. The clean-up sweeps SQLite tables in windows of
-- rowids instead (src/storage/cleanup.rs), so they go. PostgreSQL keeps its indexes.
DROP INDEX interactions_expires;
DROP INDEX sessions_expires;
DROP INDEX authorization_codes_expires;
DROP INDEX access_tokens_expires;
DROP INDEX refresh_tokens_expires;
DROP INDEX one_time_tokens_expires;
DROP INDEX rate_limits_window;
DROP INDEX audit_log_created;
DROP INDEX authorization_codes_user;
DROP INDEX access_tokens_user;
