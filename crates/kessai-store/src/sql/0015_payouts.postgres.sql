UPDATE contracts SET payout_when = (body::json) ->> 'payout', pooling = (body::json) ->> 'pooling'
--;;
-- A payout of a contract is an instruction of its own owner kind: exactly one of a deal, a
-- suspense credit or a contract owns each instruction.
ALTER TABLE payment_instructions ADD COLUMN contract_id TEXT REFERENCES contracts (id)
--;;
ALTER TABLE payment_instructions DROP CONSTRAINT payment_instructions_deal_or_credit
--;;
ALTER TABLE payment_instructions ADD CONSTRAINT payment_instructions_one_owner CHECK (num_nonnulls(deal_id, credit_id, contract_id) = 1)
--;;
CREATE UNIQUE INDEX payment_instructions_one_payout ON payment_instructions (contract_id)
--;;
-- A statement's withdrawal finds its transfer by the reference it quotes (EDI): by index.
CREATE INDEX payment_instructions_by_payee_ref ON payment_instructions (payee_ref)
