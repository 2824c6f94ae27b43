# Las páginas alojadas en español (tratamiento: tú).

## Shared

field-email = Correo electrónico
field-password = Contraseña
field-name = Nombre completo
field-code = Código
# (html)
link-signs-you-in = Este enlace inicia tu sesión en { $app } como <strong>{ $email }</strong>.
continue-as = Continuar como { $email }

## Sign-in

sign-in-title = Iniciar sesión
sign-in-heading = Inicia sesión en { $app }
sign-in-submit = Iniciar sesión
sign-in-no-account = ¿Aún no tienes cuenta?
sign-in-create-account = Crea una
sign-in-wrong = El correo electrónico o la contraseña no son correctos.
sign-in-too-many = Demasiados intentos fallidos. Espera unos minutos antes de volver a intentarlo.

## Registration

register-title = Crea tu cuenta
register-heading = Crea tu cuenta para { $app }
register-verified-by-link = verificado por tu enlace
register-submit = Crear cuenta
register-already = ¿Ya tienes cuenta?
register-sign-in = Inicia sesión
register-name-required = Escribe tu nombre completo.
register-invalid-email = Escribe una dirección de correo electrónico válida.
register-too-many = Se han creado demasiadas cuentas desde tu red. Inténtalo de nuevo más tarde.
register-email-taken = Ya existe una cuenta con este correo electrónico. Inicia sesión en su lugar.
password-too-short = La contraseña debe tener al menos { $min } caracteres.
password-too-common = Esta contraseña es demasiado común. Elige otra.

## Switching accounts (a magic link for another account)

switch-title = ¿Cambiar de cuenta?
# (html)
switch-signed-in-as = Has iniciado sesión como <strong>{ $email }</strong>.
switch-stay-as = Seguir con la sesión de { $email }
switch-stay-note = Si te quedas, el enlace no se usa y seguirá funcionando más tarde.

## Confirming a magic link

confirm-title = ¿Continuar a { $app }?
confirm-heading = Continuar a { $app } como { $email }
confirm-note = Si no has pedido iniciar sesión, o esta no es tu cuenta, cierra esta página: no pasará nada y el enlace no se usará.

## Two-step verification

mfa-title = Verificación en dos pasos
mfa-setup-heading = Configura la verificación en dos pasos
mfa-setup-intro = Escanea este código con una aplicación de autenticación, o introduce la clave a mano, y escribe el código de 6 dígitos que te muestre.
mfa-key = Clave
mfa-open-app = Abrir en una aplicación de autenticación de este dispositivo
mfa-intro = Introduce el código de 6 dígitos de tu aplicación de autenticación, o uno de tus códigos de respaldo.
mfa-submit = Verificar
mfa-too-many = Demasiados intentos. Espera unos minutos antes de volver a intentarlo.
mfa-wrong-new-code = Ese código no es válido. Comprueba la hora de tu dispositivo y vuelve a intentarlo.
mfa-already-enrolled = Esta cuenta ya tiene una aplicación de autenticación. Introduce un código de ella o un código de respaldo.
mfa-wrong-code = Ese código no es válido o ya se ha usado.
backup-title = Tus códigos de respaldo
backup-heading = Guarda tus códigos de respaldo
backup-intro = Cada código sirve una sola vez, por si pierdes el acceso a tu aplicación de autenticación. Solo se muestran ahora.
backup-continue = Ya los guardé, continuar

## Signing out

logout-title = ¿Cerrar sesión?
logout-question = ¿Quieres cerrar la sesión de Sesame en este dispositivo?
logout-submit = Cerrar sesión
logout-note = Si no has pedido cerrar sesión, cierra esta página: tu sesión seguirá abierta.
signed-out-title = Sesión cerrada
signed-out-heading = Has cerrado sesión
signed-out-close = Ya puedes cerrar esta ventana.

## Error pages

error-code-label = Código de error
error-next-start-again = Vuelve a la aplicación y empieza de nuevo.
error-next-sign-in-again = Vuelve a la aplicación e inicia sesión de nuevo.
error-next-reload = Vuelve a cargar la página e inténtalo de nuevo.
error-next-retry-seconds = Inténtalo de nuevo dentro de unos segundos.
error-next-retry-moment = Inténtalo de nuevo en un momento.
error-next-retry-later = Inténtalo de nuevo más tarde. Si el problema continúa, avisa al equipo responsable de la aplicación.
error-next-contact = Ponte en contacto con el equipo responsable de la aplicación si crees que se trata de un error.
error-next-invitation = Pide una invitación al equipo de la aplicación.
error-next-other-browser = Continúa en el navegador en el que empezaste a iniciar sesión, o vuelve a la aplicación e inicia sesión de nuevo aquí.
error-cannot-complete-title = No se puede completar esta solicitud
error-bad-request = La aplicación envió una solicitud que no se puede completar.
error-form-unreadable = No se ha podido leer el formulario.
error-form-too-large = El formulario es demasiado grande (como máximo { $max } bytes).
error-query-too-long = La dirección de esta página es demasiado larga (como máximo { $max } bytes).
error-csrf-title = Este formulario ha caducado
error-csrf = No se ha podido verificar el formulario.
error-busy-title = El servidor está ocupado
error-busy = Hay demasiadas personas iniciando sesión en este momento.
error-unavailable-title = No disponible temporalmente
error-unavailable = El servicio no puede completar esto ahora mismo.
error-internal-title = Algo salió mal
error-internal = El servidor no pudo completar la solicitud.
error-unreadable-title = No se puede iniciar sesión
error-unreadable = El servidor no puede leer la configuración que necesita para que inicies sesión de forma segura.
error-expired-title = Este inicio de sesión ha caducado
error-expired = Esta página de inicio de sesión ha caducado, ya se completó o se abrió en otro navegador.
error-other-browser-title = Continúa en el navegador en el que empezaste a iniciar sesión
error-other-browser = Este inicio de sesión se empezó en otro navegador y solo puede continuarse allí.
error-sign-in-again-title = Vuelve a iniciar sesión
error-sign-in-again = Esta cuenta cambió mientras iniciabas sesión, así que este inicio de sesión no puede terminar.
error-suspended-title = Esta cuenta está suspendida
error-suspended = Esta cuenta no puede iniciar sesión en este momento.
error-sign-up-closed-title = El registro está cerrado
error-sign-up-closed = Aquí no se pueden crear cuentas nuevas.
error-no-pending-link = Aquí no hay ningún enlace pendiente.
error-no-link-to-confirm = Aquí no hay ningún enlace que confirmar.
error-sign-in-first = Primero inicia sesión.
error-second-factor-first = El segundo factor aún no se ha verificado.

## Magic links that cannot be used

link-error-title = Este enlace no se puede usar
link-error-next = Pide un enlace nuevo a la aplicación que te lo envió.
link-error-token_not_found = Este enlace de inicio de sesión no es válido. Puede que se haya escrito mal o que esté incompleto.
link-error-email_mismatch = Este enlace de inicio de sesión se emitió para otra dirección de correo electrónico.
link-error-token_expired = Este enlace de inicio de sesión ha caducado.
link-error-token_consumed = Este enlace de inicio de sesión ya se ha usado. Cada enlace funciona una sola vez.
link-error-token_revoked = Este enlace de inicio de sesión se ha cancelado.

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
