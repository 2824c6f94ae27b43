# Die gehosteten Seiten auf Deutsch (Anrede: Sie).

## Shared

field-email = E-Mail-Adresse
field-password = Passwort
field-name = Vollständiger Name
field-code = Code
# (html)
link-signs-you-in = Mit diesem Link melden Sie sich bei { $app } als <strong>{ $email }</strong> an.
continue-as = Weiter als { $email }

## Sign-in

sign-in-title = Anmelden
sign-in-heading = Bei { $app } anmelden
sign-in-submit = Anmelden
sign-in-no-account = Noch kein Konto?
sign-in-create-account = Jetzt erstellen
sign-in-wrong = E-Mail-Adresse oder Passwort ist falsch.
sign-in-too-many = Zu viele fehlgeschlagene Versuche. Bitte warten Sie einige Minuten, bevor Sie es erneut versuchen.

## Registration

register-title = Konto erstellen
register-heading = Ihr Konto für { $app } erstellen
register-verified-by-link = durch Ihren Link bestätigt
register-submit = Konto erstellen
register-already = Schon registriert?
register-sign-in = Anmelden
register-name-required = Bitte geben Sie Ihren vollständigen Namen ein.
register-invalid-email = Bitte geben Sie eine gültige E-Mail-Adresse ein.
register-too-many = Aus Ihrem Netzwerk wurden zu viele Konten erstellt. Bitte versuchen Sie es später erneut.
register-email-taken = Für diese E-Mail-Adresse gibt es bereits ein Konto. Bitte melden Sie sich stattdessen an.
password-too-short = Das Passwort muss mindestens { $min } Zeichen lang sein.
password-too-common = Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.

## Switching accounts (a magic link for another account)

switch-title = Konto wechseln?
# (html)
switch-signed-in-as = Sie sind als <strong>{ $email }</strong> angemeldet.
switch-stay-as = Als { $email } angemeldet bleiben
switch-stay-note = Wenn Sie angemeldet bleiben, wird der Link nicht verwendet und funktioniert auch später noch.

## Confirming a magic link

confirm-title = Weiter zu { $app }?
confirm-heading = Als { $email } zu { $app } weiter
confirm-note = Wenn Sie keine Anmeldung angefordert haben oder dies nicht Ihr Konto ist, schließen Sie diese Seite: Es geschieht nichts, und der Link wird nicht verwendet.

## Two-step verification

mfa-title = Bestätigung in zwei Schritten
mfa-setup-heading = Bestätigung in zwei Schritten einrichten
mfa-setup-intro = Scannen Sie diesen Code mit einer Authenticator-App oder geben Sie den Schlüssel von Hand ein. Tippen Sie dann den angezeigten 6-stelligen Code ein.
mfa-key = Schlüssel
mfa-open-app = In einer Authenticator-App auf diesem Gerät öffnen
mfa-intro = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Sicherungscodes ein.
mfa-submit = Bestätigen
mfa-too-many = Zu viele Versuche. Bitte warten Sie einige Minuten, bevor Sie es erneut versuchen.
mfa-wrong-new-code = Dieser Code ist ungültig. Prüfen Sie die Uhrzeit auf Ihrem Gerät und versuchen Sie es erneut.
mfa-already-enrolled = Für dieses Konto ist bereits eine Authenticator-App eingerichtet. Geben Sie einen Code daraus oder einen Sicherungscode ein.
mfa-wrong-code = Dieser Code ist ungültig oder wurde bereits verwendet.
backup-title = Ihre Sicherungscodes
backup-heading = Sichern Sie Ihre Sicherungscodes
backup-intro = Jeder Code funktioniert einmal, falls Sie keinen Zugriff mehr auf Ihre Authenticator-App haben. Die Codes werden nur jetzt angezeigt.
backup-continue = Gesichert, weiter

## Signing out

logout-title = Abmelden?
logout-question = Möchten Sie sich auf diesem Gerät von Sesame abmelden?
logout-submit = Abmelden
logout-note = Wenn Sie keine Abmeldung angefordert haben, schließen Sie diese Seite: Sie bleiben angemeldet.
signed-out-title = Abgemeldet
signed-out-heading = Sie sind abgemeldet
signed-out-close = Sie können dieses Fenster jetzt schließen.

## Error pages

