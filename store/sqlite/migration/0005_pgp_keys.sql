-- OpenPGP public keys uploaded by organizations (PUT /api/v1/organizations/{id}/pgp-key);
-- they take precedence over the key in the registry file.
CREATE TABLE organization_keys (
    organization TEXT PRIMARY KEY,
    armored      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;
