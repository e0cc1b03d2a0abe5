-- Where each direct debit pays into (kessai_core::contract::PaidInto): `main` (the operator's
-- main account: every debit requested before this migration went there in the books),
-- `collection:<bank code>` (the operator's collection account at that bank, swept to the
-- main one), or `seller` (no pooling: straight into the seller's own account).
ALTER TABLE debit_items ADD COLUMN paid_into TEXT NOT NULL DEFAULT 'main'
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('sweep_in_transit', 'sweep_in_transit', 'JPY')
--;;
-- The sweep run (seed 001): one transfer from a collection account to the main account per
-- row, in the bank file `export_id`, quoting `reference` (kessai_core::sweep). The two banks
-- report it on their own (`withdrawn_on`, `arrived_on`). On the statement that reported the
-- withdrawal the bank gave the account's closing balance (`bank_balance_yen`); the ledger's
-- balance of that account once that statement was applied is beside it, for `kessai check`.
CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    bank_code TEXT NOT NULL,
    amount_yen BIGINT NOT NULL CHECK (amount_yen > 0),
    status TEXT NOT NULL,
    export_id TEXT NOT NULL REFERENCES bank_exports (id),
    value_date TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    withdrawn_on TEXT,
    arrived_on TEXT,
    reason TEXT,
    bank_balance_yen BIGINT,
    ledger_balance_yen BIGINT
)
--;;
-- Until its money has left the collection account in the books, a sweep is the bank's only
-- one: a second run cannot sweep the same money again, whatever the code above does.
CREATE UNIQUE INDEX sweeps_one_open_per_bank ON sweeps (bank_code) WHERE status IN ('instructed', 'arrived')
