-- Submissions: one row per accepted intake.
CREATE TABLE submissions (
    id              TEXT PRIMARY KEY,
    organization    TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    bundle_id       TEXT NOT NULL,
    digest          TEXT NOT NULL,
    share_with      TEXT NOT NULL DEFAULT '[]',
    hold_for_review INTEGER NOT NULL DEFAULT 0,
    UNIQUE (organization, digest)
);

-- Objects: every version of every STIX object, canonical JSON plus the columns
-- it is found by. A version is (id, version); version is modified, else
-- created, else '' (SCOs).
CREATE TABLE objects (
    id            TEXT NOT NULL,
    version       TEXT NOT NULL,
    type          TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    organization  TEXT NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    date_added    TEXT NOT NULL,
    digest        TEXT NOT NULL,
    json          BLOB NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE INDEX objects_type ON objects(type);

-- Which object versions each submission carried (also those already stored).
CREATE TABLE submission_objects (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    seq           INTEGER NOT NULL,
    object_id     TEXT NOT NULL,
    type          TEXT NOT NULL,
    version       TEXT NOT NULL,
    new           INTEGER NOT NULL,
    PRIMARY KEY (submission_id, seq)
) WITHOUT ROWID;

-- The append-only, hash-chained audit log (SHARING.md §6).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Revoked access tokens, by jti.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    revoked_at TEXT NOT NULL
) WITHOUT ROWID;
