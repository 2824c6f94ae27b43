# 호스팅 페이지 한국어 (존댓말: -습니다/-세요).

## Shared

field-email = 이메일
field-password = 비밀번호
field-name = 이름
field-code = 코드
# (html)
link-signs-you-in = 이 링크로 <strong>{ $email }</strong> 계정으로 { $app }에 로그인합니다.
continue-as = { $email }(으)로 계속하기

## Sign-in

sign-in-title = 로그인
sign-in-heading = { $app }에 로그인
sign-in-submit = 로그인
sign-in-no-account = 아직 계정이 없으신가요?
sign-in-create-account = 계정 만들기
sign-in-wrong = 이메일 또는 비밀번호가 올바르지 않습니다.
sign-in-too-many = 로그인 시도가 너무 많이 실패했습니다. 몇 분 후에 다시 시도해 주세요.

## Registration

register-title = 계정 만들기
register-heading = { $app } 계정 만들기
register-verified-by-link = 링크로 확인됨
register-submit = 계정 만들기
register-already = 이미 가입하셨나요?
register-sign-in = 로그인
register-name-required = 이름을 입력해 주세요.
register-invalid-email = 올바른 이메일 주소를 입력해 주세요.
register-too-many = 사용 중인 네트워크에서 너무 많은 계정이 만들어졌습니다. 나중에 다시 시도해 주세요.
register-email-taken = 이 이메일로 등록된 계정이 이미 있습니다. 대신 로그인해 주세요.
password-too-short = 비밀번호는 { $min }자 이상이어야 합니다.
password-too-common = 너무 흔한 비밀번호입니다. 다른 비밀번호를 선택해 주세요.

## Switching accounts (a magic link for another account)

switch-title = 계정을 전환하시겠습니까?
# (html)
switch-signed-in-as = 현재 <strong>{ $email }</strong>(으)로 로그인되어 있습니다.
switch-stay-as = { $email }(으)로 계속 로그인 유지
switch-stay-note = 로그인을 유지하면 링크는 사용되지 않으며 나중에도 계속 사용할 수 있습니다.

## Confirming a magic link

confirm-title = { $app }(으)로 계속하시겠습니까?
confirm-heading = { $email }(으)로 { $app }에 계속하기
confirm-note = 로그인을 요청하지 않았거나 본인 계정이 아니라면 이 페이지를 닫아 주세요. 아무 일도 일어나지 않으며 링크도 사용되지 않습니다.

## Two-step verification

mfa-title = 2단계 인증
mfa-setup-heading = 2단계 인증 설정
mfa-setup-intro = 인증 앱으로 이 코드를 스캔하거나 키를 직접 입력한 다음, 앱에 표시된 6자리 코드를 입력해 주세요.
mfa-key = 키
mfa-open-app = 이 기기의 인증 앱에서 열기
mfa-intro = 인증 앱에 표시된 6자리 코드 또는 백업 코드 중 하나를 입력해 주세요.
mfa-submit = 인증
mfa-too-many = 시도 횟수가 너무 많습니다. 몇 분 후에 다시 시도해 주세요.
mfa-wrong-new-code = 올바르지 않은 코드입니다. 기기의 시간을 확인한 후 다시 시도해 주세요.
mfa-already-enrolled = 이 계정에는 이미 인증 앱이 설정되어 있습니다. 해당 앱의 코드나 백업 코드를 입력해 주세요.
mfa-wrong-code = 올바르지 않거나 이미 사용된 코드입니다.
backup-title = 백업 코드
backup-heading = 백업 코드를 저장하세요
backup-intro = 인증 앱을 사용할 수 없게 되었을 때 각 코드를 한 번씩 사용할 수 있습니다. 코드는 지금만 표시됩니다.
backup-continue = 저장했습니다, 계속하기

## Signing out

logout-title = 로그아웃하시겠습니까?
logout-question = 이 기기에서 Sesame에서 로그아웃하시겠습니까?
logout-submit = 로그아웃
logout-note = 로그아웃을 요청하지 않았다면 이 페이지를 닫아 주세요. 로그인 상태가 유지됩니다.
signed-out-title = 로그아웃됨
signed-out-heading = 로그아웃되었습니다
signed-out-close = 이 창을 닫으셔도 됩니다.

