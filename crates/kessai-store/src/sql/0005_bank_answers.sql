-- Each answer the bank gave about an instruction, by its identity in the bank's file: the same
-- answer read twice (the same file, or a later file repeating it) is applied once.
CREATE TABLE bank_answers (
    identity TEXT PRIMARY KEY,
    instruction_id TEXT,
    answer TEXT NOT NULL,
    at_ms BIGINT NOT NULL
)
--;;
ALTER TABLE payment_instructions ADD COLUMN status_reason TEXT
