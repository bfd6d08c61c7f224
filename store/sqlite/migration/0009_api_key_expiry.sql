-- API keys expire (issue #12). Keys issued before this migration expire 30
-- days after the upgrade, so that their TAXII clients have time to get a new
-- one (docs/operator-guide.md).
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
UPDATE api_keys SET expires_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', '+30 days') || '.000000Z' WHERE expires_at IS NULL;
