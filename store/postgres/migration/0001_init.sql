-- The hub's tables that do not hold submissions (issue #14): the audit log and
-- its checkpoints, revoked tokens, API keys, uploaded OpenPGP keys and their
-- changes, users and sessions, obligations, TAXII statuses, sector events.
-- Timestamps are timestamptz, which keeps microseconds (TAXII 2.1 §3.2).
-- Text that lists are ordered by is COLLATE "C": byte order, as in SQLite,
-- whatever locale the database was created with.

-- The append-only, hash-chained audit log (SHARING.md §6).
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    subject   text NOT NULL,
    detail    text NOT NULL,     -- canonical JSON as hashed, byte for byte (not jsonb)
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action, seq);

-- Signed checkpoints of the log's head (issue #12).
CREATE TABLE audit_checkpoints (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    head_seq  bigint NOT NULL,
    head_hash text NOT NULL,
    at        timestamptz NOT NULL,
    signature text NOT NULL
);

CREATE FUNCTION kakehashi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION kakehashi_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION kakehashi_append_only();

-- Revoked access tokens, by jti.
CREATE TABLE revoked_tokens (
    jti        text PRIMARY KEY,
    revoked_at timestamptz NOT NULL
);

-- API keys (issue #12): only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
    id           text COLLATE "C" PRIMARY KEY,
    organization text NOT NULL,
    hash         text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_org ON api_keys(organization) WHERE revoked_at IS NULL;

-- OpenPGP keys uploaded by organizations, and every key change (SHARING.md §5).
CREATE TABLE organization_keys (
    organization text PRIMARY KEY,
    armored      text NOT NULL,
    fingerprint  text NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE TABLE key_changes (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization text NOT NULL,
    at           timestamptz NOT NULL,
    fingerprint  text NOT NULL,
    source       text NOT NULL,   -- api or registry
    actor        text NOT NULL
);
CREATE INDEX key_changes_org ON key_changes(organization, seq);

-- The console's people and their sessions (issue #13); a session row keeps
-- only the SHA-256 of the cookie's token.
CREATE TABLE users (
    username      text COLLATE "C" PRIMARY KEY,
    organization  text NOT NULL,
    role          text NOT NULL,
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX users_organization ON users(organization, username);
CREATE TABLE sessions (
    id           text PRIMARY KEY,
    username     text COLLATE "C" NOT NULL REFERENCES users(username),
    organization text NOT NULL,
    csrf         text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL
);
CREATE INDEX sessions_username ON sessions(username);

-- Statutory obligations (reporting.Obligation), one column per field: the
-- store's own row, not the API's JSON.
CREATE TABLE obligations (
    id            text COLLATE "C" PRIMARY KEY,
    incident_id   text NOT NULL,
    organization  text NOT NULL,
    kind          text NOT NULL,
    recipient     text NOT NULL,
    form          text,
    urgency       text NOT NULL,
    due_raw       date,
    due           date,            -- the legal deadline; NULL when undated
    status        text NOT NULL,
    subsumed_by   text NOT NULL,
    reason        text NOT NULL,
    met_reference text NOT NULL,
    met_at        timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX obligations_org_status ON obligations(organization, status, due);
CREATE INDEX obligations_incident ON obligations(incident_id, organization);
CREATE INDEX obligations_status_due ON obligations(status, due);

-- Status resources of TAXII POSTs (TAXII 2.1 §4.3): body is the resource as served.
CREATE TABLE taxii_status (
    id           text PRIMARY KEY,
    organization text NOT NULL,
    created_at   timestamptz NOT NULL,
    body         jsonb NOT NULL
);
CREATE INDEX taxii_status_created ON taxii_status(created_at);

-- Sector events (issue #16): the identified event (outage.Event) as saved.
CREATE TABLE sector_events (
    id         text COLLATE "C" PRIMARY KEY,
    status     text NOT NULL,
    opened_at  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    body       jsonb NOT NULL
);
CREATE INDEX sector_events_opened ON sector_events(status, opened_at);
