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

## 이메일로 로그인 (링크와 코드)

hosted-sign-in-or = 또는 비밀번호 없이 로그인:
hosted-sign-in-option = 로그인 링크를 이메일로 받기
hosted-invalid-email = 올바른 이메일 주소를 입력하세요.
hosted-too-many = 로그인 메일 요청이 너무 많습니다. 나중에 다시 시도하세요.
hosted-wait-title = 메일을 확인하세요
hosted-wait-sent = { $email }(으)로 메일을 보냈습니다. 이 기기에서 메일의 링크를 열거나, 메일에 있는 6자리 코드를 여기에 입력하세요.
hosted-field-code = 6자리 코드
hosted-code-submit = 계속
hosted-wait-before-again = { $seconds }초 후에 메일을 다시 보낼 수 있습니다.
hosted-send-again = 다시 보내기
hosted-sent-again = 새 메일을 보냈습니다. 이전 메일의 링크와 코드는 더 이상 사용할 수 없습니다.
hosted-wrong-code = 코드가 올바르지 않습니다. 남은 시도 횟수: { $left }.
hosted-blocked = 잘못된 코드를 너무 많이 입력하여 이 로그인 링크는 더 이상 사용할 수 없습니다.
hosted-expired = 코드가 만료되었습니다. 새 코드를 받으려면 메일을 다시 보내세요.
hosted-back = 다른 방법으로 로그인
hosted-continue-title = 로그인 계속하기
hosted-continue-as = { $email }(으)로 로그인합니다.
hosted-code-title = 로그인 코드
hosted-code-explain = 로그인을 요청한 기기에서 이 코드를 입력하세요.
hosted-code-not-here = 여기에서 링크를 열어도 이 브라우저는 로그인되지 않습니다.
hosted-off-title = 이메일 로그인이 꺼져 있습니다
hosted-off = 여기에서는 메일로 받은 링크로 로그인할 수 없습니다.
hosted-link-gone-title = 이 로그인 링크는 사용할 수 없습니다
hosted-link-used = 이미 사용된 로그인 링크입니다.
hosted-link-blocked = 잘못된 코드를 너무 많이 입력하여 이 로그인 링크는 더 이상 사용할 수 없습니다.
hosted-link-expired = 만료된 로그인 링크입니다.
hosted-link-not-found = 유효하지 않은 로그인 링크이거나, 더 최근 메일로 대체되었습니다.
## Verified sign-up (a code mailed to the address)

signup-code-title = 이메일을 확인하세요
# (html)
signup-code-sent = <strong>{ $email }</strong>(으)로 6자리 코드를 보냈습니다. 계정을 만들려면 여기에 입력하세요.
signup-code-submit = 계정 만들기
signup-code-wrong = 코드가 올바르지 않습니다. 남은 시도 횟수: { $left }회.
signup-code-dead = 잘못된 코드를 너무 많이 입력했습니다. 이 코드는 더 이상 사용할 수 없습니다. 처음부터 다시 시작하여 새 코드를 받으세요.
signup-send-again = 코드 다시 보내기
signup-resend-wait = 다른 코드를 요청하기 전에 { $seconds }초 기다리세요.
signup-too-many = 이 주소 또는 사용 중인 네트워크로 너무 많은 코드가 전송되었습니다. 나중에 다시 시도하세요.
signup-start-again = 처음부터 다시 시작

## Password reset

reset-forgot = 비밀번호를 잊으셨나요?
reset-title = 비밀번호 재설정
reset-intro = 계정의 이메일 주소를 입력하세요. 새 비밀번호를 정할 수 있는 링크와 코드를 보내 드립니다.
reset-submit = 보내기
reset-too-many = 이 주소 또는 사용 중인 네트워크에서 재설정 요청이 너무 많았습니다. 나중에 다시 시도하세요.
reset-code-title = 이메일을 확인하세요
# (html)
reset-code-sent = <strong>{ $email }</strong> 계정이 있다면 링크와 6자리 코드를 보냈습니다. 링크를 열거나 여기에 코드를 입력하세요.
reset-code-submit = 계속
reset-code-wrong = 코드가 올바르지 않습니다. 남은 시도 횟수: { $left }회.
reset-code-dead = 잘못된 코드를 너무 많이 입력했습니다. 이 코드는 더 이상 사용할 수 없습니다. 새 코드를 요청하세요.
reset-ask-again = 새 코드 요청
reset-back = 로그인으로 돌아가기
reset-new-title = 새 비밀번호 정하기
reset-new-password = 새 비밀번호
reset-new-submit = 비밀번호 저장
reset-new-note = 저장하면 다른 모든 곳에서 계정이 로그아웃됩니다.
reset-done-title = 비밀번호가 변경되었습니다
reset-done = 비밀번호가 변경되었고 모든 곳에서 계정이 로그아웃되었습니다. 애플리케이션으로 돌아가 새 비밀번호로 로그인하세요.
reset-link-invalid-title = 이 링크는 더 이상 사용할 수 없습니다
reset-link-invalid = 이 비밀번호 재설정 링크는 이미 사용되었거나, 만료되었거나, 유효하지 않습니다.
reset-link-invalid-next = 애플리케이션으로 돌아가 "비밀번호를 잊으셨나요?"에서 새 링크를 요청하세요.
