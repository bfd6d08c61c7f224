-- Statutory obligations (reporting.Obligation): one row per incident,
-- organization and kind; json holds the whole record, the other columns are
-- what it is found by.
CREATE TABLE obligations (
    id           TEXT PRIMARY KEY,
    incident_id  TEXT NOT NULL,
    organization TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    due          TEXT,            -- YYYY-MM-DD (legal deadline), NULL when undated
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    json         BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX obligations_org_status ON obligations(organization, status, due);
CREATE INDEX obligations_incident ON obligations(incident_id, organization);
CREATE INDEX obligations_status_due ON obligations(status, due);

-- The classification of every incident of a submission (INTERFACES.md §4
-- elements), as answered to the submitter.
ALTER TABLE submissions ADD COLUMN classification TEXT NOT NULL DEFAULT '[]';

-- A sortable form of version (modified at nanosecond precision, fixed width),
-- because STIX timestamps may carry any number of fractional digits and so do
-- not sort as text. Empty for objects without a version.
ALTER TABLE objects ADD COLUMN version_key TEXT NOT NULL DEFAULT '';
CREATE INDEX objects_latest ON objects(id, version_key);
