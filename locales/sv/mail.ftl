mail-lang = sv
mail-greeting = Hej!
sign-in-link-subject = Din inloggningslänk
sign-in-link-intro = använd den här länken för att logga in som { $email }:
sign-in-link-button = Logga in
sign-in-link-validity = Länken fungerar en gång och i { $expires_in_minutes } minuter.
sign-in-link-ignore = Om du inte bad om den kan du strunta i det här mejlet: ingen kan använda den utan tillgång till din inkorg.
