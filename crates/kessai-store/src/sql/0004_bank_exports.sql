-- Outbound bank files. The bytes are kept with the row, written in the same transaction that
-- marks the instructions sent: a crash before the file reaches the disk leaves it to be written
-- by the next export run, never lost and never built twice.
CREATE TABLE bank_exports (
    id TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    value_date TEXT NOT NULL,
    file_name TEXT NOT NULL UNIQUE,
    content_b64 TEXT NOT NULL,
    records BIGINT NOT NULL,
    total_yen BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    written_at_ms BIGINT
)
--;;
ALTER TABLE payment_instructions ADD COLUMN export_id TEXT