## Error pages

error-code-label = 오류 코드
error-next-start-again = 애플리케이션으로 돌아가 처음부터 다시 시작해 주세요.
error-next-sign-in-again = 애플리케이션으로 돌아가 다시 로그인해 주세요.
error-next-reload = 페이지를 새로 고친 후 다시 시도해 주세요.
error-next-retry-seconds = 몇 초 후에 다시 시도해 주세요.
error-next-retry-moment = 잠시 후 다시 시도해 주세요.
error-next-retry-later = 나중에 다시 시도해 주세요. 문제가 계속되면 애플리케이션 운영팀에 알려 주세요.
error-next-contact = 잘못된 조치라고 생각되면 애플리케이션 운영팀에 문의해 주세요.
error-next-invitation = 애플리케이션 운영팀에 초대를 요청해 주세요.
error-next-other-browser = 로그인을 시작한 브라우저에서 계속하거나, 애플리케이션으로 돌아가 이 브라우저에서 다시 로그인해 주세요.
error-cannot-complete-title = 요청을 처리할 수 없습니다
error-bad-request = 애플리케이션이 처리할 수 없는 요청을 보냈습니다.
error-form-unreadable = 양식을 읽을 수 없습니다.
error-form-too-large = 양식이 너무 큽니다(최대 { $max }바이트).
error-query-too-long = 이 페이지의 주소가 너무 깁니다(최대 { $max }바이트).
error-csrf-title = 양식이 만료되었습니다
error-csrf = 양식을 확인할 수 없습니다.
error-busy-title = 서버가 혼잡합니다
error-busy = 지금 로그인하는 사람이 너무 많습니다.
error-unavailable-title = 일시적으로 사용할 수 없습니다
error-unavailable = 지금은 서비스에서 이 작업을 처리할 수 없습니다.
error-internal-title = 문제가 발생했습니다
error-internal = 서버에서 요청을 처리하지 못했습니다.
error-unreadable-title = 로그인할 수 없습니다
error-unreadable = 안전한 로그인에 필요한 설정을 서버에서 읽을 수 없습니다.
error-expired-title = 로그인이 만료되었습니다
error-expired = 이 로그인 페이지가 만료되었거나, 이미 완료되었거나, 다른 브라우저에서 열렸습니다.
error-other-browser-title = 로그인을 시작한 브라우저에서 계속해 주세요
error-other-browser = 이 로그인은 다른 브라우저에서 시작되었으며 해당 브라우저에서만 계속할 수 있습니다.
error-sign-in-again-title = 다시 로그인해 주세요
error-sign-in-again = 로그인하는 동안 계정 정보가 변경되어 이 로그인을 완료할 수 없습니다.
error-suspended-title = 정지된 계정입니다
error-suspended = 현재 이 계정으로 로그인할 수 없습니다.
error-sign-up-closed-title = 가입이 닫혀 있습니다
error-sign-up-closed = 여기서는 새 계정을 만들 수 없습니다.
error-no-pending-link = 여기에는 응답을 기다리는 링크가 없습니다.
error-no-link-to-confirm = 여기에는 확인할 링크가 없습니다.
error-sign-in-first = 먼저 로그인해 주세요.
error-second-factor-first = 아직 2단계 인증이 완료되지 않았습니다.

## Magic links that cannot be used

link-error-title = 이 링크는 사용할 수 없습니다
link-error-next = 링크를 보낸 애플리케이션에 새 링크를 요청해 주세요.
link-error-token_not_found = 유효하지 않은 로그인 링크입니다. 잘못 입력되었거나 일부가 잘렸을 수 있습니다.
link-error-email_mismatch = 이 로그인 링크는 다른 이메일 주소로 발급되었습니다.
link-error-token_expired = 이 로그인 링크는 만료되었습니다.
link-error-token_consumed = 이미 사용된 로그인 링크입니다. 각 링크는 한 번만 사용할 수 있습니다.
link-error-token_revoked = 취소된 로그인 링크입니다.

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