error-code-label = Fehlercode
error-next-start-again = Kehren Sie zur Anwendung zurück und beginnen Sie erneut.
error-next-sign-in-again = Kehren Sie zur Anwendung zurück und melden Sie sich erneut an.
error-next-reload = Laden Sie die Seite neu und versuchen Sie es noch einmal.
error-next-retry-seconds = Versuchen Sie es in ein paar Sekunden erneut.
error-next-retry-moment = Versuchen Sie es gleich noch einmal.
error-next-retry-later = Versuchen Sie es später erneut. Wenn das Problem bleibt, wenden Sie sich an das Team hinter der Anwendung.
error-next-contact = Wenden Sie sich an das Team hinter der Anwendung, wenn Sie glauben, dass es sich um einen Irrtum handelt.
error-next-invitation = Bitten Sie das Team der Anwendung um eine Einladung.
error-next-other-browser = Fahren Sie in dem Browser fort, in dem die Anmeldung begonnen wurde, oder kehren Sie zur Anwendung zurück und melden Sie sich hier erneut an.
error-cannot-complete-title = Diese Anfrage kann nicht ausgeführt werden
error-bad-request = Die Anwendung hat eine Anfrage gesendet, die nicht ausgeführt werden kann.
error-form-unreadable = Das Formular konnte nicht gelesen werden.
error-form-too-large = Das Formular ist zu groß (höchstens { $max } Bytes).
error-query-too-long = Die Adresse dieser Seite ist zu lang (höchstens { $max } Bytes).
error-csrf-title = Dieses Formular ist abgelaufen
error-csrf = Das Formular konnte nicht überprüft werden.
error-busy-title = Der Server ist ausgelastet
error-busy = Gerade melden sich zu viele Personen an.
error-unavailable-title = Vorübergehend nicht verfügbar
error-unavailable = Der Dienst kann dies gerade nicht ausführen.
error-internal-title = Etwas ist schiefgelaufen
error-internal = Der Server konnte die Anfrage nicht ausführen.
error-unreadable-title = Die Anmeldung ist nicht verfügbar
error-unreadable = Der Server kann die Einstellungen nicht lesen, die er für eine sichere Anmeldung braucht.
error-expired-title = Diese Anmeldung ist abgelaufen
error-expired = Diese Anmeldeseite ist abgelaufen, wurde bereits abgeschlossen oder in einem anderen Browser geöffnet.
error-other-browser-title = Fahren Sie in dem Browser fort, in dem die Anmeldung begonnen wurde
error-other-browser = Diese Anmeldung wurde in einem anderen Browser begonnen und kann nur dort fortgesetzt werden.
error-sign-in-again-title = Erneut anmelden
error-sign-in-again = Dieses Konto wurde während Ihrer Anmeldung geändert, daher kann diese Anmeldung nicht abgeschlossen werden.
error-suspended-title = Dieses Konto ist gesperrt
error-suspended = Mit diesem Konto ist derzeit keine Anmeldung möglich.
error-sign-up-closed-title = Die Registrierung ist geschlossen
error-sign-up-closed = Hier können keine neuen Konten erstellt werden.
error-no-pending-link = Hier wartet kein Link auf eine Antwort.
error-no-link-to-confirm = Hier gibt es keinen Link zu bestätigen.
error-sign-in-first = Bitte melden Sie sich zuerst an.
error-second-factor-first = Der zweite Faktor ist noch nicht bestätigt.

## Magic links that cannot be used

link-error-title = Dieser Link kann nicht verwendet werden
link-error-next = Bitten Sie die Anwendung, die ihn gesendet hat, um einen neuen Link.
link-error-token_not_found = Dieser Anmeldelink ist ungültig. Vielleicht wurde er falsch abgetippt oder ist unvollständig.
link-error-email_mismatch = Dieser Anmeldelink wurde für eine andere E-Mail-Adresse ausgestellt.
link-error-token_expired = Dieser Anmeldelink ist abgelaufen.
link-error-token_consumed = Dieser Anmeldelink wurde bereits verwendet. Jeder Link funktioniert nur einmal.
link-error-token_revoked = Dieser Anmeldelink wurde widerrufen.

## Anmeldung per E-Mail (ein Link und ein Code)

