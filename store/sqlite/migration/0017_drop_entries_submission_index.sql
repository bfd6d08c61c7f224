-- channel_entries_submission (submission_id, status) served only ReleaseHeld's
-- look-up of a submission's held entries; that look-up now names every channel
-- and so seeks channel_entries_read (channel, status, …) to the held entries
-- of each, which are few. One index fewer to update for each of the thousands
-- of entries a submission writes (docs/performance.md, third round).
DROP INDEX channel_entries_submission;
