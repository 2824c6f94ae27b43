//! A password sign-in as a browser does it, through the hosted pages: the authorization
//! request sends it to the sign-in page (setting the interaction's cookie), the page holds the
//! form's CSRF field, the form posted with the cookie sends it back to the client with a code,
//! which the client exchanges. Each sign-in is a fresh browser: a cookie jar of its own, over
//! the driver's shared connections.

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{COOKIE, SET_COOKIE};
use url::Url;

use crate::flow::{Answer, Ctx, Failure, Request, Step, Tokens, answer, fail, short, unexpected};

/// A browser: the cookies of one sign-in.
#[derive(Default)]
struct Browser {
    jar: Jar,
}

impl Browser {
    /// `request` to `url` with the cookies the jar holds for it; the cookies answered are kept.
    async fn visit(
        &self,
        step: Step,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        let url = Url::parse(url).map_err(|e| fail(step, "bad-url", format!("{url}: {e}")))?;
        let request = match self.jar.cookies(&url) {
            Some(cookies) => request.header(COOKIE, cookies),
            None => request,
        };
        let answered = answer(step, request).await?;
        self.jar
            .set_cookies(&mut answered.headers.get_all(SET_COOKIE).iter(), &url);
        Ok(answered)
    }

    /// The `Location` of a 303, or `step`'s failure.
    fn see_other(step: Step, answered: Answer) -> Result<String, Failure> {
        if answered.status != 303 {
            return Err(unexpected(step, answered.status, &answered.body));
        }
        answered
            .location
            .ok_or_else(|| fail(step, "no-location", ""))
    }
}

/// The value of the hidden `csrf` field of a hosted page.
fn csrf_field(html: &str) -> Option<&str> {
    const FIELD: &str = r#"name="csrf" value=""#;
    let start = html.find(FIELD)? + FIELD.len();
    let len = html[start..].find('"')?;
    Some(&html[start..start + len])
}

impl Ctx {
    /// Signs `email` in with `password` through the hosted sign-in page; the tokens.
    pub async fn password_sign_in(&self, email: &str, password: &str) -> Result<Tokens, Failure> {
        let browser = Browser::default();
        let base = &self.target.base_url;
        let request = Request::fresh();

        let step = Step::Authorize;
        let url = self.authorize_url(&request, &[]);
        let page = Browser::see_other(step, browser.visit(step, &url, self.http.get(&url)).await?)?;
        if !page.starts_with("/interaction/") {
            return Err(fail(step, "303 elsewhere", page));
        }
        let page_url = format!("{base}{page}");

        let step = Step::SignInPage;
        let shown = browser
            .visit(step, &page_url, self.http.get(&page_url))
            .await?;
        if shown.status != 200 {
            return Err(unexpected(step, shown.status, &shown.body));
        }
        let html = String::from_utf8_lossy(&shown.body);
        let csrf = csrf_field(&html).ok_or_else(|| fail(step, "no-csrf", short(&shown.body)))?;

        let step = Step::SignInForm;
        let form_url = format!("{page_url}/sign-in");
        let form = [("csrf", csrf), ("email", email), ("password", password)];
        let post = self.http.post(&form_url).form(&form);
        let callback = Browser::see_other(step, browser.visit(step, &form_url, post).await?)?;
        let code = self.callback_code(step, &callback, &request.state)?;
        self.exchange(&code, &request.verifier).await
    }
}
