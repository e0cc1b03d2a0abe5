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
