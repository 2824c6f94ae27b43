# 託管頁面的繁體中文（台灣用語）。

## Shared

field-email = 電子郵件
field-password = 密碼
field-name = 全名
field-code = 驗證碼
# (html)
link-signs-you-in = 這個連結會以 <strong>{ $email }</strong> 的身分讓您登入 { $app }。
continue-as = 以 { $email } 繼續

## Sign-in

sign-in-title = 登入
sign-in-heading = 登入 { $app }
sign-in-submit = 登入
sign-in-no-account = 還沒有帳號嗎？
sign-in-create-account = 建立帳號
sign-in-wrong = 電子郵件或密碼不正確。
sign-in-too-many = 失敗次數過多，請稍候幾分鐘再試。

## Registration

register-title = 建立帳號
register-heading = 建立您的 { $app } 帳號
register-verified-by-link = 已透過您的連結驗證
register-submit = 建立帳號
register-already = 已經註冊了嗎？
register-sign-in = 登入
register-name-required = 請輸入您的全名。
register-invalid-email = 請輸入有效的電子郵件地址。
register-too-many = 您的網路已建立太多帳號，請稍後再試。
register-email-taken = 這個電子郵件已有帳號，請改為登入。
password-too-short = 密碼至少需要 { $min } 個字元。
password-too-common = 這個密碼太常見了，請換一個。

## Switching accounts (a magic link for another account)

switch-title = 要切換帳號嗎？
# (html)
switch-signed-in-as = 您目前以 <strong>{ $email }</strong> 的身分登入。
switch-stay-as = 繼續以 { $email } 登入
switch-stay-note = 如果您選擇留下，這個連結不會被使用，之後仍然有效。

## Confirming a magic link

confirm-title = 要繼續前往 { $app } 嗎？
confirm-heading = 以 { $email } 繼續前往 { $app }
confirm-note = 如果您沒有要求登入，或這不是您的帳號，請關閉此頁面：不會發生任何事，連結也不會被使用。

## Two-step verification

mfa-title = 兩步驟驗證
mfa-setup-heading = 設定兩步驟驗證
mfa-setup-intro = 請用驗證器應用程式掃描這個條碼，或手動輸入金鑰，然後輸入應用程式顯示的 6 位數驗證碼。
mfa-key = 金鑰
mfa-open-app = 在這部裝置的驗證器應用程式中開啟
mfa-intro = 請輸入驗證器應用程式中的 6 位數驗證碼，或您的其中一組備用碼。
mfa-submit = 驗證
mfa-too-many = 嘗試次數過多，請稍候幾分鐘再試。
mfa-wrong-new-code = 這個驗證碼無效。請檢查裝置上的時間後再試一次。
mfa-already-enrolled = 這個帳號已設定驗證器。請輸入該驗證器的驗證碼或備用碼。
mfa-wrong-code = 這個驗證碼無效或已使用過。
backup-title = 您的備用碼
backup-heading = 請保存您的備用碼
backup-intro = 如果您無法使用驗證器應用程式，每組備用碼可以使用一次。備用碼只會在此時顯示。
backup-continue = 我已保存，繼續

## Signing out

logout-title = 要登出嗎？
logout-question = 要在這部裝置上登出 Sesame 嗎？
logout-submit = 登出
logout-note = 如果您沒有要求登出，請關閉此頁面：您會保持登入狀態。
signed-out-title = 已登出
signed-out-heading = 您已登出
signed-out-close = 您可以關閉這個視窗了。

## Error pages

error-code-label = 錯誤代碼
error-next-start-again = 請回到應用程式重新開始。
error-next-sign-in-again = 請回到應用程式重新登入。
error-next-reload = 請重新載入頁面後再試一次。
error-next-retry-seconds = 請過幾秒後再試。
error-next-retry-moment = 請稍後再試。
error-next-retry-later = 請稍後再試。如果問題持續發生，請告知應用程式的團隊。
error-next-contact = 如果您認為這是誤判，請聯絡應用程式的團隊。
error-next-invitation = 請向應用程式的團隊索取邀請。
error-next-other-browser = 請在開始登入的瀏覽器中繼續，或回到應用程式並在這裡重新登入。
error-cannot-complete-title = 無法完成這項要求
error-bad-request = 應用程式送出了無法完成的要求。
error-form-unreadable = 無法讀取表單。
error-form-too-large = 表單太大（最多 { $max } 位元組）。
error-query-too-long = 此頁面的網址太長（最多 { $max } 位元組）。
error-csrf-title = 表單已過期
error-csrf = 無法驗證表單。
error-busy-title = 伺服器忙碌中
error-busy = 目前正在登入的人太多。
error-unavailable-title = 暫時無法使用
error-unavailable = 服務目前無法完成這項操作。
error-internal-title = 發生錯誤
error-internal = 伺服器無法完成這項要求。
error-unreadable-title = 目前無法登入
error-unreadable = 伺服器無法讀取安全登入所需的設定。
error-expired-title = 這次登入已過期
error-expired = 這個登入頁面已過期、已完成，或是在另一個瀏覽器中開啟。
error-other-browser-title = 請在開始登入的瀏覽器中繼續
error-other-browser = 這次登入是在另一個瀏覽器中開始的，只能在該瀏覽器中繼續。
error-sign-in-again-title = 請重新登入
error-sign-in-again = 您登入期間這個帳號有所變更，因此無法完成這次登入。
error-suspended-title = 這個帳號已停權
error-suspended = 這個帳號目前無法登入。
error-sign-up-closed-title = 目前不開放註冊
error-sign-up-closed = 無法在這裡建立新帳號。
error-no-pending-link = 這裡沒有等待回應的連結。
error-no-link-to-confirm = 這裡沒有需要確認的連結。
error-sign-in-first = 請先登入。
error-second-factor-first = 第二步驗證尚未完成。

