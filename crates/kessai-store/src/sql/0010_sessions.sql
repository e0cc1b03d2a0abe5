-- A party's sign-in: the SHA-256 of a random bearer token (the token itself is never stored),
-- for one registration, until it expires or is revoked.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    public_id TEXT NOT NULL REFERENCES registrations (public_id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
)
--;;
CREATE INDEX sessions_of_party ON sessions (public_id)
