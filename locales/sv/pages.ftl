# De värdade sidorna på svenska (tilltal: du).

## Shared

field-email = E-postadress
field-password = Lösenord
field-name = Fullständigt namn
field-code = Kod
# (html)
link-signs-you-in = Den här länken loggar in dig på { $app } som <strong>{ $email }</strong>.
continue-as = Fortsätt som { $email }

## Sign-in

sign-in-title = Logga in
sign-in-heading = Logga in på { $app }
sign-in-submit = Logga in
sign-in-no-account = Inget konto än?
sign-in-create-account = Skapa ett
sign-in-wrong = E-postadressen eller lösenordet är fel.
sign-in-too-many = För många misslyckade försök. Vänta några minuter innan du försöker igen.

## Registration

register-title = Skapa ditt konto
register-heading = Skapa ditt konto för { $app }
register-verified-by-link = bekräftad genom din länk
register-submit = Skapa konto
register-already = Redan registrerad?
register-sign-in = Logga in
register-name-required = Ange ditt fullständiga namn.
register-invalid-email = Ange en giltig e-postadress.
register-too-many = För många konton har skapats från ditt nätverk. Försök igen senare.
register-email-taken = Det finns redan ett konto med den här e-postadressen. Logga in i stället.
password-too-short = Lösenordet måste ha minst { $min } tecken.
password-too-common = Det här lösenordet är för vanligt. Välj ett annat.

## Switching accounts (a magic link for another account)

switch-title = Byta konto?
# (html)
switch-signed-in-as = Du är inloggad som <strong>{ $email }</strong>.
switch-stay-as = Förbli inloggad som { $email }
switch-stay-note = Om du stannar används inte länken, och den fungerar fortfarande senare.

## Confirming a magic link

confirm-title = Fortsätta till { $app }?
confirm-heading = Fortsätt till { $app } som { $email }
confirm-note = Om du inte bad om att logga in, eller om det här inte är ditt konto, stänger du den här sidan: ingenting händer, och länken används inte.

## Two-step verification

mfa-title = Tvåstegsverifiering
mfa-setup-heading = Konfigurera tvåstegsverifiering
mfa-setup-intro = Skanna koden med en autentiseringsapp, eller skriv in nyckeln för hand, och ange sedan den sexsiffriga kod som appen visar.
mfa-key = Nyckel
mfa-open-app = Öppna i en autentiseringsapp på den här enheten
mfa-intro = Ange den sexsiffriga koden från din autentiseringsapp, eller en av dina reservkoder.
mfa-submit = Verifiera
mfa-too-many = För många försök. Vänta några minuter innan du försöker igen.
mfa-wrong-new-code = Koden är inte giltig. Kontrollera tiden på din enhet och försök igen.
mfa-already-enrolled = Det här kontot har redan en autentiseringsapp. Ange en kod från den, eller en reservkod.
mfa-wrong-code = Koden är inte giltig eller har redan använts.
backup-title = Dina reservkoder
backup-heading = Spara dina reservkoder
backup-intro = Varje kod fungerar en gång, om du förlorar åtkomsten till din autentiseringsapp. De visas bara nu.
backup-continue = Jag har sparat dem, fortsätt

## Signing out

logout-title = Logga ut?
logout-question = Vill du logga ut från Sesame på den här enheten?
logout-submit = Logga ut
logout-note = Om du inte bad om att logga ut stänger du den här sidan: du förblir inloggad.
signed-out-title = Utloggad
signed-out-heading = Du är utloggad
signed-out-close = Du kan stänga det här fönstret.

## Error pages

error-code-label = Felkod
error-next-start-again = Gå tillbaka till programmet och börja om.
error-next-sign-in-again = Gå tillbaka till programmet och logga in igen.
error-next-reload = Ladda om sidan och försök igen.
error-next-retry-seconds = Försök igen om några sekunder.
error-next-retry-moment = Försök igen om en liten stund.
error-next-retry-later = Försök igen senare. Om problemet kvarstår, meddela teamet bakom programmet.
error-next-contact = Kontakta teamet bakom programmet om du tror att det är ett misstag.
error-next-invitation = Be programmets team om en inbjudan.
error-next-other-browser = Fortsätt i webbläsaren där inloggningen började, eller gå tillbaka till programmet och logga in igen här.
error-cannot-complete-title = Begäran kan inte slutföras
error-bad-request = Programmet skickade en begäran som inte kan slutföras.
error-form-unreadable = Formuläret kunde inte läsas.
error-form-too-large = Formuläret är för stort (högst { $max } byte).
error-query-too-long = Adressen till den här sidan är för lång (högst { $max } byte).
error-csrf-title = Formuläret har gått ut
error-csrf = Formuläret kunde inte verifieras.
error-busy-title = Servern är upptagen
error-busy = För många loggar in just nu.
error-unavailable-title = Tillfälligt otillgänglig
error-unavailable = Tjänsten kan inte slutföra det här just nu.
error-internal-title = Något gick fel
error-internal = Servern kunde inte slutföra begäran.
error-unreadable-title = Inloggningen är inte tillgänglig
error-unreadable = Servern kan inte läsa de inställningar den behöver för att logga in dig säkert.
error-expired-title = Inloggningen har gått ut
error-expired = Inloggningssidan har gått ut, har redan slutförts eller öppnades i en annan webbläsare.
error-other-browser-title = Fortsätt i webbläsaren där inloggningen började
error-other-browser = Inloggningen påbörjades i en annan webbläsare och kan bara fortsätta där.
error-sign-in-again-title = Logga in igen
error-sign-in-again = Kontot ändrades medan du loggade in, så den här inloggningen kan inte slutföras.
error-suspended-title = Kontot är avstängt
error-suspended = Det går inte att logga in med det här kontot just nu.
error-sign-up-closed-title = Registreringen är stängd
error-sign-up-closed = Nya konton kan inte skapas här.
error-no-pending-link = Här finns ingen länk som väntar på svar.
error-no-link-to-confirm = Här finns ingen länk att bekräfta.
error-sign-in-first = Logga in först.
error-second-factor-first = Den andra faktorn är inte verifierad än.

