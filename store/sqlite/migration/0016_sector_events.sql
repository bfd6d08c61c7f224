-- Sector events (issue #16, INTERFACES §9): the correlator keeps events in
-- memory and only the last closed ones; the hub saves every version it is
-- notified of, so events outlive restarts. json is the identified event
-- (outage.Event) as the hub stores it; the views are made from it per caller.
CREATE TABLE sector_events (
    id          TEXT PRIMARY KEY,
    status      TEXT NOT NULL,   -- open, closed
    opened_at   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    json        BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX sector_events_opened ON sector_events(status, opened_at);
