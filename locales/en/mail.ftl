# Mail texts. A mail template (templates/mail/) names them as {{t:key}}; the mail's values
# (email, link, code, minutes, ...) are their arguments.

mail-lang = en
mail-greeting = Hello,
sign-in-link-subject = Your sign-in link
sign-in-link-intro = use this link to sign in as { $email }:
sign-in-link-button = Sign in
sign-in-link-validity = The link works once and for { $expires_in_minutes } minutes.
sign-in-link-ignore = If you did not ask for it, ignore this mail: nobody can use it without access to your mailbox.

## Hosted sign-in by email

hosted-mail-subject = Your sign-in link and code
hosted-mail-link = open this link on the device where you asked to sign in as { $email }:
hosted-mail-button = Sign in
hosted-mail-code = Or type this code there:
hosted-mail-expiry = The link and the code work once, for { $minutes } minutes. If you did not ask for them, ignore this mail: nobody can use them without access to your mailbox.
hosted-no-account-subject = Signing in
hosted-no-account-body = someone asked to sign in with { $email }, but no account uses this address, and new accounts cannot be created here. If it was you, try the address you signed up with. If not, ignore this mail.
## Verified sign-up

signup-mail-code-subject = Your code to create your account
signup-mail-code-intro = type this code on the page where you are creating your account for { $email }:
signup-mail-code-expiry = The code works for { $expires_in_minutes } minutes. If you did not try to create an account, ignore this mail: no account is created without the code.
signup-mail-existing-subject = Someone tried to create an account with your address
signup-mail-existing-body = someone, maybe you, tried to create a new account with { $email }. This address already has an account, so no new account was created and no code was sent.
signup-mail-existing-next = If it was you, sign in with your password, or choose "Forgot password?" on the sign-in page to set a new one. If it was not you, ignore this mail: nothing changed.

## Password reset

reset-mail-subject = Reset your password
reset-mail-intro = someone asked to reset the password of { $email }. Open this link to choose a new password:
reset-mail-button = Choose a new password
reset-mail-code = Or type this code on the page where you asked:
reset-mail-expiry = The link and the code work once, for { $expires_in_minutes } minutes. If you did not ask for this, ignore this mail: your password stays as it is.
