use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    access_tokens, application_landing_uris, application_origins, applications,
    authorization_codes, refresh_tokens,
};
use crate::crypto::SigningAlg;
use crate::identity::applications::{AppType, Application};

#[derive(Queryable, Insertable)]
#[diesel(table_name = applications)]
struct ApplicationRow {
    id: String,
    name: String,
    app_type: String,
    secret_hash: Option<String>,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    id_token_alg: String,
    management_api: bool,
    created_at: i64,
    introspection: bool,
    landing_uris: String,
}

impl ApplicationRow {
    fn into_domain(self) -> Result<Application, diesel::result::Error> {
        let corrupt =
            |what: &str| diesel::result::Error::DeserializationError(what.to_owned().into());
        Ok(Application {
            app_type: AppType::parse(&self.app_type).ok_or_else(|| corrupt("app_type"))?,
            id_token_alg: SigningAlg::parse(&self.id_token_alg)
                .ok_or_else(|| corrupt("id_token_alg"))?,
            redirect_uris: serde_json::from_str(&self.redirect_uris)
                .map_err(|_| corrupt("redirect_uris"))?,
            post_logout_redirect_uris: serde_json::from_str(&self.post_logout_redirect_uris)
                .map_err(|_| corrupt("post_logout_redirect_uris"))?,
            landing_uris: serde_json::from_str(&self.landing_uris)
                .map_err(|_| corrupt("landing_uris"))?,
            id: self.id,
            name: self.name,
            secret_hash: self.secret_hash,
            management_api: self.management_api,
            introspection: self.introspection,
            created_at: self.created_at,
        })
    }
}

/// Stores an application with the browser origins it may call from (SPA redirect origins).
pub fn insert_application(
    conn: &mut DbConnection,
    app: &Application,
    origins: &[String],
) -> QueryResult<()> {
    let row = ApplicationRow {
        id: app.id.clone(),
        name: app.name.clone(),
        app_type: app.app_type.as_str().to_owned(),
        secret_hash: app.secret_hash.clone(),
        redirect_uris: uri_list(&app.redirect_uris),
        post_logout_redirect_uris: uri_list(&app.post_logout_redirect_uris),
        id_token_alg: app.id_token_alg.as_str().to_owned(),
        management_api: app.management_api,
        created_at: app.created_at,
        introspection: app.introspection,
        landing_uris: uri_list(&app.landing_uris),
    };
    conn.transaction(|conn| {
        diesel::insert_into(applications::table)
            .values(&row)
            .execute(conn)?;
        for origin in origins {
            diesel::insert_into(application_origins::table)
                .values((
                    application_origins::origin.eq(origin),
                    application_origins::application_id.eq(&app.id),
                ))
                .execute(conn)?;
        }
        insert_landing_uris(conn, app)
    })
}

/// One lookup row per landing URI of `app` (see [`is_landing_uri`]).
fn insert_landing_uris(conn: &mut DbConnection, app: &Application) -> QueryResult<()> {
    for uri in &app.landing_uris {
        diesel::insert_into(application_landing_uris::table)
            .values((
                application_landing_uris::uri.eq(uri),
                application_landing_uris::application_id.eq(&app.id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether some application registered `uri`, exactly, as a landing page Sesame may mail
/// links to.
pub fn is_landing_uri(conn: &mut DbConnection, uri: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        application_landing_uris::table.filter(application_landing_uris::uri.eq(uri)),
    ))
    .get_result(conn)
}

pub fn find_application(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Application>> {
    applications::table
        .find(id)
        .get_result::<ApplicationRow>(conn)
        .optional()?
        .map(ApplicationRow::into_domain)
        .transpose()
}

/// Whether a browser origin belongs to a registered single-page app (CORS).
pub fn is_allowed_origin(conn: &mut DbConnection, origin: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        application_origins::table.filter(application_origins::origin.eq(origin)),
    ))
    .get_result(conn)
}

/// A list of URIs as stored: a JSON array of strings.
fn uri_list(uris: &[String]) -> String {
    serde_json::to_string(uris).unwrap_or_else(|_| "[]".into())
}

/// A page of applications, newest first, and how many there are in all.
pub fn list_applications(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Application>, i64)> {
    let total = applications::table.count().get_result(conn)?;
    let apps = applications::table
        .order((applications::created_at.desc(), applications::id.desc()))
        .offset(offset)
        .limit(limit)
        .load::<ApplicationRow>(conn)?
        .into_iter()
        .map(ApplicationRow::into_domain)
        .collect::<QueryResult<Vec<_>>>()?;
    Ok((apps, total))
}

/// Saves an application's name, URIs and ID token algorithm, and replaces its browser origins
/// and landing URIs.
/// Its id, kind, secret, Management API access and introspection permission stay. `false` when no such application.
pub fn update_application(
    conn: &mut DbConnection,
    app: &Application,
    origins: &[String],
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let updated = diesel::update(applications::table.find(&app.id))
            .set((
                applications::name.eq(&app.name),
                applications::redirect_uris.eq(uri_list(&app.redirect_uris)),
                applications::post_logout_redirect_uris
                    .eq(uri_list(&app.post_logout_redirect_uris)),
                applications::id_token_alg.eq(app.id_token_alg.as_str()),
                applications::landing_uris.eq(uri_list(&app.landing_uris)),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        diesel::delete(
            application_origins::table.filter(application_origins::application_id.eq(&app.id)),
        )
        .execute(conn)?;
        for origin in origins {
            diesel::insert_into(application_origins::table)
                .values((
                    application_origins::origin.eq(origin),
                    application_origins::application_id.eq(&app.id),
                ))
                .execute(conn)?;
        }
        diesel::delete(
            application_landing_uris::table
                .filter(application_landing_uris::application_id.eq(&app.id)),
        )
        .execute(conn)?;
        insert_landing_uris(conn, app)?;
        Ok(true)
    })
}

/// Deletes an application with the codes and tokens issued to it (no foreign key on
/// PostgreSQL, to keep sign-ins cheap); its origins go by foreign key.
pub fn delete_application(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    conn.transaction(|conn| {
        diesel::delete(
            authorization_codes::table.filter(authorization_codes::application_id.eq(id)),
        )
        .execute(conn)?;
        diesel::delete(access_tokens::table.filter(access_tokens::application_id.eq(id)))
            .execute(conn)?;
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::application_id.eq(id)))
            .execute(conn)?;
        Ok(diesel::delete(applications::table.find(id)).execute(conn)? == 1)
    })
}
