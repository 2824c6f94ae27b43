mail-lang = de
mail-greeting = Hallo,
sign-in-link-subject = Ihr Anmeldelink
sign-in-link-intro = mit diesem Link melden Sie sich als { $email } an:
sign-in-link-button = Anmelden
sign-in-link-validity = Der Link gilt einmal und { $expires_in_minutes } Minuten lang.
sign-in-link-ignore = Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Mail: Ohne Zugang zu Ihrem Postfach kann ihn niemand nutzen.

## Anmeldung per E-Mail

hosted-mail-subject = Ihr Anmeldelink und -code
hosted-mail-link = öffnen Sie diesen Link auf dem Gerät, auf dem Sie sich als { $email } anmelden wollten:
hosted-mail-button = Anmelden
hosted-mail-code = Oder geben Sie dort diesen Code ein:
hosted-mail-expiry = Link und Code gelten einmal und { $minutes } Minuten lang. Wenn Sie sie nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne Zugang zu Ihrem Postfach kann niemand sie verwenden.
hosted-no-account-subject = Anmeldung
hosted-no-account-body = jemand wollte sich mit { $email } anmelden, aber kein Konto verwendet diese Adresse, und neue Konten können hier nicht angelegt werden. Wenn Sie das waren, versuchen Sie die Adresse, mit der Sie sich registriert haben. Wenn nicht, ignorieren Sie diese E-Mail.
## Verified sign-up

signup-mail-code-subject = Ihr Code zum Erstellen Ihres Kontos
signup-mail-code-intro = geben Sie diesen Code auf der Seite ein, auf der Sie Ihr Konto für { $email } erstellen:
signup-mail-code-expiry = Der Code gilt { $expires_in_minutes } Minuten. Wenn Sie kein Konto erstellen wollten, ignorieren Sie diese E-Mail: Ohne den Code wird kein Konto erstellt.
signup-mail-existing-subject = Jemand wollte mit Ihrer Adresse ein Konto erstellen
signup-mail-existing-body = jemand, vielleicht Sie, wollte ein neues Konto mit { $email } erstellen. Für diese Adresse gibt es bereits ein Konto, daher wurde kein neues Konto erstellt und kein Code gesendet.
signup-mail-existing-next = Wenn Sie es waren, melden Sie sich mit Ihrem Passwort an oder wählen Sie auf der Anmeldeseite „Passwort vergessen?“, um ein neues festzulegen. Wenn nicht, ignorieren Sie diese E-Mail: Es hat sich nichts geändert.

## Password reset

reset-mail-subject = Passwort zurücksetzen
reset-mail-intro = jemand hat angefordert, das Passwort von { $email } zurückzusetzen. Öffnen Sie diesen Link, um ein neues Passwort zu wählen:
reset-mail-button = Neues Passwort wählen
reset-mail-code = Oder geben Sie diesen Code auf der Seite ein, auf der Sie es angefordert haben:
reset-mail-expiry = Link und Code funktionieren einmal und { $expires_in_minutes } Minuten lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.
