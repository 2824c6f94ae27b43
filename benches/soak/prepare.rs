//! Before the load: the users it signs in, made the way an application would make them, and
//! one of each sign-in checked on every instance. Nothing here is measured; afterwards the
//! run creates no user, so the users table stays as it is.

use serde_json::json;

use crate::flow::{Answer, Ctx, Failure, M2mToken, Step, answer, unexpected};

/// The run's users: magic-link addresses (registered by a first link) and password users
/// (created through the Management API, with `password`).
pub struct Users {
    pub link: Vec<String>,
    pub password: Vec<String>,
}

/// A failure, for the pre-flight's message.
fn why(f: Failure) -> String {
    format!("{}: {} {}", f.step.name(), f.class, f.detail)
}

/// `POST /api/users` with a password.
async fn create_user(
    ctx: &Ctx,
    cache: &mut M2mToken,
    email: &str,
    password: &str,
) -> Result<(), String> {
    let step = Step::ApiRead;
    ctx.m2m_token(cache).await.map_err(why)?;
    let post = ctx
        .http
        .post(format!("{}/api/users", ctx.target.base_url))
        .bearer_auth(cache.token())
        .json(&json!({"primaryEmail": email, "password": password}));
    let Answer { status, body, .. } = answer(step, post).await.map_err(why)?;
    if status != 201 {
        return Err(format!(
            "creating {email}: {}",
            why(unexpected(step, status, &body))
        ));
    }
    Ok(())
}

/// Creates the users, spread over the instances, then signs one of each kind in on every
/// instance and refreshes its tokens there, checked.
pub async fn prepare(
    ctxs: &[Ctx],
    tag: &str,
    link_users: usize,
    password_users: usize,
    password: &str,
) -> Result<Users, String> {
    let mut cache = M2mToken::default();
    let users = Users {
        link: (0..link_users)
            .map(|i| format!("soak-link{i}.{tag}@bench.example"))
            .collect(),
        password: (0..password_users)
            .map(|i| format!("soak-password{i}.{tag}@bench.example"))
            .collect(),
    };
    for (i, email) in users.password.iter().enumerate() {
        create_user(&ctxs[i % ctxs.len()], &mut cache, email, password).await?;
    }
    // A link's first sign-in registers its address.
    for (i, email) in users.link.iter().enumerate() {
        let mut times = [0u32; 4];
        ctxs[i % ctxs.len()]
            .flow(&mut cache, email, &mut times)
            .await
            .map_err(|f| format!("registering {email}: {}", why(f)))?;
    }
    for ctx in ctxs {
        let tokens = ctx
            .password_sign_in(&users.password[0], password)
            .await
            .map_err(|f| format!("password sign-in: {}", why(f)))?;
        let refresh_token = tokens
            .refresh_token
            .ok_or_else(|| "a password sign-in gave no refresh token".to_owned())?;
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ];
        let v = ctx
            .spa_token(Step::Refresh, &form)
            .await
            .map_err(|f| format!("refresh: {}", why(f)))?;
        if v["refresh_token"]
            .as_str()
            .is_none_or(|t| t == refresh_token)
        {
            return Err("a refresh did not rotate the refresh token".into());
        }
        eprintln!(
            "[soak] pre-flight on {}: password sign-in and refresh OK",
            ctx.target.base_url
        );
    }
    Ok(users)
}
