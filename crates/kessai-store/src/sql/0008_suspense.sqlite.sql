-- A return instruction belongs to a suspense credit, not a deal. SQLite cannot drop NOT NULL,
-- so the table is rebuilt (nothing references it, so the drop is safe with foreign keys on).
CREATE TABLE payment_instructions_v8 (
    id TEXT PRIMARY KEY,
    deal_id TEXT REFERENCES deals (id),
    credit_id TEXT REFERENCES bank_credits (id),
    journal_id TEXT NOT NULL REFERENCES journals (id),
    purpose TEXT NOT NULL,
    party TEXT NOT NULL,
    amount_yen BIGINT NOT NULL CHECK (amount_yen > 0),
    bank_account_json TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    export_id TEXT,
    status_reason TEXT,
    payee_ref TEXT,
    CHECK ((deal_id IS NULL) <> (credit_id IS NULL))
)
--;;
INSERT INTO payment_instructions_v8 (id, deal_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms, export_id, status_reason)
SELECT id, deal_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms, export_id, status_reason FROM payment_instructions
--;;
DROP TABLE payment_instructions
--;;
ALTER TABLE payment_instructions_v8 RENAME TO payment_instructions
--;;
CREATE INDEX payment_instructions_by_status ON payment_instructions (status, created_at_ms)
--;;
CREATE UNIQUE INDEX payment_instructions_one_return ON payment_instructions (credit_id)
