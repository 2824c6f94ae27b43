# The hosted pages: sign-in, registration, magic links, two-step verification, sign-out, errors.
# Every language has the same keys (tests/api/languages.rs checks it). Messages marked (html)
# may hold <strong>; their arguments are escaped before they are put in.

## Shared

field-email = Email
field-password = Password
field-name = Full name
field-code = Code
# (html)
link-signs-you-in = This link signs you in to { $app } as <strong>{ $email }</strong>.
continue-as = Continue as { $email }

## Sign-in

sign-in-title = Sign in
sign-in-heading = Sign in to { $app }
sign-in-submit = Sign in
sign-in-no-account = No account yet?
sign-in-create-account = Create one
sign-in-wrong = The email or password is incorrect.
sign-in-too-many = Too many failed attempts. Wait a few minutes before trying again.

## Registration

register-title = Create your account
register-heading = Create your account for { $app }
register-verified-by-link = verified by your link
register-submit = Create account
register-already = Already registered?
register-sign-in = Sign in
register-name-required = Enter your full name.
register-invalid-email = Enter a valid email address.
register-too-many = Too many accounts were created from your network. Try again later.
register-email-taken = An account with this email already exists. Sign in instead.
password-too-short = The password must have at least { $min } characters.
password-too-common = This password is too common. Choose another one.

## Switching accounts (a magic link for another account)

switch-title = Switch account?
# (html)
switch-signed-in-as = You are signed in as <strong>{ $email }</strong>.
switch-stay-as = Stay signed in as { $email }
switch-stay-note = If you stay, the link is not used and still works later.

## Confirming a magic link

confirm-title = Continue to { $app }?
confirm-heading = Continue to { $app } as { $email }
confirm-note = If you did not ask to sign in, or this is not your account, close this page: nothing happens, and the link is not used.

## Two-step verification

mfa-title = Two-step verification
mfa-setup-heading = Set up two-step verification
mfa-setup-intro = Scan this code with an authenticator app, or enter the key by hand, then type the 6-digit code it shows.
mfa-key = Key
mfa-open-app = Open in an authenticator app on this device
mfa-intro = Enter the 6-digit code from your authenticator app, or one of your backup codes.
mfa-submit = Verify
mfa-too-many = Too many attempts. Wait a few minutes before trying again.
mfa-wrong-new-code = That code is not valid. Check the time on your device and try again.
mfa-already-enrolled = This account already has an authenticator. Enter a code from it, or a backup code.
mfa-wrong-code = That code is not valid or was already used.
backup-title = Your backup codes
backup-heading = Save your backup codes
backup-intro = Each code works once, if you lose access to your authenticator app. They are shown only now.
backup-continue = I saved them, continue

## Signing out

logout-title = Sign out?
logout-question = Do you want to sign out of Sesame on this device?
logout-submit = Sign out
logout-note = If you did not ask to sign out, close this page: you stay signed in.
signed-out-title = Signed out
signed-out-heading = You are signed out
signed-out-close = You can close this window.

## Error pages

error-code-label = Error code
error-next-start-again = Go back to the application and start again.
error-next-sign-in-again = Go back to the application and sign in again.
error-next-reload = Reload the page and try again.
error-next-retry-seconds = Try again in a few seconds.
error-next-retry-moment = Try again in a moment.
error-next-retry-later = Try again later. If this persists, tell the team behind the application.
error-next-contact = Contact the team behind the application if you think this is a mistake.
error-next-invitation = Ask the application's team for an invitation.
error-next-other-browser = Continue in the browser that started the sign-in, or go back to the application and sign in again here.
error-cannot-complete-title = This request cannot be completed
error-bad-request = The application sent a request that cannot be completed.
error-form-unreadable = The form could not be read.
error-form-too-large = The form is too large (at most { $max } bytes).
error-query-too-long = The address of this page is too long (at most { $max } bytes).
error-csrf-title = This form has expired
error-csrf = The form could not be verified.
error-busy-title = The server is busy
error-busy = Too many people are signing in right now.
error-unavailable-title = Temporarily unavailable
error-unavailable = The service cannot complete this right now.
error-internal-title = Something went wrong
error-internal = The server could not complete the request.
error-unreadable-title = Signing in is unavailable
error-unreadable = The server cannot read the settings it needs to sign you in safely.
error-expired-title = This sign-in has expired
error-expired = This sign-in page has expired, was already completed, or was opened in another browser.
error-other-browser-title = Continue in the browser that started the sign-in
error-other-browser = This sign-in was started in another browser, and can only be continued there.
error-sign-in-again-title = Sign in again
error-sign-in-again = This account changed while you were signing in, so this sign-in cannot finish.
error-suspended-title = This account is suspended
error-suspended = This account cannot sign in at the moment.
error-sign-up-closed-title = Registration is closed
error-sign-up-closed = New accounts cannot be created here.
error-no-pending-link = There is no pending link here.
error-no-link-to-confirm = There is no link to confirm here.
error-sign-in-first = Sign in first.
error-second-factor-first = The second factor is not verified yet.

