-- Signed checkpoints of the audit log's head (issue #12): the hub signs the
-- latest entry's sequence number and hash with its Ed25519 key at least every
-- minute and at shutdown, so that truncating, deleting or rewriting the log
-- (even with recomputed hashes) no longer verifies. Append-only like the log.
CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY,
    head_seq  INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    at        TEXT NOT NULL,
    signature TEXT NOT NULL     -- compact JWS (EdDSA) over {"at","head_hash","head_seq"}
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
