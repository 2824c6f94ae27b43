-- Sessions, codes and tokens are written on every sign-in and exchange. A foreign key makes
-- each insert lock its user and application rows (SELECT ... FOR KEY SHARE, one WAL record
-- each, shared locks on one hot application row from every sign-in at once); that was a
-- quarter of the database's work per magic-link flow. Deleting a user or an application
-- deletes these rows itself (src/storage/users.rs, applications.rs), and every use of a
-- session or token loads its user and application again, so an orphan is never honoured.
ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey;
ALTER TABLE authorization_codes DROP CONSTRAINT authorization_codes_application_id_fkey;
ALTER TABLE authorization_codes DROP CONSTRAINT authorization_codes_user_id_fkey;
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_application_id_fkey;
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_user_id_fkey;
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_application_id_fkey;
ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_id_fkey;
