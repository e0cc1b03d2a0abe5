-- The payout run (seed 001, step 7): each contract's payout track (waiting → instructed →
-- paid, kessai_core::contract::payout) with the day the bank confirmed it, and the two terms
-- the run selects by, copied out of the contract's body so the run reads an index, not JSON.
ALTER TABLE contracts ADD COLUMN payout_state TEXT NOT NULL DEFAULT 'waiting'
--;;
ALTER TABLE contracts ADD COLUMN paid_on TEXT
--;;
ALTER TABLE contracts ADD COLUMN payout_when TEXT NOT NULL DEFAULT 'after_shipment'
--;;
ALTER TABLE contracts ADD COLUMN pooling TEXT NOT NULL DEFAULT 'pooled'
--;;
CREATE INDEX contracts_to_pay ON contracts (payout_state, debit_state)