## Magic links that cannot be used

link-error-title = 無法使用這個連結
link-error-next = 請向寄送連結的應用程式索取新的連結。
link-error-token_not_found = 這個登入連結無效，可能是輸入錯誤或連結不完整。
link-error-email_mismatch = 這個登入連結是發給另一個電子郵件地址的。
link-error-token_expired = 這個登入連結已過期。
link-error-token_consumed = 這個登入連結已使用過。每個連結只能使用一次。
link-error-token_revoked = 這個登入連結已被取消。

## 以電子郵件登入（連結與驗證碼）

hosted-sign-in-or = 或不用密碼登入：
hosted-sign-in-option = 寄給我登入連結
hosted-invalid-email = 請輸入有效的電子郵件地址。
hosted-too-many = 要求寄送的登入郵件太多了，請稍後再試。
hosted-wait-title = 請查看您的郵件
hosted-wait-sent = 我們已寄信到 { $email }。請在這部裝置上開啟信中的連結，或在這裡輸入信中的 6 位數驗證碼。
hosted-field-code = 6 位數驗證碼
hosted-code-submit = 繼續
hosted-wait-before-again = { $seconds } 秒後可以再寄一次。
hosted-send-again = 重新寄送
hosted-sent-again = 我們已寄出新的郵件，先前郵件中的連結與驗證碼已失效。
hosted-wrong-code = 驗證碼不正確。剩餘次數：{ $left }。
hosted-blocked = 輸入錯誤的驗證碼次數太多，這個登入連結已失效。
hosted-expired = 驗證碼已過期。請重新寄送郵件以取得新的驗證碼。
hosted-back = 改用其他方式登入
hosted-continue-title = 繼續登入
hosted-continue-as = 您正在以 { $email } 登入。
hosted-code-title = 您的登入驗證碼
hosted-code-explain = 請在您要求登入的那部裝置上輸入這組驗證碼。
hosted-code-not-here = 在這裡開啟連結不會讓這個瀏覽器登入。
hosted-off-title = 已關閉電子郵件登入
hosted-off = 這裡無法使用郵件寄送的連結登入。
hosted-link-gone-title = 無法使用這個登入連結
hosted-link-used = 這個登入連結已經使用過了。
hosted-link-blocked = 輸入錯誤的驗證碼次數太多，這個登入連結已失效。
hosted-link-expired = 這個登入連結已過期。
hosted-link-not-found = 這個登入連結無效，或已被較新的郵件取代。
## Verified sign-up (a code mailed to the address)

signup-code-title = 請查看您的電子郵件
# (html)
signup-code-sent = 我們已將 6 位數驗證碼寄到 <strong>{ $email }</strong>。請在此輸入驗證碼以建立帳號。
signup-code-submit = 建立帳號
signup-code-wrong = 驗證碼不正確。剩餘嘗試次數：{ $left }。
signup-code-dead = 輸入錯誤的驗證碼次數過多，此驗證碼已失效。請重新開始以取得新的驗證碼。
signup-send-again = 重新寄送驗證碼
signup-resend-wait = 請等待 { $seconds } 秒後再要求新的驗證碼。
signup-too-many = 寄到這個地址或從您的網路要求的驗證碼過多。請稍後再試。
signup-start-again = 重新開始

## Password reset

reset-forgot = 忘記密碼？
reset-title = 重設密碼
reset-intro = 請輸入您帳號的電子郵件地址。我們會寄給您一個連結和一組驗證碼，讓您設定新密碼。
reset-submit = 寄送
reset-too-many = 這個地址或您的網路要求重設的次數過多。請稍後再試。
reset-code-title = 請查看您的電子郵件
# (html)
reset-code-sent = 如果 <strong>{ $email }</strong> 有帳號，我們已寄出一個連結和一組 6 位數驗證碼。請開啟連結，或在此輸入驗證碼。
reset-code-submit = 繼續
reset-code-wrong = 驗證碼不正確。剩餘嘗試次數：{ $left }。
reset-code-dead = 輸入錯誤的驗證碼次數過多，此驗證碼已失效。請要求新的驗證碼。
reset-ask-again = 要求新的驗證碼
reset-back = 返回登入
reset-new-title = 設定新密碼
reset-new-password = 新密碼
reset-new-submit = 儲存密碼
reset-new-note = 儲存後，您的帳號會在其他所有地方登出。
reset-done-title = 密碼已變更
reset-done = 您的密碼已變更，帳號也已在所有地方登出。請返回應用程式，並使用新密碼登入。
reset-link-invalid-title = 這個連結已無法使用
reset-link-invalid = 這個重設密碼連結已使用過、已過期或無效。
reset-link-invalid-next = 請返回應用程式，透過「忘記密碼？」要求新的連結。
