-- Channel entries: every object version a channel carries (SHARING.md §2, §6).
-- seq orders entries that share date_added, so that paging by
-- (date_added, seq) never skips or repeats one (TAXII 2.1 §3.5).
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
    json          BLOB NOT NULL
);
CREATE INDEX channel_entries_read ON channel_entries(channel, status, date_added, seq);
CREATE INDEX channel_entries_object ON channel_entries(channel, object_id, status);
CREATE INDEX channel_entries_submission ON channel_entries(submission_id, status);

-- The copy each route of a submission's plan produced, for preview and review.
CREATE TABLE submission_copies (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    idx           INTEGER NOT NULL,
    route         TEXT NOT NULL,   -- JSON (INTERFACES.md §5 element)
    status        TEXT NOT NULL,   -- released, held, withheld
    hits          TEXT NOT NULL DEFAULT '[]',
    notice        TEXT NOT NULL DEFAULT '',
    bundle        BLOB,            -- NULL when withheld
    PRIMARY KEY (submission_id, idx)
) WITHOUT ROWID;

ALTER TABLE submissions ADD COLUMN plan TEXT NOT NULL DEFAULT '{"channels":[]}';
