-- The operator's instruction list pages by (created_at_ms, id), and a deal's instructions are
-- found by deal_id: both by index, so neither scans the table as it grows.
CREATE INDEX payment_instructions_listed ON payment_instructions (created_at_ms, id)
--;;
CREATE INDEX payment_instructions_of_deal ON payment_instructions (deal_id, created_at_ms, id)
