-- A return instruction belongs to a suspense credit, not a deal.
ALTER TABLE payment_instructions ALTER COLUMN deal_id DROP NOT NULL
--;;
ALTER TABLE payment_instructions ADD COLUMN credit_id TEXT REFERENCES bank_credits (id)
--;;
ALTER TABLE payment_instructions ADD COLUMN payee_ref TEXT
--;;
ALTER TABLE payment_instructions ADD CONSTRAINT payment_instructions_deal_or_credit CHECK ((deal_id IS NULL) <> (credit_id IS NULL))
--;;
CREATE UNIQUE INDEX payment_instructions_one_return ON payment_instructions (credit_id)
