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
## Verified sign-up

signup-mail-code-subject = Tu código para crear la cuenta
signup-mail-code-intro = escribe este código en la página donde estás creando tu cuenta para { $email }:
signup-mail-code-expiry = El código funciona durante { $expires_in_minutes } minutos. Si no intentaste crear una cuenta, ignora este correo: sin el código no se crea ninguna cuenta.
signup-mail-existing-subject = Alguien intentó crear una cuenta con tu dirección
signup-mail-existing-body = alguien, quizá tú, intentó crear una cuenta nueva con { $email }. Esta dirección ya tiene una cuenta, así que no se creó ninguna cuenta nueva ni se envió ningún código.
signup-mail-existing-next = Si fuiste tú, inicia sesión con tu contraseña o elige «¿Olvidaste tu contraseña?» en la página de inicio de sesión para definir una nueva. Si no fuiste tú, ignora este correo: no cambió nada.

## Password reset

reset-mail-subject = Restablece tu contraseña
reset-mail-intro = alguien pidió restablecer la contraseña de { $email }. Abre este enlace para elegir una contraseña nueva:
reset-mail-button = Elegir una contraseña nueva
reset-mail-code = O escribe este código en la página donde lo pediste:
reset-mail-expiry = El enlace y el código funcionan una vez, durante { $expires_in_minutes } minutos. Si no lo pediste, ignora este correo: tu contraseña no cambia.