## Magic links that cannot be used

link-error-title = This link cannot be used
link-error-next = Ask the application that sent it for a new link.
link-error-token_not_found = This sign-in link is not valid. It may have been mistyped or cut short.
link-error-email_mismatch = This sign-in link was issued for a different email address.
link-error-token_expired = This sign-in link has expired.
link-error-token_consumed = This sign-in link has already been used. Each link works only once.
link-error-token_revoked = This sign-in link has been cancelled.

## Hosted sign-in by email (a link and a code)

hosted-sign-in-or = Or sign in without a password:
hosted-sign-in-option = Email me a sign-in link
hosted-invalid-email = Enter a valid email address.
hosted-too-many = Too many sign-in mails were asked for. Try again later.
hosted-wait-title = Check your mail
hosted-wait-sent = We sent a mail to { $email }. Open its link on this device, or type the 6-digit code from it here.
hosted-field-code = 6-digit code
hosted-code-submit = Continue
hosted-wait-before-again = You can send the mail again in { $seconds } seconds.
hosted-send-again = Send again
hosted-sent-again = We sent a new mail. The link and code of the earlier one no longer work.
hosted-wrong-code = That code is not right. Tries left: { $left }.
hosted-blocked = Too many wrong codes were typed, so this sign-in link no longer works.
hosted-expired = The code has expired. Send the mail again to get a new one.
hosted-back = Sign in another way
hosted-continue-title = Continue signing in
hosted-continue-as = You are signing in as { $email }.
hosted-code-title = Your sign-in code
hosted-code-explain = Type this code on the device where you asked to sign in.
hosted-code-not-here = Opening the link here does not sign in this browser.
hosted-off-title = Signing in by email is off
hosted-off = Signing in with a mailed link is not available here.
hosted-link-gone-title = This sign-in link cannot be used
hosted-link-used = This sign-in link was already used.
hosted-link-blocked = Too many wrong codes were typed, so this sign-in link no longer works.
hosted-link-expired = This sign-in link has expired.
hosted-link-not-found = This sign-in link is not valid, or a newer mail replaced it.
## Verified sign-up (a code mailed to the address)

signup-code-title = Check your email
# (html)
signup-code-sent = We sent a 6-digit code to <strong>{ $email }</strong>. Type it here to create your account.
signup-code-submit = Create account
signup-code-wrong = That code is not right. Tries left: { $left }.
signup-code-dead = Too many wrong codes: this code no longer works. Start again to get a new one.
signup-send-again = Send the code again
signup-resend-wait = Wait { $seconds } seconds before asking for another code.
signup-too-many = Too many codes were sent to this address or from your network. Try again later.
signup-start-again = Start again

## Password reset

reset-forgot = Forgot password?
reset-title = Reset your password
reset-intro = Enter the email address of your account. We will send you a link and a code to choose a new password.
reset-submit = Send
reset-too-many = Too many resets were asked for this address or from your network. Try again later.
reset-code-title = Check your email
# (html)
reset-code-sent = If an account exists for <strong>{ $email }</strong>, we sent it a link and a 6-digit code. Open the link, or type the code here.
reset-code-submit = Continue
reset-code-wrong = That code is not right. Tries left: { $left }.
reset-code-dead = Too many wrong codes: this code no longer works. Ask for a new one.
reset-ask-again = Ask for a new code
reset-back = Back to sign-in
reset-new-title = Choose a new password
reset-new-password = New password
reset-new-submit = Save password
reset-new-note = Saving signs your account out everywhere else.
reset-done-title = Password changed
reset-done = Your password was changed and your account was signed out everywhere. Go back to the application and sign in with your new password.
reset-link-invalid-title = This link no longer works
reset-link-invalid = This password reset link was already used, has expired, or is not valid.
reset-link-invalid-next = Go back to the application and ask for a new link with "Forgot password?".
