DROP INDEX refresh_tokens_user;
DROP INDEX access_tokens_user;
DROP INDEX authorization_codes_user;
