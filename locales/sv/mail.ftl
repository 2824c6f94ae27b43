mail-lang = sv
mail-greeting = Hej!
sign-in-link-subject = Din inloggningslänk
sign-in-link-intro = använd den här länken för att logga in som { $email }:
sign-in-link-button = Logga in
sign-in-link-validity = Länken fungerar en gång och i { $expires_in_minutes } minuter.
sign-in-link-ignore = Om du inte bad om den kan du strunta i det här mejlet: ingen kan använda den utan tillgång till din inkorg.

## Inloggning via e-post

hosted-mail-subject = Din inloggningslänk och kod
hosted-mail-link = Öppna den här länken på enheten där du bad om att logga in som { $email }:
hosted-mail-button = Logga in
hosted-mail-code = Eller skriv in den här koden där:
hosted-mail-expiry = Länken och koden fungerar en gång, i { $minutes } minuter. Om du inte har bett om dem kan du strunta i det här mejlet: ingen kan använda dem utan tillgång till din inkorg.
hosted-no-account-subject = Inloggning
hosted-no-account-body = Någon bad om att logga in med { $email }, men inget konto använder den adressen, och nya konton kan inte skapas här. Om det var du, prova adressen du registrerade dig med. Annars kan du strunta i det här mejlet.
## Verified sign-up

signup-mail-code-subject = Din kod för att skapa ditt konto
signup-mail-code-intro = Skriv in den här koden på sidan där du skapar ditt konto för { $email }:
signup-mail-code-expiry = Koden gäller i { $expires_in_minutes } minuter. Om du inte försökte skapa ett konto kan du strunta i det här mejlet: inget konto skapas utan koden.
signup-mail-existing-subject = Någon försökte skapa ett konto med din adress
signup-mail-existing-body = Någon, kanske du, försökte skapa ett nytt konto med { $email }. Adressen har redan ett konto, så inget nytt konto skapades och ingen kod skickades.
signup-mail-existing-next = Om det var du: logga in med ditt lösenord, eller välj ”Glömt lösenordet?” på inloggningssidan för att välja ett nytt. Om det inte var du kan du strunta i det här mejlet: inget har ändrats.

## Password reset

reset-mail-subject = Återställ ditt lösenord
reset-mail-intro = Någon har bett om att återställa lösenordet för { $email }. Öppna den här länken för att välja ett nytt lösenord:
reset-mail-button = Välj ett nytt lösenord
reset-mail-code = Eller skriv in den här koden på sidan där du bad om det:
reset-mail-expiry = Länken och koden fungerar en gång, i { $expires_in_minutes } minuter. Om du inte bad om detta kan du strunta i mejlet: ditt lösenord förblir som det är.
