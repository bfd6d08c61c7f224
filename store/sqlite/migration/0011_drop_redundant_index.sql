-- channel_entries_versions (channel, object_id, version_key, seq) serves every
-- lookup channel_entries_object (channel, object_id, status) served; one index
-- fewer to update for each of the thousands of entries a submission writes
-- (docs/performance.md).
DROP INDEX channel_entries_object;
