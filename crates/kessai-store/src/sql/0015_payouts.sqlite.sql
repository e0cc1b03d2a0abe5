UPDATE contracts SET payout_when = json_extract(body, '$.payout'), pooling = json_extract(body, '$.pooling')
--;;
-- A payout of a contract is an instruction of its own owner kind: exactly one of a deal, a
-- suspense credit or a contract owns each instruction. SQLite cannot change a CHECK, so the
-- table is rebuilt (nothing references it, so the drop is safe with foreign keys on).
CREATE TABLE payment_instructions_v15 (
    id TEXT PRIMARY KEY,
    deal_id TEXT REFERENCES deals (id),
    credit_id TEXT REFERENCES bank_credits (id),
    contract_id TEXT REFERENCES contracts (id),
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
    CHECK ((deal_id IS NOT NULL) + (credit_id IS NOT NULL) + (contract_id IS NOT NULL) = 1)
)
--;;
INSERT INTO payment_instructions_v15 (id, deal_id, credit_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms, export_id, status_reason, payee_ref)
SELECT id, deal_id, credit_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms, export_id, status_reason, payee_ref FROM payment_instructions
--;;
DROP TABLE payment_instructions
--;;
ALTER TABLE payment_instructions_v15 RENAME TO payment_instructions
--;;
CREATE INDEX payment_instructions_by_status ON payment_instructions (status, created_at_ms)
--;;
CREATE UNIQUE INDEX payment_instructions_one_return ON payment_instructions (credit_id)
--;;
CREATE INDEX payment_instructions_listed ON payment_instructions (created_at_ms, id)
--;;
CREATE INDEX payment_instructions_of_deal ON payment_instructions (deal_id, created_at_ms, id)
--;;
CREATE UNIQUE INDEX payment_instructions_one_payout ON payment_instructions (contract_id)
--;;
-- A statement's withdrawal finds its transfer by the reference it quotes (EDI): by index.
CREATE INDEX payment_instructions_by_payee_ref ON payment_instructions (payee_ref)
