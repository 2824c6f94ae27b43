-- Before amr told a link from a TOTP code, a link stored "otp" (src/oidc/session.rs `Amr`):
-- a stored amr of exactly "otp" could only be a link sign-in (a TOTP or backup code was only
-- ever added after a first factor, together with "mfa"). It is "email" now.
UPDATE sessions SET amr = 'email' WHERE amr = 'otp';
UPDATE authorization_codes SET amr = 'email' WHERE amr = 'otp';
UPDATE refresh_tokens SET amr = 'email' WHERE amr = 'otp';
