-- The console's people and their sessions (issue #13). A session row keeps
-- only the SHA-256 of the cookie's token.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    organization  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_organization ON users(organization, username);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users(username),
    organization TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen    TEXT NOT NULL
);
CREATE INDEX sessions_username ON sessions(username);
