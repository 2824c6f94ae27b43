mail-lang = de
mail-greeting = Hallo,
sign-in-link-subject = Ihr Anmeldelink
sign-in-link-intro = mit diesem Link melden Sie sich als { $email } an:
sign-in-link-button = Anmelden
sign-in-link-validity = Der Link gilt einmal und { $expires_in_minutes } Minuten lang.
sign-in-link-ignore = Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Mail: Ohne Zugang zu Ihrem Postfach kann ihn niemand nutzen.
