-- Deliveries of marketplace contracts (seed 001): one per contract, instructed to the carrier
-- in the file `export_id` (a bank_exports row holding the carrier CSV) under `ref` (お客様管理番号,
-- unique for ever), shipped when the carrier's notice gives its tracking number and day.
CREATE TABLE deliveries (
    ref BIGINT PRIMARY KEY,
    export_id TEXT NOT NULL REFERENCES bank_exports (id),
    contract_id TEXT NOT NULL UNIQUE REFERENCES contracts (id),
    ship_date TEXT NOT NULL,
    tracking_number TEXT,
    shipped_on TEXT,
    notice_at_ms BIGINT
)
--;;
CREATE INDEX deliveries_of_export ON deliveries (export_id)
--;;
-- Each carrier file imported, known by its content.
CREATE TABLE carrier_files (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    records BIGINT NOT NULL,
    imported_at_ms BIGINT NOT NULL
)