hosted-sign-in-or = Oder ohne Passwort anmelden:
hosted-sign-in-option = Anmeldelink per E-Mail senden
hosted-invalid-email = Geben Sie eine gültige E-Mail-Adresse ein.
hosted-too-many = Es wurden zu viele Anmelde-E-Mails angefordert. Versuchen Sie es später erneut.
hosted-wait-title = Sehen Sie in Ihr Postfach
hosted-wait-sent = Wir haben eine E-Mail an { $email } gesendet. Öffnen Sie den Link darin auf diesem Gerät, oder geben Sie hier den 6-stelligen Code daraus ein.
hosted-field-code = 6-stelliger Code
hosted-code-submit = Weiter
hosted-wait-before-again = Sie können die E-Mail in { $seconds } Sekunden erneut senden.
hosted-send-again = Erneut senden
hosted-sent-again = Wir haben eine neue E-Mail gesendet. Link und Code der vorigen gelten nicht mehr.
hosted-wrong-code = Dieser Code stimmt nicht. Verbleibende Versuche: { $left }.
hosted-blocked = Es wurden zu viele falsche Codes eingegeben, daher gilt dieser Anmeldelink nicht mehr.
hosted-expired = Der Code ist abgelaufen. Senden Sie die E-Mail erneut, um einen neuen zu erhalten.
hosted-back = Anders anmelden
hosted-continue-title = Anmeldung fortsetzen
hosted-continue-as = Sie melden sich als { $email } an.
hosted-code-title = Ihr Anmeldecode
hosted-code-explain = Geben Sie diesen Code auf dem Gerät ein, auf dem Sie die Anmeldung angefordert haben.
hosted-code-not-here = Das Öffnen des Links hier meldet diesen Browser nicht an.
hosted-off-title = Anmeldung per E-Mail ist ausgeschaltet
hosted-off = Die Anmeldung mit einem zugesandten Link ist hier nicht verfügbar.
hosted-link-gone-title = Dieser Anmeldelink kann nicht verwendet werden
hosted-link-used = Dieser Anmeldelink wurde bereits verwendet.
hosted-link-blocked = Es wurden zu viele falsche Codes eingegeben, daher gilt dieser Anmeldelink nicht mehr.
hosted-link-expired = Dieser Anmeldelink ist abgelaufen.
hosted-link-not-found = Dieser Anmeldelink ist ungültig, oder eine neuere E-Mail hat ihn ersetzt.
## Verified sign-up (a code mailed to the address)

signup-code-title = Prüfen Sie Ihre E-Mails
# (html)
signup-code-sent = Wir haben einen 6-stelligen Code an <strong>{ $email }</strong> gesendet. Geben Sie ihn hier ein, um Ihr Konto zu erstellen.
signup-code-submit = Konto erstellen
signup-code-wrong = Dieser Code ist nicht richtig. Verbleibende Versuche: { $left }.
signup-code-dead = Zu viele falsche Codes: Dieser Code funktioniert nicht mehr. Beginnen Sie von vorn, um einen neuen zu erhalten.
signup-send-again = Code erneut senden
signup-resend-wait = Warten Sie { $seconds } Sekunden, bevor Sie einen weiteren Code anfordern.
signup-too-many = Zu viele Codes wurden an diese Adresse oder aus Ihrem Netzwerk gesendet. Versuchen Sie es später erneut.
signup-start-again = Von vorn beginnen

## Password reset

reset-forgot = Passwort vergessen?
reset-title = Passwort zurücksetzen
reset-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link und einen Code, um ein neues Passwort zu wählen.
reset-submit = Senden
reset-too-many = Für diese Adresse oder aus Ihrem Netzwerk wurden zu viele Zurücksetzungen angefordert. Versuchen Sie es später erneut.
reset-code-title = Prüfen Sie Ihre E-Mails
# (html)
reset-code-sent = Falls es ein Konto für <strong>{ $email }</strong> gibt, haben wir ihm einen Link und einen 6-stelligen Code gesendet. Öffnen Sie den Link oder geben Sie den Code hier ein.
reset-code-submit = Weiter
reset-code-wrong = Dieser Code ist nicht richtig. Verbleibende Versuche: { $left }.
reset-code-dead = Zu viele falsche Codes: Dieser Code funktioniert nicht mehr. Fordern Sie einen neuen an.
reset-ask-again = Neuen Code anfordern
reset-back = Zurück zur Anmeldung
reset-new-title = Neues Passwort wählen
reset-new-password = Neues Passwort
reset-new-submit = Passwort speichern
reset-new-note = Beim Speichern wird Ihr Konto überall sonst abgemeldet.
reset-done-title = Passwort geändert
reset-done = Ihr Passwort wurde geändert und Ihr Konto wurde überall abgemeldet. Kehren Sie zur Anwendung zurück und melden Sie sich mit Ihrem neuen Passwort an.
reset-link-invalid-title = Dieser Link funktioniert nicht mehr
reset-link-invalid = Dieser Link zum Zurücksetzen des Passworts wurde bereits verwendet, ist abgelaufen oder ungültig.
reset-link-invalid-next = Kehren Sie zur Anwendung zurück und fordern Sie über „Passwort vergessen?“ einen neuen Link an.
