-- TAXII 2.1 (INTERFACES.md §6; docs/taxii.md).

-- The intake collection: every object version each organization submitted,
-- once per organization, with the date it was first submitted. A carrier reads
-- back only its own. seq orders versions that share date_added, so that paging
-- by (date_added, seq) never skips or repeats one (TAXII 2.1 §3.5). The trigger
-- fills it as submissions are stored, whichever endpoint took them; versions
-- already stored are linked by submission_objects too, so another organization
-- submitting an identical object reads it back as well.
CREATE TABLE taxii_intake (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    organization TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    version      TEXT NOT NULL,
    version_key  TEXT NOT NULL,
    date_added   TEXT NOT NULL,    -- microseconds
    UNIQUE (organization, object_id, version)
);
CREATE INDEX taxii_intake_read ON taxii_intake(organization, date_added, seq);

INSERT OR IGNORE INTO taxii_intake(organization, object_id, version, version_key, date_added)
SELECT s.organization, so.object_id, so.version,
       coalesce((SELECT o.version_key FROM objects o WHERE o.id = so.object_id AND o.version = so.version), ''),
       s.received_at
FROM submission_objects so JOIN submissions s ON s.id = so.submission_id
ORDER BY s.received_at, so.submission_id, so.seq;

CREATE TRIGGER taxii_intake_fill AFTER INSERT ON submission_objects
BEGIN
    INSERT OR IGNORE INTO taxii_intake(organization, object_id, version, version_key, date_added)
    SELECT s.organization, NEW.object_id, NEW.version,
           coalesce((SELECT o.version_key FROM objects o WHERE o.id = NEW.object_id AND o.version = NEW.version), ''),
           s.received_at
    FROM submissions s WHERE s.id = NEW.submission_id;
END;

-- Finding the latest (or first) visible version of an object in a channel.
CREATE INDEX channel_entries_versions ON channel_entries(channel, object_id, version_key, seq);

-- Status resources of TAXII POSTs (TAXII 2.1 §4.3), kept at least 24 hours.
CREATE TABLE taxii_status (
    id           TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    body         TEXT NOT NULL     -- the status resource, JSON
) WITHOUT ROWID;
CREATE INDEX taxii_status_created ON taxii_status(created_at);

-- API keys for HTTP Basic (user: organization id, password: the key). Only the
-- SHA-256 of the key is stored.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    organization TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
) WITHOUT ROWID;
CREATE INDEX api_keys_org ON api_keys(organization);
