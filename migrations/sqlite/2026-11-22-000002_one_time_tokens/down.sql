DROP TABLE audit_log;
DROP TABLE one_time_tokens;
