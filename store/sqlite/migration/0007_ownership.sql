-- Ownership (SHARING.md §1): every stored object belongs to the organization
-- that first submitted it, and nobody else may add versions of it.
--
-- Objects are now kept per organization: (organization, id, version). Objects
-- with deterministic ids (SCOs, marking definitions, UUIDv5 ids) may so exist
-- once per submitter, and a lookup never answers with another organization's
-- version. Objects with random ids are claimed in object_owners by their first
-- submitter; intake refuses versions of an id claimed by someone else.

DROP TRIGGER taxii_intake_fill;
ALTER TABLE objects RENAME TO objects_0006;
CREATE TABLE objects (
    organization  TEXT NOT NULL,
    id            TEXT NOT NULL,
    version       TEXT NOT NULL,
    type          TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    date_added    TEXT NOT NULL,
    digest        TEXT NOT NULL,
    json          BLOB NOT NULL,
    version_key   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (organization, id, version)
) WITHOUT ROWID;
INSERT INTO objects(organization, id, version, type, spec_version, submission_id, date_added, digest, json, version_key)
SELECT organization, id, version, type, spec_version, submission_id, date_added, digest, json, version_key FROM objects_0006;
-- Before, a version another organization had already stored was only linked
-- (submission_objects.new = 0), not stored again. Each organization now gets
-- its own copy of every version it submitted.
INSERT OR IGNORE INTO objects(organization, id, version, type, spec_version, submission_id, date_added, digest, json, version_key)
SELECT s.organization, o.id, o.version, o.type, o.spec_version, so.submission_id, s.received_at, o.digest, o.json, o.version_key
FROM submission_objects so
JOIN submissions s ON s.id = so.submission_id
JOIN objects_0006 o ON o.id = so.object_id AND o.version = so.version
WHERE so.new = 0;
DROP TABLE objects_0006;
CREATE INDEX objects_type ON objects(type);
CREATE INDEX objects_latest ON objects(organization, id, version_key);

-- Claimed ids: the owner of every object but SCOs and marking definitions. Rows
-- stored before this migration are claimed by the organization that stored
-- their earliest version (a later version by another organization stays in
-- that organization's own namespace and no longer reaches the owner's reads).
CREATE TABLE object_owners (
    id           TEXT PRIMARY KEY,
    organization TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO object_owners(id, organization)
SELECT o.id, o.organization FROM objects o
WHERE o.type NOT IN ('artifact', 'autonomous-system', 'directory', 'domain-name', 'email-addr', 'email-message', 'file',
                     'ipv4-addr', 'ipv6-addr', 'mac-addr', 'mutex', 'network-traffic', 'process', 'software', 'url',
                     'user-account', 'windows-registry-key', 'x509-certificate', 'marking-definition')
  AND o.date_added = (SELECT min(p.date_added) FROM objects p WHERE p.id = o.id)
GROUP BY o.id;

CREATE TRIGGER taxii_intake_fill AFTER INSERT ON submission_objects
BEGIN
    INSERT OR IGNORE INTO taxii_intake(organization, object_id, version, version_key, date_added)
    SELECT s.organization, NEW.object_id, NEW.version,
           coalesce((SELECT o.version_key FROM objects o WHERE o.organization = s.organization AND o.id = NEW.object_id AND o.version = NEW.version), ''),
           s.received_at
    FROM submissions s WHERE s.id = NEW.submission_id;
END;

-- Named means named (SHARING.md §3): RED and AMBER+STRICT entries of the
-- community channels always carry their explicit recipients. Until now an
-- entry whose named recipients happened to be the channel's whole audience was
-- stored without a list, so an organization joining later could read it. The
-- named organizations are the submission's share_with. The channels repaired
-- are those where the default policy (SHARING.md §3) sends RED or AMBER+STRICT
-- only to named organizations; isac-internal takes AMBER+STRICT whole.
UPDATE channel_entries
SET recipients = (SELECT json_group_array(value) FROM (
        SELECT DISTINCT w.value FROM submissions s, json_each(s.share_with) w
        WHERE s.id = channel_entries.submission_id AND w.value != s.organization ORDER BY w.value))
WHERE recipients IS NULL
  AND EXISTS (SELECT 1 FROM json_each(channel_entries.json, '$.object_marking_refs') m
              WHERE (channel IN ('nisc', 'isac-members', 'isac-internal')
                     AND m.value IN ('marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',   -- TLP 2.0 RED
                                     'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed'))  -- TLP 1.0 RED
                 OR (channel = 'nisc'
                     AND m.value = 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'));   -- AMBER+STRICT

-- Key changes (SHARING.md §5): every change of an organization's OpenPGP key,
-- whoever made it, visible to that organization.
CREATE TABLE key_changes (
    seq          INTEGER PRIMARY KEY,
    organization TEXT NOT NULL,
    at           TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    source       TEXT NOT NULL,   -- api (the organization itself) or registry
    actor        TEXT NOT NULL
);
CREATE INDEX key_changes_org ON key_changes(organization, seq);
