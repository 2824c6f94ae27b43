mail-lang = zh-TW
mail-greeting = 您好：
sign-in-link-subject = 您的登入連結
sign-in-link-intro = 請使用此連結以 { $email } 登入：
sign-in-link-button = 登入
sign-in-link-validity = 此連結只能使用一次，有效時間為 { $expires_in_minutes } 分鐘。
sign-in-link-ignore = 如果這不是您要求的，請忽略這封郵件：沒有您信箱的存取權，任何人都無法使用它。

## 以電子郵件登入

hosted-mail-subject = 您的登入連結與驗證碼
hosted-mail-link = 請在您要求以 { $email } 登入的那部裝置上開啟這個連結：
hosted-mail-button = 登入
hosted-mail-code = 或在該裝置上輸入這組驗證碼：
hosted-mail-expiry = 連結與驗證碼只能使用一次，有效時間為 { $minutes } 分鐘。如果您沒有提出要求，請忽略這封郵件：沒有您信箱存取權的人無法使用它們。
hosted-no-account-subject = 登入
hosted-no-account-body = 有人要求以 { $email } 登入，但沒有帳號使用這個地址，而且這裡無法建立新帳號。如果是您本人，請改用您註冊時的地址。如果不是，請忽略這封郵件。
## Verified sign-up

signup-mail-code-subject = 建立帳號的驗證碼
signup-mail-code-intro = 請在建立 { $email } 帳號的頁面輸入這組驗證碼：
signup-mail-code-expiry = 驗證碼在 { $expires_in_minutes } 分鐘內有效。如果您沒有要建立帳號，請忽略這封郵件：沒有驗證碼就不會建立帳號。
signup-mail-existing-subject = 有人嘗試用您的地址建立帳號
signup-mail-existing-body = 有人（也許是您）嘗試用 { $email } 建立新帳號。這個地址已經有帳號，因此沒有建立新帳號，也沒有寄出驗證碼。
signup-mail-existing-next = 如果是您，請用密碼登入，或在登入頁面選擇「忘記密碼？」設定新密碼。如果不是您，請忽略這封郵件：沒有任何變更。

## Password reset

reset-mail-subject = 重設您的密碼
reset-mail-intro = 有人要求重設 { $email } 的密碼。請開啟這個連結設定新密碼：
reset-mail-button = 設定新密碼
reset-mail-code = 或在您提出要求的頁面輸入這組驗證碼：
reset-mail-expiry = 連結和驗證碼只能使用一次，並在 { $expires_in_minutes } 分鐘內有效。如果您沒有提出要求，請忽略這封郵件：您的密碼不會變更。
