-- Money no deal holds: suspense credits returned to their payer, and reversals the bank made
-- after the money had moved on (claims on the payer).
INSERT INTO accounts (id, kind, currency) VALUES ('return_due', 'return_due', 'JPY')
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('reversal_claims', 'reversal_claims', 'JPY')
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('written_off', 'written_off', 'JPY')
--;;
-- What settled a claim or sent a credit back: the return instruction, or the credit that
-- recovered a claim.
ALTER TABLE bank_credits ADD COLUMN resolved_by TEXT
--;;
-- The account the money arrived in and the payer's code, as the bank reported them: a
-- reversal is matched to its original payment by them as well as by amount and text.
ALTER TABLE bank_credits ADD COLUMN account_number TEXT
--;;
ALTER TABLE bank_credits ADD COLUMN transferor_code TEXT
--;;
-- Reversals recorded before this migration as `reversal_unapplied` posted no journal: the bank
-- had taken the money, the ledger still counted it. Each becomes an open claim with its journal
-- (bank clearing → reversal claims), so the books follow the bank and the operator can act.
INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms)
SELECT 'm8-' || id, deal_id, 'reversal_claim', NULL, 'JPY', 'migration_8', received_at_ms
FROM bank_credits WHERE outcome = 'reversal_unapplied'
--;;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen)
SELECT 'm8-' || id, 0, 'reversal_claims', amount_yen FROM bank_credits WHERE outcome = 'reversal_unapplied'
--;;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen)
SELECT 'm8-' || id, 1, 'bank_clearing', -amount_yen FROM bank_credits WHERE outcome = 'reversal_unapplied'
--;;
UPDATE accounts SET debits_yen = debits_yen + (SELECT COALESCE(SUM(amount_yen), 0) FROM bank_credits WHERE outcome = 'reversal_unapplied')
WHERE id = 'reversal_claims'
--;;
UPDATE accounts SET credits_yen = credits_yen + (SELECT COALESCE(SUM(amount_yen), 0) FROM bank_credits WHERE outcome = 'reversal_unapplied')
WHERE id = 'bank_clearing'
--;;
UPDATE bank_credits SET outcome = 'reversal_claim' WHERE outcome = 'reversal_unapplied'
