-- The JSON of the objects of the copies, each distinct object of a
-- submission's copies stored once (issue #15, docs/performance.md). A
-- 1,000-object bundle reaches five channels, four of them with the same
-- anonymized objects: its channel entries and copies used to carry the same
-- JSON ten times over (about 5 MB written per bundle). Channel entries and
-- copies now refer to copy_objects by id.
CREATE TABLE copy_objects (
    id   INTEGER PRIMARY KEY,
    json BLOB NOT NULL
);

-- channel_entries without its JSON: json_id names the object's JSON in
-- copy_objects. Rows keep their seq (TAXII cursors point at it); each
-- existing entry's JSON moves to copy_objects under the same number.
ALTER TABLE channel_entries RENAME TO channel_entries_0012;
CREATE TABLE channel_entries (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel       TEXT NOT NULL,
    object_id     TEXT NOT NULL,
    version       TEXT NOT NULL,
    version_key   TEXT NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    organization  TEXT NOT NULL,
    recipients    TEXT,            -- JSON list of organization ids; NULL: the whole audience
    status        TEXT NOT NULL,   -- released, held, revoked
    date_added    TEXT NOT NULL,   -- when it became readable; microseconds
    json_id       INTEGER NOT NULL REFERENCES copy_objects(id)
);
INSERT INTO copy_objects(id, json) SELECT seq, json FROM channel_entries_0012;
INSERT INTO channel_entries(seq, channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
SELECT seq, channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, seq FROM channel_entries_0012;
DROP TABLE channel_entries_0012;
CREATE INDEX channel_entries_read ON channel_entries(channel, status, date_added, seq);
CREATE INDEX channel_entries_submission ON channel_entries(submission_id, status);
CREATE INDEX channel_entries_versions ON channel_entries(channel, object_id, version_key, seq);
CREATE INDEX channel_entries_by_object ON channel_entries(object_id, status);

-- A copy is its bundle id and the list of its objects in copy_objects (a
-- JSON array of ids); the store assembles the bundle when it is read, byte
-- for byte as it was released. Copies stored before keep their bundle.
ALTER TABLE submission_copies ADD COLUMN bundle_id TEXT;
ALTER TABLE submission_copies ADD COLUMN objects TEXT;
