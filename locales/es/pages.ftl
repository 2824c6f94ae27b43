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

## Inicio de sesión por correo (un enlace y un código)

hosted-sign-in-or = O inicia sesión sin contraseña:
hosted-sign-in-option = Envíame un enlace de inicio de sesión
hosted-invalid-email = Introduce una dirección de correo válida.
hosted-too-many = Se han pedido demasiados correos de inicio de sesión. Inténtalo más tarde.
hosted-wait-title = Revisa tu correo
hosted-wait-sent = Hemos enviado un correo a { $email }. Abre su enlace en este dispositivo o escribe aquí el código de 6 dígitos que contiene.
hosted-field-code = Código de 6 dígitos
hosted-code-submit = Continuar
hosted-wait-before-again = Podrás enviar el correo de nuevo dentro de { $seconds } segundos.
hosted-send-again = Enviar de nuevo
hosted-sent-again = Hemos enviado un correo nuevo. El enlace y el código del anterior ya no funcionan.
hosted-wrong-code = Ese código no es correcto. Intentos restantes: { $left }.
hosted-blocked = Se han escrito demasiados códigos incorrectos, así que este enlace de inicio de sesión ya no funciona.
hosted-expired = El código ha caducado. Envía el correo de nuevo para recibir otro.
hosted-back = Iniciar sesión de otra forma
hosted-continue-title = Continuar con el inicio de sesión
hosted-continue-as = Estás iniciando sesión como { $email }.
hosted-code-title = Tu código de inicio de sesión
hosted-code-explain = Escribe este código en el dispositivo donde pediste iniciar sesión.
hosted-code-not-here = Abrir el enlace aquí no inicia sesión en este navegador.
hosted-off-title = El inicio de sesión por correo está desactivado
hosted-off = Aquí no se puede iniciar sesión con un enlace enviado por correo.
hosted-link-gone-title = Este enlace de inicio de sesión no se puede usar
hosted-link-used = Este enlace de inicio de sesión ya se ha usado.
hosted-link-blocked = Se han escrito demasiados códigos incorrectos, así que este enlace de inicio de sesión ya no funciona.
hosted-link-expired = Este enlace de inicio de sesión ha caducado.
hosted-link-not-found = Este enlace de inicio de sesión no es válido, o un correo más reciente lo ha sustituido.
## Verified sign-up (a code mailed to the address)

signup-code-title = Revisa tu correo
# (html)
signup-code-sent = Enviamos un código de 6 dígitos a <strong>{ $email }</strong>. Escríbelo aquí para crear tu cuenta.
signup-code-submit = Crear cuenta
signup-code-wrong = Ese código no es correcto. Intentos restantes: { $left }.
signup-code-dead = Demasiados códigos incorrectos: este código ya no funciona. Empieza de nuevo para recibir otro.
signup-send-again = Enviar el código de nuevo
signup-resend-wait = Espera { $seconds } segundos antes de pedir otro código.
signup-too-many = Se enviaron demasiados códigos a esta dirección o desde tu red. Inténtalo más tarde.
signup-start-again = Empezar de nuevo

## Password reset

reset-forgot = ¿Olvidaste tu contraseña?
reset-title = Restablecer la contraseña
reset-intro = Escribe el correo electrónico de tu cuenta. Te enviaremos un enlace y un código para elegir una contraseña nueva.
reset-submit = Enviar
reset-too-many = Se pidieron demasiados restablecimientos para esta dirección o desde tu red. Inténtalo más tarde.
reset-code-title = Revisa tu correo
# (html)
reset-code-sent = Si existe una cuenta para <strong>{ $email }</strong>, le enviamos un enlace y un código de 6 dígitos. Abre el enlace o escribe el código aquí.
reset-code-submit = Continuar
reset-code-wrong = Ese código no es correcto. Intentos restantes: { $left }.
reset-code-dead = Demasiados códigos incorrectos: este código ya no funciona. Pide uno nuevo.
reset-ask-again = Pedir un código nuevo
reset-back = Volver a iniciar sesión
reset-new-title = Elige una contraseña nueva
reset-new-password = Contraseña nueva
reset-new-submit = Guardar contraseña
reset-new-note = Al guardarla, se cerrará la sesión de tu cuenta en todos los demás lugares.
reset-done-title = Contraseña cambiada
reset-done = Tu contraseña se cambió y se cerró la sesión de tu cuenta en todas partes. Vuelve a la aplicación e inicia sesión con tu contraseña nueva.
reset-link-invalid-title = Este enlace ya no funciona
reset-link-invalid = Este enlace para restablecer la contraseña ya se usó, caducó o no es válido.
reset-link-invalid-next = Vuelve a la aplicación y pide un enlace nuevo con «¿Olvidaste tu contraseña?».
