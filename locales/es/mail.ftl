mail-lang = es
mail-greeting = Hola:
sign-in-link-subject = Tu enlace de inicio de sesión
sign-in-link-intro = usa este enlace para iniciar sesión como { $email }:
sign-in-link-button = Iniciar sesión
sign-in-link-validity = El enlace sirve una sola vez y durante { $expires_in_minutes } minutos.
sign-in-link-ignore = Si no lo pediste, ignora este correo: nadie puede usarlo sin acceso a tu buzón.

## Inicio de sesión por correo

hosted-mail-subject = Tu enlace y código de inicio de sesión
hosted-mail-link = abre este enlace en el dispositivo donde pediste iniciar sesión como { $email }:
hosted-mail-button = Iniciar sesión
hosted-mail-code = O escribe allí este código:
hosted-mail-expiry = El enlace y el código funcionan una sola vez y durante { $minutes } minutos. Si no los pediste, ignora este correo: nadie puede usarlos sin acceso a tu buzón.
hosted-no-account-subject = Inicio de sesión
hosted-no-account-body = alguien pidió iniciar sesión con { $email }, pero ninguna cuenta usa esta dirección y aquí no se pueden crear cuentas nuevas. Si fuiste tú, prueba con la dirección con la que te registraste. Si no, ignora este correo.
