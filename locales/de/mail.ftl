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
