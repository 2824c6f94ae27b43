DROP INDEX audit_log_created;
DROP INDEX rate_limits_window;
DROP INDEX one_time_tokens_expires;
DROP INDEX refresh_tokens_expires;
DROP INDEX access_tokens_expires;
DROP INDEX authorization_codes_expires;
DROP INDEX sessions_expires;
DROP INDEX interactions_expires;
