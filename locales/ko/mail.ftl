mail-lang = ko
mail-greeting = 안녕하세요.
sign-in-link-subject = 로그인 링크
sign-in-link-intro = 아래 링크로 { $email } 계정에 로그인하세요.
sign-in-link-button = 로그인
sign-in-link-validity = 이 링크는 한 번만, { $expires_in_minutes }분 동안 사용할 수 있습니다.
sign-in-link-ignore = 요청하지 않으셨다면 이 메일을 무시하세요. 메일함에 접근할 수 없는 사람은 이 링크를 사용할 수 없습니다.
