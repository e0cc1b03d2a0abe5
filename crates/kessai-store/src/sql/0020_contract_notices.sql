-- Emails to a contract's buyer and seller (seed 001: "the same facts go out by email"): how
-- many of its parties gave an email address, and one notice per change of a contract that
-- has any, recorded in the same transaction as the change (`Tx::contracts_changed`). A worker
-- turns each notice into outbox emails once (`done_at_ms`), and the outbox sends them.
ALTER TABLE contracts ADD COLUMN party_emails BIGINT NOT NULL DEFAULT 0
--;;
CREATE TABLE contract_notices (
    id TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    debit_state TEXT NOT NULL,
    delivery_state TEXT NOT NULL,
    payout_state TEXT NOT NULL,
    paid_on TEXT,
    created_at_ms BIGINT NOT NULL,
    done_at_ms BIGINT
)
--;;
CREATE INDEX contract_notices_to_do ON contract_notices (done_at_ms, id)
