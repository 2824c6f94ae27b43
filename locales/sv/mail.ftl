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
