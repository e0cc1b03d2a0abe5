-- 振込依頼人コード: a 10-digit number per deal that the buyer's bank puts in the transfer, so
-- that the payment matches its deal by number.
CREATE TABLE payer_codes (
    code TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL UNIQUE REFERENCES deals (id)
)
