-- One index over an entry's object serves every look-up by object:
-- (object_id, channel, version_key) answers the per-channel version look-ups
-- channel_entries_versions (channel, object_id, version_key, seq) answered
-- (an equality on both columns either way; the rowid, seq, ends every index
-- entry) and intake's look-up of what every channel holds of an object, which
-- channel_entries_by_object (object_id, status) answered. A bundle's entries
-- for the same object in its five channels now land side by side in one
-- index instead of at five random places in one and together in another
-- (docs/performance.md, fifth round).
CREATE INDEX channel_entries_objects ON channel_entries(object_id, channel, version_key);
DROP INDEX channel_entries_versions;
DROP INDEX channel_entries_by_object;