## Magic links that cannot be used

link-error-title = Länken kan inte användas
link-error-next = Be programmet som skickade den om en ny länk.
link-error-token_not_found = Inloggningslänken är inte giltig. Den kan ha skrivits fel eller blivit avklippt.
link-error-email_mismatch = Inloggningslänken utfärdades för en annan e-postadress.
link-error-token_expired = Inloggningslänken har gått ut.
link-error-token_consumed = Inloggningslänken har redan använts. Varje länk fungerar bara en gång.
link-error-token_revoked = Inloggningslänken har återkallats.

## Inloggning via e-post (en länk och en kod)

hosted-sign-in-or = Eller logga in utan lösenord:
hosted-sign-in-option = Mejla mig en inloggningslänk
hosted-invalid-email = Ange en giltig e-postadress.
hosted-too-many = För många inloggningsmejl har begärts. Försök igen senare.
hosted-wait-title = Kolla din e-post
hosted-wait-sent = Vi har skickat ett mejl till { $email }. Öppna länken i det på den här enheten, eller skriv in den sexsiffriga koden från det här.
hosted-field-code = Sexsiffrig kod
hosted-code-submit = Fortsätt
hosted-wait-before-again = Du kan skicka mejlet igen om { $seconds } sekunder.
hosted-send-again = Skicka igen
hosted-sent-again = Vi har skickat ett nytt mejl. Länken och koden i det förra fungerar inte längre.
hosted-wrong-code = Koden stämmer inte. Försök kvar: { $left }.
hosted-blocked = För många felaktiga koder har skrivits in, så den här inloggningslänken fungerar inte längre.
hosted-expired = Koden har gått ut. Skicka mejlet igen för att få en ny.
hosted-back = Logga in på ett annat sätt
hosted-continue-title = Fortsätt logga in
hosted-continue-as = Du loggar in som { $email }.
hosted-code-title = Din inloggningskod
hosted-code-explain = Skriv in den här koden på enheten där du bad om att logga in.
hosted-code-not-here = Att öppna länken här loggar inte in den här webbläsaren.
hosted-off-title = Inloggning via e-post är avstängd
hosted-off = Inloggning med en mejlad länk är inte tillgänglig här.
hosted-link-gone-title = Inloggningslänken kan inte användas
hosted-link-used = Inloggningslänken har redan använts.
hosted-link-blocked = För många felaktiga koder har skrivits in, så den här inloggningslänken fungerar inte längre.
hosted-link-expired = Inloggningslänken har gått ut.
hosted-link-not-found = Inloggningslänken är inte giltig, eller så har ett nyare mejl ersatt den.
## Verified sign-up (a code mailed to the address)

signup-code-title = Kolla din e-post
# (html)
signup-code-sent = Vi har skickat en sexsiffrig kod till <strong>{ $email }</strong>. Skriv in den här för att skapa ditt konto.
signup-code-submit = Skapa konto
signup-code-wrong = Koden stämmer inte. Försök kvar: { $left }.
signup-code-dead = För många felaktiga koder: den här koden fungerar inte längre. Börja om för att få en ny.
signup-send-again = Skicka koden igen
signup-resend-wait = Vänta { $seconds } sekunder innan du ber om en ny kod.
signup-too-many = För många koder har skickats till den här adressen eller från ditt nätverk. Försök igen senare.
signup-start-again = Börja om

## Password reset

reset-forgot = Glömt lösenordet?
reset-title = Återställ ditt lösenord
reset-intro = Ange e-postadressen för ditt konto. Vi skickar en länk och en kod så att du kan välja ett nytt lösenord.
reset-submit = Skicka
reset-too-many = För många återställningar har begärts för den här adressen eller från ditt nätverk. Försök igen senare.
reset-code-title = Kolla din e-post
# (html)
reset-code-sent = Om det finns ett konto för <strong>{ $email }</strong> har vi skickat en länk och en sexsiffrig kod dit. Öppna länken eller skriv in koden här.
reset-code-submit = Fortsätt
reset-code-wrong = Koden stämmer inte. Försök kvar: { $left }.
reset-code-dead = För många felaktiga koder: den här koden fungerar inte längre. Be om en ny.
reset-ask-again = Be om en ny kod
reset-back = Tillbaka till inloggningen
reset-new-title = Välj ett nytt lösenord
reset-new-password = Nytt lösenord
reset-new-submit = Spara lösenordet
reset-new-note = När du sparar loggas ditt konto ut överallt annars.
reset-done-title = Lösenordet är ändrat
reset-done = Ditt lösenord har ändrats och ditt konto har loggats ut överallt. Gå tillbaka till appen och logga in med ditt nya lösenord.
reset-link-invalid-title = Länken fungerar inte längre
reset-link-invalid = Den här länken för att återställa lösenordet har redan använts, har gått ut eller är ogiltig.
reset-link-invalid-next = Gå tillbaka till appen och be om en ny länk via ”Glömt lösenordet?”.
