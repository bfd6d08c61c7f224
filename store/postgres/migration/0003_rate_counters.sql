-- Rate limit counters shared by every hub of the database (issue #14): one row
-- per key and fixed window, so that N hubs allow the configured rate and not
-- N times it. The key is the SHA-256 of the window's length, the limit's name
-- and its key, which names a client address or what was typed as a username:
-- the table holds neither.
--
-- UNLOGGED: a count is worth a minute at most, so it is not worth a WAL
-- record per request; after a crash of the server the table comes back
-- empty (every window starts afresh) and standbys do not hold it.
CREATE UNLOGGED TABLE rate_counters (
    key          bytea NOT NULL,
    window_start timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,   -- window_start + the window's length: rows past it are pruned
    count        integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_expires ON rate_counters(expires_at);
