mail-lang = ko
mail-greeting = 안녕하세요.
sign-in-link-subject = 로그인 링크
sign-in-link-intro = 아래 링크로 { $email } 계정에 로그인하세요.
sign-in-link-button = 로그인
sign-in-link-validity = 이 링크는 한 번만, { $expires_in_minutes }분 동안 사용할 수 있습니다.
sign-in-link-ignore = 요청하지 않으셨다면 이 메일을 무시하세요. 메일함에 접근할 수 없는 사람은 이 링크를 사용할 수 없습니다.

## 이메일로 로그인

hosted-mail-subject = 로그인 링크와 코드
hosted-mail-link = { $email }(으)로 로그인을 요청한 기기에서 이 링크를 여세요:
hosted-mail-button = 로그인
hosted-mail-code = 또는 그 기기에서 이 코드를 입력하세요:
hosted-mail-expiry = 링크와 코드는 { $minutes }분 동안 한 번만 사용할 수 있습니다. 요청하지 않았다면 이 메일을 무시하세요. 메일함에 접근할 수 없는 사람은 사용할 수 없습니다.
hosted-no-account-subject = 로그인
hosted-no-account-body = 누군가 { $email }(으)로 로그인을 요청했지만 이 주소를 사용하는 계정이 없으며, 여기에서는 새 계정을 만들 수 없습니다. 본인이라면 가입할 때 사용한 주소로 시도해 보세요. 본인이 아니라면 이 메일을 무시하세요.
## Verified sign-up

signup-mail-code-subject = 계정을 만들기 위한 코드
signup-mail-code-intro = { $email } 계정을 만드는 페이지에 이 코드를 입력하세요:
signup-mail-code-expiry = 코드는 { $expires_in_minutes }분 동안 유효합니다. 계정을 만들려고 하지 않았다면 이 메일을 무시하세요. 코드 없이는 계정이 만들어지지 않습니다.
signup-mail-existing-subject = 누군가 회원님의 주소로 계정을 만들려고 했습니다
signup-mail-existing-body = 누군가(회원님일 수도 있습니다) { $email }(으)로 새 계정을 만들려고 했습니다. 이 주소에는 이미 계정이 있으므로 새 계정은 만들어지지 않았고 코드도 전송되지 않았습니다.
signup-mail-existing-next = 회원님이었다면 비밀번호로 로그인하거나, 로그인 페이지에서 "비밀번호를 잊으셨나요?"를 선택해 새 비밀번호를 정하세요. 회원님이 아니었다면 이 메일을 무시하세요. 아무것도 바뀌지 않았습니다.

## Password reset

reset-mail-subject = 비밀번호 재설정
reset-mail-intro = 누군가 { $email }의 비밀번호 재설정을 요청했습니다. 새 비밀번호를 정하려면 이 링크를 여세요:
reset-mail-button = 새 비밀번호 정하기
reset-mail-code = 또는 요청한 페이지에 이 코드를 입력하세요:
reset-mail-expiry = 링크와 코드는 { $expires_in_minutes }분 동안 한 번만 사용할 수 있습니다. 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 그대로 유지됩니다.
