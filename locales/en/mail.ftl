# Mail texts. A mail template (templates/mail/) names them as {{t:key}}; the mail's values
# (email, link, code, minutes, ...) are their arguments.

mail-lang = en
mail-greeting = Hello,
sign-in-link-subject = Your sign-in link
sign-in-link-intro = use this link to sign in as { $email }:
sign-in-link-button = Sign in
sign-in-link-validity = The link works once and for { $expires_in_minutes } minutes.
sign-in-link-ignore = If you did not ask for it, ignore this mail: nobody can use it without access to your mailbox.
