-- Intake looks up, in one query, what every channel already holds of the
-- objects of a submission (dedupe and revocation).
CREATE INDEX channel_entries_by_object ON channel_entries(object_id, status);
