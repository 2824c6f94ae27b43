-- The language the person reads their pages and mails in (one of i18n::Locale's tags); none:
-- the request's or the browser's.
ALTER TABLE users ADD COLUMN locale TEXT;
