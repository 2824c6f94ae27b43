//! Table definitions shared by SQLite and PostgreSQL. Only column types both backends support
//! through diesel's `MultiConnection` are used: text, integers, booleans.

diesel::table! {
    applications (id) {
        id -> Text,
        name -> Text,
        app_type -> Text,
        secret_hash -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        id_token_alg -> Text,
        management_api -> Bool,
        created_at -> BigInt,
        introspection -> Bool,
        landing_uris -> Text,
    }
}

diesel::table! {
    application_landing_uris (uri, application_id) {
        uri -> Text,
        application_id -> Text,
    }
}

diesel::table! {
    application_origins (origin, application_id) {
        origin -> Text,
        application_id -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_lower -> Text,
        password_hash -> Nullable<Text>,
        name -> Nullable<Text>,
        email_verified -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
        suspended -> Bool,
        credentials_changed_at -> Nullable<BigInt>,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        private_der -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        token_hash -> Text,
        user_id -> Text,
        auth_time -> BigInt,
        amr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    interactions (id_hash) {
        id_hash -> Text,
        request -> Text,
        csrf -> Text,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        secret_hash -> Nullable<Text>,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        grant_id -> Text,
        application_id -> Text,
        user_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> BigInt,
        amr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    access_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Text,
        application_id -> Text,
        user_id -> Text,
        scope -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Text,
        application_id -> Text,
        user_id -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        auth_time -> BigInt,
        amr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        count -> Integer,
        window_start -> BigInt,
    }
}

diesel::joinable!(application_origins -> applications (application_id));
diesel::joinable!(application_landing_uris -> applications (application_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    applications,
    application_origins,
    application_landing_uris,
    users,
    signing_keys,
    sessions,
    interactions,
    authorization_codes,
    access_tokens,
    refresh_tokens,
    rate_limits,
    grants,
);

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        token_hash -> Text,
        email -> Text,
        email_lower -> Text,
        context -> Text,
        status -> Text,
        application_id -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        event -> Text,
        token_id -> Nullable<Text>,
        application_id -> Nullable<Text>,
        client_ip -> Nullable<Text>,
        detail -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(one_time_tokens, audit_log);

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        custom_data -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    organization_scopes (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    organization_roles (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    organization_role_scopes (role_id, scope_id) {
        role_id -> Text,
        scope_id -> Text,
    }
}

diesel::table! {
    organization_members (organization_id, user_id) {
        organization_id -> Text,
        user_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    organization_member_roles (organization_id, user_id, role_id) {
        organization_id -> Text,
        user_id -> Text,
        role_id -> Text,
    }
}

diesel::table! {
    organization_jit_roles (organization_id, role_id) {
        organization_id -> Text,
        role_id -> Text,
    }
}

diesel::table! {
    sign_in_experience (id) {
        id -> Integer,
        settings -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    mfa_totp (user_id) {
        user_id -> Text,
        secret -> Text,
        last_step -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    mfa_backup_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(organization_role_scopes -> organization_roles (role_id));
diesel::joinable!(organization_role_scopes -> organization_scopes (scope_id));
diesel::joinable!(organization_members -> organizations (organization_id));
diesel::joinable!(organization_members -> users (user_id));
diesel::joinable!(organization_member_roles -> organization_roles (role_id));
diesel::joinable!(organization_jit_roles -> organization_roles (role_id));
diesel::joinable!(organization_jit_roles -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    organization_scopes,
    organization_roles,
    organization_role_scopes,
    organization_members,
    organization_member_roles,
    organization_jit_roles,
    users,
);

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        locale -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> BigInt,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<BigInt>,
        one_time_token_id -> Nullable<Text>,
        created_at -> BigInt,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    hosted_links (id) {
        id -> Text,
        interaction_hash -> Text,
        sealed_uid -> Text,
        email -> Text,
        token_hash -> Text,
        code_hash -> Text,
        attempts -> Integer,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
        last_sent_at -> BigInt,
    }
}

diesel::table! {
    email_codes (id) {
        id -> Text,
        purpose -> Text,
        interaction_hash -> Text,
        email -> Text,
        user_id -> Nullable<Text>,
        code_hash -> Text,
        link_hash -> Nullable<Text>,
        name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        attempts -> Integer,
        verified_at -> Nullable<BigInt>,
        sent_at -> BigInt,
        created_at -> BigInt,
        expires_at -> BigInt,
        consumed_at -> Nullable<BigInt>,
    }
}
