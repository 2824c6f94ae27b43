use diesel::prelude::*;

use super::DbConnection;
use super::schema::{application_origins, applications};
use crate::crypto::SigningAlg;
use crate::oidc::client::{AppType, Application};

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
            id: self.id,
            name: self.name,
            secret_hash: self.secret_hash,
            management_api: self.management_api,
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
        redirect_uris: serde_json::to_string(&app.redirect_uris).unwrap_or_else(|_| "[]".into()),
        post_logout_redirect_uris: serde_json::to_string(&app.post_logout_redirect_uris)
            .unwrap_or_else(|_| "[]".into()),
        id_token_alg: app.id_token_alg.as_str().to_owned(),
        management_api: app.management_api,
        created_at: app.created_at,
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
        Ok(())
    })
}

pub fn find_application(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Application>> {
    applications::table
        .find(id)
        .first::<ApplicationRow>(conn)
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
