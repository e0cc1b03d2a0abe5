-- Bank files imported, by content: the same file imported twice is recognized and skipped.
CREATE TABLE bank_files (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    name TEXT NOT NULL,
    records BIGINT NOT NULL,
    applied BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    imported_at_ms BIGINT NOT NULL
)
--;;
ALTER TABLE bank_credits ADD COLUMN file_id TEXT
