mail-lang = es
mail-greeting = Hola:
sign-in-link-subject = Tu enlace de inicio de sesión
sign-in-link-intro = usa este enlace para iniciar sesión como { $email }:
sign-in-link-button = Iniciar sesión
sign-in-link-validity = El enlace sirve una sola vez y durante { $expires_in_minutes } minutos.
sign-in-link-ignore = Si no lo pediste, ignora este correo: nadie puede usarlo sin acceso a tu buzón.
