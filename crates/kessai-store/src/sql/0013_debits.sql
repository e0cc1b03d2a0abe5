-- Direct debits requested for marketplace contracts (seed 001): one row per contract per
-- request, in the bank file `export_id` (a bank_exports row: Zengin 91 or pain.008). `ref` is
-- the debit's number in the file (Zengin 顧客番号, ISO EndToEndId), unique for ever, which
-- the bank's result names.
CREATE TABLE debit_items (
    ref BIGINT PRIMARY KEY,
    export_id TEXT NOT NULL REFERENCES bank_exports (id),
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    bank_code TEXT NOT NULL,
    debit_date TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    -- Null until the bank answers: debited, or why not.
    result TEXT,
    answered_at_ms BIGINT
)
--;;
CREATE INDEX debit_items_of_contract ON debit_items (contract_id)
--;;
CREATE INDEX debit_items_of_export ON debit_items (export_id)
