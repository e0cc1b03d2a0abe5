-- What a bank entry said, canonically (amount, date, direction, counterparty): a record whose
-- identity was seen before is a duplicate only if this is equal too; otherwise it is a conflict,
-- recorded on its own and listed with the earlier record it conflicts with.
ALTER TABLE bank_credits ADD COLUMN content TEXT
--;;
ALTER TABLE bank_credits ADD COLUMN conflict_of TEXT
--;;
ALTER TABLE bank_answers ADD COLUMN content TEXT
--;;
-- What the file itself says it holds (from its trailers, or its entries where it has none):
-- `kessai check` compares the entries accounted for with it. Unknown for files imported before.
ALTER TABLE bank_files ADD COLUMN entries BIGINT
--;;
ALTER TABLE bank_files ADD COLUMN total_yen BIGINT
--;;
-- Every entry of every imported file and what became of it: the credit it is or duplicates, or
-- the instruction an answer moved.
CREATE TABLE bank_entries (
    file_id TEXT NOT NULL REFERENCES bank_files (id),
    position BIGINT NOT NULL,
    identity TEXT NOT NULL,
    content TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    credit_id TEXT,
    instruction_id TEXT,
    PRIMARY KEY (file_id, position)
)
