-- The code before the change knows a link only as "otp".
UPDATE refresh_tokens SET amr = 'otp' WHERE amr = 'email';
UPDATE authorization_codes SET amr = 'otp' WHERE amr = 'email';
UPDATE sessions SET amr = 'otp' WHERE amr = 'email';
