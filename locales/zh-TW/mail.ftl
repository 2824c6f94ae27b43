mail-lang = zh-TW
mail-greeting = 您好：
sign-in-link-subject = 您的登入連結
sign-in-link-intro = 請使用此連結以 { $email } 登入：
sign-in-link-button = 登入
sign-in-link-validity = 此連結只能使用一次，有效時間為 { $expires_in_minutes } 分鐘。
sign-in-link-ignore = 如果這不是您要求的，請忽略這封郵件：沒有您信箱的存取權，任何人都無法使用它。
