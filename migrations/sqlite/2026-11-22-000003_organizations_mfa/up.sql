ALTER TABLE users ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE organizations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    custom_data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX organizations_created ON organizations (created_at);

-- Permissions inside organizations.
CREATE TABLE organization_scopes (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE organization_roles (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE organization_role_scopes (
    role_id TEXT NOT NULL REFERENCES organization_roles(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL REFERENCES organization_scopes(id) ON DELETE CASCADE,
    PRIMARY KEY (role_id, scope_id)
);
CREATE INDEX organization_role_scopes_scope ON organization_role_scopes (scope_id);

CREATE TABLE organization_members (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user ON organization_members (user_id);

CREATE TABLE organization_member_roles (
    organization_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role_id TEXT NOT NULL REFERENCES organization_roles(id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, user_id, role_id),
    FOREIGN KEY (organization_id, user_id) REFERENCES organization_members(organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX organization_member_roles_user ON organization_member_roles (user_id);
CREATE INDEX organization_member_roles_role ON organization_member_roles (role_id);

-- Roles a just-in-time member (e.g. invited by a magic link) receives by default.
CREATE TABLE organization_jit_roles (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role_id TEXT NOT NULL REFERENCES organization_roles(id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, role_id)
);

-- One row (id = 1) once the sign-in experience has been changed; until then the configured
-- defaults apply.
CREATE TABLE sign_in_experience (
    id INTEGER PRIMARY KEY NOT NULL,
    settings TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- TOTP (RFC 6238). The shared secret must be readable to verify codes; `last_step` is the
-- newest time step accepted, so a code is never accepted twice.
CREATE TABLE mfa_totp (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    last_step BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE mfa_backup_codes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
